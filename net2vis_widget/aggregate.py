"""Aggregates (SPEC §5): named patterns of member types with their internal edges and entries.

An aggregate is made from a valid selection of glyphs (``from_selection``); ``fold`` draws every
occurrence of it as one glyph. Members are keys (layer types or other aggregates' names) in
topological order, so the last member is the exit. Each member lists where its inputs come
from: an earlier member, or an *entry*, an outside layer feeding the aggregate. Entries are
numbered in order of first use. Most aggregates have one entry, which may feed several
members (a residual block's fork). A cell may have two: NASNet cells read the two cells
before them. A first member that merges its inputs may have any number of entries.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

MAX_ENTRIES = 2  # outside layers a block may read from, unless only its first member reads them


class GroupingError(ValueError):
    """A selection that cannot be grouped; the message says which rule it breaks."""


def holds_block(aggregate: "Aggregate", known) -> bool:
    """A block with parallel paths (a residual block, an attention), or a sequence holding
    one; not a sequence of layers (a Conv–BN–ReLU, of which a bottleneck holds two), at any
    depth (``known``: aggregates by name)."""
    return not aggregate.is_sequence or any(
        holds_block(known[m], known) for m in aggregate.members if m in known)


def entry(k: int) -> int:
    """The source code of entry ``k`` in ``Aggregate.sources`` (member positions are ≥ 0)."""
    return -1 - k


@dataclass(frozen=True)
class Aggregate:
    name: str
    members: tuple[str, ...]  # keys in topological order; the last one is the exit
    sources: tuple[tuple[int, ...], ...]  # per member, its inputs in order: a member's position
    # or ``entry(k)``; several edges from one layer into one member are one entry
    active: bool = True
    origin: str = ""  # the module class or nested model it was made from (for the tooltip)

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """Internal edges, as (source position, target position)."""
        return tuple(sorted((s, i) for i, row in enumerate(self.sources) for s in row if s >= 0))

    @property
    def is_sequence(self) -> bool:
        """Each member reads only the one before it (the first reads the entries)."""
        return all(set(row) == {i - 1} for i, row in enumerate(self.sources) if i)

    @property
    def entries(self) -> int:
        return max((-s for row in self.sources for s in row), default=0)

    def as_dict(self) -> dict:
        data = {"name": self.name, "members": list(self.members),
                "sources": [list(row) for row in self.sources], "active": self.active}
        return {**data, "origin": self.origin} if self.origin else data

    @classmethod
    def from_dict(cls, data) -> "Aggregate":
        """An aggregate read back from ``as_dict``, or a ValueError saying what is malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise ValueError(f"an aggregate must be a dict with a 'name', got {data!r:.80}")
        name, members = data["name"], data.get("members")
        if not (isinstance(members, (list, tuple)) and all(isinstance(m, str) for m in members)):
            raise ValueError(f"aggregate {name!r}: 'members' must be a list of names")
        try:
            sources = (_rows(data["sources"]) if "sources" in data  # written before entries:
                       else _from_edges(len(members), data["edges"], data["inputs"]))
        except (KeyError, IndexError, TypeError, ValueError):
            raise ValueError(f"aggregate {name!r}: 'sources' must list, per member, where its "
                             "inputs come from") from None
        active, origin = data.get("active", True), data.get("origin", "")
        if not isinstance(active, bool):
            raise ValueError(f"aggregate {name!r}: 'active' must be True or False, got {active!r}")
        if not isinstance(origin, str) or not origin.isprintable():
            raise ValueError(f"aggregate {name!r}: 'origin' must be a printable text, got "
                             f"{origin!r:.80}")
        size = len(members)
        fed = {s for row in sources for s in row if s >= 0}
        if (len(sources) != size or size < 2 or any(s >= i for i, row in enumerate(sources)
                                                     for s in row)
                or fed != set(range(size - 1)) or numbered(sources) != sources):
            raise ValueError(f"aggregate {name!r} is malformed: its members do not form one "
                             "connected block ending in its last member")
        return cls(name, tuple(members), sources, active, origin)


def _rows(rows) -> tuple[tuple[int, ...], ...]:
    if not isinstance(rows, (list, tuple)) or not all(
            isinstance(row, (list, tuple)) and all(map(_is_int, row)) for row in rows):
        raise ValueError("sources must be lists of integers")
    return tuple(tuple(row) for row in rows)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _from_edges(size, edges, inputs) -> tuple[tuple[int, ...], ...]:
    if not all(isinstance(e, (list, tuple)) and len(e) == 2 and all(map(_is_int, e))
               for e in edges) or not (isinstance(inputs, (list, tuple)) and len(inputs) == size
                                       and all(map(_is_int, inputs))):
        raise ValueError("edges must be pairs of member positions, inputs one count per member")
    rows = [[a for a, b in sorted(edges) if b == i] for i in range(size)]
    counts = list(inputs)
    merge = counts[0] > 1 and not any(counts[1:])  # a first member merging several layers
    for i, n in enumerate(counts):
        rows[i] += [entry(k) for k in range(n)] if merge else [entry(0)] * n
    return tuple(tuple(row) for row in rows)


def numbered(sources) -> tuple[tuple[int, ...], ...]:
    """``sources`` with entries renumbered by first use (member by member, input by input)."""
    renumber = {}
    for row in sources:
        for s in row:
            if s < 0:
                renumber.setdefault(s, entry(len(renumber)))
    return tuple(tuple(renumber.get(s, s) for s in row) for row in sources)


def sources_of(nodes: Sequence[str], feeds: dict[str, list[str]]):
    """Where the inputs of ``nodes`` (topologically ordered) come from, as in
    ``Aggregate.sources``, and the entry layers in entry order."""
    position = {v: i for i, v in enumerate(nodes)}
    entries: dict[str, int] = {}
    rows = tuple(tuple(position[u] if u in position else entry(entries.setdefault(u, len(entries)))
                       for u in feeds[v]) for v in nodes)
    return rows, list(entries)


