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
from .scene import Line, Scene


def wrap(scene: Scene, network: Network, placement: Layout, width: float,
         spacing_horizontal: float, spacing_vertical: float) -> Scene:
    """``scene`` in rows no wider than ``width`` where its cuts allow; unchanged if it fits."""
    left, _, right, _ = scene.bounds
    columns = placement.columns
    if right - left <= width or len(columns) < 2:
        return scene
    rows = _rows(columns, cut_ranks(network, placement.rank), width, spacing_horizontal)
    if len(rows) == 1:
        return scene
    row_of_rank = {r: i for i, (first, last) in enumerate(rows) for r in range(first, last + 1)}
    row_of = {v: row_of_rank[r] for v, r in placement.rank.items()}
    dx = [columns[rows[0][0]][0] - columns[first][0] for first, _ in rows]
    extents = _row_extents(scene, row_of, len(rows))
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
    for line in scene.lines:
        row, next_row = row_of[line.source], row_of[line.target]
        if row == next_row:
            lines.append(replace(line, points=moved(line.points, row)))
            continue
        last, first = rows[row][1], rows[next_row][0]
        gap_x = columns[last][0] + columns[last][1] + spacing_horizontal / 2
        middle = (extents[row][1] + dy[row] + extents[next_row][0] + dy[next_row]) / 2
        drop = columns[last][0] + columns[last][1] + spacing_horizontal + dx[row]
        entry = columns[first][0] - spacing_horizontal + dx[next_row]
        lines.append(replace(line, points=_between_rows(line.points, gap_x, moved, row,
                                                        next_row, drop, entry, middle)))
    wrapped = replace(scene, glyphs=glyphs, labels=labels, placeholders=placeholders,
                      lines=tuple(lines))
    corners = [(min(x for x, _ in line.points), min(y for _, y in line.points),
                max(x for x, _ in line.points), max(y for _, y in line.points)) for line in lines]
    return replace(wrapped, bounds=union([bounds(glyphs, labels, placeholders)] + corners))


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


def _rows(columns, cuts, width, spacing_horizontal) -> list[tuple[int, int]]:
    """(first, last column) of each row: as few rows as fit ``width``, then as even as the
    cuts allow (the widest row as narrow as it can be)."""
    ends = cuts + [len(columns) - 1]
    pieces = list(zip([0] + [c + 1 for c in cuts], ends))

    def span(first, last):  # a row's width, with the gaps for the edges between rows
        return columns[last][0] + columns[last][1] - columns[first][0] + 2 * spacing_horizontal

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


def _row_extents(scene, row_of, count) -> list[tuple[float, float]]:
    """(top, bottom) of each row's glyphs and their labels."""
    glyphs, labels = defaultdict(list), defaultdict(list)
    for glyph in scene.glyphs:
        glyphs[row_of[glyph.id]].append(glyph)
    for label in scene.labels:
        labels[row_of[label.owner]].append(label)
    extents = [bounds(glyphs[row], labels[row]) for row in range(count)]
    return [(top, bottom) for _, top, _, bottom in extents]


def _between_rows(points, gap_x, moved, row, next_row, drop, entry, middle):
    """An edge's points, its part left of ``gap_x`` in ``row`` and the rest in ``next_row``,
    joined through the gap between the rows."""
    before = [p for p in points if p[0] < gap_x]
    at = [p for p in points if p[0] == gap_x]
    after = [p for p in points if p[0] > gap_x]
    leaving = (at[0] if at else before[-1])[1]
    arriving = (at[-1] if at else after[0])[1]
    head, tail = moved(before, row), moved(after, next_row)
    y_out, y_in = moved([(0, leaving)], row)[0][1], moved([(0, arriving)], next_row)[0][1]
    joint = [(drop, y_out), (drop, middle), (entry, middle), (entry, y_in)]
    return simplified(list(head) + joint + list(tail))
