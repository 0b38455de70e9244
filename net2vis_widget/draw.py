"""Drawing (SPEC §4.1, §4.3, §4.4): a laid-out network → a ``Scene`` of glyphs, lines, labels.

Glyph outlines follow the paper's handle construction: every connection gets a handle (the
full input or output side, centred on the connection's level); between two handles the
outline dips to where one handle's bottom line meets the next one's top line, so a glyph
with several connections reads as trapezoids fanning in or out.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from .layout import Box, Layout
from .network import Network
from .palette import darken, fill_of
from .preferences import Preferences
from .scene import (DIMENSION_FONT_SIZE, FONT_SIZE, Frame, Glyph, Label, Line, Placeholder,
                    Scene, text_width)
from .sizing import Size

LABEL_GAP = 3  # between a glyph and the labels under it
LINE = FONT_SIZE * 1.2  # one line of labels under (or the ×N mark over) a glyph
AGGREGATE_STROKE = 3.0
FRAME_GAP = 4  # between an opened occurrence's layers and its frame


@dataclass(frozen=True)
class Style:
    """How one legend key (a layer type or an aggregate) looks."""

    alias: str
    color: str
    aggregate: bool = False


def boxes(network: Network, sizes: Mapping[str, Size], styles: Mapping[str, Style],
          preferences: Preferences) -> dict[str, Box]:
    """The room each glyph and the labels under it need, for the layout."""
    result = {}
    for node in network.nodes:
        size = sizes[node.id]
        half = max(size.input_height, size.output_height) / 2
        labels = _under_labels(size, styles[node.type], preferences)
        width = max([size.width] + [text_width(text, FONT_SIZE) for _, text in labels])
        below = half + (LABEL_GAP + len(labels) * LINE if labels else 0)
        above = half + (LABEL_GAP + LINE if node.repeats > 1 else 0)
        result[node.id] = Box(size.width, width, above, below,
                              size.input_height / 2, size.output_height / 2)
    return result


def _under_labels(size: Size, style: Style, preferences: Preferences) -> list[tuple[str, str]]:
    """(kind, text) of the labels stacked under a glyph."""
    labels = []
    if preferences.show_features and size.features:
        labels.append(("feature", size.features))
    if preferences.show_names:
        labels.append(("name", style.alias))
    return labels


def draw(network: Network, sizes: Mapping[str, Size], placement: Layout,
         styles: Mapping[str, Style], preferences: Preferences) -> Scene:
    in_levels, out_levels = handle_levels(placement)
    glyphs, labels, placeholders = [], [], []
    for node in network.nodes:
        size, style = sizes[node.id], styles[node.type]
        x, y = placement.centers[node.id]
        left, right = x - size.width / 2, x + size.width / 2
        ins, outs = in_levels.get(node.id, [y]), out_levels.get(node.id, [y])
        glyphs.append(_glyph(node.id, node.type, style, size, left, right, ins, outs))
        is_input = node.id not in in_levels
        ys = [point[1] for point in glyphs[-1].points]
        labels += _node_labels(node.id, size, style, preferences, (x, y, left, right, max(ys)),
                               ins, outs, is_input)
        if node.repeats > 1:  # centred in the line ``boxes`` keeps over the glyph
            labels.append(Label(f"×{node.repeats}", x, min(ys) - LABEL_GAP - LINE / 2, "mark",
                                FONT_SIZE, owner=node.id))
        if preferences.show_samples and node.id not in in_levels:
            placeholders.append(_placeholder(left - preferences.spacing_horizontal,
                                             _nearest(ins, y), size.input_height, node.id, True))
        if preferences.show_samples and node.id not in out_levels:
            placeholders.append(_placeholder(right + preferences.spacing_horizontal,
                                             _nearest(outs, y), size.output_height, node.id,
                                             False))
    lines = [Line(r.source, r.target, r.points) for r in _merged_routes(placement)]
    return Scene(network.name, bounds(glyphs, labels, placeholders, lines), tuple(glyphs),
                 tuple(lines), tuple(labels), tuple(placeholders), ())


def framed(scene: Scene, network: Network) -> Scene:
    """The scene with a frame around each opened occurrence: its glyphs and their labels."""
    members = {}
    for node in network.nodes:
        if node.frame:
            members.setdefault(node.frame, set()).add(node.id)
    frames = []
    for (glyph_id, aggregate), ids in members.items():
        left, top, right, bottom = bounds([g for g in scene.glyphs if g.id in ids],
                                          [label for label in scene.labels if label.owner in ids])
        frames.append(Frame(glyph_id, aggregate, (left - FRAME_GAP, top - FRAME_GAP,
                                                  right + FRAME_GAP, bottom + FRAME_GAP)))
    return replace(scene, frames=tuple(frames),
                   bounds=union([scene.bounds] + [f.bounds for f in frames]))


def handle_levels(placement: Layout):
    """Sorted distinct levels of each node's input and output connections."""
    ins, outs = {}, {}
    for route in placement.routes:
        outs.setdefault(route.source, set()).add(route.points[0][1])
        ins.setdefault(route.target, set()).add(route.points[-1][1])
    return ({v: sorted(levels) for v, levels in ins.items()},
            {v: sorted(levels) for v, levels in outs.items()})