def check_selection(network, selection: Sequence[str]) -> None:
    """Raise a GroupingError saying which rule the selection of ``network``'s glyphs breaks.

    Rules: at least two layers; connected; no hole (an unselected layer on a path between
    selected ones); data leaves from one member only, which also means no member sends data
    both inside and outside; data comes in from at most two layers, unless it all goes into
    the first member (a merge such as Add or Concatenate).
    """
    feeds, targets, order = network.feeds, network.targets, network.order
    chosen = set(selection)
    if len(chosen) < 2:
        raise GroupingError("select at least two layers to group")
    first = min(chosen, key=order.get)
    linked = _reach({first}, lambda v: (w for w in feeds[v] + targets[v] if w in chosen))
    if len(linked | {first}) < len(chosen):
        raise GroupingError("the selected layers are not connected")
    exits = sorted((u for u in chosen if not chosen.issuperset(targets[u])  # leaves, or ends
                    or not chosen.intersection(targets[u])), key=order.get)
    if len(exits) > 1:
        if hole := _hole(network, chosen):
            raise GroupingError(f"the selection has a hole: {_names(hole)} "
                                f"{'lies' if len(hole) == 1 else 'lie'} between selected layers; "
                                "select them too, or fewer layers around them")
        raise GroupingError(f"the selection has several exits: data leaves from "
                            f"{_names(exits)}; select a block that ends in one layer")
    outside = sorted({u for v in chosen for u in feeds[v] if u not in chosen}, key=order.get)
    starts = sorted((v for v in chosen if not feeds[v]), key=order.get)  # model inputs
    fed = [v for v in chosen if not chosen.issuperset(feeds[v])]
    merging_head = len(fed) == 1 and not starts and not chosen.intersection(feeds[fed[0]])
    if len(outside) + len(starts) > MAX_ENTRIES and not merging_head:
        raise GroupingError(f"the selection has several entries: data comes in from "
                            f"{_names(outside + starts)}; select a block fed by at most two "
                            "layers, or starting with the layer that merges its inputs")


def _hole(network, chosen: set[str]) -> list[str]:
    """Unselected layers on a path from a selected layer to another one."""
    order = network.order
    first, last = min(order[v] for v in chosen), max(order[v] for v in chosen)
    after = _reach(chosen, lambda v: (w for w in network.targets[v] if order[w] < last))
    before = _reach(chosen, lambda v: (w for w in network.feeds[v] if order[w] > first))
    return sorted((after & before) - chosen, key=order.get)


def _reach(start: set[str], step) -> set[str]:
    """The layers reached from ``start`` by ``step``, passing through no layer of ``start``."""
    reached, stack = set(), [w for v in start for w in step(v) if w not in start]
    while stack:
        v = stack.pop()
        if v not in reached:
            reached.add(v)
            stack.extend(w for w in step(v) if w not in start)
    return reached


def from_selection(network, selection: Sequence[str], name: str) -> Aggregate:
    """The aggregate whose pattern is the selected glyphs of ``network``."""
    check_selection(network, selection)
    return pattern_of(network, selection, name)


def pattern_of(network, glyphs: Sequence[str], name: str = "") -> Aggregate:
    """The aggregate whose pattern is ``glyphs``, a selection known to be valid."""
    members = sorted(set(glyphs), key=network.order.__getitem__)
    rows, _ = sources_of(members, network.feeds)
    return Aggregate(name, tuple(network.by_id[v].type for v in members), rows)


def without(aggregate: Aggregate, hidden: set[str]) -> Aggregate | str | None:
    """``aggregate``'s pattern with its members of ``hidden`` keys bypassed, as the network's
    hidden layers are: each consumer reads what the bypassed member read. A pattern left with
    one member is that member's key (the layer it now matches); with none, ``None``."""
    members = aggregate.members
    kept = [i for i, key in enumerate(members) if key not in hidden]
    if len(kept) == len(members):
        return aggregate
    if len(kept) < 2:
        return members[kept[0]] if kept else None
    position = {old: new for new, old in enumerate(kept)}

    def read(i):  # what member ``i`` reads once the hidden members are bypassed
        return [t for s in aggregate.sources[i]
                for t in (read(s) if s >= 0 and members[s] in hidden else [s])]

    rows = tuple(tuple(position.get(s, s) if s >= 0 else s for s in read(i)) for i in kept)
    return replace(aggregate, members=tuple(members[i] for i in kept), sources=numbered(rows))


def splice(outer: Aggregate, removed: Aggregate) -> Aggregate:
    """``outer`` with each member that is ``removed`` replaced by ``removed``'s own members."""
    while removed.name in outer.members:
        outer = _splice_at(outer, outer.members.index(removed.name), removed)
    return outer


def _splice_at(outer: Aggregate, at: int, removed: Aggregate) -> Aggregate:
    size = len(removed.members)
    fed_by = outer.sources[at]  # the removed glyph's inputs: one per entry, in entry order

    def shifted(s):  # an outer source's new code
        if s < at:
            return s
        return at + size - 1 if s == at else s + size - 1

    def inner(s):  # a removed member's source, in the outer pattern
        return at + s if s >= 0 else fed_by[-1 - s]

    rows = (list(outer.sources[:at]) + [tuple(inner(s) for s in row) for row in removed.sources]
            + [tuple(shifted(s) for s in row) for row in outer.sources[at + 1:]])
    return replace(outer, members=outer.members[:at] + removed.members + outer.members[at + 1:],
                   sources=numbered(rows))



def _names(ids) -> str:
    return ", ".join(repr(i) for i in ids)
