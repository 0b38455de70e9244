"""Glyph sizes (SPEC §4.1): height from spatial resolution, width from feature channels.

Heights map linearly (or logarithmically) from the network's smallest to largest spatial
extent onto [min_height, max_height]; dense layers (1-D output) map their unit counts onto
the same range on a scale of their own, as bars of their output's height. The extent is a
tensor's number of positions on one scale for grids and sequences: the side of a square grid
of as many positions, in the network's grid dimension (a 14×14 grid and the 196 tokens made of
it are as tall; 224×224 is 224). A single position (the 1×1 a global pooling makes) is a
point: half the smallest height. Token ids are a sequence, their count a resolution. Widths
map output channels onto [min_width, max_width]; dense layers and token ids get min_width.
Each side of a glyph finds its channels where its tensor keeps them (``Node.channel_axes``),
unless the ``channels_first`` preference overrides. The picture agrees with the shapes: a
global pooling draws as the 1×1 feature map it makes, whatever the framework's shape for it;
a layer that removes the spatial axes (a flatten) never grows taller; a size nobody knows
(``?``) is drawn as the largest, since it is an input's resolution.
"""
from __future__ import annotations

import functools
import math
from typing import NamedTuple

from .network import FIRST, LAST, Network, Node, Shape
from .preferences import Preferences


class Size(NamedTuple):  # one per glyph per figure: a tuple is made faster than a dataclass
    input_height: float
    output_height: float
    width: float
    dense: bool
    features: str  # channel or unit count of the output, "?" when unknown
    input_dimensions: str  # spatial size such as "112×112"; "" for 1-D tensors
    output_dimensions: str


class _Side(NamedTuple):  # made twice per glyph: a tuple is made faster than a dataclass
    spatial: tuple  # the spatial axes' sizes; () for a vector (a dense layer's side)
    channels: int | None


def measure(network: Network, preferences: Preferences) -> dict[str, Size]:
    indices = _token_ids(network)
    sides = {n.id: _sides(n, preferences.channels_first, n.id in indices) for n in network.nodes}
    grid = max((len(side.spatial) for pair in sides.values() for side in pair), default=1)
    spatial_extents, unit_counts, channel_counts = [], [], []
    for before, after in sides.values():
        spatial_extents += [_extent(side, grid) for side in (before, after) if side.spatial]
        if not before.spatial and not after.spatial:  # a dense layer, drawn at its output
            unit_counts.append(after.channels)
        if after.spatial and after.channels is not None:
            channel_counts.append(after.channels)
    low, high, kind = preferences.min_height, preferences.max_height, preferences.scale
    resolution = _scale([e for e in spatial_extents if e != 1], low, high, kind)
    units = _scale(unit_counts, low, high, kind)
    width = _scale(channel_counts, preferences.min_width, preferences.max_width, kind)

    def height(side):
        if not side.spatial:
            return units(side.channels)
        extent = _extent(side, grid)
        return low / 2 if extent == 1 else resolution(extent)

    sizes = {}
    for node in network.nodes:
        before, after = sides[node.id]
        shown_out = height(after)
        if before.spatial and not after.spatial:  # a flatten: never taller than its input
            shown_out = min(shown_out, height(before))
        ids = node.id in indices and node.role == "input"  # one index per position
        sizes[node.id] = Size(
            input_height=height(before) if before.spatial else shown_out,  # dense: a bar
            output_height=shown_out,
            width=(width(after.channels) if after.spatial and not ids
                   else preferences.min_width),  # a vector, or token ids
            dense=not after.spatial,
            features=_features(after, ids),
            input_dimensions=_dimensions(before.spatial),
            output_dimensions=_dimensions(after.spatial),
        )
    return sizes


def labels(network: Network, preferences: Preferences) -> dict[str, tuple[str, str]]:
    """What each glyph's labels say of its output, (features, spatial size), as ``measure``
    gives them, without the heights and widths (which need the whole network's scales)."""
    indices = _token_ids(network)
    said = {}
    for node in network.nodes:
        _, after = _sides(node, preferences.channels_first, node.id in indices)
        ids = node.id in indices and node.role == "input"
        said[node.id] = _features(after, ids), _dimensions(after.spatial)
    return said


def _token_ids(network: Network) -> set[str]:
    """The layers whose 1-D input or output is a sequence of indices: inputs read only by
    embeddings, and those embeddings."""
    embeddings = {n.id for n in network.nodes if n.role == "embedding"}
    inputs = {n.id for n in network.nodes if n.role == "input" and network.targets[n.id]
              and set(network.targets[n.id]) <= embeddings}
    return inputs | {e for e in embeddings if set(network.feeds[e]) & inputs}


def _sides(node: Node, channels_first: bool | None, indices: bool) -> tuple[_Side, _Side]:
    """What the glyph's input and output sides show; ``indices``: a 1-D input side (or an
    input layer's output) holds token ids, a sequence."""
    axes = node.channel_axes if channels_first is None else (FIRST if channels_first else LAST,) * 2
    before, after = _side(_input(node), axes[0]), _side(_output(node), axes[1])
    if indices and len(_input(node)) == 1:
        before = _Side(tuple(_input(node)), None)
        after = before if node.role == "input" else after
    if node.role == "global_pooling" and before.spatial and not after.spatial:
        after = _Side((1,) * len(before.spatial), after.channels)  # the 1×1 map it makes
    return before, after


def _side(shape: Shape, axis: int) -> _Side:
    """(spatial axes, channel count); no spatial axes for 1-D (dense) and scalar tensors."""
    if len(shape) <= 1:
        return _Side((), shape[0] if shape else 1)
    spatial = shape[1:] if axis == FIRST else shape[:-1]
    return _Side(tuple(spatial), shape[axis])


def _input(node: Node) -> Shape:
    """The main input's shape: the one shaped like the output (a decoder layer's own tokens,
    not the encoder's output it also reads), else the first; an input layer shows its output
    on both sides."""
    if not node.input_shapes:
        return _output(node)
    return next((s for s in node.input_shapes if s == _output(node)), node.input_shapes[0])


def _output(node: Node) -> Shape:
    return node.output_shapes[0] if node.output_shapes else ()


@functools.lru_cache(maxsize=4096)  # a network's sides repeat; each is asked for 2–4 times
def _extent(side: _Side, grid: int):
    """The number a grid or sequence side encodes: the side of a square (cube) of ``grid``
    axes holding as many positions, the largest axis where one is unknown."""
    if None in side.spatial:
        known = [v for v in side.spatial if v is not None]
        return max(known) if known else None
    return round(math.prod(side.spatial) ** (1 / grid), 6)


def _features(side: _Side, indices: bool) -> str:
    if indices:
        return ""  # token ids: one index per position
    return "?" if side.channels is None else str(side.channels)


def _dimensions(spatial) -> str:
    return "×".join("?" if v is None else str(v) for v in spatial)


def _scale(values, low, high, kind):
    """A mapping of ``values``' range onto [low, high]. Unknown values map to ``high``: a
    ``?`` is an input's free resolution, larger than what pooling makes of it."""
    transform = (lambda v: math.log(max(v, 1))) if kind == "log" else float
    known = [transform(v) for v in values if v is not None]
    smallest, largest = (min(known), max(known)) if known else (0.0, 0.0)
    unknown = len(known) < len(values)

    def mapped(value):
        if value is None:
            return high
        if largest == smallest:
            return low if unknown else high
        share = (transform(value) - smallest) / (largest - smallest)
        return low + min(max(share, 0.0), 1.0) * (high - low)  # a flatten's count may lie beyond

    return mapped
