"""Layered left-to-right layout (SPEC §4.2), in the classic Sugiyama phases.

``layout`` runs them in order: rank → insert dummies for long edges → order (crossing
minimisation) → align (which neighbours share a horizontal line) → place (vertical
coordinates) → route (horizontal edges at their handles' levels). Every phase is near-linear
on the chains that neural networks mostly are.

An edge is drawn as one horizontal line, so both its ends must be at one level: a glyph with a
single connection on a side keeps that side on its own centre line, a glyph with several
connections on a side fans its handles out to its neighbours' levels. Hence two neighbours
linked by a single-output → single-input edge must share a line (a *forced* alignment); other
alignments are chosen to keep the heaviest path straight.
"""
from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

import networkx as nx

DUMMY_GAP = 12  # vertical gap between two edges running side by side
HANDLE_CLEARANCE = 4  # least gap between a fanned handle and the next glyph or lane


@dataclass(frozen=True)
class Box:
    """What a node occupies around its centre: glyph width, column width, extents above/below
    (labels included), and half the height of its input and output handles."""

    glyph_width: float
    width: float
    above: float
    below: float
    input_half: float = 0.0
    output_half: float = 0.0


@dataclass(frozen=True)
class Route:
    source: str
    target: str
    points: tuple[tuple[float, float], ...]  # horizontal runs, joined by a vertical jog only
    # when a non-planar graph left no way to keep an edge straight


@dataclass(frozen=True)
class Layout:
    centers: Mapping[str, tuple[float, float]]
    routes: tuple[Route, ...]
    rank: Mapping[str, int]
    columns: tuple[tuple[float, float], ...]  # (left, width) of each rank's column


def layout(nodes: Sequence[str], edges: Sequence[tuple[str, str]], boxes: Mapping[str, Box],
           spacing_horizontal: float, spacing_vertical: float) -> Layout:
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    rank = assign_ranks(graph)
    layers, chains = insert_dummies(graph, rank)
    order_layers(layers, chains, graph)
    aligned = align(layers, chains, graph)
    room = {**boxes, **handle_boxes(chains, graph, boxes)}
    y = place(layers, chains, aligned, room, spacing_vertical)
    columns = column_extents(layers, boxes, spacing_horizontal)
    centers = {v: (columns[rank[v]][0] + columns[rank[v]][1] / 2, y[v]) for v in graph}
    routes = route(layers, chains, aligned, y, boxes, columns, rank, spacing_horizontal)
    return Layout(centers, routes, rank, tuple(columns))


# --- rank ---------------------------------------------------------------------------------

def min_length(graph, u, v) -> int:
    """Two columns between a fan-out and a fan-in glyph, so that the edge gets a lane."""
    return 2 if graph.out_degree(u) > 1 and graph.in_degree(v) > 1 else 1


def assign_ranks(graph) -> dict[str, int]:
    """Longest path from the main input; whatever it does not reach sits just before its use.

    Pulling side inputs (second model inputs, constants) next to their first consumer keeps
    their edges short instead of stretching them from column 0.
    """
    topo = list(nx.topological_sort(graph))
    rank: dict[str, int] = {}
    for v in topo:
        rank[v] = max((rank[u] + min_length(graph, u, v) for u in graph.predecessors(v)),
                      default=0)
    sources = [v for v in topo if graph.in_degree(v) == 0]
    if len(sources) > 1:
        longest = _longest_from(graph, topo)
        main = max(sources, key=lambda s: longest[s])
        reached = nx.descendants(graph, main) | {main}
        for v in reversed(topo):
            if v not in reached and graph.out_degree(v):
                rank[v] = min(rank[w] - min_length(graph, v, w) for w in graph.successors(v))
        low = min(rank.values())
        rank = {v: r - low for v, r in rank.items()}
    return rank


def _longest_from(graph, topo) -> dict[str, int]:
    length: dict[str, int] = {}
    for v in reversed(topo):
        length[v] = 1 + max((length[w] for w in graph.successors(v)), default=0)
    return length


# --- dummies ------------------------------------------------------------------------------

def insert_dummies(graph, rank):
    """Rank lists with a dummy per column an edge passes; each edge becomes a chain."""
    layers: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for v in graph:
        layers[rank[v]].append(v)
    chains = []
    for index, (u, v, _) in enumerate(graph.edges(keys=True)):
        chain = [u]
        for r in range(rank[u] + 1, rank[v]):
            dummy = ("dummy", index, r)
            layers[r].append(dummy)
            chain.append(dummy)
        chain.append(v)
        chains.append(chain)
    return layers, chains


