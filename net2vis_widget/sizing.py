"""Glyph sizes (SPEC §4.1): height from spatial resolution, width from feature channels.

Heights map linearly (or logarithmically) from the network's smallest to largest spatial
extent onto [min_height, max_height]; dense layers (1-D output) map their unit counts onto
the same range on a scale of their own. Widths map output channels onto
[min_width, max_width]; dense layers get min_width. Each side of a glyph finds its channels
where its tensor keeps them (``Node.channel_axes``), unless the ``channels_first``
preference overrides. The picture agrees with the shapes: a global pooling draws as the 1×1
feature map it makes, whatever the framework's shape for it; a layer that removes the
spatial axes (a flatten) never grows taller; a size nobody knows (``?``) is drawn as the
largest, since it is an input's resolution.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .network import FIRST, LAST, Network, Node, Shape
from .preferences import Preferences


@dataclass(frozen=True)
class Size:
    input_height: float
    output_height: float
    width: float
    dense: bool
    features: str  # channel or unit count of the output, "?" when unknown
    input_dimensions: str  # spatial size such as "112×112"; "" for 1-D tensors
    output_dimensions: str


@dataclass(frozen=True)
class _Side:
    spatial: tuple  # the spatial axes' sizes; () for a vector (a dense layer's side)
    channels: int | None


def measure(network: Network, preferences: Preferences) -> dict[str, Size]:
    sides = {n.id: _sides(n, preferences.channels_first) for n in network.nodes}
    spatial_extents, unit_counts, channel_counts = [], [], []
    for before, after in sides.values():
        for side in (before, after):
            (spatial_extents if side.spatial else unit_counts).append(_extent(side))
        if after.spatial and after.channels is not None:
            channel_counts.append(after.channels)
    low, high, kind = preferences.min_height, preferences.max_height, preferences.scale
    resolution, units = _scale(spatial_extents, low, high, kind), _scale(unit_counts, low, high, kind)
    width = _scale(channel_counts, preferences.min_width, preferences.max_width, kind)

    def height(side):
        return (resolution if side.spatial else units)(_extent(side))

    sizes = {}
    for node in network.nodes:
        before, after = sides[node.id]
        shown_out = height(after)
        if before.spatial and not after.spatial:  # a flatten: never taller than its input
            shown_out = min(shown_out, height(before))
        sizes[node.id] = Size(
            input_height=height(before),
            output_height=shown_out,
            width=width(after.channels) if after.spatial else preferences.min_width,
            dense=not after.spatial,
            features="?" if after.channels is None else str(after.channels),
            input_dimensions=_dimensions(before.spatial),
            output_dimensions=_dimensions(after.spatial),
        )
    return sizes


def _sides(node: Node, channels_first: bool | None) -> tuple[_Side, _Side]:
    """What the glyph's input and output sides show."""
    axes = node.channel_axes if channels_first is None else (FIRST if channels_first else LAST,) * 2
    before, after = _side(_input(node), axes[0]), _side(_output(node), axes[1])
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
    """The first input's shape; an input layer shows its output on both sides."""
    return node.input_shapes[0] if node.input_shapes else _output(node)


def _output(node: Node) -> Shape:
    return node.output_shapes[0] if node.output_shapes else ()


def _extent(side: _Side):
    """The number a glyph side encodes: largest spatial axis, or the unit count."""
    values = side.spatial if side.spatial else (side.channels,)
    known = [v for v in values if v is not None]
    return max(known) if known else None


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
        return low + (transform(value) - smallest) / (largest - smallest) * (high - low)

    return mapped
