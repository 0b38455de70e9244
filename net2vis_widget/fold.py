"""The folding phase: hidden layer types bypassed, each active aggregate's occurrences drawn as
one glyph. Takes a ``Network`` and returns a smaller ``Network``; a folded node's ``members``
lists the layers it stands for.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Sequence

from .aggregate import Aggregate
from .network import Edge, Network, Node


def fold(network: Network, aggregates: Sequence[Aggregate], hidden: Iterable[str] = (),
         repeat_marks: bool = False) -> Network:
    network = bypass(network, set(hidden))
    for aggregate in aggregates:
        if aggregate.active:
            network = fold_aggregate(network, aggregate)
    return collapse_repeats(network) if repeat_marks else network


def collapse_repeats(network: Network) -> Network:
    """Consecutive glyphs of one aggregate, linked one to one, drawn once with ×N."""
    feeds, succs = predecessors(network), successors(network)
    head = {}  # node id -> first node of its run
    for node in network.nodes:
        before = feeds[node.id]
        if (node.members and len(before) == 1 and len(succs[before[0]]) == 1
                and network.by_id[before[0]].type == node.type):
            head[node.id] = head[before[0]]
        else:
            head[node.id] = node.id
    runs: dict[str, list[Node]] = {}
    for node in network.nodes:
        runs.setdefault(head[node.id], []).append(node)
    nodes = tuple(replace(run[0], output_shapes=run[-1].output_shapes,
                          params=sum(n.params for n in run), repeats=len(run),
                          members=tuple(m for n in run for m in n.members))
                  for run in runs.values())
    edges = tuple(Edge(head[e.source], head[e.target], e.index) for e in network.edges
                  if head[e.source] != head[e.target])
    return Network(network.name, nodes, edges)


def bypass(network: Network, hidden: set[str]) -> Network:
    """Remove the layers of hidden types, connecting their inputs straight to their outputs."""
    if not hidden:
        return network
    kept = [node for node in network.nodes if node.type not in hidden]
    feeds = predecessors(network)
    resolved: dict[str, list[str]] = {}

    def sources(node_id):  # the visible layers feeding ``node_id``'s inputs, in order
        if node_id not in resolved:
            resolved[node_id] = [s for u in feeds[node_id] for s in (
                sources(u) if network.by_id[u].type in hidden else [u])]
        return resolved[node_id]

    edges = [Edge(u, node.id, i) for node in kept for i, u in enumerate(sources(node.id))]
    return Network(network.name, tuple(kept), tuple(edges))


def fold_aggregate(network: Network, aggregate: Aggregate) -> Network:
    occurrences = find_occurrences(network, aggregate)
    if not occurrences:
        return network
    replaced = {}  # original node id -> folded node id
    folded_nodes = {}
    for mapping in occurrences:
        node = _folded_node(network, aggregate, mapping)
        folded_nodes[mapping[0]] = node
        replaced.update({v: node.id for v in mapping})
    nodes = [folded_nodes.get(n.id, n) for n in network.nodes
             if n.id not in replaced or n.id in folded_nodes]
    edges, into_folded = [], set()
    for edge in network.edges:
        source, target = replaced.get(edge.source, edge.source), replaced.get(edge.target, edge.target)
        if source == target:
            continue  # inside an occurrence
        if target != edge.target:  # several edges from one layer into an occurrence become one
            if (source, target) not in into_folded:
                into_folded.add((source, target))
                edges.append(Edge(source, target, edge.index))
            continue
        edges.append(Edge(source, target, edge.index))
    return Network(network.name, tuple(nodes), tuple(edges))


def find_occurrences(network: Network, aggregate: Aggregate) -> list[list[str]]:
    """Non-overlapping matches of the aggregate's pattern, in network order.

    A match maps each member position to a node of the member's key, with exactly the
    pattern's internal edges, every member but the exit sending data only inside, and all
    outside inputs coming from one entry layer.
    """
    feeds, succs = predecessors(network), successors(network)
    key = {n.id: n.type for n in network.nodes}
    internal_preds = [[a for a, b in aggregate.edges if b == i] for i in range(len(aggregate.members))]
    out_degree = [sum(1 for a, _ in aggregate.edges if a == i) for i in range(len(aggregate.members))]
    exit_position = aggregate.exit
    used: set[str] = set()
    found = []

    def fits(position, candidate, mapping, entry):
        if key[candidate] != aggregate.members[position] or candidate in used or candidate in mapping:
            return False
        if position > 0:
            if aggregate.inputs[position] and entry is None:
                return False
            expected = sorted([mapping[p] for p in internal_preds[position]]
                              + [entry] * aggregate.inputs[position])
            if sorted(feeds[candidate]) != expected:
                return False
        return position == exit_position or len(succs[candidate]) == out_degree[position]

    def extend(mapping, entry):
        position = len(mapping)
        if position == len(aggregate.members):
            return mapping
        anchor = internal_preds[position][0] if internal_preds[position] else None
        candidates = succs[mapping[anchor]] if anchor is not None else succs.get(entry, [])
        for candidate in dict.fromkeys(candidates):
            if fits(position, candidate, mapping, entry):
                result = extend(mapping + [candidate], entry)
                if result:
                    return result
        return None

    for node in network.nodes:
        if node.type != aggregate.members[0] or node.id in used:
            continue
        outside = feeds[node.id]
        if len(outside) != aggregate.inputs[0]:
            continue
        entry = outside[0] if len(set(outside)) == 1 else None  # else a merge: no more inputs
        if not fits(0, node.id, [], entry):
            continue
        mapping = extend([node.id], entry)
        if mapping and _closed(mapping, succs, exit_position):
            used.update(mapping)
            found.append(mapping)
    return found


def _closed(mapping, succs, exit_position) -> bool:
    inside = set(mapping)
    return all(all(s in inside for s in succs[v]) for i, v in enumerate(mapping) if i != exit_position)


def _folded_node(network: Network, aggregate: Aggregate, mapping: list[str]) -> Node:
    first, last = network.by_id[mapping[0]], network.by_id[mapping[aggregate.exit]]
    members = tuple(m for v in mapping for m in (network.by_id[v].members or (v,)))
    scopes = [network.by_id[v].scope for v in mapping]
    common = scopes[0]
    for scope in scopes[1:]:
        while scope[:len(common)] != common:
            common = common[:-1]
    return Node(
        id=f"{aggregate.name}:{first.id}", name=aggregate.name, type=aggregate.name,
        input_shapes=first.input_shapes, output_shapes=last.output_shapes,
        params=sum(network.by_id[v].params for v in mapping), scope=common, members=members,
    )


def predecessors(network: Network) -> dict[str, list[str]]:
    """Each node's sources, in the order of its inputs."""
    feeds = {n.id: [] for n in network.nodes}
    for edge in sorted(network.edges, key=lambda e: e.index):
        feeds[edge.target].append(edge.source)
    return feeds


def successors(network: Network) -> dict[str, list[str]]:
    """Each node's targets (one entry per edge)."""
    succs = {n.id: [] for n in network.nodes}
    for edge in network.edges:
        succs[edge.source].append(edge.target)
    return succs
