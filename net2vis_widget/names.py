"""Names for new aggregates (SPEC §5): what the aggregate holds, unique, at most 24 characters.

Sequences of layers are named by their layers' short names, runs written once (``Conv×2``,
``Conv–BN–ReLU``, ``Conv×2–MaxPool``), shortened by a rule when too long: minor layers
(normalisations, activations, dropout, reshapes) go first, then all but the kernel layers,
then runs are counted. Blocks with parallel paths are named by the role of the layer where
the paths meet (``Residual block``, ``Attention``, ``Inception module``, ``Cell``, …),
units of aggregates by what they repeat (``Transformer layer``, ``Decoder layer``, ``Stage``),
in the words papers use.

Where a name is taken, the new aggregate is named by how it differs from the one holding
the name: ``Residual, projection``, ``Inception, with MaxPool``, ``Bottleneck, 3 branches``;
``deeper``/``shallower`` or ``larger``/``smaller`` where only their depth or size differs; a
number only where nothing in the patterns tells them apart. Never a layer count.

Only the neutral facts of each layer type are read (``Node.role``, ``Node.short``,
``Node.kernel``, through ``kinds``): the same network from any framework gets the same names.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from itertools import groupby
from typing import Mapping

from .aggregate import Aggregate
from .network import Node

MAX_LENGTH = 24
MINOR = {"normalization", "activation", "dropout", "reshape"}  # left out of a long name first
BLOCK_SHORT = {"Squeeze-excite": "SE", "Residual block": "Residual", "Attention": "Attn",
               "Inception module": "Inception", "Dense layer": "Dense",
               "Gated block": "Gate", "Transformer layer": "Transformer",
               "Decoder layer": "Decoder", "Inception-ResNet block": "Inc-ResNet",
               "Cross-attention": "Cross-attn"}


class Vocabulary:
    """The roles, short names and kernels of a network's layer types and of the aggregates
    known so far (``kinds``: a layer of each type, ``Network.kinds``)."""

    def __init__(self, kinds: Mapping[str, Node], known: Mapping[str, Aggregate]):
        self.kinds, self.known = kinds, known

    def role(self, key: str) -> str:
        return self.kinds[key].role if key in self.kinds else "aggregate"

    def short(self, key: str) -> str:
        kind = self.kinds.get(key)
        return (kind.short or key) if kind is not None else key

    def kernel(self, key: str) -> bool:
        if key in self.known:
            return any(self.kernel(m) for m in self.known[key].members)
        return key in self.kinds and self.kinds[key].kernel

    def layer_types(self, pattern: Aggregate) -> list[str]:
        """The layer types inside ``pattern``, through nested aggregates, in order."""
        return [t for m in pattern.members
                for t in (self.layer_types(self.known[m]) if m in self.known else [m])]

    def roles(self, pattern: Aggregate) -> set[str]:
        return {self.role(t) for t in self.layer_types(pattern)}

    @cached_property
    def kernel_shorts(self) -> set[str]:
        """The short names of the layer types that learn a kernel."""
        return {self.short(k) for k in self.kinds if self.kinds[k].kernel}


def name_for(pattern: Aggregate, known: Mapping[str, Aggregate], taken: set[str],
             kinds: Mapping[str, Node]) -> str:
    """A name for ``pattern`` (members may be the ``known`` aggregates) not in ``taken``."""
    words = Vocabulary(kinds, known)
    return distinct(describe(pattern, words), pattern, words, taken)


def distinct(base: str, pattern: Aggregate, words: Vocabulary, taken: set[str]) -> str:
    """``base``, said with how ``pattern`` differs where that matters: a residual block with
    a projection shortcut always says so; a taken name gets how ``pattern`` differs from the
    aggregate holding it; a number only where nothing in the patterns tells them apart."""
    if _projection(pattern, words) and (name := _qualified(base, "projection", taken)):
        return name
    if base not in taken:
        return base
    if base in words.kinds and f"{base} block" not in taken:  # a layer type's name
        return f"{base} block"
    other = words.known.get(base)
    for qualifier in (_differences(pattern, other, words) if other else []):
        if name := _qualified(base, qualifier, taken):
            return name
    number = 2
    while (name := f"{base[:MAX_LENGTH - 3].rstrip()} {number}") in taken:
        number += 1
    return name


def _qualified(base: str, qualifier: str, taken: set[str]) -> str | None:
    """``base, qualifier`` within MAX_LENGTH (``base`` shortened if needed), if free."""
    for stem in (base, BLOCK_SHORT.get(base, base), re.sub(r"(Layer|Block|Module)$", "", base)):
        name = f"{stem}, {qualifier}"
        if len(name) <= MAX_LENGTH and name not in taken:
            return name
    return None


def describe(pattern: Aggregate, words: Vocabulary) -> str:
    roles = words.roles(pattern)
    if "attention" in roles and _kernels_after_attention(pattern, words) >= 2:  # and an MLP
        return "Decoder layer" if _count(pattern, words, "attention") > 1 else "Transformer layer"
    if _is_unit(pattern, words.known):
        return "Attention" if "attention" in roles else "Stage"
    if pattern.is_sequence:
        return _sequence(_flat(pattern, words), words)
    merge = _join_role(pattern, words)
    if pattern.entries >= 2:
        if "attention" in roles:
            return "Cross-attention"
        if "upsampling" in roles:
            return "Up block"  # a U-Net decoder step: upsampled, joined with a skip link
        return {"concatenate": "Cell", "add": "Branch sum"}.get(merge, "Two-input block")
    if "attention" in roles:
        return "Attention"
    if merge == "multiply":
        return "Squeeze-excite" if "global_pooling" in roles else "Gated block"
    join = _join_index(pattern)
    skip = join is not None and min(pattern.sources[join]) < 0  # the input meets the output
    if merge == "concatenate":
        return "Dense layer" if skip else "Inception module"
    if merge == "add" or skip:
        return "Inception-ResNet block" if "concatenate" in roles else "Residual block"
    return "Block"


# --- how two patterns of one name differ ------------------------------------------------------

def _differences(pattern: Aggregate, other: Aggregate, words: Vocabulary) -> list[str]:
    """Words for what ``pattern`` has that ``other`` has not, most telling first."""
    found = []
    mine, theirs = _projection(pattern, words), _projection(other, words)
    if mine != theirs:
        found.append("projection" if mine else "identity")
    have, had = Counter(map(words.short, words.layer_types(pattern))), Counter(
        map(words.short, words.layer_types(other)))
    found += [f"with {s}" for s in sorted(have.keys() - had.keys(), key=_kernel_first(words))]
    found += [f"no {s}" for s in sorted(had.keys() - have.keys(), key=_kernel_first(words))]
    branches, their_branches = _branches(pattern), _branches(other)
    if branches != their_branches:
        found.append(f"{branches} branches")
    size, their_size = len(words.layer_types(pattern)), len(words.layer_types(other))
    depth, their_depth = _depth(pattern, words), _depth(other, words)
    if depth != their_depth:
        found.append("deeper" if depth > their_depth else "shallower")
    if size != their_size:
        found.append("larger" if size > their_size else "smaller")
    return found


def _depth(pattern: Aggregate, words: Vocabulary) -> int:
    """Layers on the longest path through ``pattern``, through nested aggregates."""
    longest = []
    for key, row in zip(pattern.members, pattern.sources):
        own = _depth(words.known[key], words) if key in words.known else 1
        longest.append(own + max((longest[s] for s in row if s >= 0), default=0))
    return max(longest)


def _kernel_first(words: Vocabulary):
    return lambda short: (short not in words.kernel_shorts, short)


def _projection(pattern: Aggregate, words: Vocabulary) -> bool:
    """The path from the entry to the join is a short one through a kernel layer (a 1×1
    convolution on a residual block's shortcut), not the identity."""
    join = _join_index(pattern)
    if join is None or min(pattern.sources[join]) < 0 or _join_role(pattern, words) != "add":
        return False
    consumers = Counter(s for row in pattern.sources for s in row)
    for member in pattern.sources[join]:
        path = [member]
        while consumers[path[-1]] == 1 and min(pattern.sources[path[-1]]) >= 0 and len(path) < 3:
            path.append(pattern.sources[path[-1]][0])
        if consumers[path[-1]] == 1 and min(pattern.sources[path[-1]]) < 0 and any(
                words.kernel(pattern.members[m]) for m in path):
            return True
    return False


def _branches(pattern: Aggregate) -> int:
    join = _join_index(pattern)
    return len(set(pattern.sources[join])) if join is not None else 1


# --- structure ------------------------------------------------------------------------------

def _flat(pattern: Aggregate, words: Vocabulary) -> list[tuple[str, str]]:
    """(short name, role) of the layers of a sequence, through nested sequences; a nested
    block by its kind (``SE``, ``Residual``, …)."""
    parts = []
    for m in pattern.members:
        if m not in words.known:
            parts.append((words.short(m), words.role(m)))
        elif words.known[m].is_sequence:
            parts += _flat(words.known[m], words)
        else:
            kind = describe(words.known[m], words)
            parts.append((BLOCK_SHORT.get(kind, kind), "block"))
    return parts


def _kernels_after_attention(pattern: Aggregate, words: Vocabulary) -> int:
    """Layers learning a kernel after the last member that holds attention: its output
    projection (one), or a feed-forward network too (two or more: a whole layer)."""
    def types(key):
        return words.layer_types(words.known[key]) if key in words.known else [key]

    holding = [i for i, m in enumerate(pattern.members)
               if any(words.role(t) == "attention" for t in types(m))]
    return sum(words.kernel(t) for m in pattern.members[holding[-1] + 1:] for t in types(m))


def _count(pattern: Aggregate, words: Vocabulary, role: str) -> int:
    return sum(words.role(t) == role for t in words.layer_types(pattern))


def _is_unit(pattern: Aggregate, known) -> bool:
    """Aggregates, two blocks at least, each reading the one before it; only the first reads
    the first entry (a later one may read another, as a decoder block reads the encoder)."""
    members = [known.get(m) for m in pattern.members]
    return all(members) and sum(not m.is_sequence for m in members) >= 2 and all(
        {s for s in row if s >= -1} == {i - 1} for i, row in enumerate(pattern.sources) if i)


def _join_role(pattern: Aggregate, words: Vocabulary) -> str:
    """The role of the layer where the paths of ``pattern`` meet (in a nested aggregate, its
    own join), or of where data enters a sequence."""
    join = _join_index(pattern)
    key = pattern.members[join if join is not None else 0]
    return _join_role(words.known[key], words) if key in words.known else words.role(key)


def _join_index(pattern: Aggregate) -> int | None:
    """The last member reading more than one layer."""
    return next((i for i in range(len(pattern.sources) - 1, -1, -1)
                 if len(set(pattern.sources[i])) > 1), None)


# --- sequences ------------------------------------------------------------------------------

def _sequence(parts: list[tuple[str, str]], words: Vocabulary) -> str:
    """The shortest faithful spelling of a sequence within MAX_LENGTH: all layers, then
    without the minor ones, then only the kernel layers (runs written once), then each kind
    of kernel layer counted, then the main kind alone."""
    shorts = [short for short, _ in parts]
    major = [short for short, role in parts if role not in MINOR] or shorts[:1]
    kernels = [short for short, role in parts
               if role in ("block", "aggregate") or short in words.kernel_shorts] or major
    for shown in (shorts, major, kernels):
        if len(text := "–".join(_runs(shown))) <= MAX_LENGTH:
            return text
    counted = Counter(kernels)
    text = " ".join(f"{short}×{n}" if n > 1 else short for short, n in counted.most_common())
    if len(text) <= MAX_LENGTH:
        return text
    main = counted.most_common(1)[0][0]
    return f"{main[:MAX_LENGTH - 6]} block"


def _runs(parts: list[str]) -> list[str]:
    """Consecutive equal parts as one: ``Conv×2``."""
    runs = [(part, len(list(run))) for part, run in groupby(parts)]
    return [part if n == 1 else f"{part}×{n}" for part, n in runs]
