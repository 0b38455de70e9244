"""``figure(model)``: the whole pipeline from a live model to an SVG document.

``render`` is the one function to read first: measure → lay out → draw → write, one line
per phase, each phase in the module of the same name.
"""
from __future__ import annotations

from typing import Mapping

from . import draw, export, layout, sizing, svg
from .extract import extract
from .network import Network
from .palette import propose_colors
from .preferences import Preferences


def render(network: Network, styles: Mapping[str, draw.Style], preferences: Preferences) -> str:
    sizes = sizing.measure(network, preferences)
    boxes = draw.boxes(network, sizes, styles, preferences)
    placement = layout.layout([n.id for n in network.nodes],
                              [(e.source, e.target) for e in network.edges], boxes,
                              preferences.spacing_horizontal, preferences.spacing_vertical)
    scene = draw.draw(network, sizes, placement, styles, preferences)
    return svg.write(scene)


def default_styles(network: Network, preferences: Preferences, aliases=None, colors=None):
    """Alias and colour per layer type, in order of first appearance; overrides win."""
    keys = list(dict.fromkeys(node.type for node in network.nodes))
    proposed = propose_colors(len(keys), preferences.color_mode)
    aliases, colors = aliases or {}, colors or {}
    return {key: draw.Style(aliases.get(key, key), colors.get(key, color))
            for key, color in zip(keys, proposed)}


class Figure:
    """A model's architecture figure; shows itself as SVG in a notebook."""

    def __init__(self, model, aliases=None, colors=None, **preferences):
        self.network = extract(model)
        self.preferences = Preferences().updated(**preferences)
        self.aliases = dict(aliases or {})
        self.colors = {key: _checked_color(key, value) for key, value in (colors or {}).items()}

    def to_svg(self) -> str:
        styles = default_styles(self.network, self.preferences, self.aliases, self.colors)
        return render(self.network, styles, self.preferences)

    def save(self, path) -> None:
        export.save(self.to_svg(), path)

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self) -> str:
        return f"<net2vis figure of {self.network.name!r}: {len(self.network.nodes)} layers>"


def figure(model, **options) -> Figure:
    """The figure of ``model`` (a built keras.Model); options are aliases, colors, preferences."""
    return Figure(model, **options)


def _checked_color(key: str, value: str) -> str:
    text = str(value)
    if len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:]):
        return text.upper()
    raise ValueError(f"colour for {key!r} must look like '#RRGGBB', got {value!r}")
