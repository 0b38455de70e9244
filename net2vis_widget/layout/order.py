"""Ordering: each column's top-to-bottom order, by barycenter sweeps that keep the order with
the fewest crossings."""
from __future__ import annotations


def order_layers(layered, sweeps: int = 4) -> None:
    """Barycenter sweeps down and up, keeping the order with the fewest crossings; they stop
    when none is left, or after a sweep down and up that found no better order."""
    layers, ups, downs = layered.layers, layered.ups, layered.downs
    _initial_order(layers, downs, layered.graph, layered.weights[1])
    best = [list(layer) for layer in layers]
    best_crossings, since_best = count_crossings(layers, downs), 0
    for sweep in range(sweeps * 2):
        if best_crossings == 0 or since_best == 2:
            break
        if sweep % 2 == 0:
            for r in range(1, len(layers)):
                _sort_by_barycenter(layers[r], layers[r - 1], ups)
        else:
            for r in range(len(layers) - 2, -1, -1):
                _sort_by_barycenter(layers[r], layers[r + 1], downs)
        crossings = count_crossings(layers, downs)
        since_best += 1
        if crossings < best_crossings:
            best, best_crossings, since_best = [list(layer) for layer in layers], crossings, 0
    layers[:] = best


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