def handle_boxes(chains, graph, boxes) -> dict:
    """Room for the handle a fan-out (fan-in) glyph stretches to its edge's lane.

    The first (last) dummy of such an edge is as tall as the handle, so that other lanes and
    glyphs keep clear of it.
    """
    result = {}
    for chain in chains:
        if len(chain) < 3:
            continue
        (u, first), (last, v) = chain[:2], chain[-2:]
        if graph.out_degree(u) > 1:
            result[first] = Box(0.0, 0.0, boxes[u].output_half, boxes[u].output_half)
        if graph.in_degree(v) > 1:
            half = max(boxes[v].input_half, result[last].above if last in result else 0.0)
            result[last] = Box(0.0, 0.0, half, half)
    return result


# --- order --------------------------------------------------------------------------------

def order_layers(layers, chains, graph, sweeps: int = 4) -> None:
    """Barycenter sweeps down and up, keeping the order with the fewest crossings."""
    ups, downs = _segments(chains)
    _, weight_down = _path_weights(layers, ups, downs, graph)
    _initial_order(layers, downs, graph, weight_down)
    best = [list(layer) for layer in layers]
    best_crossings = count_crossings(layers, downs)
    for sweep in range(sweeps * 2):
        if best_crossings == 0:
            break
        if sweep % 2 == 0:
            for r in range(1, len(layers)):
                _sort_by_barycenter(layers[r], layers[r - 1], ups)
        else:
            for r in range(len(layers) - 2, -1, -1):
                _sort_by_barycenter(layers[r], layers[r + 1], downs)
        crossings = count_crossings(layers, downs)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
    layers[:] = best


def _segments(chains):
    ups, downs = defaultdict(list), defaultdict(list)
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            downs[a].append(b)
            ups[b].append(a)
    return ups, downs


def _initial_order(layers, downs, graph, weight) -> None:
    """Depth-first from the sources in model order, so each path stays together.

    At a fork the lighter paths (fewer layers ahead) come first, so that branches and skip
    links sit above the main path and the labels under its glyphs stay clear.
    """
    seen: dict = {}
    stack = [v for v in reversed(list(graph)) if graph.in_degree(v) == 0]
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen[v] = len(seen)
        stack.extend(sorted(downs[v], key=lambda w: weight[w], reverse=True))
    for layer in layers:
        layer.sort(key=lambda v: seen.get(v, len(seen)))


def _sort_by_barycenter(layer, fixed, neighbours) -> None:
    position = {v: i for i, v in enumerate(fixed)}
    keys = {}
    for i, v in enumerate(layer):
        linked = [position[w] for w in neighbours[v] if w in position]
        keys[v] = sum(linked) / len(linked) if linked else i
    layer.sort(key=lambda v: keys[v])


def count_crossings(layers, downs) -> int:
    total = 0
    for upper, lower in zip(layers, layers[1:]):
        position = {v: i for i, v in enumerate(lower)}
        targets = sorted(
            (i, position[w]) for i, v in enumerate(upper) for w in downs[v] if w in position
        )
        total += _inversions([j for _, j in targets], len(lower))
    return total


def _inversions(values, size) -> int:
    """Pairs i < j with values[i] > values[j], by a Fenwick tree."""
    tree = [0] * (size + 1)
    count = 0
    for seen, value in enumerate(values):
        i, at_most = value + 1, 0
        while i > 0:
            at_most += tree[i]
            i -= i & -i
        count += seen - at_most
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count


# --- align --------------------------------------------------------------------------------

def align(layers, chains, graph) -> dict:
    """Pairs of neighbours in adjacent columns that share one horizontal line.

    Forced links (single output → single input) come first, then the links on the heaviest
    paths (most real layers), so that the main path runs straight. Links never cross.
    Returns successor → predecessor for every aligned pair.
    """
    ups, downs = _segments(chains)
    weight_up, weight_down = _path_weights(layers, ups, downs, graph)
    aligned = {}
    for upper, lower in zip(layers, layers[1:]):
        pos_upper = {v: i for i, v in enumerate(upper)}
        pos_lower = {v: i for i, v in enumerate(lower)}
        links = [(u, v) for u in upper for v in downs[u]]
        links.sort(key=lambda link: (
            -_forced(link, ups, downs), -(weight_up[link[0]] + weight_down[link[1]]),
            pos_upper[link[0]], pos_lower[link[1]],
        ))
        taken_up, taken_down, accepted = set(), set(), []
        for u, v in links:
            if u in taken_up or v in taken_down:
                continue
            key = (pos_upper[u], pos_lower[v])
            at = bisect.bisect(accepted, key)
            if at > 0 and accepted[at - 1][1] >= key[1]:
                continue
            if at < len(accepted) and accepted[at][1] <= key[1]:
                continue
            accepted.insert(at, key)
            taken_up.add(u)
            taken_down.add(v)
            aligned[v] = u
    return aligned