def _merged_routes(placement: Layout):
    """Several edges between the same two glyphs on the same level are drawn as one."""
    return list({(r.source, r.target, r.points): r for r in placement.routes}.values())


def _glyph(node_id, key, style, size, left, right, ins, outs) -> Glyph:
    points = outline(left, right, ins, outs, size.input_height, size.output_height)
    return glyph(node_id, key, style, points, bordered=not size.dense)


def glyph(glyph_id, key, style, points, bordered=True) -> Glyph:
    """A layer's glyph: its type's colour, a 10 % darker border; an aggregate's: a darkened
    fill inside a thick border of its colour."""
    if style.aggregate:
        return Glyph(glyph_id, key, points, fill_of(style.color, True), style.color,
                     AGGREGATE_STROKE, aggregate=True)
    stroke, width = (darken(style.color), 1.0) if bordered else ("none", 0.0)
    return Glyph(glyph_id, key, points, style.color, stroke, width)


def outline(left, right, ins, outs, in_height, out_height):
    """The glyph polygon, clockwise from the top-left corner (paper Fig. 4)."""
    top_left, bottom_left = (left, ins[0] - in_height / 2), (left, ins[-1] + in_height / 2)
    top_right, bottom_right = (right, outs[0] - out_height / 2), (right, outs[-1] + out_height / 2)
    points = [top_left]
    for j, level in enumerate(outs):
        points += [(right, level - out_height / 2), (right, level + out_height / 2)]
        if j + 1 < len(outs) and level + out_height / 2 < outs[j + 1] - out_height / 2:
            points.append(_intersection(bottom_left, points[-1], top_left,
                                        (right, outs[j + 1] - out_height / 2)))
    for i in range(len(ins) - 1, -1, -1):
        points += [(left, ins[i] + in_height / 2), (left, ins[i] - in_height / 2)]
        if i > 0 and ins[i - 1] + in_height / 2 < ins[i] - in_height / 2:
            points.append(_intersection((left, ins[i - 1] + in_height / 2), bottom_right,
                                        points[-1], top_right))
    return tuple(_dedupe(points[:-1] if points[-1] == top_left else points))


def _intersection(a1, a2, b1, b2):
    """Where line a1→a2 meets line b1→b2 (both spanning the same x range)."""
    (x1, ya1), (x2, ya2), (_, yb1), (_, yb2) = a1, a2, b1, b2
    t = (yb1 - ya1) / ((ya2 - ya1) - (yb2 - yb1))
    return (x1 + t * (x2 - x1), ya1 + t * (ya2 - ya1))


def _dedupe(points):
    result = []
    for point in points:
        if not result or point != result[-1]:
            result.append(point)
    return result


def _nearest(levels, y):
    return min(levels, key=lambda level: (abs(level - y), level))


def _node_labels(owner, size, style, preferences, frame, ins, outs, is_input):
    """Dimension labels in the gaps beside the glyph (turned upright unless they fit across:
    a turned ``8`` reads as ``∞``), feature/name labels under it."""
    x, y, left, right, bottom = frame
    labels = []
    gap = preferences.spacing_horizontal

    def dimension(text, at_x, level):
        across = text_width(text, DIMENSION_FONT_SIZE) <= gap - 2 * LABEL_GAP
        return Label(text, at_x, level, "dimension", DIMENSION_FONT_SIZE, rotated=not across,
                     owner=owner)

    if preferences.show_dimensions and not size.dense:
        labels.append(dimension(size.output_dimensions, right + gap / 2, _nearest(outs, y)))
        if is_input and size.input_dimensions:
            labels.append(dimension(size.input_dimensions, left - gap / 2, ins[0]))
    for line, (kind, text) in enumerate(_under_labels(size, style, preferences)):
        labels.append(Label(text, x, bottom + LABEL_GAP + (line + 0.5) * LINE, kind, FONT_SIZE,
                            owner=owner))
    return labels


def _placeholder(edge_x, level, side, owner, before):
    return Placeholder(edge_x - side if before else edge_x, level - side / 2, side, owner)


def bounds(glyphs, labels, placeholders=(), lines=()):
    boxes = [_polygon_bounds(g.points) for g in glyphs] + [label.bounds() for label in labels]
    boxes += [(p.x, p.y, p.x + p.side, p.y + p.side) for p in placeholders]
    boxes += [_polygon_bounds(line.points) for line in lines]  # a lane may pass above all
    return union(boxes)


def _polygon_bounds(points):
    xs, ys = zip(*points)
    return (min(xs), min(ys), max(xs), max(ys))


def union(boxes):
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    lefts, tops, rights, bottoms = zip(*boxes)
    return (min(lefts), min(tops), max(rights), max(bottoms))
