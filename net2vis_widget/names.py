"""Names (SPEC §5): of layer types, the words papers use; of new aggregates, what the aggregate
does, unique, at most 24 characters.

A layer type reads as papers write it where no other type of the network reads the same
(``Conv`` for ``Conv2D`` and ``Conv2d``, ``ReLU`` for Keras's ``Activation("relu")``). Blocks
are named by what they do, in the words papers use: ``Attention``, ``Feed-forward``,
``SwiGLU``, ``Transformer layer``, ``Encoder layer``/``Decoder layer``, ``Bottleneck``,
``Inverted residual``, ``Residual block``, ``Inception module``, ``Fire module``, ``Dense
layer``, ``Transition``, ``Experts (8, top-2)``, ``Stage``, … Other sequences of layers are
named by their layers' words, runs written once (``Conv×2``, ``Conv–BN–ReLU``,
``Conv×2–MaxPool``), shortened by a rule when too long: minor layers (normalisations,
activations, dropout, reshapes) go first, then all but the kernel layers, then runs are
counted.

Where a name is taken, the new aggregate is named by how it differs from the one holding
the name: ``Residual, projection``, ``Inception, with MaxPool``, ``Bottleneck, 3 branches``;
``deeper``/``shallower`` or ``larger``/``smaller`` where only their depth or size differs; a
number only where nothing in the patterns tells them apart. Never a layer count.

Only the neutral facts of each layer type are read (``Node.role``, ``Node.short``,
``Node.kernel``, ``Node.settings``, through ``kinds``): the same network from any framework
gets the same names.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import cached_property
from itertools import groupby
from typing import Mapping

from .aggregate import Aggregate, holds_block
from .network import Network, Node

MAX_LENGTH = 24
MINOR = {"normalization", "activation", "dropout", "reshape"}  # left out of a long name first
BLOCK_SHORT = {"Squeeze-excite": "SE", "Residual block": "Residual", "Attention": "Attn",
               "Inception module": "Inception", "Dense layer": "Dense",
               "Gated block": "Gate", "Transformer layer": "Transformer",
               "Decoder layer": "Decoder", "Encoder layer": "Encoder",
               "Inception-ResNet block": "Inc-ResNet", "Cross-attention": "Cross-attn",
               "Attention block": "Attn", "Feed-forward": "FFN", "Feed-forward block": "FFN",
               "Inverted residual": "Inv-residual", "Cross-attention block": "Cross-attn"}
# short names that are the words papers use for a layer type (legend aliases by default)
WORDS = {"Conv", "DWConv", "SepConv", "ConvT", "BN", "LN", "GN", "MaxPool", "AvgPool", "GAP",
         "GMP", "Pad", "Concat", "UpSample", "Crop", "Flatten", "Linear", "Attention",
         "Dot-product attention", "Embedding", "ReLU", "LeakyReLU", "PReLU", "ELU", "SELU",
         "GELU", "Hard swish", "Hard sigmoid", "Position embedding", "Class token",
         "Scaled add", "RMSNorm"}
GATED = {"SiLU": "SwiGLU", "GELU": "GeGLU", "ReLU": "ReGLU"}  # gated feed-forwards by activation
FIRE_ROLES = {"convolution", "activation", "normalization", "concatenate"}  # a Fire module's
STACKS = {"Transformer layer": "Transformer", "Encoder layer": "Encoder",
          "Decoder layer": "Decoder"}  # a stack of layers, with its embedding


def paper_words(network: Network) -> dict[str, str]:
    """Layer types whose short name is the word papers use, where no other type of the
    network (nor a type itself) reads the same: ``Conv2D`` → ``Conv``, ``GlobalAveragePooling2D``
    → ``GAP``."""
    shorts = {t: n.short for t, n in network.kinds.items() if n.short in WORDS and n.short != t}
    taken = {s for s, n in Counter(shorts.values()).items() if n > 1} | set(network.kinds)
    return {t: s for t, s in shorts.items() if s not in taken}


class Vocabulary:
    """The roles, words and kernels of a network's layer types and of the aggregates known so
    far (``kinds``: a layer of each type, ``Network.kinds``; ``words``: ``paper_words``)."""

    def __init__(self, kinds: Mapping[str, Node], known: Mapping[str, Aggregate],
                 words: Mapping[str, str]):
        self.kinds, self.known, self.words = kinds, known, words

    @classmethod
    def of(cls, network: Network, known: Mapping[str, Aggregate]) -> "Vocabulary":
        return cls(network.kinds, known, paper_words(network))

    def role(self, key: str) -> str:
        return self.kinds[key].role if key in self.kinds else "aggregate"

    def short(self, key: str) -> str:
        kind = self.kinds.get(key)
        return key if kind is None else self.words.get(key) or kind.short or key

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


def name_for(pattern: Aggregate, taken: set[str], words: Vocabulary) -> str:
    """A name for ``pattern`` (members may be the aggregates ``words`` knows) not in ``taken``."""
    return distinct(describe(pattern, words), pattern, words, taken)


def encoders_named(aggregates: list[Aggregate]) -> list[Aggregate]:
    """``aggregates`` with their ``Transformer layer`` called ``Encoder layer`` (and their
    stack ``Encoder``) where a ``Decoder layer`` reads from them (an encoder–decoder)."""
    names = {a.name for a in aggregates}
    if "Decoder layer" not in names or "Encoder layer" in names:
        return aggregates
    renamed = {"Transformer layer": "Encoder layer", "Transformer": "Encoder"}
    renamed = {old: new for old, new in renamed.items() if new not in names}
    return [replace(a, name=renamed.get(a.name, a.name),
                    members=tuple(renamed.get(m, m) for m in a.members)) for a in aggregates]


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
    qualifiers = _differences(pattern, other, words) if other else []
    shorter = [q.removeprefix("with ") for q in qualifiers if q.startswith("with ")]
    for qualifier in qualifiers + shorter:  # ``with ReLU``, then ``ReLU`` where that is long
        if name := _qualified(base, qualifier, taken):
            return name
    number = 2
    while (name := _numbered(base, number)) in taken:
        number += 1
    return name


def _numbered(base: str, number: int) -> str:
    """``base number`` within MAX_LENGTH: ``base`` shortened by whole words where needed."""
    room = MAX_LENGTH - len(f" {number}")
    if len(base) > room:
        cut = base[:room]
        whole = re.sub(r"\w*$", "", cut) if base[room].isalnum() else cut
        base = whole.rstrip(" –,") or cut
    return f"{base} {number}"


def _qualified(base: str, qualifier: str, taken: set[str]) -> str | None:
    """``base, qualifier`` within MAX_LENGTH (``base`` shortened if needed), if free."""
    for stem in (base, BLOCK_SHORT.get(base, base),
                 re.sub(r"\s*(layer|block|module)$", "", base, flags=re.IGNORECASE)):
        name = f"{stem}, {qualifier}"
        if len(name) <= MAX_LENGTH and name not in taken:
            return name
    return None


def describe(pattern: Aggregate, words: Vocabulary) -> str:
    """What ``pattern`` does, in the words papers use (not yet unique)."""
    roles = words.roles(pattern)
    merge = _join_role(pattern, words)
    if stack := _stack(pattern, words):
        return stack
    if "attention" in roles:
        return _attention(pattern, words, merge)
    if experts := _experts(pattern, words):
        return experts
    if _is_unit(pattern, words.known):
        return "Stage"
    if feed_forward := _feed_forward(pattern, words):
        return f"{feed_forward} block" if merge == "add" else feed_forward
    if pattern.entries >= 2 and merge == "add" and words.role(
            words.layer_types(pattern)[-1]) == "normalization":
        return "Add & Norm"  # a residual link's sum, normalised (a post-LN transformer)
    if merge != "add" and "Scan" in map(words.short, words.layer_types(pattern)):
        return "SSM block"  # a selective state-space model's projections, convolution and scan
    if pattern.is_sequence:
        return (_transition(pattern, words) or _fire(pattern, words)
                or _sequence(_flat(pattern, words), words))
    if pattern.entries >= 2:
        if "upsampling" in roles:
            return "Up block"  # a U-Net decoder step: upsampled, joined with a skip link
        return {"concatenate": "Cell", "add": "Branch sum"}.get(merge, "Two-input block")
    if merge == "multiply":
        return ("Squeeze-excite" if "global_pooling" in roles else "L2 norm"
                if {"Pow", "Sum"} <= set(words.layer_types(pattern)) else "Gated block")
    join = _join_index(pattern)
    skip = join is not None and min(pattern.sources[join]) < 0  # the input meets the output
    if merge == "concatenate":
        return "Dense layer" if skip else "Fire module" if _squeezed(pattern, roles) else (
            "Inception module")
    if merge == "add" or skip:
        return _residual(pattern, words, roles)
    return "Block"


def _stack(pattern: Aggregate, words: Vocabulary) -> str | None:
    """A stack of equal blocks: a transformer's ``Encoder`` or ``Decoder`` (with what comes
    before and after its layers: an embedding, a norm), else a ``Stage`` (Swin's: its layers
    hold a relative position bias, and no embedding comes before them)."""
    chained = all({s for s in row if s >= 0} == {i - 1}  # each reads the one before it (and
                  for i, row in enumerate(pattern.sources) if i)  # an encoder's output, say)
    if not chained:
        return None
    counts = Counter(m for m in pattern.members if m in words.known)
    repeated = [m for m, n in counts.items()
                if n > 1 and holds_block(words.known[m], words.known)]
    if not repeated:
        return None
    kind = describe(words.known[repeated[0]], words)
    around = replace(pattern, members=tuple(m for m in pattern.members if m not in repeated))
    return STACKS.get(kind, "Stage") if "embedding" in words.roles(around) else "Stage"


def _attention(pattern: Aggregate, words: Vocabulary, merge: str) -> str:
    """A whole layer (attention and a feed-forward network after it), an attention with its
    residual link, or the attention alone; reading a second input (an encoder's): cross."""
    if "convolution" in words.roles(pattern):
        return "Conv–Transformer block"  # convolutions around attention (MobileViT's block)
    if _kernels_after_attention(pattern, words) >= 2:  # and a feed-forward network: a layer
        return ("Decoder layer" if _count(pattern, words, "attention") > 1
                and pattern.entries >= 2 else "Transformer layer")  # a decoder reads an encoder
    kind = "Cross-attention" if pattern.entries >= 2 else "Attention"
    return f"{kind} block" if merge == "add" else kind


def _feed_forward(pattern: Aggregate, words: Vocabulary) -> str | None:
    """``Feed-forward`` for two dense layers (the first activated, by a layer of its own or
    its setting), ``SwiGLU`` (or another gated unit) for a gated one: an activated and a
    linear branch multiplied, then a dense layer."""
    types = words.layer_types(pattern)
    roles = [words.role(t) for t in types]
    if set(roles) - {"dense", "activation", "multiply", "dropout", "normalization", "add"}:
        return None
    dense, activations = roles.count("dense"), [words.short(t) for t, r in zip(types, roles)
                                                if r == "activation"]
    if "multiply" in roles and dense == 3 and len(activations) == 1:
        return GATED.get(activations[0], "Gated feed-forward")
    if "multiply" not in roles and dense == 2:
        return "Feed-forward"
    return None


def _experts(pattern: Aggregate, words: Vocabulary) -> str | None:
    """``Experts (8, top-2)``: a mixture of experts, by its count and the experts each token
    is sent to, where a layer type of ``pattern`` says them."""
    settings = {k: v for t in words.layer_types(pattern) if t in words.kinds
                for k, v in words.kinds[t].settings.items()}
    if "experts" not in settings:
        return None
    top = f", top-{settings['top-k']}" if "top-k" in settings else ""
    return f"Experts ({settings['experts']}{top})"


def _residual(pattern: Aggregate, words: Vocabulary, roles: set[str]) -> str:
    """A block whose input meets its output: which kind of residual block it is."""
    if "concatenate" in roles:
        return "Inception-ResNet block"
    shorts = Counter(words.short(t) for t in words.layer_types(pattern)
                     if words.role(t) == "convolution")
    if "DWConv" in shorts:
        return "Inverted residual"  # MobileNetV2's and EfficientNet's MBConv
    if set(shorts) == {"Conv"} and shorts["Conv"] <= 4 and _depth(pattern, words, "Conv") == 3:
        return "Bottleneck"  # 1×1, 3×3, 1×1 convolutions (and a projection shortcut)
    return "Residual block"


def _squeezed(pattern: Aggregate, roles: set[str]) -> bool:
    """The paths fork after a first member, not at the entry, and hold convolutions only:
    SqueezeNet's Fire module squeezes with one convolution, then expands in parallel."""
    readers = [i for i, row in enumerate(pattern.sources) if min(row) < 0]
    return (readers == [0] and sum(0 in row for row in pattern.sources) >= 2
            and roles <= FIRE_ROLES)


def _fire(pattern: Aggregate, words: Vocabulary) -> str | None:
    """SqueezeNet's Fire module found as a sequence: a convolution, then parallel
    convolutions joined (which alone read as an inception module)."""
    if len(pattern.members) != 2 or words.role(pattern.members[0]) != "convolution":
        return None
    block = words.known.get(pattern.members[1])
    if block is None or describe(block, words) != "Inception module":
        return None
    return "Fire module" if words.roles(block) <= FIRE_ROLES else None


def _transition(pattern: Aggregate, words: Vocabulary) -> str | None:
    """DenseNet's transition: a normalised, activated convolution, then average pooling."""
    shorts = [short for short, _ in _flat(pattern, words)]
    roles = [words.role(t) for t in words.layer_types(pattern)]
    if (shorts[-1:] == ["AvgPool"] and roles[0] == "normalization"
            and roles.count("convolution") == 1):
        return "Transition"
    return None


# --- how two patterns of one name differ ------------------------------------------------------

def _differences(pattern: Aggregate, other: Aggregate, words: Vocabulary) -> list[str]:
    """Words for what ``pattern`` has that ``other`` has not, most telling first."""
    found = []
    mine, theirs = _projection(pattern, words), _projection(other, words)
    if mine != theirs:
        found.append("projection" if mine else "identity")
    for mine_member, their_member in zip(pattern.members, other.members):  # a member's own
        kind, _, qualifier = mine_member.partition(", ")  # difference: ``with ReLU``
        if qualifier and their_member.partition(", ")[0] == kind and mine_member != their_member:
            found.append(qualifier)
    have, had = Counter(map(words.short, words.layer_types(pattern))), Counter(
        map(words.short, words.layer_types(other)))
    found += [f"with {s}" for s in sorted(have.keys() - had.keys(), key=_kernel_first(words))]
    found += [f"no {s}" for s in sorted(had.keys() - have.keys(), key=_kernel_first(words))]
    added = [words.short(m) for m in pattern.members if m != other.name]
    if other.name in pattern.members and added:  # holds the aggregate of its name: says what
        found.append("with " + "–".join(_runs(added)))  # it adds
    branches, their_branches = _branches(pattern), _branches(other)
    if branches != their_branches and branches > 1:
        found.append(f"{branches} branches")
    size, their_size = len(words.layer_types(pattern)), len(words.layer_types(other))
    depth, their_depth = _depth(pattern, words), _depth(other, words)
    if depth != their_depth:
        found.append("deeper" if depth > their_depth else "shallower")
    if size != their_size:
        found.append("larger" if size > their_size else "smaller")
    return found


def _depth(pattern: Aggregate, words: Vocabulary, short: str | None = None) -> int:
    """Layers (read as ``short``, if given) on the longest path through ``pattern``, through
    nested aggregates."""
    longest = []
    for key, row in zip(pattern.members, pattern.sources):
        own = (_depth(words.known[key], words, short) if key in words.known
               else int(short is None or words.short(key) == short))
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
