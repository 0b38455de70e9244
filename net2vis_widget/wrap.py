"""Rows (SPEC §4.5): a drawn graph wider than the page, cut where one layer carries everything
forward, its parts stacked top to bottom and each read left to right.

A cut lies after a column when no edge passes over it and at most one of its layers feeds
the columns after it (between two ResNet stages; never inside a U-Net, whose skip links
pass over every middle column). The rows are as few as the page allows and as even as those
cuts allow. An edge from one row to the next leaves its source to the right, drops through
the gap beside the row's end into the gap between the rows, runs back left, and drops again
to enter its target: every segment horizontal or vertical, none inside a row.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace

from .draw import bounds, union
from .layout import Layout
from .layout.route import simplified
from .network import Network
from .scene import Glyph, Label, Line, Scene

MOST_CROSSING = 3  # layers with edges into the next row, where true cuts are too far apart
LANE = 4  # between edges running side by side from one row to the next
# a first or last row of at most LONELY glyphs joins its neighbour where the figure is then at
# most SLACK times as wide as the page: printed no smaller than 6 pt where 7 pt was asked
LONELY, SLACK = 2, 1.15


def wrap(scene: Scene, network: Network, placement: Layout, width: float,
         spacing_horizontal: float, spacing_vertical: float) -> Scene:
    """``scene`` in rows no wider than ``width`` where its cuts allow; unchanged if it fits."""
    left, _, right, _ = scene.bounds
    columns = placement.columns
    if right - left <= width or len(columns) < 2:
        return scene
    lead = max(spacing_horizontal, columns[0][0] - left)  # the edge into a row, or a label
    room = width - lead - spacing_horizontal - LANE * (MOST_CROSSING - 1)
    rows = _rows(columns, _cuts(network, placement.rank, columns, room), room)
    if len(rows) < 2:
        return scene
    joined = _without_a_lonely_row(rows, placement.rank)
    if joined != rows:  # a glyph or two alone on a row: joined, if the text stays readable
        candidate = (scene if len(joined) == 1 else
                     _stacked(scene, placement, joined, spacing_horizontal, spacing_vertical))
        if candidate.bounds[2] - candidate.bounds[0] <= SLACK * width:
            return candidate
    return _stacked(scene, placement, rows, spacing_horizontal, spacing_vertical)


def _stacked(scene: Scene, placement: Layout, rows, spacing_horizontal: float,
             spacing_vertical: float) -> Scene:
    """``scene`` with the columns of each of ``rows`` (first, last column) moved under the
    row before."""
    columns = placement.columns
    row_of_rank = {r: i for i, (first, last) in enumerate(rows) for r in range(first, last + 1)}
    row_of = {v: row_of_rank[r] for v, r in placement.rank.items()}
    gaps = [columns[last][0] + columns[last][1] + spacing_horizontal / 2 for _, last in rows]
    pieces = [_pieces(line.points, row_of[line.source], row_of[line.target], gaps)
              for line in scene.lines]  # per line, (row, points) of its part in each row
    boxes = _row_boxes(scene, row_of, pieces, len(rows))
    extents = [(top, bottom) for _, top, _, bottom in boxes]
    dx = [columns[rows[0][0]][0] - columns[first][0] for first, _ in rows]
    dy = [0.0]  # rows stacked 2 × spacing_vertical apart: room for the edges between them
    for (_, bottom), (top, _) in zip(extents, extents[1:]):
        dy.append(dy[-1] + bottom + 2 * spacing_vertical - top)

    def moved(points, row):
        right, down = dx[row], dy[row]
        return tuple((x + right, y + down) for x, y in points)

    # built directly: dataclasses.replace costs more than the move itself, 10⁵ times
    glyphs = tuple(Glyph(g.id, g.type, moved(g.points, row_of[g.id]), g.fill, g.stroke,
                         g.stroke_width, g.aggregate) for g in scene.glyphs)
    labels = tuple(Label(label.text, label.x + dx[row_of[label.owner]],
                         label.y + dy[row_of[label.owner]], label.kind, label.size,
                         label.rotated, label.owner, label.starts) for label in scene.labels)
    placeholders = tuple(p._replace(x=p.x + dx[row_of[p.owner]], y=p.y + dy[row_of[p.owner]])
                         for p in scene.placeholders)
    lanes = _lanes(scene.lines, pieces)
    lines = []
    for line, parts in zip(scene.lines, pieces):
        points = moved(parts[0][1], parts[0][0])
        for (row, _), (next_row, tail) in zip(parts, parts[1:]):
            # right through the gap, back left between the rows, and down; the edges of one
            # gap nested (the lowest innermost), so that they never cross
            lane = lanes[row, line.source] * LANE
            middle = (extents[row][1] + dy[row] + extents[next_row][0] + dy[next_row]) / 2
            tail = moved(tail, next_row)
            drop = points[-1][0] + spacing_horizontal / 2 + lane
            entry = tail[0][0] - spacing_horizontal / 2 - lane
            points += ((drop, points[-1][1]), (drop, middle + lane), (entry, middle + lane),
                       (entry, tail[0][1])) + tail
        lines.append(Line(line.source, line.target, simplified(points)))
    # the rows' boxes moved with them: their glyphs and labels are not measured again
    stacked = [(left + dx[row], top + dy[row], right + dx[row], bottom + dy[row])
               for row, (left, top, right, bottom) in enumerate(boxes)]
    if placeholders or lines:
        stacked.append(bounds((), (), placeholders, lines))
    return replace(scene, glyphs=glyphs, labels=labels, placeholders=placeholders,
                   lines=tuple(lines), bounds=union(stacked))


def _cuts(network, rank, columns, room) -> list[int]:
    """True cuts; and between two true cuts further apart than ``room``, the places where at
    most MOST_CROSSING layers send edges on."""
    true = cut_ranks(network, rank)
    starts, ends = [0] + [c + 1 for c in true], true + [len(columns) - 1]
    long = [(a, b) for a, b in zip(starts, ends) if _span(columns, a, b) > room]
    if not long:
        return true
    extra = [r for r in cut_ranks(network, rank, MOST_CROSSING)
             if any(a <= r < b for a, b in long)]
    return sorted(set(true) | set(extra))


def cut_ranks(network: Network, rank, most: int = 1) -> list[int]:
    """The columns after which the graph can be cut: at most ``most`` layers send edges over
    the gap after them (one: a true cut, one tensor carries everything forward)."""
    last = max(rank.values(), default=0)
    reach = {}  # layer -> the last column its edges reach
    for edge in network.edges:
        reach[edge.source] = max(reach.get(edge.source, 0), rank[edge.target])
    crossing = [0] * (last + 2)  # layers with edges over the gap after column r: a running sum
    for layer, end in reach.items():
        crossing[rank[layer]] += 1
        crossing[end] -= 1
    cuts, over = [], 0
    for r in range(last):
        over += crossing[r]
        if over <= most:
            cuts.append(r)
    return cuts


def _rows(columns, cuts, width) -> list[tuple[int, int]]:
    """(first, last column) of each row: as few rows as fit ``width``, then as even as the
    cuts allow (the widest row as narrow as it can be)."""
    ends = cuts + [len(columns) - 1]
    pieces = list(zip([0] + [c + 1 for c in cuts], ends))

    def packed(limit):
        rows = [pieces[0]]
        for first, last in pieces[1:]:
            if _span(columns, rows[-1][0], last) <= limit:
                rows[-1] = (rows[-1][0], last)
            else:
                rows.append((first, last))
        return rows

    fewest = len(packed(width))
    low = max(_span(columns, *piece) for piece in pieces)
    high = max(width, _span(columns, *pieces[0]))
    for _ in range(24):  # bisect the widest row's width, keeping to ``fewest`` rows
        middle = (low + high) / 2
        low, high = (low, middle) if len(packed(middle)) <= fewest else (middle, high)
    return packed(high)


def _without_a_lonely_row(rows, rank) -> list[tuple[int, int]]:
    """The rows, the last (first) one joined to its neighbour where it holds at most LONELY
    glyphs."""
    def glyphs(row):
        return sum(row[0] <= r <= row[1] for r in rank.values())

    if glyphs(rows[-1]) <= LONELY:
        rows = rows[:-2] + [(rows[-2][0], rows[-1][1])]
    if len(rows) > 1 and glyphs(rows[0]) <= LONELY:
        rows = [(rows[0][0], rows[1][1])] + rows[2:]
    return rows


def _span(columns, first, last) -> float:
    """The width of the columns ``first`` to ``last``."""
    return columns[last][0] + columns[last][1] - columns[first][0]


def _row_boxes(scene, row_of, pieces, count) -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) of each row: its glyphs, their labels and the edges in it."""
    glyphs, labels, ends = defaultdict(list), defaultdict(list), defaultdict(list)
    for glyph in scene.glyphs:
        glyphs[row_of[glyph.id]].append(glyph)
    for label in scene.labels:
        labels[row_of[label.owner]].append(label)
    for parts in pieces:
        for row, points in parts:
            ends[row] += [(x, y, x, y) for x, y in points]
    return [union([bounds(glyphs[row], labels[row])] + ends[row]) for row in range(count)]


