"""Automatic grouping (SPEC §5): find repeated structure and fold it, one aggregate at a time.

First the paper's method: split the network into sequential chains and fold the most
frequent contiguous type sequence (ties: the longer), until no sequence repeats. Then beyond
the paper, each until nothing repeats: blocks with parallel paths between a fork and the
layer where its paths meet again (residual blocks, inception modules, attention blocks,
where query, key and value come from one layer); residual blocks and inception modules
that occur once; cells read from two layers (NASNet cells, cross-attention); and units,
sequences of aggregates repeated back to back (a transformer's attention and feed-forward
blocks). Runs of equal aggregates are not folded further: each
stays one glyph, as in the paper's Fig. 8, and ``repeat_marks`` shows such runs once with ×N.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from functools import partial
from typing import AbstractSet as Set, Mapping

import networkx as nx

from .aggregate import (Aggregate, GroupingError, from_selection, holds_block, pattern_of,
                        sources_of)
from .fold import find_occurrences, fold_aggregate
from .names import Vocabulary, describe, distinct, encoders_named, name_for
from .network import Network

_SINK = ("sink",)  # virtual common successor of the outputs; no layer id is a tuple


def auto_group(network: Network, existing: Mapping[str, Aggregate], taken: set[str],
               layers: Network) -> list[Aggregate]:
    """The new aggregates, in folding order. Their names say what they do (``existing``: the
    aggregates defined before; ``taken``: names in use; ``layers``: the network unfolded, whose
    layer types the names read)."""
    found, known, taken = [], {}, set(taken)
    words = Vocabulary.of(layers, known)
    blocks = set()  # aggregates that are blocks or hold one

    def remember(aggregate):
        known[aggregate.name] = aggregate
        taken.add(aggregate.name)
        if not aggregate.is_sequence or blocks.intersection(aggregate.members):
            blocks.add(aggregate.name)

    for aggregate in existing.values():  # inner aggregates come first
        remember(aggregate)
    sequences = partial(repeated_sequence, blocks=blocks)  # sees the blocks found so far
    for search in (sequences, repeated_block, single_block, repeated_unit, sequences,
                   repeated_cell, repeated_unit):
        while (pattern := search(network)) is not None:
            aggregate = replace(pattern, name=name_for(pattern, taken, words))
            folded = fold_aggregate(network, aggregate)
            if len(folded.nodes) == len(network.nodes):
                break  # nothing folded: the search would find the same again
            network = folded
            found.append(aggregate)
            remember(aggregate)
    return found if "Transformer layer" in existing else encoders_named(found)


def nested_model_aggregates(network: Network) -> list[Aggregate]:
    """One aggregate per nested model or block module, innermost first, named from the roles
    it holds like every aggregate (``Transformer layer`` for a ``BertLayer``), the module's
    class or the model's name kept as its ``origin``.

    A nested model's layers list its call in their call path (``Node.calls``); the first
    call defines the pattern, later calls of the same structure are its further occurrences
    (folded with it); a call of another structure (a block with a projection shortcut)
    defines a second aggregate, named by how it differs. Calls with several outputs cannot
    fold into one glyph and stay expanded. A call holding blocks, some of them repeated (a
    stage, an encoder's stack of layers), starts switched off, so that the figure shows its
    blocks (×N marks count them).
    """
    inside, depth, name = defaultdict(set), {}, {}
    for node in network.nodes:
        for level, (call, block) in enumerate(zip(node.calls, node.scope)):
            inside[call].add(node.id)
            depth.setdefault(call, level)
            name.setdefault(call, block)
    calls = sorted(inside, key=lambda call: -depth[call])  # innermost first, then in order
    found, taken, folded = {}, {n.type for n in network.nodes}, network
    words = Vocabulary.of(network, found)
    for call in calls:
        selection = [n.id for n in folded.nodes if set(n.members or (n.id,)) <= inside[call]]
        try:  # a call already folded with an earlier one is a single glyph: refused here
            pattern = from_selection(folded, selection, "")
        except GroupingError:
            continue
        if any((a.members, a.sources) == (pattern.members, pattern.sources)
               for a in found.values()):
            continue  # another class of the same structure: that aggregate stands for it
        blocks = [m for m in pattern.members if m in found and holds_block(found[m], found)]
        # a stage of blocks, some repeated, or holding such a stage (ConvNeXt's downsampling
        # and the three blocks of the stage before, folded): show its blocks
        stage = len(set(blocks)) < len(blocks) or any(not found[m].active for m in blocks)
        aggregate = replace(pattern, name=distinct(describe(pattern, words), pattern, words,
                                                   taken), active=not stage, origin=name[call])
        found[aggregate.name] = aggregate
        taken.add(aggregate.name)
        folded = fold_aggregate(folded, aggregate)
    return encoders_named(list(found.values()))


# --- sequences (the paper) --------------------------------------------------------------------

def chains(network: Network) -> list[list[str]]:
    """Maximal runs of layers linked one to one; a run may end with a fork, and start with a
    merge followed only by layers that keep its shape and learn no kernel (an activation, a
    normalisation: a residual block's Add and ReLU), so that no run crosses into the next block."""
    runs, run_of = [], {}
    for node in network.nodes:
        before = network.chained_from(node.id)
        run = runs[run_of[before]] if before is not None else None
        if run is not None and (len(set(network.feeds[run[0]])) < 2 or _pointwise(node)):
            run.append(node.id)
            run_of[node.id] = run_of[before]
        else:
            run_of[node.id] = len(runs)
            runs.append([node.id])
    return runs


def _pointwise(node) -> bool:
    return not node.members and node.input_shapes == node.output_shapes and not node.kernel


def repeated_sequence(network: Network, blocks: Set[str] = frozenset()) -> Aggregate | None:
    """The most frequent contiguous type sequence (≥ 2 long, ≥ 2 times), ties to the longer,
    with at most one of the ``blocks`` (a block and the layers around it, not a row of
    blocks: rows of blocks are units, or ×N runs).

    Counts pairs first (a sequence is never more frequent than its pairs), then extends the
    most frequent ones to the right while the count holds, so each step is linear in the
    number of occurrences rather than cubic in the chain length.
    """
    layer_runs = chains(network)
    runs = [[network.by_id[v].type for v in run] for run in layer_runs]
    stacked = _stacked_blocks(network, layer_runs, blocks)
    positions = defaultdict(list)
    for r, types in enumerate(runs):
        for i in range(len(types) - 1):
            pair = (types[i], types[i + 1])
            if (network.feeds[layer_runs[r][i]] and not set(pair) <= blocks  # an input starts
                    and not stacked.intersection(layer_runs[r][i:i + 2])):  # no pattern
                positions[pair].append((r, i))
    counts = {pair: _non_overlapping(at, 2) for pair, at in positions.items()}
    best = max(counts.values(), default=0)
    if best < 2:
        return None
    longest = None
    for pair in sorted(p for p, c in counts.items() if c == best):
        sequence, at = list(pair), positions[pair]
        while True:
            grown = defaultdict(list)
            for r, i in at:
                end = i + len(sequence)
                if end < len(runs[r]) and layer_runs[r][end] not in stacked:
                    grown[runs[r][end]].append((r, i))
            longer = [(t, g) for t, g in sorted(grown.items())
                      if _non_overlapping(g, len(sequence) + 1) == best
                      and not (t in blocks and blocks.intersection(sequence))]
            if not longer:
                break
            sequence.append(longer[0][0])
            at = longer[0][1]
        if longest is None or len(sequence) > len(longest[0]):
            longest = (sequence, at[0])
    sequence, (r, i) = longest
    sources, _ = sources_of(layer_runs[r][i:i + len(sequence)], network.feeds)
    return Aggregate("", tuple(sequence), sources)


def _stacked_blocks(network: Network, layer_runs, blocks: Set[str]) -> set[str]:
    """Glyphs of a block stacked back to back with another of the same block: no sequence
    takes one of them, so a run keeps its true count (DenseNet's ×6, ×12, ×24, ×16)."""
    stacked = set()
    for run in layer_runs:
        for u, v in zip(run, run[1:]):
            if network.by_id[u].type == network.by_id[v].type in blocks:
                stacked.update((u, v))
    return stacked


def _non_overlapping(positions, length) -> int:
    count, run, end = 0, None, -1
    for r, i in positions:
        if r != run:
            run, end = r, -1
        if i >= end:
            count, end = count + 1, i + length
    return count


# --- blocks, cells and units (beyond the paper) ---------------------------------------------

def repeated_block(network: Network) -> Aggregate | None:
    """The most frequent fork-to-join block that is a valid group, ties to the larger."""
    return _most_repeated(network, _fork_blocks(network.graph(), network.order))


def single_block(network: Network) -> Aggregate | None:
    """The first fork-to-join block of parallel chains merged by an Add (a residual block)
    or by concatenating three or more (an inception module). Such a block is one unit of
    design, so it folds even where it occurs once: a stem, a reduction module, the first
    block of a stage."""
    feeds, targets = network.feeds, network.targets
    for members in _fork_blocks(network.graph(), network.order):
        *branches, join = members
        merged = network.by_id[join].role
        if ((merged == "add" or merged == "concatenate" and len(set(feeds[join])) >= 3)
                and all(len(set(feeds[v])) == len(set(targets[v])) == 1 for v in branches)):
            try:
                return from_selection(network, members, "")
            except GroupingError:
                continue
    return None


def repeated_cell(network: Network) -> Aggregate | None:
    """The most frequent cell read from two layers (a NASNet cell, a decoder's
    cross-attention), ties to the larger."""
    return _most_repeated(network, _two_entry_cells(network), checked=True)


def _most_repeated(network: Network, blocks, checked=False) -> Aggregate | None:
    """``checked``: the blocks are valid groups by construction."""
    order = network.order
    candidates = defaultdict(list)  # pattern -> first layer of each block with that pattern
    for members in blocks:
        try:
            pattern = pattern_of(network, members) if checked else from_selection(network, members, "")
        except GroupingError:
            continue
        candidates[pattern].append(members[0])
    ranked = sorted(candidates.items(), key=lambda item: (
        -len(item[1]), -len(item[0].members), order[item[1][0]]))
    for pattern, firsts in ranked:
        if len(firsts) >= 2 and len(find_occurrences(network, pattern)) >= 2:
            return pattern
    return None


def _fork_blocks(graph, order):
    """For each fork, the layers after it up to where all its paths meet again."""
    closed = nx.DiGraph(graph)
    closed.add_edges_from((v, _SINK) for v in graph if graph.out_degree(v) == 0)
    join = nx.immediate_dominators(closed.reverse(copy=False), _SINK)
    for fork in sorted((v for v in graph if len(set(graph.successors(v))) > 1), key=order.get):
        end = join[fork]
        if end == _SINK:
            continue
        members, stack = {end}, [v for v in graph.successors(fork) if v != end]
        while stack:
            v = stack.pop()
            if v not in members:
                members.add(v)
                stack.extend(w for w in graph.successors(v) if w != end)
        if len(members) >= 2:
            yield sorted(members, key=order.get)


def _two_entry_cells(network: Network):
    """For each merge, the layers feeding only it, directly or through each other, taken
    latest first: each time two layers outside remain, a cell (a NASNet cell with and without
    the layers adjusting its inputs, a decoder's cross-attention). Each is a valid group: its
    layers but the merge send data only inside, and it reads two layers."""
    order, feeds, targets = network.order, network.feeds, network.targets
    for end in network.nodes:
        if len(set(feeds[end.id])) < 2:
            continue
        cell, outside = {end.id}, set(feeds[end.id])
        while len(outside) > 1:
            if len(outside) == 2 and len(cell) > 1:
                yield sorted(cell, key=order.get)
            inner = [u for u in outside if feeds[u] and set(targets[u]) <= cell]
            if not inner:
                break
            u = max(inner, key=order.get)
            cell.add(u)
            outside.remove(u)
            outside.update(w for w in feeds[u] if w not in cell)


def repeated_unit(network: Network) -> Aggregate | None:
    """The sequence of aggregates repeated most often back to back (ties: the longer): a
    transformer's attention and feed-forward blocks, an EfficientNet stage. A stack of N
    identical units then folds into N glyphs of one aggregate, which ×N marks show once.

    A unit is not a run of one aggregate (×N marks show those), changes the size only in its
    first glyph (its glyph shows its output: three ConvNeXt blocks and the downsampling after
    them would hide the blocks' size), and its copies never cut a run: a ResNet stage of three
    blocks followed by one of four has no unit.
    """
    candidates = []  # (copies, length, -first node's order), members
    for run in _glyph_runs(network):
        keys = [network.by_id[v].type for v in run]
        for start in range(len(run)):
            if start and keys[start - 1] == keys[start]:
                continue
            for length in range(2, min(MAX_UNIT, (len(run) - start) // 2) + 1):
                unit = keys[start:start + length]
                if unit[-1] == unit[0] or not _resized_first(network, run[start:start + length]):
                    continue
                copies = 1
                while keys[start + copies * length:start + (copies + 1) * length] == unit:
                    copies += 1
                end = start + copies * length
                while copies >= 2 and end < len(run) and keys[end] == keys[end - 1]:
                    copies, end = copies - 1, end - length  # the last copy would cut a run
                if copies >= 2:
                    members = run[start:start + length]
                    candidates.append(((copies, length, -network.order[members[0]]), members))
    for _, members in sorted(candidates, reverse=True):
        try:
            return from_selection(network, members, "")
        except GroupingError:
            continue
    return None


MAX_UNIT = 8  # aggregates in a unit, at most


def _resized_first(network: Network, members) -> bool:
    """Every glyph of ``members`` after the first outputs the size the last does."""
    size = network.by_id[members[-1]].output_shapes
    return all(network.by_id[m].output_shapes == size for m in members[1:])


def _glyph_runs(network: Network) -> list[list[str]]:
    """Runs of aggregate glyphs, each the only consumer of the one before (which may read
    other layers too: a decoder block reads the encoder's output)."""
    runs, run_of = [], {}
    for node in network.nodes:
        if not node.members:
            continue
        before = next((u for u in network.feeds[node.id] if u in run_of
                       and set(network.targets[u]) == {node.id}), None)
        if before is not None:
            runs[run_of[before]].append(node.id)
            run_of[node.id] = run_of[before]
        else:
            run_of[node.id] = len(runs)
            runs.append([node.id])
    return [run for run in runs if len(run) >= 4]
