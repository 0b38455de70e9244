"""The folding phase: hidden layer types bypassed, each active aggregate's occurrences drawn as
one glyph. Takes a ``Network`` and returns a smaller ``Network``; a folded node's ``members``
lists the layers it stands for.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from .aggregate import Aggregate, sources_of, splice, without
from .network import Edge, Network, Node


def fold(network: Network, aggregates: Sequence[Aggregate], hidden: Iterable[str] = (),
         repeat_marks: bool = False, opened: Iterable[str] = ()) -> Network:
    """``opened``: glyph ids of occurrences drawn unfolded, in a frame, the others folded."""
    network = layers = bypass(network, set(hidden))
    opened = set(opened)
    for aggregate in drawn_patterns(aggregates, hidden):
        if aggregate.active:
            network = fold_aggregate(network, aggregate, opened)
    return collapse_repeats(network, layers.by_id) if repeat_marks else network


def drawn_patterns(aggregates: Sequence[Aggregate], hidden: Iterable[str]) -> list[Aggregate]:
    """The aggregates as they match a network whose ``hidden`` types are bypassed: without
    their hidden members, so that hiding BatchNormalization keeps a ResNet's residual blocks
    folded. An aggregate left with one member matches that member's layers, and every
    aggregate holding it reads that key instead; one left with none is hidden itself. An
    inactive member is read as its own members, so that switching a ``Conv×3`` off leaves the
    residual blocks holding it folded."""
    hidden, patterns, standing_for, inactive = set(hidden), [], {}, {}
    for aggregate in aggregates:
        members = tuple(standing_for.get(m, m) for m in aggregate.members)
        pattern = without(replace(aggregate, members=members), hidden)
        if pattern is None:
            hidden.add(aggregate.name)
        elif isinstance(pattern, str):
            standing_for[aggregate.name] = pattern
        else:
            for member in dict.fromkeys(m for m in pattern.members if m in inactive):
                if all(len(row) == inactive[member].entries
                       for m, row in zip(pattern.members, pattern.sources) if m == member):
                    pattern = splice(pattern, inactive[member])  # else it cannot fold
            patterns.append(pattern)
            if not pattern.active:
                inactive[pattern.name] = pattern
    return patterns


def collapse_repeats(network: Network, layers: dict[str, Node]) -> Network:
    """Consecutive equal glyphs of one aggregate drawn once with ×N: each reads the one
    before it and nothing from outside the run but what the first one reads (a NASNet cell
    also reads the cell before the previous one), with the same sizes in and out as the one
    before it, inside too (``layers``: the layers by id), so that the glyph's sizes are every
    block's (a stage's first block, which changes the resolution or the channels, stays a
    glyph of its own; Inception modules of other widths are other glyphs)."""
    if not any(node.members for node in network.nodes):
        return network  # no aggregate, no run
    head, runs = {}, {}  # node id -> first node of its run; first node -> the run's nodes
    for node in network.nodes:
        feeds = set(network.feeds[node.id])
        before = next((u for u in network.feeds[node.id] if u in head
                       and runs[head[u]][-1] == u
                       and _equal_blocks(network.by_id[u], node, layers)),
                      None)
        if (node.members and before is not None
                and feeds <= set(runs[head[before]]) | set(network.feeds[head[before]])):
            head[node.id] = head[before]
        else:
            head[node.id] = node.id
        runs.setdefault(head[node.id], []).append(node.id)
    nodes = tuple(replace(run[0], output_shapes=run[-1].output_shapes,
                          params=sum(n.params for n in run), repeats=len(run),
                          members=tuple(m for n in run for m in n.members))
                  for run in ([network.by_id[v] for v in ids] for ids in runs.values()))
    edges = {}  # the edges between a run and one glyph become one
    for e in network.edges:
        source, target = head[e.source], head[e.target]
        if source != target:
            merged = (source, target) if (source, target) != (e.source, e.target) else e
            edges.setdefault(merged, Edge(source, target, e.index))
    return Network(network.name, nodes, tuple(edges.values()))


def _equal_blocks(a: Node, b: Node, layers: dict[str, Node]) -> bool:
    """Two occurrences of one aggregate with the same sizes in and out and inside, or, where
    each adds channels to what it reads (DenseNet's layers), adding the same number at the
    same resolution with layers that learn kernels of the same sizes."""
    if (a.type, a.frame) != (b.type, b.frame):
        return False

    def inside(node, kernels_only=False):
        return [layers[m].output_shapes for m in node.members
                if not kernels_only or layers[m].kernel]

    if (a.input_shapes, a.output_shapes) == (b.input_shapes, b.output_shapes):
        return inside(a) == inside(b)
    return (_growth(a) is not None and _growth(a) == _growth(b)
            and inside(a, True) == inside(b, True))


def _growth(node: Node) -> tuple | None:
    """(resolution, channels added) of a block with one input that keeps the resolution."""
    if len(node.input_shapes) != 1 or len(node.output_shapes) != 1:
        return None
    (before,), (after,) = node.input_shapes, node.output_shapes
    axis_in, axis_out = node.channel_axes
    if len(before) != len(after) or len(before) < 2 or None in before + after:
        return None
    spatial = [d for i, d in enumerate(before) if i != axis_in % len(before)]
    if spatial != [d for i, d in enumerate(after) if i != axis_out % len(after)]:
        return None
    added = after[axis_out] - before[axis_in]
    return (tuple(spatial), added) if added > 0 else None


def bypass(network: Network, hidden: set[str]) -> Network:
    """Remove the layers of hidden types, connecting their inputs straight to their outputs."""
    if not hidden:
        return network
    kept = [node for node in network.nodes if node.type not in hidden]
    feeds = network.feeds
    resolved: dict[str, list[str]] = {}

    def sources(node_id):  # the visible layers feeding ``node_id``'s inputs, in order
        if node_id not in resolved:
            resolved[node_id] = [s for u in feeds[node_id] for s in (
                sources(u) if network.by_id[u].type in hidden else [u])]
        return resolved[node_id]

    edges = [Edge(u, node.id, i) for node in kept for i, u in enumerate(sources(node.id))]
    return Network(network.name, tuple(kept), tuple(edges))


def fold_aggregate(network: Network, aggregate: Aggregate, opened=frozenset()) -> Network:
    occurrences = find_occurrences(network, aggregate)
    if not occurrences:
        return network
    replaced = {}  # original node id -> folded node id
    folded_nodes, entry_index, framed = {}, {}, {}
    for occurrence in occurrences:
        node = _folded_node(network, aggregate, occurrence)
        if node.id in opened:  # drawn as its layers, each marked with the frame around them
            framed.update((v, (node.id, aggregate.name)) for v in occurrence.nodes)
            continue
        folded_nodes[occurrence.nodes[-1]] = node  # at its exit: after every entry
        replaced.update({v: node.id for v in occurrence.nodes})
        entry_index.update({(e, node.id): k for k, e in enumerate(occurrence.entries)})
    nodes = [folded_nodes.get(n.id, replace(n, frame=framed[n.id]) if n.id in framed else n)
             for n in network.nodes if n.id not in replaced or n.id in folded_nodes]
    edges = {}  # the edges from one entry into an occurrence become one: its handle
    for edge in network.edges:
        source, target = replaced.get(edge.source, edge.source), replaced.get(edge.target, edge.target)
        if source == target:
            continue  # inside an occurrence
        index = entry_index[edge.source, target] if target != edge.target else edge.index
        edges.setdefault((source, target, index), Edge(source, target, index))
    return Network(network.name, tuple(nodes), tuple(edges.values()))


@dataclass(frozen=True)
class Occurrence:
    nodes: tuple[str, ...]  # the layer at each member position
    entries: tuple[str, ...]  # the outside layer of each entry


def find_occurrences(network: Network, aggregate: Aggregate) -> list[Occurrence]:
    """Non-overlapping matches of the aggregate's pattern, in network order of their exits.

    Matching runs backwards from a candidate exit: each member's candidates are the inputs
    of a member it feeds. A match maps each member position to a node of the member's key
    that sends data only to the members the pattern names (the exit excepted), and whose
    inputs come from where the pattern says, in any input order, entries bound by first use.
    """
    feeds, targets, key = network.feeds, network.targets, {n.id: n.type for n in network.nodes}
    members, last = aggregate.members, len(aggregate.members) - 1
    expected = [sorted(row) for row in aggregate.sources]
    consumers = [sorted(i for i, row in enumerate(aggregate.sources) for s in row if s == p)
                 for p in range(last + 1)]
    used: set[str] = set()

    def fits(p, candidate, mapping, taken):
        return (key[candidate] == members[p] and candidate not in used
                and candidate not in taken and len(feeds[candidate]) == len(expected[p])
                and sorted(targets[candidate]) == sorted(mapping[i] for i in consumers[p]))

    def match(exit_node) -> Occurrence | None:
        """Positions ``last - 1`` down to 0, backtracking on dead ends."""
        mapping, taken, pending = {last: exit_node}, {exit_node}, {}
        p = last - 1
        while p < last:
            if p < 0:
                nodes = [mapping[i] for i in range(last + 1)]
                rows, entries = sources_of(nodes, feeds)
                if all(sorted(row) == e for row, e in zip(rows, expected)):
                    return Occurrence(tuple(nodes), tuple(entries))
                p = 0  # try the next candidate at position 0
                continue
            if p not in pending:  # the inputs of a member it feeds, tried in input order
                pending[p] = list(dict.fromkeys(feeds[mapping[consumers[p][0]]]))[::-1]
            taken.discard(mapping.pop(p, None))
            while pending[p] and p not in mapping:
                candidate = pending[p].pop()
                if fits(p, candidate, mapping, taken):
                    mapping[p] = candidate
                    taken.add(candidate)
            if p in mapping:
                p -= 1
            else:
                del pending[p]
                p += 1
        return None

    found = []
    for node in network.nodes:
        if (key[node.id] == members[last] and node.id not in used
                and len(feeds[node.id]) == len(expected[last])):
            occurrence = match(node.id)
            if occurrence is not None and not _cuts_a_run(network, aggregate, occurrence):
                used.update(occurrence.nodes)
                found.append(occurrence)
    return found


def _cuts_a_run(network: Network, aggregate: Aggregate, occurrence: Occurrence) -> bool:
    """A pattern that starts (ends) with a run of one aggregate, matched where that run
    begins earlier (goes on): a ConvNeXt stage of three blocks and a downsampling is not the
    last three blocks of a stage of twenty-seven, which stays one run shown ×N."""
    members, nodes = aggregate.members, occurrence.nodes
    if len(members) < 3 or not all(network.by_id[v].members for v in nodes):
        return False
    before = network.chained_from(nodes[0])
    after = [w for w in set(network.targets[nodes[-1]]) if network.chained_from(w) == nodes[-1]]
    return ((members[0] == members[1] and before is not None
             and network.by_id[before].type == members[0])
            or (members[-1] == members[-2] and any(network.by_id[w].type == members[-1]
                                                   for w in after)))


def _folded_node(network: Network, aggregate: Aggregate, occurrence: Occurrence) -> Node:
    nodes = [network.by_id[v] for v in occurrence.nodes]
    first, last = nodes[0], nodes[-1]
    common = first.calls
    for node in nodes[1:]:
        while node.calls[:len(common)] != common:
            common = common[:-1]
    input_shapes = first.input_shapes if len(occurrence.entries) < 2 else tuple(
        network.by_id[e].output_shapes[0] for e in occurrence.entries)
    return Node(
        id=f"{aggregate.name}:{first.id}", name=aggregate.name, type=aggregate.name,
        input_shapes=input_shapes, output_shapes=last.output_shapes,
        params=sum(n.params for n in nodes), scope=first.scope[:len(common)], calls=common,
        kernel=any(n.kernel for n in nodes),
        settings={"made from": aggregate.origin} if aggregate.origin else {},
        channel_axes=(first.channel_axes[0], last.channel_axes[1]),
        members=tuple(m for n in nodes for m in (n.members or (n.id,))),
    )
