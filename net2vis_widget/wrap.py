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

from collections import defaultdict
from dataclasses import replace

from .draw import bounds, union
from .layout import Layout
from .layout.route import simplified
from .network import Network
from .scene import Scene


def wrap(scene: Scene, network: Network, placement: Layout, width: float,
         spacing_horizontal: float, spacing_vertical: float) -> Scene:
    """``scene`` in rows no wider than ``width`` where its cuts allow; unchanged if it fits."""
    left, _, right, _ = scene.bounds
    columns = placement.columns
    if right - left <= width or len(columns) < 2:
        return scene
    lead = max(spacing_horizontal, columns[0][0] - left)  # the edge into a row, or a label
    rows = _rows(columns, cut_ranks(network, placement.rank), width - lead - spacing_horizontal)
    if len(rows) == 1:
        return scene
    row_of_rank = {r: i for i, (first, last) in enumerate(rows) for r in range(first, last + 1)}
    row_of = {v: row_of_rank[r] for v, r in placement.rank.items()}
    pieces = []  # per line, (row, points) of its part in each row it is in
    for line in scene.lines:
        row, next_row = row_of[line.source], row_of[line.target]
        if row == next_row:
            pieces.append([(row, line.points)])
        else:
            last = rows[row][1]
            head, tail = _split(line.points, columns[last][0] + columns[last][1]
                                + spacing_horizontal / 2)
            pieces.append([(row, head), (next_row, tail)])
    extents = _row_extents(scene, row_of, pieces, len(rows))
    dx = [columns[rows[0][0]][0] - columns[first][0] for first, _ in rows]
    dy = [0.0]  # rows stacked 2 × spacing_vertical apart: room for the edges between them
    for (_, bottom), (top, _) in zip(extents, extents[1:]):
        dy.append(dy[-1] + bottom + 2 * spacing_vertical - top)

    def moved(points, row):
        return tuple((x + dx[row], y + dy[row]) for x, y in points)

    glyphs = tuple(replace(g, points=moved(g.points, row_of[g.id])) for g in scene.glyphs)
    labels = tuple(replace(label, x=label.x + dx[row_of[label.owner]],
                           y=label.y + dy[row_of[label.owner]]) for label in scene.labels)
    placeholders = tuple(replace(p, x=p.x + dx[row_of[p.owner]], y=p.y + dy[row_of[p.owner]])
                         for p in scene.placeholders)
    lines = []
    for line, parts in zip(scene.lines, pieces):
        (row, head), (next_row, tail) = parts[0], parts[-1]
        points = moved(head, row)
        if next_row != row:  # right through the gap, back left between the rows, and down
            middle = (extents[row][1] + dy[row] + extents[next_row][0] + dy[next_row]) / 2
            tail = moved(tail, next_row)
            drop = points[-1][0] + spacing_horizontal / 2
            entry = tail[0][0] - spacing_horizontal / 2
            points = simplified(points + ((drop, points[-1][1]), (drop, middle), (entry, middle),
                                          (entry, tail[0][1])) + tail)
        lines.append(replace(line, points=points))
    corners = [(min(x for x, _ in line.points), min(y for _, y in line.points),
                max(x for x, _ in line.points), max(y for _, y in line.points)) for line in lines]
    return replace(scene, glyphs=glyphs, labels=labels, placeholders=placeholders,
                   lines=tuple(lines),
                   bounds=union([bounds(glyphs, labels, placeholders)] + corners))


def cut_ranks(network: Network, rank) -> list[int]:
    """The columns after which the graph can be cut: no edge passes over the gap after them,
    and at most one of their layers has an edge into it."""
    last = max(rank.values(), default=0)
    passing = [0] * (last + 2)  # edges over the gap after column r: a running sum of these
    feeding = defaultdict(set)
    for edge in network.edges:
        a, b = rank[edge.source], rank[edge.target]
        passing[a + 1] += 1
        passing[b] -= 1
        feeding[a].add(edge.source)
    cuts, over = [], 0
    for r in range(last):
        over += passing[r]
        if over == 0 and len(feeding[r]) <= 1:
            cuts.append(r)
    return cuts


def _rows(columns, cuts, width) -> list[tuple[int, int]]:
    """(first, last column) of each row: as few rows as fit ``width``, then as even as the
    cuts allow (the widest row as narrow as it can be)."""
    ends = cuts + [len(columns) - 1]
    pieces = list(zip([0] + [c + 1 for c in cuts], ends))

    def span(first, last):
        return _span(columns, first, last)

    def packed(limit):
        rows = [pieces[0]]
        for first, last in pieces[1:]:
            if span(rows[-1][0], last) <= limit:
                rows[-1] = (rows[-1][0], last)
            else:
                rows.append((first, last))
        return rows

    fewest = len(packed(width))
    low, high = max(span(*piece) for piece in pieces), max(width, span(*pieces[0]))
    for _ in range(24):  # bisect the widest row's width, keeping to ``fewest`` rows
        middle = (low + high) / 2
        low, high = (low, middle) if len(packed(middle)) <= fewest else (middle, high)
    return packed(high)


def _span(columns, first, last) -> float:
    return columns[last][0] + columns[last][1] - columns[first][0]


def _row_extents(scene, row_of, pieces, count) -> list[tuple[float, float]]:
    """(top, bottom) of each row: its glyphs, their labels and the edges in it."""
    glyphs, labels, ends = defaultdict(list), defaultdict(list), defaultdict(list)
    for glyph in scene.glyphs:
        glyphs[row_of[glyph.id]].append(glyph)
    for label in scene.labels:
        labels[row_of[label.owner]].append(label)
    for parts in pieces:
        for row, points in parts:
            ends[row] += [(x, y, x, y) for x, y in points]
    extents = [union([bounds(glyphs[row], labels[row])] + ends[row]) for row in range(count)]
    return [(top, bottom) for _, top, _, bottom in extents]


def _split(points, gap_x):
    """An edge's points left of ``gap_x`` and right of it, each part ending (starting) on
    ``gap_x`` at the level the edge reaches (leaves) it."""
    near = 1e-6
    before = [p for p in points if p[0] < gap_x - near]
    at = [p for p in points if abs(p[0] - gap_x) <= near]
    after = [p for p in points if p[0] > gap_x + near]
    leaving = (at[0] if at else before[-1])[1]
    arriving = (at[-1] if at else after[0])[1]
    return tuple(before) + ((gap_x, leaving),), ((gap_x, arriving),) + tuple(after)
