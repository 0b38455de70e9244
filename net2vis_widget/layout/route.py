"""Columns and routes: x extents of the columns, and each edge as horizontal runs between
its glyphs' handles."""
from __future__ import annotations

import math

from .graph import Route, extent

HANDLE_CLEARANCE = 4  # least gap between a fanned handle and the next glyph or lane


def column_extents(layers, boxes, spacing_horizontal):
    columns, left = [], 0.0
    for layer in layers:
        width = max((boxes[v].width for v in layer if v in boxes), default=0.0)
        columns.append((left, width))
        left += width + spacing_horizontal
    return columns


def route(layered, aligned, y, boxes, columns, spacing_horizontal, reach=math.inf):
    """Each edge as horizontal runs from its source's right side to its target's left side.

    A run's level is the line of the glyph that has a single connection on that side; a
    fan-out or fan-in glyph adapts its handle to it. Where a handle would cover another
    glyph or lane in its column (only in non-planar corners), or take the glyph's outline
    further from its centre than ``reach`` × half its body's height (a far neighbour), it
    stays in its glyph's free band and the edge takes a vertical jog in the gap instead:
    the edge carries the distance, the glyph keeps its shape.
    """
    layers, chains, ups, downs = layered.layers, layered.chains, layered.ups, layered.downs
    rank = layered.rank
    wanted = []  # per chain: its ends, its segments' levels, and where its handles would be
    handles = {v: [] for layer in layers for v in layer}  # the handles each glyph fans out
    for chain in chains:
        u, v = chain[0], chain[-1]
        levels = [_segment_levels(a, b, aligned, y, ups, downs) for a, b in zip(chain, chain[1:])]
        first, last = levels[0][0], levels[-1][1]
        if len(downs[u]) > 1:
            handles[u].append((first, boxes[u].output_half))
        if len(ups[v]) > 1:
            handles[v].append((last, boxes[v].input_half))
        wanted.append((u, v, levels, first, last))
    bands = {}
    for v, (low, high) in _free_bands(layers, y, boxes, handles).items():
        room = _reach(boxes, v, reach)
        bands[v] = (max(low, y[v] - room), min(high, y[v] + room))

    def gap_before(r):
        return columns[r][0] - spacing_horizontal / 2

    routes = []
    for u, v, levels, first, last in wanted:
        start = (_clamped(first, bands[u], boxes[u].output_half, y[u]) if len(downs[u]) > 1
                 else first)
        end = _clamped(last, bands[v], boxes[v].input_half, y[v]) if len(ups[v]) > 1 else last
        x_u = columns[rank[u]][0] + (columns[rank[u]][1] + boxes[u].glyph_width) / 2
        x_v = columns[rank[v]][0] + (columns[rank[v]][1] - boxes[v].glyph_width) / 2
        points = [(x_u, start), (gap_before(rank[u] + 1), start), (gap_before(rank[u] + 1), first)]
        for i, (level_in, level_out) in enumerate(levels):
            x = gap_before(rank[u] + i + 1)
            points += [(x, level_in), (x, level_out)]  # a jog only where a forced link broke
        points += [(gap_before(rank[v]), last), (gap_before(rank[v]), end), (x_v, end)]
        routes.append(Route(u, v, simplified(points)))
    return tuple(routes)


def _reach(boxes, v, reach) -> float:
    """How far from its centre a glyph's outline may go: ``reach`` × half its body."""
    if v not in boxes:  # a dummy: a lane, not a glyph
        return math.inf
    return reach * max(boxes[v].input_half, boxes[v].output_half)


def _free_bands(layers, y, boxes, handles):
    """For each glyph, the vertical interval its column leaves free around it (glyphs with
    their labels, and lanes as thin lines). Where two neighbours would fan handles into the
    gap between them past each other, each gets its half of the gap."""
    bands = {v: [-math.inf, math.inf] for layer in layers for v in layer}
    for layer in layers:
        for above, below in zip(layer, layer[1:]):
            top = y[above] + extent(boxes, above, "below") + HANDLE_CLEARANCE
            bottom = y[below] - extent(boxes, below, "above") - HANDLE_CLEARANCE
            lowest = max((level + half for level, half in handles[above]), default=-math.inf)
            highest = min((level - half for level, half in handles[below]), default=math.inf)
            if lowest + HANDLE_CLEARANCE > highest:
                middle = (top + bottom) / 2
                top, bottom = middle + HANDLE_CLEARANCE / 2, middle - HANDLE_CLEARANCE / 2
            bands[above][1], bands[below][0] = bottom, top
    return bands


def _clamped(level, band, half, centre):
    """The level nearest ``level`` where a handle of half-height ``half`` fits in ``band``;
    the glyph's ``centre`` where none does (tightly stacked neighbours)."""
    low, high = band[0] + half, band[1] - half
    return centre if low > high else min(max(level, low), high)


def simplified(points):
    """Without repeated points and without middle points of straight runs."""
    result = []
    for point in points:
        if result and point == result[-1]:
            continue
        if len(result) >= 2 and (result[-2][0] == result[-1][0] == point[0]
                                 or result[-2][1] == result[-1][1] == point[1]):
            result[-1] = point
        else:
            result.append(point)
    return tuple(result)


def _segment_levels(a, b, aligned, y, ups, downs):
    if aligned.get(b) == a or (len(downs[a]) == 1 and len(ups[b]) > 1):
        return y[a], y[a]
    if len(downs[a]) > 1:
        return y[b], y[b]
    return y[a], y[b]
