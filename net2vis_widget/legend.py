"""The legend (SPEC §4.4, §4.5): one entry per layer type, then one per aggregate, flowing in
rows across the page under the graph (or beside it): a swatch of each key's glyph and its
name; for an aggregate then ``=`` and the composition graph of its members, laid out by the
graph's own layout code, every member a small swatch.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from .aggregate import Aggregate
from .caption import count
from .draw import Style, glyph, handle_levels, union
from .fold import fold
from .layout import Box, layout
from .network import Network
from .preferences import Preferences
from .scene import DIMENSION_FONT_SIZE, Label, LegendItem, Line, Scene, text_width

LEGEND_GAP = 30  # between the graph and the legend
ENTRY_GAP = 12  # between two entries in a row
ROW_GAP = 6  # between two rows of entries
TEXT = DIMENSION_FONT_SIZE  # the smallest text there is: legends are dense
SWATCH = (10, 12)  # a legend glyph's width and height
MEMBER = (8, 8)  # a member's glyph in a composition
NAME_GAP = 4  # between a swatch and its name
COMPOSITION_SPACING = (8, 3)  # horizontal, vertical
TALLEST_COMPOSITION = 72  # a taller composition is drawn smaller, down to LEAST_SCALE
LEAST_SCALE = 0.5
ENTRY = "entry"  # the virtual layers feeding an aggregate's composition graph: entry0, …


@dataclass(frozen=True)
class Entry:
    key: str
    aggregate: Aggregate | None = None
    note: str = ""  # after the name: how many occurrences and their parameters


def parameter_notes(network: Network, aggregates: Sequence[Aggregate],
                    hidden: Sequence[str]) -> dict[str, str]:
    """Per aggregate: its occurrences and the parameters of one (``×16 · 70 k–4.5 M each``
    where they differ), counted with every aggregate it holds folded inside it."""
    by_name, notes = {a.name: a for a in aggregates}, {}
    for aggregate in aggregates:
        inside = _held(by_name, aggregate.name)
        folded = fold(network, [replace(a, active=a.name in inside) for a in aggregates], hidden)
        counts = sorted(n.params for n in folded.nodes if n.type == aggregate.name)
        if counts and counts[-1]:  # none for an aggregate without weights (an Add–ReLU)
            each = (count(counts[0]) if counts[0] == counts[-1]
                    else f"{count(counts[0])}–{count(counts[-1])}")
            notes[aggregate.name] = (f"×{len(counts)} · {each} each" if len(counts) > 1
                                     else f"· {each}")
    return notes


def _held(by_name, key) -> set[str]:
    """``key`` and every aggregate inside it."""
    members = by_name[key].members if key in by_name else ()
    return {key}.union(*(_held(by_name, m) for m in members if m in by_name))


def entries(types: Sequence[str], aggregates: Sequence[Aggregate], shown: set[str],
            preferences: Preferences, notes: Mapping[str, str] | None = None) -> list[Entry]:
    """Legend entries: the keys that explain the figure, simple → complex.

    ``shown`` holds the keys of the drawn glyphs; an aggregate also explains its members.
    Hidden types and inactive aggregates are left out (the widget lists them greyed).
    """
    by_name = {a.name: a for a in aggregates}
    explained, stack = set(), list(shown)
    while stack:
        key = stack.pop()
        if key not in explained:
            explained.add(key)
            stack.extend(by_name[key].members if key in by_name else ())
    active = [Entry(t) for t in types if t in explained] + sorted(
        (Entry(a.name, a, (notes or {}).get(a.name, "")) for a in aggregates
         if a.name in explained),
        key=lambda e: _depth(by_name, e.key))
    if preferences.legend_reverse:
        active.reverse()
    return active


def _depth(by_name, key) -> int:
    members = by_name[key].members if key in by_name else ()
    return 1 + max((_depth(by_name, m) for m in members), default=-1)


def add_legend(scene: Scene, legend: Sequence[Entry], styles: Mapping[str, Style],
               preferences: Preferences, width: float) -> Scene:
    """The scene with its legend: under the graph, entries flowing in rows ``width`` wide; or
    (``legend="right"``) beside it, in the room the page leaves."""
    items = [_item(entry, styles, preferences) for entry in legend]
    left, top, right, bottom = scene.bounds
    if preferences.legend == "right":
        widest = max((right - left for left, _, right, _ in map(LegendItem.bounds, items)),
                     default=0.0)
        placed = _flowed(items, right + LEGEND_GAP, top,
                         max(width - (right - left) - LEGEND_GAP, widest))
    else:
        placed = _flowed(items, left, bottom + LEGEND_GAP, width)
    return replace(scene, legend=placed, graph_bounds=scene.bounds,
                   bounds=union([scene.bounds] + list(map(LegendItem.bounds, placed))))


def legend_scene(title: str, legend: Sequence[Entry], styles: Mapping[str, Style],
                 preferences: Preferences, width: float) -> Scene:
    """The legend alone (``legend="separate"``), for a caption."""
    items = _flowed([_item(entry, styles, preferences) for entry in legend], 0.0, 0.0, width)
    return Scene(f"{title} (legend)", union(list(map(LegendItem.bounds, items))), (), (), (), (),
                 items)


def _flowed(items, left, top, width) -> tuple[LegendItem, ...]:
    """The items in rows from (left, top), each row at most ``width`` wide, the entries' own
    glyphs on one line per row (each item is drawn around its glyph's centre)."""
    rows, x = [[]], left
    for item in items:
        item_left, _, item_right, _ = item.bounds()
        if rows[-1] and x + item_right - item_left > left + width:
            rows.append([])
            x = left
        rows[-1].append((item, x - item_left))
        x += item_right - item_left + ENTRY_GAP
    placed, y = [], top
    for row in rows:
        extents = [item.bounds() for item, _ in row]
        above = max((-high for _, high, _, _ in extents), default=0.0)
        placed += [_moved(item, dx, y + above) for item, dx in row]
        y += above + max((low for _, _, _, low in extents), default=0.0) + ROW_GAP
    return tuple(placed)


def _item(entry: Entry, styles, preferences) -> LegendItem:
    """A swatch of the key's glyph, its name to the right; for an aggregate then ``=`` and
    its composition. Around the swatch's centre."""
    style = styles[entry.key]
    glyphs = [glyph(entry.key, entry.key, style, _box(0, SWATCH[0], 0, 0, SWATCH[1]))]
    name_x = SWATCH[0] + NAME_GAP
    name = f"{style.alias} {entry.note}" if entry.note else style.alias
    labels = [Label(name, name_x, 0, "legend", TEXT, starts=True)]
    lines = []
    if entry.aggregate is not None:
        equals = name_x + text_width(name, TEXT) + NAME_GAP + TEXT * 0.3
        labels.append(Label("=", equals, 0, "legend", TEXT))
        members, edges = _composition(entry.aggregate, styles, equals + TEXT * 0.3 + NAME_GAP)
        glyphs += members
        lines += edges
    return LegendItem(entry.key, tuple(glyphs), tuple(lines), tuple(labels))


def _box(left, right, y_left, y_right, height):
    return ((left, y_left - height / 2), (right, y_right - height / 2),
            (right, y_right + height / 2), (left, y_left + height / 2))


def _composition(aggregate: Aggregate, styles, start):
    """The members' glyphs and edges, laid out left to right from x = ``start`` by the graph's
    layout, every member a swatch whose sides fan to their handles. Inputs from outside the
    aggregate start at an entry mark, a short bar (one per entry, spanning its edges)."""
    width, height = MEMBER
    ids = [str(i) for i in range(len(aggregate.members))]
    entries = [f"{ENTRY}{k}" for k in range(aggregate.entries)]
    edges = [(ids[a], ids[b]) for a, b in aggregate.edges]
    outside = [(entries[-1 - s], ids[i]) for i, row in enumerate(aggregate.sources)
               for s in row if s < 0]
    if any(target != ids[0] for _, target in outside):  # else the entries are implied
        edges += outside
    drawn_entries = sorted({source for source, _ in edges if source.startswith(ENTRY)})
    half = height / 2
    sizes = {v: Box(width, width, half, half, half, half) for v in ids}
    sizes.update({v: Box(0.0, 0.0, half / 2, half / 2) for v in drawn_entries})
    placement = layout(drawn_entries + ids, sorted(set(edges)), sizes, *COMPOSITION_SPACING)
    ins, outs = handle_levels(placement)
    shapes = []
    for v, key in zip(ids, aggregate.members):
        x, y = placement.centers[v]
        left_levels, right_levels = ins.get(v, [y]), outs.get(v, [y])
        points = ((x - width / 2, left_levels[0] - half), (x + width / 2, right_levels[0] - half),
                  (x + width / 2, right_levels[-1] + half), (x - width / 2, left_levels[-1] + half))
        shapes.append((f"{aggregate.name}/{v}", key, points))
    lines = [Line(r.source, r.target, r.points) for r in placement.routes]
    for source in drawn_entries:
        starts = [line.points[0] for line in lines if line.source == source]
        x = min(px for px, _ in starts)
        top, bottom = min(py for _, py in starts), max(py for _, py in starts)
        lines.append(Line(source, source, ((x, top - half / 2), (x, bottom + half / 2))))
    everything = [p for *_, points in shapes for p in points] + [
        p for line in lines for p in line.points]
    x0 = min(px for px, _ in everything)  # from ``start``, centred on the swatch's line
    low, high = min(py for _, py in everything), max(py for _, py in everything)
    k = max(min(1.0, TALLEST_COMPOSITION / (high - low or 1)), LEAST_SCALE)  # tall ones shrink
    move = lambda points: tuple(((px - x0) * k + start, (py - (low + high) / 2) * k)  # noqa: E731
                                for px, py in points)
    glyphs = [glyph(glyph_id, key, styles[key], move(points)) for glyph_id, key, points in shapes]
    return glyphs, [line._replace(points=move(line.points)) for line in lines]


def _moved(item: LegendItem, dx: float, dy: float) -> LegendItem:
    move = lambda points: tuple((x + dx, y + dy) for x, y in points)  # noqa: E731
    return LegendItem(
        item.key,
        tuple(g._replace(points=move(g.points)) for g in item.glyphs),
        tuple(line._replace(points=move(line.points)) for line in item.lines),
        tuple(label._replace(x=label.x + dx, y=label.y + dy) for label in item.labels),
    )
