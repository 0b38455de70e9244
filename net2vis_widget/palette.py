"""Colours for legend entries (SPEC §4.4): the Material palette, Okabe–Ito, or hue gaps.

A layer type's colour says its role (``ROLE_COLORS``): convolutions are blue and
normalisations yellow in every figure, whichever framework drew it; an aggregate's colour
follows from its name (``Bottleneck``, ``Attention``), so that two figures of one paper, or of
one architecture from Keras and from PyTorch, match.

SPEC: "No two entries of one legend share a colour or look alike (aggregates included); grey
means inactive or hidden." So every proposed colour is compared, as it is displayed (an
aggregate's fill is its colour darkened), with every other entry's by CIEDE2000, and colours
that look grey are never proposed.
"""
from __future__ import annotations

import functools

import colorsys
import heapq
import math
import zlib
from collections.abc import Iterable, Mapping
from functools import lru_cache

MATERIAL = (
    "#2196F3", "#8BC34A", "#F44336", "#795548", "#FFEB3B", "#9C27B0", "#9E9E9E", "#009688",
    "#FF9800", "#3F51B5", "#4CAF50", "#03A9F4", "#E91E63", "#00BCD4", "#FFC107", "#673AB7",
    "#607D8B",
)
MATERIAL_LIGHT = ("#90CAF9", "#A5D6A7", "#FFCC80", "#CE93D8", "#80DEEA", "#EF9A9A", "#FFE082",
                  "#BCAAA4", "#C5E1A5", "#80CBC4")  # after the palette's: pleasant when darkened
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")

# role → its colour, per colour mode: the first layer type of a role takes it (hue gaps: none)
ROLE_COLORS = {
    "palette": {"input": "#00BCD4", "convolution": "#2196F3", "dense": "#3F51B5",
                "normalization": "#FFEB3B", "activation": "#F44336", "pooling": "#4CAF50",
                "global_pooling": "#1B5E20", "add": "#FF9800", "multiply": "#E91E63",
                "concatenate": "#795548", "attention": "#9C27B0", "embedding": "#009688",
                "upsampling": "#B39DDB", "reshape": "#F48FB1"},
    "colorblind": {"convolution": "#0072B2", "dense": "#56B4E9", "normalization": "#F0E442",
                   "activation": "#D55E00", "pooling": "#009E73", "add": "#E69F00",
                   "attention": "#CC79A7", "input": "#000000"},
}
# the blocks papers name → their colour in the Material palette: each ΔE ≥ 15 from every role's
# colour and from every block of its family when darkened as aggregates are (families rarely
# meet in one figure; where two names meet on one colour, the second takes another)
BLOCK_COLORS = {
    "Transformer layer": "#016972", "Encoder layer": "#016972", "Decoder layer": "#8E0049",
    "Attention": "#A187B0", "Attention block": "#484268", "Cross-attention": "#F2BAA6",
    "Cross-attention block": "#832608", "Feed-forward": "#C7A842", "SwiGLU": "#C7A842",
    "Feed-forward block": "#52461F", "Add & Norm": "#96B38A",
    "Bottleneck": "#016972", "Bottleneck, projection": "#C7A842", "Residual block": "#8E0049",
    "Residual, projection": "#F2BAA6", "Inverted residual": "#A187B0",
    "Inception module": "#484268", "Dense layer": "#DC751E", "Transition": "#96B38A",
    "Squeeze-excite": "#E8E5B4", "Stage": "#E5EB2D"}
KEEPS_ROLE_COLORS = {"palette"}  # modes whose role colours no other entry takes (Okabe–Ito's
# eight are too few to keep)

MIN_DELTA_E = 15
"""Smallest CIEDE2000 difference between two entries' displayed colours: clearly unlike."""
MIN_CHROMA = 18
"""Below this CIELAB chroma a colour looks grey: Material's blue grey (12.9) and grey do,
its brown (18.9) does not."""
AGGREGATE_DARKENING = 0.25
"""An aggregate's glyph is filled with its colour darkened by this much (draw.py)."""

_HUE_GAP_CANDIDATES = 36
# Colours beyond the seeds: a grid over CIE LCh, kept where it is in sRGB and not grey.
_GRID_HUES = range(0, 360, 15)
_GRID_LIGHTNESSES = range(30, 91, 10)
_GRID_CHROMAS = range(25, 101, 15)

