"""Names for new aggregates (SPEC §5): what the aggregate holds, unique, at most 24 characters.

``Conv2D ×2`` and ``Conv2D–BN–Act`` for sequences of layers; ``Residual block``,
``Attention block``, ``Inception block``, ``Cell``, … for blocks with parallel paths, by the
layer where the paths meet; ``Transformer block`` or ``Stage (3 blocks)`` for units of
aggregates. A name already taken gets a number: ``Residual block 2``.
"""
from __future__ import annotations

from itertools import groupby
from typing import Mapping

from .aggregate import Aggregate

MAX_LENGTH = 24
SHORT = {"BatchNormalization": "BN", "LayerNormalization": "LN", "GroupNormalization": "GN",
         "BatchNorm2d": "BN", "BatchNorm1d": "BN", "LayerNorm": "LN", "Conv2d": "Conv2D",
         "MultiheadAttention": "MHA", "Dropout2d": "Drop", "MaxPool2d": "MaxPool",
         "AvgPool2d": "AvgPool", "relu": "ReLU", "gelu": "GELU", "Linear": "Dense",
         "MultiHeadAttention": "MHA", "Activation": "Act", "Concatenate": "Concat",
         "DepthwiseConv2D": "DWConv", "SeparableConv2D": "SepConv", "ZeroPadding2D": "Pad",
         "MaxPooling2D": "MaxPool", "AveragePooling2D": "AvgPool", "Dropout": "Drop",
         "GlobalAveragePooling2D": "GAP", "GlobalAveragePooling1D": "GAP", "Multiply": "Mul",
         "Cropping2D": "Crop", "UpSampling2D": "UpSample", "Conv2DTranspose": "ConvT"}
# the same operation in Keras, PyTorch and ONNX
ADD, MULTIPLY = {"Add", "add"}, {"Multiply", "mul", "Mul"}
CONCATENATE = {"Concatenate", "cat", "Concat"}
ATTENTION = {"MultiHeadAttention", "MultiheadAttention"}
UPSAMPLING = ("UpSampling", "Upsample", "Conv2DTranspose", "Conv3DTranspose", "ConvTranspose")
MINOR = {"BN", "LN", "GN", "Act", "ReLU", "Drop", "Pad", "Crop", "Reshape", "Rescaling"}  # left
# out of a sequence's name when the whole is too long
BLOCK_SHORT = {"Squeeze-excite": "SE", "Residual block": "Res", "Attention block": "Attn",
               "Inception block": "Inception", "Dense block": "Dense", "Gated block": "Gate"}


def name_for(pattern: Aggregate, known: Mapping[str, Aggregate], taken: set[str]) -> str:
    """A name for ``pattern`` (members may be the ``known`` aggregates) not in ``taken``."""
    return unique(describe(pattern, known), taken)


def describe(pattern: Aggregate, known: Mapping[str, Aggregate]) -> str:
    inside = layer_types(pattern, known)
    if _is_unit(pattern, known):
        if ATTENTION & inside:
            return "Decoder block" if _count(pattern, known, ATTENTION) > 1 else "Transformer block"
        return f"Stage ({len(pattern.members)} blocks)"
    if pattern.is_sequence:
        return _sequence(_flat(pattern, known))
    merge = _join(pattern, known)
    if pattern.entries >= 2:
        if ATTENTION & inside:
            return "Cross-attention block"
        if any(t.startswith(UPSAMPLING) for t in inside):
            return "Up block"  # a U-Net decoder step: upsampled, joined with a skip link
        return "Cell" if merge in CONCATENATE else "Branch sum" if merge in ADD else "Two-input block"
    if ATTENTION & inside:
        return "Attention block"
    if merge in MULTIPLY:
        pooled = any(t.startswith(("GlobalAverage", "AdaptiveAvg")) for t in inside)
        return "Squeeze-excite" if pooled else "Gated block"
    join = _join_index(pattern)
    skip = join is not None and min(pattern.sources[join]) < 0  # the input meets the output
    if merge in CONCATENATE:
        return "Dense block" if skip else "Inception block"
    if merge in ADD or skip:
        return "Inception-ResNet block" if CONCATENATE & inside else "Residual block"
    return "Block"


def layer_types(pattern: Aggregate, known: Mapping[str, Aggregate]) -> set[str]:
    """The layer types inside ``pattern``, through nested aggregates."""
    return {t for m in pattern.members
            for t in (layer_types(known[m], known) if m in known else {m})}


def _flat(pattern: Aggregate, known) -> list[str]:
    """Short names of the layers of a sequence, through nested sequences; a nested block
    by its kind (``SE``, ``Res``, …)."""
    parts = []
    for m in pattern.members:
        if m not in known:
            parts.append(SHORT.get(m, m))
        elif known[m].is_sequence:
            parts += _flat(known[m], known)
        else:
            kind = describe(known[m], known)
            parts.append(BLOCK_SHORT.get(kind, kind))
    return parts


def _count(pattern: Aggregate, known, layer_types: set[str]) -> int:
    return sum(_count(known[m], known, layer_types) if m in known else m in layer_types
               for m in pattern.members)


def _is_unit(pattern: Aggregate, known) -> bool:
    """Aggregates, two blocks at least, each reading the one before it; only the first reads
    the first entry (a later one may read another, as a decoder block reads the encoder)."""
    members = [known.get(m) for m in pattern.members]
    return all(members) and sum(not m.is_sequence for m in members) >= 2 and all(
        {s for s in row if s >= -1} == {i - 1} for i, row in enumerate(pattern.sources) if i)


def _join(pattern: Aggregate, known) -> str:
    """The layer type where the paths of ``pattern`` meet (in a nested aggregate, its own
    join), or where data enters a sequence."""
    join = _join_index(pattern)
    key = pattern.members[join if join is not None else 0]
    return _join(known[key], known) if key in known else key


def _join_index(pattern: Aggregate) -> int | None:
    """The last member reading more than one layer."""
    return next((i for i in range(len(pattern.sources) - 1, -1, -1)
                 if len(set(pattern.sources[i])) > 1), None)


def _sequence(parts: list[str]) -> str:
    if len(set(parts)) == 1:
        return f"{parts[0]} ×{len(parts)}"
    for shown in (parts, [p for p in parts if p not in MINOR] or parts[:1]):
        shown = _runs(shown)
        if len(text := "–".join(shown)) <= MAX_LENGTH:
            return text
    return _clipped(f"{shown[0]}–…–{shown[-1]}")


def _runs(parts: list[str]) -> list[str]:
    """Consecutive equal parts as one: ``Conv2D×2``."""
    runs = [(part, len(list(run))) for part, run in groupby(parts)]
    return [part if n == 1 else f"{part}×{n}" for part, n in runs]


def unique(name: str, taken: set[str]) -> str:
    name = candidate = _clipped(name)
    number = 2
    while candidate in taken:
        suffix = f" {number}"
        candidate = _clipped(name, MAX_LENGTH - len(suffix)) + suffix
        number += 1
    return candidate


def _clipped(text: str, length: int = MAX_LENGTH) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"