def _pieces(points, row, last_row, gaps):
    """(row, points) of an edge's part in each row from ``row`` to ``last_row``: cut at the
    gap after each row's last column, each part ending (starting) on the gap at the level
    where the edge reaches (leaves) it."""
    near, parts, rest = 1e-6, [], tuple(points)
    for r in range(row, last_row):
        gap = gaps[r]
        before = [p for p in rest if p[0] < gap - near]
        at = [p for p in rest if abs(p[0] - gap) <= near]
        after = tuple(p for p in rest if p[0] > gap + near)
        parts.append((r, tuple(before) + ((gap, (at[0] if at else before[-1])[1]),)))
        rest = ((gap, (at[-1] if at else after[0])[1]),) + after
    return parts + [(last_row, rest)]


def _lanes(lines, pieces) -> dict[tuple[int, str], int]:
    """(row, layer) → the lane of that layer's edges into the next row: 0 for the layer whose
    edges leave the row lowest, counting up to the highest, which goes round the others."""
    leaving = defaultdict(dict)  # row -> layer -> the lowest level its edges leave the row at
    for line, parts in zip(lines, pieces):
        for row, points in parts[:-1]:
            level = leaving[row].get(line.source, -math.inf)
            leaving[row][line.source] = max(level, points[-1][1])
    return {(row, layer): lane for row, layers in leaving.items()
            for lane, layer in enumerate(sorted(layers, key=layers.get, reverse=True))}
