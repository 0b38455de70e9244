"""The drawn figure as plain records: what ``draw`` produces and ``svg`` writes."""
from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Glyph:
    id: str
    type: str
    points: tuple[Point, ...]
    fill: str
    stroke: str
    stroke_width: float
    aggregate: bool = False


@dataclass(frozen=True)
class Line:
    source: str
    target: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float  # centre of the text box
    kind: str  # "dimension", "feature", "name", "legend", "mark"
    size: float
    rotated: bool = False

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom), estimated from an average glyph width."""
        half_length = text_width(self.text, self.size) / 2
        half_height = self.size * 0.6
        if self.rotated:
            half_length, half_height = half_height, half_length
        return (self.x - half_length, self.y - half_height, self.x + half_length, self.y + half_height)


@dataclass(frozen=True)
class Placeholder:
    x: float
    y: float
    side: float


@dataclass(frozen=True)
class LegendItem:
    key: str
    glyphs: tuple[Glyph, ...]
    lines: tuple[Line, ...]
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class Scene:
    title: str
    bounds: tuple[float, float, float, float]  # left, top, right, bottom
    glyphs: tuple[Glyph, ...]
    lines: tuple[Line, ...]
    labels: tuple[Label, ...]
    placeholders: tuple[Placeholder, ...]
    legend: tuple[LegendItem, ...]


def text_width(text: str, size: float) -> float:
    """A generous estimate for sans-serif text, so that label spacing errs on the safe side."""
    return 0.6 * size * len(text)