_WHITE = (0.95047, 1.0, 1.08883)  # D65
_TO_XYZ = ((0.4124564, 0.3575761, 0.1804375),
           (0.2126729, 0.7151522, 0.0721750),
           (0.0193339, 0.1191920, 0.9503041))
_FROM_XYZ = ((3.2404542, -1.5371385, -0.4985314),
             (-0.9692660, 1.8760108, 0.0415560),
             (0.0556434, -0.2040259, 1.0572252))
_EPSILON = (6 / 29) ** 3
_DEG = math.pi / 180
_TAU = 2 * math.pi

Lab = tuple[float, float, float]


def propose_colors(count: int, mode: str, aggregates: frozenset[int] | set[int] = frozenset(),
                   fixed: Mapping[int, str] | None = None,
                   roles: Mapping[int, str] | None = None,
                   names: Mapping[int, str] | None = None) -> list[str]:
    """``count`` colours for legend entries in order: entry ``i`` is an aggregate when ``i``
    is in ``aggregates``, keeps the user's colour ``fixed[i]`` when given, is a layer type of
    role ``roles[i]`` when given, and reads ``names[i]`` when given.

    The first layer type of each role takes the role's colour where it stays MIN_DELTA_E
    from the fixed ones. In the Material palette no other entry takes a role's colour, and
    each named entry then takes the colour of its name: a block's (``BLOCK_COLORS``), or the seed
    its name picks, layer types first, then aggregates, the last (the outermost, those drawn)
    first; where that fits. Other candidates come in the mode's order (Material, Okabe–Ito or
    hue gaps), then from a grid, farthest from everything chosen first; a candidate is taken
    only while it stays MIN_DELTA_E from every other displayed colour, and none is left then
    the farthest is taken anyway. Indices outside ``range(count)`` are ignored. So the same
    names get the same colours in every figure, unless two of them meet on one.
    """
    fixed = tuple(sorted((i, c) for i, c in (fixed or {}).items() if 0 <= i < count))
    by_role = ROLE_COLORS.get(mode, {})
    firsts = {}
    for i, role in sorted((roles or {}).items()):
        if role in by_role and 0 <= i < count and i not in aggregates:
            firsts.setdefault(role, i)
    seeds = [c for c in _seeds(mode) if c not in by_role.values() and not _looks_grey(c)] or [
        c for c in _seeds(mode) if not _looks_grey(c)]
    named = {i: BLOCK_COLORS.get(name) or seeds[zlib.crc32(name.encode()) % len(seeds)]
             for i, name in (names or {}).items()
             if 0 <= i < count and mode in KEEPS_ROLE_COLORS}  # Okabe–Ito has too few
    preferred = sorted((i, by_role[role]) for role, i in firsts.items())
    preferred += sorted((i, c) for i, c in named.items()
                        if i not in aggregates and i not in firsts.values())
    preferred += sorted(((i, c) for i, c in named.items() if i in aggregates), reverse=True)
    return list(_proposed(count, mode, frozenset(aggregates), fixed, tuple(preferred)))


@lru_cache(maxsize=256)
def _proposed(count: int, mode: str, aggregates: frozenset[int],
              fixed: tuple[tuple[int, str], ...],
              preferred: tuple[tuple[int, str], ...] = ()) -> tuple[str, ...]:
    """``propose_colors``, remembered: a figure asks the same at every action, and a few
    hundred ΔE computations would take most of a toggle's time."""
    kept = set(ROLE_COLORS[mode].values()) if mode in KEEPS_ROLE_COLORS else set()
    chooser, chosen = _Chooser(c for c in _seeds(mode) if c not in kept), dict(fixed)
    for i, color in chosen.items():
        chooser.add(color, i in aggregates)
    for i, color in preferred:
        if i not in chosen and chooser.fits(color, i in aggregates):
            chooser.add(color, i in aggregates)
            chosen[i] = color
    return tuple(chosen[i] if i in chosen else chooser.choose(i in aggregates)
                 for i in range(count))


def ciede2000(a: str, b: str) -> float:
    """The CIEDE2000 difference of two ``#RRGGBB`` colours (kL = kC = kH = 1)."""
    return _delta_e00(_lab(a), _lab(b))


@functools.lru_cache(maxsize=1024)  # a figure darkens its few colours once per glyph
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


