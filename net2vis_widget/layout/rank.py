"""Ranking: the column of each layer (longest path from the main input, side inputs pulled
next to their first consumer)."""
from __future__ import annotations

import networkx as nx


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