def _forced(link, ups, downs) -> bool:
    u, v = link
    return len(downs[u]) == 1 and len(ups[v]) == 1


def _path_weights(layers, ups, downs, graph):
    """Real layers on the heaviest path ending at (up) and starting from (down) each node."""
    real = lambda v: 1 if v in graph else 0  # noqa: E731
    up, down = {}, {}
    for layer in layers:
        for v in layer:
            up[v] = real(v) + max((up[u] for u in ups[v]), default=0)
    for layer in reversed(layers):
        for v in layer:
            down[v] = real(v) + max((down[w] for w in downs[v]), default=0)
    return up, down


# --- place ---------------------------------------------------------------------------------

def place(layers, chains, aligned, boxes, spacing_vertical, sweeps: int = 8) -> dict:
    """Vertical centres: blocks of aligned nodes share one; blocks keep their column order.

    Starts from the top-compacted placement, then moves each block toward the median level
    of the blocks it links to through fan-in/fan-out edges, within the room its neighbours
    above and below leave, sweeping alternately up and down until nothing moves.
    """
    block = {}
    for layer in layers:
        for v in layer:
            block[v] = block[aligned[v]] if v in aligned else v
    above, below = defaultdict(dict), defaultdict(dict)  # block -> neighbour block -> gap
    for layer in layers:
        for a, b in zip(layer, layer[1:]):
            gap = _extent(boxes, a, "below") + _extent(boxes, b, "above") + _gap(
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


def _extent(boxes, v, side):
    return getattr(boxes[v], side) if v in boxes else 0.0


def _gap(boxes, a, b, spacing_vertical):
    """Full spacing between glyphs, half beside an edge lane, a small gap between two lanes."""
    real = (a in boxes) + (b in boxes)
    return (DUMMY_GAP, spacing_vertical / 2, spacing_vertical)[real]


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


# --- columns and routes -------------------------------------------------------------------

def column_extents(layers, boxes, spacing_horizontal):
    columns, left = [], 0.0
    for layer in layers:
        width = max((boxes[v].width for v in layer if v in boxes), default=0.0)
        columns.append((left, width))
        left += width + spacing_horizontal
    return columns


def route(layers, chains, aligned, y, boxes, columns, rank, spacing_horizontal):
    """Each edge as horizontal runs from its source's right side to its target's left side.

    A run's level is the line of the glyph that has a single connection on that side; a
    fan-out or fan-in glyph adapts its handle to it. Where a handle would cover another
    glyph or lane in its column (only in non-planar corners), it stays in its glyph's free
    band and the edge takes a vertical jog in the gap instead.
    """
    ups, downs = _segments(chains)
    bands = _free_bands(layers, y, boxes)

    def gap_before(r):
        return columns[r][0] - spacing_horizontal / 2

    routes = []
    for chain in chains:
        u, v = chain[0], chain[-1]
        levels = [_segment_levels(a, b, aligned, y, ups, downs) for a, b in zip(chain, chain[1:])]
        first, last = levels[0][0], levels[-1][1]
        start = _clamped(first, bands[u], boxes[u].output_half) if len(downs[u]) > 1 else first
        end = _clamped(last, bands[v], boxes[v].input_half) if len(ups[v]) > 1 else last
        x_u = columns[rank[u]][0] + (columns[rank[u]][1] + boxes[u].glyph_width) / 2
        x_v = columns[rank[v]][0] + (columns[rank[v]][1] - boxes[v].glyph_width) / 2
        points = [(x_u, start), (gap_before(rank[u] + 1), start), (gap_before(rank[u] + 1), first)]
        for i, (level_in, level_out) in enumerate(levels):
            x = gap_before(rank[u] + i + 1)
            points += [(x, level_in), (x, level_out)]  # a jog only where a forced link broke
        points += [(gap_before(rank[v]), last), (gap_before(rank[v]), end), (x_v, end)]
        routes.append(Route(u, v, _simplified(points)))
    return tuple(routes)


def _free_bands(layers, y, boxes):
    """For each glyph, the vertical interval its column leaves free around it (glyphs with
    their labels, and lanes as thin lines)."""
    bands = {}
    for layer in layers:
        for i, v in enumerate(layer):
            above = layer[i - 1] if i else None
            below = layer[i + 1] if i + 1 < len(layer) else None
            low = y[above] + _extent(boxes, above, "below") + HANDLE_CLEARANCE if above else -math.inf
            high = y[below] - _extent(boxes, below, "above") - HANDLE_CLEARANCE if below else math.inf
            bands[v] = (low, high)
    return bands


def _clamped(level, band, half):
    """The level nearest ``level`` where a handle of half-height ``half`` fits in ``band``."""
    low, high = band[0] + half, band[1] - half
    return level if low > high else min(max(level, low), high)


def _simplified(points):
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
