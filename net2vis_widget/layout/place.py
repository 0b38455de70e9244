"""Placement: the vertical centre of each block of aligned layers."""
from __future__ import annotations

import math
from collections import defaultdict

from .graph import extent

LANE_GAP = 0.4  # × spacing_vertical: the gap between two edges running side by side
LEAST_LANE_GAP = 3  # so that two lanes never merge


def place(layered, aligned, boxes, spacing_vertical, sweeps: int = 8) -> dict:
    """Vertical centres: blocks of aligned nodes share one; blocks keep their column order.

    Starts from the top-compacted placement, then moves each block toward the median level
    of the blocks it links to through fan-in/fan-out edges, within the room its neighbours
    above and below leave, sweeping alternately up and down until nothing moves.
    """
    layers, chains = layered.layers, layered.chains
    block = {}
    for layer in layers:
        for v in layer:
            block[v] = block[aligned[v]] if v in aligned else v
    above, below = defaultdict(dict), defaultdict(dict)  # block -> neighbour block -> gap
    for layer in layers:
        for a, b in zip(layer, layer[1:]):
            gap = extent(boxes, a, "below") + extent(boxes, b, "above") + _gap(
                boxes, a, b, spacing_vertical)
            ba, bb = block[a], block[b]
            below[ba][bb] = max(below[ba].get(bb, 0), gap)
            above[bb][ba] = max(above[bb].get(ba, 0), gap)
    order = _topological(list(dict.fromkeys(block.values())), below, above)
    level = {}
    for b in order:
        level[b] = max((level[a] + gap for a, gap in above[b].items()), default=0.0)

    links = defaultdict(list)  # block -> blocks linked by an edge segment that is not aligned
    for chain in chains:
        for u, v in zip(chain, chain[1:]):
            if aligned.get(v) != u:
                links[block[u]].append(block[v])
                links[block[v]].append(block[u])
    for sweep in range(sweeps):
        moved = 0.0
        for b in (order if sweep % 2 else reversed(order)):
            if not links[b]:
                continue
            low = max((level[a] + gap for a, gap in above[b].items()), default=-math.inf)
            high = min((level[c] - gap for c, gap in below[b].items()), default=math.inf)
            new = min(max(_median([level[other] for other in links[b]]), low), high)
            moved = max(moved, abs(new - level[b]))
            level[b] = new
        if moved < 0.5:
            break
    return {v: level[block[v]] for v in block}


def _median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _gap(boxes, a, b, spacing_vertical):
    """Full spacing between glyphs, half beside an edge lane, a small gap between two lanes."""
    real = (a in boxes) + (b in boxes)
    lanes = max(LANE_GAP * spacing_vertical, LEAST_LANE_GAP)
    return (lanes, spacing_vertical / 2, spacing_vertical)[real]


def _topological(blocks, below, above):
    indegree = {b: len(above[b]) for b in blocks}
    ready = [b for b in reversed(blocks) if indegree[b] == 0]
    order = []
    while ready:
        b = ready.pop()
        order.append(b)
        for c in below[b]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    return order
