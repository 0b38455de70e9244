"""Aggregates (SPEC §5): named patterns of member types with their internal edges.

An aggregate is made from a valid selection of glyphs (``from_selection``); ``fold`` draws every
occurrence of it as one glyph. Members are keys: layer types or other aggregates' names.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx


class GroupingError(ValueError):
    """A selection that cannot be grouped; the message says which rule it breaks."""


@dataclass(frozen=True)
class Aggregate:
    name: str
    members: tuple[str, ...]  # keys in topological order
    edges: tuple[tuple[int, int], ...]  # internal edges between member positions
    inputs: tuple[int, ...]  # per member, how many edges it takes from outside: from one
    # entry layer, or, for the first member only, from any layers it merges
    active: bool = True

    @property
    def exit(self) -> int:
        """The member whose outputs leave the aggregate."""
        sources = {i for i, _ in self.edges}
        return next(i for i in range(len(self.members) - 1, -1, -1) if i not in sources)

    def as_dict(self) -> dict:
        return {"name": self.name, "members": list(self.members),
                "edges": [list(e) for e in self.edges], "inputs": list(self.inputs),
                "active": self.active}

    @classmethod
    def from_dict(cls, data: dict) -> "Aggregate":
        aggregate = cls(str(data["name"]), tuple(map(str, data["members"])),
                        tuple(sorted((int(a), int(b)) for a, b in data["edges"])),
                        tuple(int(n) for n in data["inputs"]), bool(data.get("active", True)))
        if len(aggregate.inputs) != len(aggregate.members) or any(
                not 0 <= i < j < len(aggregate.members) for i, j in aggregate.edges):
            raise ValueError(f"aggregate {aggregate.name!r} is malformed")
        return aggregate


def check_selection(graph: nx.MultiDiGraph, selection: list[str]) -> tuple[str | None, str]:
    """The selection's entry (the one outside layer feeding it, if one) and exit.

    Rules, each refused with a GroupingError saying so: at least two layers; connected;
    edges come in from one layer only (a fork may feed several members, as in a residual
    block) or all into the first member (a merge such as Add); edges leave from one member
    only, which also means no member sends data both inside and outside.
    """
    chosen = set(selection)
    if len(chosen) < 2:
        raise GroupingError("select at least two layers to group")
    if not nx.is_weakly_connected(graph.subgraph(chosen)):
        raise GroupingError("the selected layers are not connected")
    entries = sorted({u for v in chosen for u in graph.predecessors(v) if u not in chosen})
    starts = sorted(v for v in chosen if graph.in_degree(v) == 0)  # model inputs
    fed = {v for v in chosen for u in graph.predecessors(v) if u not in chosen}
    merging_head = len(fed) == 1 and not starts and not any(
        u in chosen for v in fed for u in graph.predecessors(v))
    if len(entries) + len(starts) > 1 and not merging_head:
        raise GroupingError(f"the selection has several entries: data comes in from "
                            f"{_names(entries + starts)}; select a block fed by one layer, "
                            "or starting with the layer that merges its inputs")
    leaving = sorted({u for u in chosen for v in graph.successors(u) if v not in chosen})
    ends = sorted(u for u in chosen if not any(v in chosen for v in graph.successors(u)))
    exits = sorted(set(leaving) | set(ends))
    if len(exits) > 1:  # also where a member sends data both inside and outside
        raise GroupingError(f"the selection has several exits: data leaves from "
                            f"{_names(exits)}; select a block that ends in one layer")
    return (entries[0] if len(entries) == 1 else None), exits[0]


def from_selection(graph: nx.MultiDiGraph, selection: list[str], keys: dict[str, str],
                   name: str, order: dict[str, int]) -> Aggregate:
    """The aggregate whose pattern is the selected glyphs (``keys``: glyph → its key)."""
    check_selection(graph, selection)
    members = sorted(set(selection), key=order.__getitem__)
    position = {v: i for i, v in enumerate(members)}
    edges = sorted((position[u], position[v]) for u, v, _ in graph.subgraph(members).edges(keys=True))
    inputs = tuple(sum(1 for u in graph.predecessors(v) if u not in position) for v in members)
    return Aggregate(name, tuple(keys[v] for v in members), tuple(edges), inputs)


def splice(outer: Aggregate, removed: Aggregate) -> Aggregate:
    """``outer`` with each member that is ``removed`` replaced by ``removed``'s own members."""
    while removed.name in outer.members:
        outer = _splice_at(outer, outer.members.index(removed.name), removed)
    return outer


def _splice_at(outer: Aggregate, at: int, removed: Aggregate) -> Aggregate:
    size = len(removed.members)

    def shifted(i):  # an outer member's new position
        return i if i < at else i + size - 1

    edges = [(at + a, at + b) for a, b in removed.edges]
    for a, b in outer.edges:
        if b == at:  # into the removed member: to each of its members fed from outside
            edges += [(shifted(a), at + i) for i, n in enumerate(removed.inputs) for _ in range(n)]
        elif a == at:
            edges.append((at + removed.exit, shifted(b)))
        else:
            edges.append((shifted(a), shifted(b)))
    fed_from_entry = outer.inputs[at] > 0
    inputs = outer.inputs[:at] + tuple(n if fed_from_entry else 0 for n in removed.inputs) \
        + outer.inputs[at + 1:]
    return replace(outer, members=outer.members[:at] + removed.members + outer.members[at + 1:],
                   edges=tuple(sorted(edges)), inputs=inputs)


def contains(aggregates: dict[str, Aggregate], outer: str, inner: str) -> bool:
    """``inner`` is a member of ``outer``, directly or through other aggregates."""
    members = aggregates[outer].members
    return inner in members or any(contains(aggregates, m, inner) for m in members if m in aggregates)


def _names(ids) -> str:
    return ", ".join(repr(i) for i in ids)
