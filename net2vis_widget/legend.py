"""The legend under the graph (SPEC §4.4): one entry per layer type, then one per aggregate,
drawn as the aggregate's glyph, ``=``, and the composition graph of its members (laid out
by the same layout code, every member at one uniform size).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from .aggregate import Aggregate
from .draw import FONT_SIZE, LABEL_GAP, Style, bounds, glyph, handle_levels, outline, union
from .layout import Box, layout
from .preferences import Preferences
from .scene import Label, LegendItem, Line, Scene, text_width

LEGEND_GAP = 40  # between the graph and the legend
ENTRY_GAP = 24  # between two entries in a row
ENTRY = "entry"  # the virtual layers feeding an aggregate's composition graph: entry0, …


@dataclass(frozen=True)
class Entry:
    key: str
    aggregate: Aggregate | None = None


def entries(types: Sequence[str], aggregates: Sequence[Aggregate], shown: set[str],
            preferences: Preferences) -> list[Entry]:
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
        (Entry(a.name, a) for a in aggregates if a.name in explained),
        key=lambda e: _depth(by_name, e.key))
    if preferences.legend_reverse:
        active.reverse()
    return active


def _depth(by_name, key) -> int:
    members = by_name[key].members if key in by_name else ()
    return 1 + max((_depth(by_name, m) for m in members), default=-1)


def add_legend(scene: Scene, legend: Sequence[Entry], styles: Mapping[str, Style],
               preferences: Preferences) -> Scene:
    """The scene with the legend under its graph: entries in rows as wide as the graph, the
    entries' own glyphs on one line per row (each item is drawn around its glyph's centre)."""
    left, _, right, bottom = scene.bounds
    row_width = max(right - left, 400.0)
    rows, x = [[]], left
    for entry in legend:
        item = _item(entry, styles, preferences)
        item_left, _, item_right, _ = bounds(item.glyphs, item.labels)
        if rows[-1] and x + item_right - item_left > left + row_width:
            rows.append([])
            x = left
        rows[-1].append((item, x - item_left))
        x += item_right - item_left + ENTRY_GAP
    items, y = [], bottom + LEGEND_GAP
    for row in rows:
        extents = [bounds(item.glyphs, item.labels) for item, _ in row]
        above = max((-top for _, top, _, _ in extents), default=0.0)
        items += [_moved(item, dx, y + above) for item, dx in row]
        y += above + max((low for _, _, _, low in extents), default=0.0) + ENTRY_GAP
    boxes = [scene.bounds] + [bounds(i.glyphs, i.labels) for i in items]
    return replace(scene, legend=tuple(items), bounds=union(boxes))


def _item(entry: Entry, styles, preferences) -> LegendItem:
    style = styles[entry.key]
    width, height = preferences.min_width, preferences.min_height
    box = ((0, -height / 2), (width, -height / 2), (width, height / 2), (0, height / 2))
    glyphs = [glyph(entry.key, entry.key, style, box)]
    labels = [Label(style.alias, width / 2, height / 2 + LABEL_GAP + FONT_SIZE * 0.6, "legend",
                    FONT_SIZE)]
    lines = []
    if entry.aggregate is not None:  # "=" and the composition, right of the glyph and its name
        right = max(width, (width + text_width(style.alias, FONT_SIZE)) / 2)
        labels.append(Label("=", right + FONT_SIZE * 1.2, 0, "legend", FONT_SIZE * 1.4))
        start = right + FONT_SIZE * 2.4
        members, edges = _composition(entry.aggregate, styles, width, height, start)
        glyphs += members
        lines += edges
    return LegendItem(entry.key, tuple(glyphs), tuple(lines), tuple(labels))


def _composition(aggregate: Aggregate, styles, width, height, start):
    """The members' glyphs and edges, laid out left to right from x = ``start``; where an
    entry feeds more than the first member, the entries are drawn too, as forks."""
    ids = [str(i) for i in range(len(aggregate.members))]
    entries = [f"{ENTRY}{k}" for k in range(aggregate.entries)]
    edges = [(ids[a], ids[b]) for a, b in aggregate.edges]
    forks = any(s < 0 for row in aggregate.sources[1:] for s in row)
    if forks:
        edges += [(entries[-1 - s], ids[i]) for i, row in enumerate(aggregate.sources)
                  for s in row if s < 0]
    nodes = (entries if forks else []) + ids
    sizes = {v: Box(width, width, height / 2, height / 2, height / 2, height / 2) for v in ids}
    sizes.update({v: Box(0.0, 0.0, 0.0, 0.0) for v in entries})
    placement = layout(nodes, sorted(set(edges)), sizes, 12, 12)
    x0, y0 = placement.centers[ids[0]]
    dx, dy = start - (x0 - width / 2) + (12 if forks else 0), -y0
    ins, outs = handle_levels(placement)
    glyphs = []
    for v, key in zip(ids, aggregate.members):
        x, y = placement.centers[v]
        points = outline(x - width / 2 + dx, x + width / 2 + dx, ins.get(v, [y]),
                         outs.get(v, [y]), height, height)
        glyphs.append(glyph(f"{aggregate.name}/{v}", key, styles[key],
                            tuple((px, py + dy) for px, py in points)))
    lines = [Line(r.source, r.target, tuple((px + dx, py + dy) for px, py in r.points))
             for r in placement.routes]
    for source in entries if forks else ():  # each entry's edges leave one layer: a fork bar
        starts = [line.points[0] for line in lines if line.source == source]
        fork_x = min(x for x, _ in starts)
        lines.append(Line(source, source, ((fork_x, min(y for _, y in starts)),
                                           (fork_x, max(y for _, y in starts)))))
    return glyphs, lines


def _moved(item: LegendItem, dx: float, dy: float) -> LegendItem:
    move = lambda points: tuple((x + dx, y + dy) for x, y in points)  # noqa: E731
    return LegendItem(
        item.key,
        tuple(replace(g, points=move(g.points)) for g in item.glyphs),
        tuple(replace(line, points=move(line.points)) for line in item.lines),
        tuple(replace(label, x=label.x + dx, y=label.y + dy) for label in item.labels),
    )
