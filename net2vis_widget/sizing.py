"""Glyph sizes (SPEC §4.1): height from spatial resolution, width from feature channels.

Heights map linearly (or logarithmically) from the network's smallest to largest spatial
extent onto [min_height, max_height]; dense layers (1-D output) map their unit counts onto
the same range on a scale of their own. Widths map output channels onto
[min_width, max_width]; dense layers get min_width.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .network import Network, Node, Shape
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


def measure(network: Network, preferences: Preferences) -> dict[str, Size]:
    def split(shape):
        return _split(shape, preferences.channels_first)

    sides = {n.id: (_input(n), _output(n)) for n in network.nodes}  # the shapes a glyph shows
    spatial_extents, unit_counts, channel_counts = [], [], []
    for node in network.nodes:
        for shape in sides[node.id]:
            spatial, channels = split(shape)
            (spatial_extents if spatial else unit_counts).append(_extent(spatial, channels))
        spatial, channels = split(_output(node))
        if spatial and channels is not None:
            channel_counts.append(channels)
    low, high, kind = preferences.min_height, preferences.max_height, preferences.scale
    resolution, units = _scale(spatial_extents, low, high, kind), _scale(unit_counts, low, high, kind)
    width = _scale(channel_counts, preferences.min_width, preferences.max_width, kind)

    def height(shape):
        spatial, channels = split(shape)
        return (resolution if spatial else units)(_extent(spatial, channels))

    sizes = {}
    for node in network.nodes:
        shown_in, shown_out = sides[node.id]
        spatial, channels = split(shown_out)
        sizes[node.id] = Size(
            input_height=height(shown_in),
            output_height=height(shown_out),
            width=width(channels) if spatial else preferences.min_width,
            dense=not spatial,
            features="?" if channels is None else str(channels),
            input_dimensions=_dimensions(split(shown_in)[0]),
            output_dimensions=_dimensions(spatial),
        )
    return sizes


def _input(node: Node) -> Shape:
    """The first input's shape; an input layer shows its output on both sides."""
    return node.input_shapes[0] if node.input_shapes else _output(node)


def _output(node: Node) -> Shape:
    return node.output_shapes[0] if node.output_shapes else ()


def _split(shape: Shape, channels_first: bool):
    """(spatial axes, channel count); no spatial axes for 1-D (dense) and scalar tensors."""
    if len(shape) <= 1:
        return (), (shape[0] if shape else 1)
    if channels_first:
        return tuple(shape[1:]), shape[0]
    return tuple(shape[:-1]), shape[-1]


def _extent(spatial, channels):
    """The number a glyph side encodes: largest spatial axis, or the unit count."""
    values = spatial if spatial else (channels,)
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _dimensions(spatial) -> str:
    return "×".join("?" if v is None else str(v) for v in spatial)


def _scale(values, low, high, kind):
    """A mapping of ``values``' range onto [low, high]; unknown values map to the middle."""
    transform = (lambda v: math.log(max(v, 1))) if kind == "log" else float
    known = [transform(v) for v in values if v is not None]
    smallest, largest = (min(known), max(known)) if known else (0.0, 0.0)

    def mapped(value):
        if value is None:
            return (low + high) / 2
        if largest == smallest:
            return high
        return low + (transform(value) - smallest) / (largest - smallest) * (high - low)

    return mapped
