"""The framework-neutral network: layer calls (nodes) and tensors flowing between them (edges).

Adapters (``extract/from_keras.py``, ``extract/from_torch.py``) produce a ``Network``; every later phase reads
only this module's records.
"""
from __future__ import annotations

import unicodedata
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
    channels_first: bool = False  # the framework puts channels before the spatial axes

    @cached_property
    def by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def order(self) -> dict[str, int]:
        """Each node's position in ``nodes``, a topological order."""
        return {n.id: i for i, n in enumerate(self.nodes)}

    @cached_property
    def feeds(self) -> dict[str, list[str]]:
        """Each node's sources, in the order of its inputs (read only)."""
        feeds = {n.id: [] for n in self.nodes}
        for edge in sorted(self.edges, key=lambda e: e.index):
            feeds[edge.target].append(edge.source)
        return feeds

    @cached_property
    def targets(self) -> dict[str, list[str]]:
        """Each node's targets, one per edge (read only)."""
        targets = {n.id: [] for n in self.nodes}
        for edge in self.edges:
            targets[edge.source].append(edge.target)
        return targets

    def chained_from(self, node_id: str) -> str | None:
        """The layer linked one to one into ``node_id`` (its only source, feeding nothing
        else; several edges between the two count as one link), if there is one."""
        sources = set(self.feeds[node_id])
        if len(sources) == 1:
            (source,) = sources
            if set(self.targets[source]) == {node_id}:
                return source
        return None

    def graph(self) -> nx.MultiDiGraph:
        """The network as a networkx graph of node ids, for graph algorithms."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(n.id for n in self.nodes)
        graph.add_edges_from((e.source, e.target) for e in self.edges)
        return graph


def printable(text: str) -> str:
    """``text`` with its control characters (and those no XML document can hold) written as
    escapes, ``\\x1b``: what a model names itself always reaches the figure, and never
    breaks it."""
    if text.isprintable():
        return text
    return "".join(_escaped(c) if unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff"
                   else c for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