class _Chooser:
    """The displayed colours chosen so far and the candidates left: the seeds in their
    order, then the grid, farthest first."""

    def __init__(self, seeds: Iterable[str]):
        seeds = tuple(seeds)
        self._seeds = {False: list(seeds), True: list(seeds)}  # per kind of entry
        self._used: set[str] = set()
        self._chosen: list[Lab] = []
        self._heaps: dict[bool, list[tuple[float, int, int]]] = {}

    def add(self, color: str, aggregate: bool) -> None:
        self._used.add(color.upper())
        self._chosen.append(_lab(fill_of(color, aggregate)))

    def choose(self, aggregate: bool) -> str:
        color = self._first_fitting_seed(aggregate) or self._farthest_of_grid(aggregate)
        self.add(color, aggregate)
        return color

    def _first_fitting_seed(self, aggregate: bool) -> str | None:
        """The first seed left that fits; those passed over never fit this kind of entry again,
        as the chosen colours only grow."""
        seeds = self._seeds[aggregate]
        while seeds:
            color = seeds.pop(0)
            if self.fits(color, aggregate):
                return color
        return None

    def fits(self, color: str, aggregate: bool) -> bool:
        shown = fill_of(color, aggregate)
        return (color not in self._used and not _looks_grey(color) and not _looks_grey(shown)
                and _nearest(_lab(shown), self._chosen, MIN_DELTA_E, MIN_DELTA_E) >= MIN_DELTA_E)

    def _farthest_of_grid(self, aggregate: bool) -> str:
        """The unused grid colour whose displayed colour is farthest from every chosen one.

        Lazy greedy: a heap of upper bounds of each candidate's distance to the chosen colours
        (distances only shrink as colours are chosen), brought up to date only at its top.
        """
        colors, labs = _grid(), _grid_labs(aggregate)
        if aggregate not in self._heaps:  # no candidate measured: all bounds infinite, a heap
            self._heaps[aggregate] = [(-math.inf, i, 0) for i in range(len(colors))]
        heap = self._heaps[aggregate]
        while heap:
            bound, index, seen = heap[0]
            if colors[index] in self._used:
                heapq.heappop(heap)
            elif seen == len(self._chosen):
                heapq.heappop(heap)
                return colors[index]
            else:
                nearest = _nearest(labs[index], self._chosen[seen:], -bound)
                heapq.heapreplace(heap, (-nearest, index, len(self._chosen)))
        return colors[len(self._chosen) % len(colors)]  # more entries than the grid has colours


def _seeds(mode: str) -> tuple[str, ...]:
    if mode == "hue_gap":
        return tuple(_hsv_hex(hue) for hue in _hue_gaps(_HUE_GAP_CANDIDATES))
    return OKABE_ITO if mode == "colorblind" else MATERIAL + MATERIAL_LIGHT


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


def fill_of(color: str, aggregate: bool) -> str:
    """How an entry of ``color`` is filled: an aggregate darker than a layer type."""
    return darken(color, AGGREGATE_DARKENING) if aggregate else color


def _looks_grey(color: str) -> bool:
    """Grey is reserved for inactive and hidden entries; black is a colour (Okabe–Ito's first)."""
    _, a, b = _lab(color)
    return color != "#000000" and math.hypot(a, b) < MIN_CHROMA


def _nearest(lab: Lab, others: Iterable[Lab], bound: float = math.inf,
             enough: float = 0.0) -> float:
    """The smallest difference between ``lab`` and ``others`` when below ``bound`` (else
    ``bound``), or the first one found below ``enough``.

    An ``other`` whose lightness difference alone reaches the smallest so far is skipped: the
    other terms of CIEDE2000 add up to at least zero.
    """
    nearest = bound
    for lower, other in sorted((_lightness_term(lab[0], other[0]), other) for other in others):
        if lower >= nearest:
            break
        nearest = min(nearest, _delta_e00(lab, other))
        if nearest < enough:
            break
    return nearest


@lru_cache(maxsize=None)
def _grid() -> tuple[str, ...]:
    """The grid's distinct colours that are in sRGB and not grey, also when darkened."""
    colors = (_lch_hex(lightness, chroma, hue) for hue in _GRID_HUES
              for lightness in _GRID_LIGHTNESSES for chroma in _GRID_CHROMAS)
    return tuple(dict.fromkeys(c for c in colors if c and not _looks_grey(c)
                               and not _looks_grey(fill_of(c, True))))


@lru_cache(maxsize=None)
def _grid_labs(aggregate: bool) -> tuple[Lab, ...]:
    return tuple(_lab(fill_of(color, aggregate)) for color in _grid())


