"""Layered left-to-right layout (SPEC §4.2), in the classic Sugiyama phases.

``layout`` runs them in order, each in the module of its name: ``rank`` → dummies for long
edges (``graph``) → ``order`` (crossing minimisation) → ``align`` (which neighbours share a
horizontal line) → ``place`` (vertical coordinates) → ``route`` (horizontal edges at their
handles' levels). Every phase is near-linear on the chains that neural networks mostly are.

An edge is drawn as one horizontal line, so both its ends must be at one level: a glyph with a
single connection on a side keeps that side on its own centre line, a glyph with several
connections on a side fans its handles out to its neighbours' levels. Hence two neighbours
linked by a single-output → single-input edge must share a line (a *forced* alignment); other
alignments are chosen to keep the heaviest path straight.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import networkx as nx

from .align import align
from .graph import Box, Layout, Route, layered
from .order import order_layers
from .place import place
from .rank import assign_ranks
from .route import column_extents, route

__all__ = ["Box", "Layout", "Route", "layout"]

HANDLE_REACH = 1.5  # no glyph's outline is taller than 1.5 × its body (SPEC §4.1)


def layout(nodes: Sequence[str], edges: Sequence[tuple[str, str]], boxes: Mapping[str, Box],
           spacing_horizontal: float, spacing_vertical: float,
           handle_reach: float = HANDLE_REACH) -> Layout:
    """``edges``: distinct (source, target) pairs (two tensors between the same layers are one
    line). ``handle_reach``: how far from its centre a glyph's outline may extend, in halves
    of its body's height (1.5: the outline is at most 1.5 times as tall as the body)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    rank = assign_ranks(graph)
    g = layered(graph, rank)  # the one record every phase below reads
    order_layers(g)
    aligned = align(g)
    y = place(g, aligned, boxes, spacing_vertical)  # handles stay in their glyph's reach
    columns = column_extents(g.layers, boxes, spacing_horizontal)
    centers = {v: (columns[rank[v]][0] + columns[rank[v]][1] / 2, y[v]) for v in graph}
    routes = route(g, aligned, y, boxes, columns, spacing_horizontal, handle_reach)
    return Layout(centers, routes, rank, tuple(columns))
