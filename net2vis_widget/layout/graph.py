"""The layered graph the layout phases share: its records, the dummy layers that carry long
edges through the columns they pass, and the segments between neighbouring columns."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, NamedTuple


class Box(NamedTuple):
    """What a node occupies around its centre: glyph width, column width, extents above/below
    (labels included), and half the height of its input and output handles (a tuple: one is
    made per glyph per figure, and compared to reuse a layout)."""

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


@dataclass
class Layered:
    """The layered graph every phase after ranking reads: the columns (ordering sorts each
    top to bottom, in place), each edge as a chain through the dummies of the columns it
    passes, the segments between neighbouring columns, and the heaviest-path weights."""

    graph: object  # the networkx graph of the real nodes
    rank: dict
    layers: list  # per column, its nodes (dummies included) top to bottom
    chains: list  # per edge, its nodes from source to target
    ups: dict  # node -> its neighbours in the column before, one per segment
    downs: dict  # node -> its neighbours in the column after
    weights: tuple  # (up, down): real layers on the heaviest path ending at, starting from


def layered(graph, rank) -> Layered:
    layers, chains = insert_dummies(graph, rank)
    ups, downs = segments(chains)
    return Layered(graph, rank, layers, chains, ups, downs,
                   path_weights(layers, ups, downs, graph))


def insert_dummies(graph, rank):
    """Rank lists with a dummy per column an edge passes; each edge becomes a chain."""
    layers: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for v in graph:
        layers[rank[v]].append(v)
    chains = []
    for index, (u, v) in enumerate(graph.edges):
        chain = [u]
        for r in range(rank[u] + 1, rank[v]):
            dummy = ("dummy", index, r)
            layers[r].append(dummy)
            chain.append(dummy)
        chain.append(v)
        chains.append(chain)
    return layers, chains


def segments(chains):
    ups, downs = defaultdict(list), defaultdict(list)
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            downs[a].append(b)
            ups[b].append(a)
    return ups, downs


def path_weights(layers, ups, downs, graph):
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


def extent(boxes, v, side):
    return getattr(boxes[v], side) if v in boxes else 0.0
