"""The drawn figure as plain records: what ``draw`` produces and ``svg`` writes."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

Point = tuple[float, float]
FONT_SIZE = 11  # units; labels under glyphs and in the legend
DIMENSION_FONT_SIZE = 10  # the smallest text: ``font_size`` points at the page width


class Glyph(NamedTuple):
    id: str
    type: str
    points: tuple[Point, ...]
    fill: str
    stroke: str
    stroke_width: float
    aggregate: bool = False


class Line(NamedTuple):
    source: str
    target: str
    points: tuple[Point, ...]


class Label(NamedTuple):
    text: str
    x: float
    y: float  # centre of the text box
    kind: str  # "dimension", "feature", "name", "legend", "mark"
    size: float
    rotated: bool = False
    owner: str = ""  # the glyph it labels, if any
    starts: bool = False  # the text starts at x (else it is centred there)

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom), estimated from an average glyph width."""
        half_length = text_width(self.text, self.size) / 2
        half_height = self.size * 0.6
        if self.rotated:
            half_length, half_height = half_height, half_length
        x = self.x + half_length if self.starts else self.x
        return (x - half_length, self.y - half_height, x + half_length, self.y + half_height)


class Placeholder(NamedTuple):
    x: float
    y: float
    side: float
    owner: str = ""


@dataclass(frozen=True)
class LegendItem:
    key: str
    glyphs: tuple[Glyph, ...]
    lines: tuple[Line, ...]
    labels: tuple[Label, ...]

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of its glyphs, lines and labels."""
        points = [p for shape in self.glyphs + self.lines for p in shape.points]
        corners = [label.bounds() for label in self.labels]
        points += [(c[0], c[1]) for c in corners] + [(c[2], c[3]) for c in corners]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class Frame:
    """A dashed box around the layers of an opened aggregate occurrence."""

    id: str  # the occurrence's glyph id, when folded
    type: str  # the aggregate
    bounds: tuple[float, float, float, float]


@dataclass(frozen=True)
class Scene:
    title: str
    bounds: tuple[float, float, float, float]  # left, top, right, bottom
    glyphs: tuple[Glyph, ...]
    lines: tuple[Line, ...]
    labels: tuple[Label, ...]
    placeholders: tuple[Placeholder, ...]
    legend: tuple[LegendItem, ...]
    frames: tuple[Frame, ...] = ()
    graph_bounds: tuple[float, float, float, float] | None = None  # without the legend
    description: str = ""  # the figure in words (``caption.describe``): the SVG's <desc>


def text_width(text: str, size: float) -> float:
    """The width of ``text`` in Helvetica (Arial and Liberation Sans share its metrics), plus
    5 % to err on the safe side; characters it lacks count as wide ones."""
    return size * _ems(text)


@lru_cache(maxsize=4096)  # a figure's labels repeat ("64", "56×56")
def _ems(text: str) -> float:
    return 1.05 * sum(_WIDTHS.get(c, 0.8 if ord(c) < 0x2E80 else 1.0) for c in text)


def _widths(groups: dict[str, float]) -> dict[str, float]:
    return {c: width for chars, width in groups.items() for c in chars}


# Advance widths in em, from the Helvetica font metrics.
_WIDTHS = _widths({
    "ijl\x27": 0.222, " !,./:;I[\\]ft|": 0.278, "\"": 0.355, "()-`r{}": 0.333,
    "*^": 0.389, "Jcksvxyz": 0.5, "#$0123456789?L_abdeghnopqu–": 0.556,
    "+<=>~×": 0.584, "FTZ": 0.611, "&ABEKPSVXY": 0.667, "CDHNRUw": 0.722,
    "GOQ": 0.778, "Mm": 0.833, "%": 0.889, "W": 0.944, "@": 1.015, "—…": 1.0,
})
