"""Colours for layer types (SPEC §4.4): the Material palette, Okabe–Ito, or hue gaps."""
from __future__ import annotations

import colorsys

MATERIAL = (
    "#2196F3", "#8BC34A", "#F44336", "#795548", "#FFEB3B", "#9C27B0", "#9E9E9E", "#009688",
    "#FF9800", "#3F51B5", "#4CAF50", "#03A9F4", "#E91E63", "#00BCD4", "#FFC107", "#673AB7",
    "#607D8B",
)
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")


def propose_colors(count: int, mode: str) -> list[str]:
    """``count`` colours for keys in order of first appearance."""
    if mode == "hue_gap":
        return [_hsv_hex(hue) for hue in _hue_gaps(count)]
    palette = OKABE_ITO if mode == "colorblind" else MATERIAL
    return [palette[i % len(palette)] for i in range(count)]


def _hue_gaps(count: int) -> list[float]:
    """First hue 210°, each next at the middle of the largest gap between hues in use."""
    hues: list[float] = []
    for _ in range(count):
        if not hues:
            hues.append(210.0)
            continue
        ordered = sorted(hues)
        gaps = [(b - a, a) for a, b in zip(ordered, ordered[1:] + [ordered[0] + 360])]
        width, start = max(gaps, key=lambda gap: (gap[0], -gap[1]))
        hues.append((start + width / 2) % 360)
    return hues


def _hsv_hex(hue: float) -> str:
    r, g, b = colorsys.hsv_to_rgb(hue / 360, 0.8, 0.7)
    return "#{:02X}{:02X}{:02X}".format(*(int(c * 255 + 0.5) for c in (r, g, b)))


def darken(color: str, amount: float = 0.1) -> str:
    """``color`` with each channel scaled down by ``amount``."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(round(c * (1 - amount)) for c in (r, g, b)))


def checked_color(key: str, value) -> str:
    """``value`` as ``#RRGGBB``, or a ValueError naming the key and the expected form."""
    text = str(value)
    if len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:]):
        return text.upper()
    raise ValueError(f"colour for {key!r} must look like '#RRGGBB', got {value!r}")
