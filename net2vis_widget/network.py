"""The framework-neutral network: layer calls (nodes) and tensors flowing between them (edges).

Adapters (``keras_extract`` and, later, others) produce a ``Network``; every later phase reads
only this module's records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

Shape = tuple  # one tensor's shape without the batch axis; ``None`` for unknown dimensions


@dataclass(frozen=True)
class Node:
    """One layer call."""

    id: str
    name: str
    type: str
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    config: dict = field(default_factory=dict, compare=False, hash=False)
    params: int = 0
    scope: tuple[str, ...] = ()  # names of the nested models this call lives in, outermost first
    members: tuple[str, ...] = ()  # for an aggregate's glyph: ids of the layers it stands for
    repeats: int = 1  # consecutive occurrences shown as this one glyph (the ×N mark)


@dataclass(frozen=True)
class Edge:
    """A tensor from ``source`` feeding input number ``index`` of ``target``."""

    source: str
    target: str
    index: int = 0


@dataclass(frozen=True)
class Network:
    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @cached_property
    def by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def graph(self) -> nx.MultiDiGraph:
        """The network as a networkx graph of node ids, for graph algorithms."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(n.id for n in self.nodes)
        graph.add_edges_from((e.source, e.target) for e in self.edges)
        return graph
