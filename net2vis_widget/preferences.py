"""The figure's preferences (SPEC §7): defaults, validation, and plain-dict round trips.

Every way a preference arrives (a keyword of ``figure()``, ``update()``, a saved state, the
view's panel) goes through ``Preferences.updated``, so each is checked by the same rules.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields, replace

from .scene import DIMENSION_FONT_SIZE

SCALES = ("linear", "log")
COLOR_MODES = ("palette", "colorblind", "hue_gap")
LEGENDS = (True, False, "right", "separate")  # True: under the graph
PAGE_WIDTHS = {"column": 3.3, "text": 7.0}  # inches, of a two-column paper
LARGEST = 10_000  # units: any glyph size or gap beyond this is a typo, and overflows the layout
RANGES = {"page_width": (1, 100), "font_size": (1, 72)}  # inches; points


@dataclass(frozen=True)
class Preferences:
    """How the figure is drawn: keywords of ``figure``, ``Net2Vis`` and ``update``.

    Lengths are in figure units (the figure is scaled to ``page_width`` when printed).

    Attributes
    ----------
    min_height, max_height : float
        A glyph's height for the smallest and the largest spatial resolution in the model.
    min_width, max_width : float
        A glyph's width for the fewest and the most feature channels.
    scale : {"linear", "log"}
        How resolution and channels map to heights and widths.
    spacing_horizontal, spacing_vertical : float
        The gaps between glyphs along a row and between rows or branches.
    show_dimensions, show_features : bool
        Label each glyph with its spatial size (beside it) and its channels (under it).
    show_names : bool
        Write under each glyph the name its legend entry gives its type (the alias, as set
        with ``update(aliases=...)``), for figures read without the legend.
    show_samples : bool
        Draw placeholders for the input and output samples before the first and after the
        last glyphs.
    show_params : bool
        After each aggregate's name in the legend, its occurrences and the parameters of one
        (``Transformer layer ×32 · 218 M each``; a range where they differ).
    channels_first : bool or None
        Where the channels axis is: None reads it from each tensor's layout.
    color_mode : {"palette", "colorblind", "hue_gap"}
        The colours proposed for layer types and aggregates.
    legend : {True, False, "right", "separate"}
        The legend under the graph, none, right of it, or in a file of its own on ``save``.
    legend_reverse : bool
        List the legend backwards: aggregates from the most complex, then the layer types.
    repeat_marks : bool
        Draw a run of equal consecutive blocks once, marked ``×N``.
    page_width : float or {"column", "text"}
        The printed width in inches (a paper's column: 3.3, its text width: 7).
    font_size : float
        The smallest text's size in points, when printed.

    Examples
    --------
    >>> figure(model, page_width="column", scale="log", show_names=True)
    <net2vis figure of 'residual': 16 layers as 16 glyphs>
    """

    min_height: float = 30
    max_height: float = 100
    min_width: float = 20
    max_width: float = 80
    scale: str = "linear"
    spacing_horizontal: float = 20
    spacing_vertical: float = 30
    show_dimensions: bool = True
    show_features: bool = True
    show_names: bool = False
    show_samples: bool = False
    show_params: bool = False
    channels_first: bool | None = None  # None: where each tensor keeps them
    color_mode: str = "palette"
    legend: bool | str = True
    legend_reverse: bool = False
    repeat_marks: bool = False
    page_width: float = PAGE_WIDTHS["text"]
    font_size: float = 7

    def __post_init__(self):
        if self.legend == "below":
            object.__setattr__(self, "legend", True)
        if isinstance(self.page_width, str) and self.page_width in PAGE_WIDTHS:
            object.__setattr__(self, "page_width", PAGE_WIDTHS[self.page_width])
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool | str":
                _choice(f.name, value, LEGENDS)
            elif f.type.startswith("bool") and not (isinstance(value, bool) or (
                    value is None and "None" in f.type)):
                choices = "True, False or None" if "None" in f.type else "True or False"
                raise TypeError(f"preference {f.name} must be {choices}, got {value!r}")
            if f.type == "float":  # numpy numbers become Python ones: the state stays JSON-safe
                object.__setattr__(self, f.name, _number(f.name, value))
        _choice("scale", self.scale, SCALES)
        _choice("color_mode", self.color_mode, COLOR_MODES)
        for low, high in (("min_height", "max_height"), ("min_width", "max_width")):
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"preference {high} must be a finite number ≥ {low} "
                                 f"({getattr(self, low)}), got {getattr(self, high)}")

    def updated(self, **changes) -> "Preferences":
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            known = ", ".join(f.name for f in fields(self))
            raise TypeError(f"unknown preference {', '.join(unknown)}; known: {known}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)


    @property
    def points_per_unit(self) -> float:
        """The print scale: the smallest text (a dimension label) at ``font_size``."""
        return self.font_size / DIMENSION_FONT_SIZE

    @property
    def page_units(self) -> float:
        """The page width in the figure's units."""
        return self.page_width * 72 / self.points_per_unit


def _number(name: str, value) -> int | float:
    """``value`` as a Python number within the range of a size or gap, or a ValueError."""
    smallest, largest = RANGES.get(name, (0 if name.startswith("spacing") else 1, LARGEST))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = int(value) if isinstance(value, numbers.Integral) else float(value)
        if math.isfinite(number) and smallest <= number <= largest:
            return number
    words = ' or '.join(f'"{w}"' for w in PAGE_WIDTHS) + " or " if name == "page_width" else ""
    raise ValueError(f"preference {name} must be {words}a finite number from {smallest} to "
                     f"{largest}, got {value!r}")


def _choice(name: str, value, choices: tuple) -> None:
    if not any(value is choice or (isinstance(value, str) and value == choice)
               for choice in choices):
        raise ValueError(f"preference {name} must be one of {', '.join(map(str, choices))}; "
                         f"got {value!r}")