@lru_cache(maxsize=4096)
def _lab(color: str) -> Lab:
    """CIELAB (D65) of an sRGB ``#RRGGBB`` colour."""
    linear = [_linear(int(color[i:i + 2], 16) / 255) for i in (1, 3, 5)]
    x, y, z = (_f(sum(m * c for m, c in zip(row, linear)) / w)
               for row, w in zip(_TO_XYZ, _WHITE))
    return 116 * y - 16, 500 * (x - y), 200 * (y - z)


def _lch_hex(lightness: float, chroma: float, hue: float) -> str | None:
    """CIE LCh (D65) as ``#RRGGBB``, or None outside sRGB."""
    fy = (lightness + 16) / 116
    fx = fy + chroma * math.cos(math.radians(hue)) / 500
    fz = fy - chroma * math.sin(math.radians(hue)) / 200
    xyz = [w * _f_inverse(f) for w, f in zip(_WHITE, (fx, fy, fz))]
    linear = [sum(m * c for m, c in zip(row, xyz)) for row in _FROM_XYZ]
    if not all(0 <= c <= 1 for c in linear):
        return None
    return "#{:02X}{:02X}{:02X}".format(*(round(_gamma(c) * 255) for c in linear))


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _gamma(channel: float) -> float:
    return channel * 12.92 if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055


def _f(t: float) -> float:
    return t ** (1 / 3) if t > _EPSILON else t / (3 * (6 / 29) ** 2) + 4 / 29


def _f_inverse(f: float) -> float:
    return f ** 3 if f > 6 / 29 else 3 * (6 / 29) ** 2 * (f - 4 / 29)


def _delta_e00(lab1: Lab, lab2: Lab) -> float:
    """CIEDE2000 (Sharma, Wu & Dalal 2005) with kL = kC = kH = 1; hues in radians."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    stretch = 1.5 - 0.5 * _chroma_ratio((math.hypot(a1, b1) + math.hypot(a2, b2)) / 2)
    c1, h1 = _chroma_hue(stretch * a1, b1)
    c2, h2 = _chroma_hue(stretch * a2, b2)
    dh, mean_h = _hue_difference_and_mean(h1, h2, c1 == 0 or c2 == 0)
    mean_c = (c1 + c2) / 2
    t = (1 - 0.17 * math.cos(mean_h - 30 * _DEG) + 0.24 * math.cos(2 * mean_h)
         + 0.32 * math.cos(3 * mean_h + 6 * _DEG) - 0.20 * math.cos(4 * mean_h - 63 * _DEG))
    rotation = (-2 * _chroma_ratio(mean_c)
                * math.sin(60 * _DEG * math.exp(-(((mean_h - 275 * _DEG) / (25 * _DEG)) ** 2))))
    dl = _lightness_term(l1, l2)
    dc = (c2 - c1) / (1 + 0.045 * mean_c)
    dh = 2 * math.sqrt(c1 * c2) * math.sin(dh / 2) / (1 + 0.015 * mean_c * t)
    return math.sqrt(dl * dl + dc * dc + dh * dh + rotation * dc * dh)


def _lightness_term(l1: float, l2: float) -> float:
    """|ΔL′| / S_L of CIEDE2000: a lower bound of the whole difference."""
    offset = (l1 + l2) / 2 - 50
    return abs(l2 - l1) / (1 + 0.015 * offset * offset / math.sqrt(20 + offset * offset))


def _chroma_ratio(chroma: float) -> float:
    """√(C⁷ / (C⁷ + 25⁷)): near 0 for neutral colours, near 1 for vivid ones."""
    power = chroma ** 7
    return math.sqrt(power / (power + 25 ** 7))


def _chroma_hue(a: float, b: float) -> tuple[float, float]:
    """Chroma and hue angle in [0, 2π); the hue of a neutral is 0."""
    return math.hypot(a, b), (math.atan2(b, a) % _TAU if a or b else 0.0)


def _hue_difference_and_mean(h1: float, h2: float, neutral: bool) -> tuple[float, float]:
    """h2 − h1 the short way round and the mean hue; a neutral colour has no hue."""
    if neutral:
        return 0.0, h1 + h2
    difference = h2 - h1
    if abs(difference) <= math.pi:
        return difference, (h1 + h2) / 2
    mean = (h1 + h2 + _TAU) / 2 if h1 + h2 < _TAU else (h1 + h2 - _TAU) / 2
    return difference - _TAU if difference > 0 else difference + _TAU, mean
