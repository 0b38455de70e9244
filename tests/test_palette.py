"""Legend colours (SPEC §4.4): no two entries of one legend share a colour or look alike
(aggregates included); grey means inactive or hidden."""
from __future__ import annotations

import itertools
import math
import time

import pytest

from net2vis_widget.palette import (AGGREGATE_DARKENING, MATERIAL, MIN_CHROMA, MIN_DELTA_E,
                                    OKABE_ITO, ROLE_COLORS, _delta_e00, _lab, ciede2000, darken,
                                    propose_colors)

MODES = ("palette", "colorblind", "hue_gap")
BLACK = "#000000"
KEPT = set(ROLE_COLORS["palette"].values())
FREE = [c for c in MATERIAL if c not in KEPT and c not in ("#9E9E9E", "#607D8B")]  # not grey


def no_aggregates(count: int) -> frozenset[int]:
    return frozenset()


def every_third(count: int) -> frozenset[int]:
    return frozenset(range(2, count, 3))


def displayed(colors: list[str], aggregates: frozenset[int]) -> list[str]:
    return [darken(c, AGGREGATE_DARKENING) if i in aggregates else c for i, c in enumerate(colors)]


def smallest_difference(colors: list[str]) -> float:
    return min((ciede2000(a, b) for a, b in itertools.combinations(colors, 2)), default=math.inf)


def chroma(color: str) -> float:
    _, a, b = _lab(color)
    return math.hypot(a, b)


# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula", table 1: all 34 pairs.
SHARMA = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert _delta_e00(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert _delta_e00(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_ciede2000_of_hex_colours():
    assert ciede2000("#2196F3", "#2196F3") == 0
    assert ciede2000("#000000", "#FFFFFF") == pytest.approx(100, abs=1e-3)
    assert ciede2000("#2196F3", "#03A9F4") < MIN_DELTA_E  # Material's blue and light blue


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pattern", [no_aggregates, every_third], ids=["types", "aggregates"])
def test_no_two_entries_look_alike_and_none_looks_grey(mode, pattern):
    for count in range(1, 61):
        aggregates = pattern(count)
        colors = propose_colors(count, mode, aggregates)
        shown = displayed(colors, aggregates)
        assert len(colors) == count and len(set(colors)) == count
        assert all(c == c.upper() and len(c) == 7 and c[0] == "#" for c in colors)
        floor = MIN_DELTA_E if count <= 30 else 10
        assert smallest_difference(shown) >= floor, (mode, count)
        greys = [c for c in shown + colors if c != BLACK and chroma(c) < MIN_CHROMA]
        assert not greys, (mode, count)
        assert BLACK not in colors or mode == "colorblind"


def test_black_is_okabe_itos_first_colour_not_a_grey():
    assert propose_colors(1, "colorblind") == [BLACK]
    assert propose_colors(1, "colorblind", aggregates={0}) == [BLACK]


def test_material_grey_and_blue_grey_are_never_proposed():
    colors = propose_colors(60, "palette", every_third(60))
    assert "#9E9E9E" not in colors and "#607D8B" not in colors


@pytest.mark.parametrize("count", range(1, 5))
def test_small_figures_keep_the_palettes_first_colours(count):
    assert propose_colors(count, "palette") == FREE[:count]  # those no role keeps
    assert propose_colors(count, "colorblind") == list(OKABE_ITO[:count])
    assert propose_colors(count, "hue_gap")[0] == "#246BB3"


def test_a_role_has_one_colour_wherever_its_first_layer_type_stands():
    roles = ["input", "convolution", "normalization", "activation", "add", "dense"]
    colors = propose_colors(6, "palette", roles=dict(enumerate(roles)))
    shuffled = propose_colors(6, "palette", roles=dict(enumerate(reversed(roles))))
    assert colors == [ROLE_COLORS["palette"][r] for r in roles] == shuffled[::-1]
    assert propose_colors(2, "colorblind", roles={0: "convolution", 1: "normalization"}) == [
        "#0072B2", "#F0E442"]


def test_a_second_layer_type_of_a_role_and_an_aggregate_take_other_colours():
    colors = propose_colors(4, "palette", {3}, roles={0: "convolution", 1: "convolution",
                                                      2: "other"})
    assert colors[0] == ROLE_COLORS["palette"]["convolution"]
    assert not KEPT & set(colors[1:])
    assert smallest_difference(displayed(colors, frozenset({3}))) >= MIN_DELTA_E


def test_the_users_colour_wins_over_a_roles():
    blue = ROLE_COLORS["palette"]["convolution"]
    colors = propose_colors(2, "palette", fixed={1: blue}, roles={0: "convolution"})
    assert colors[1] == blue and colors[0] != blue


def test_all_of_okabe_ito_comes_first_in_colorblind_mode():
    assert propose_colors(12, "colorblind")[:len(OKABE_ITO)] == list(OKABE_ITO)


def test_palette_colours_too_close_to_earlier_ones_are_skipped():
    colors = propose_colors(17, "palette", roles={0: "convolution"})
    assert colors[:3] == ["#2196F3", "#8BC34A", "#FFC107"]
    assert "#03A9F4" not in colors  # light blue, next to the first entry's blue


def test_an_aggregate_does_not_take_a_colour_its_darkened_fill_would_confuse():
    roles = dict(enumerate(["convolution", "dense", "activation", "normalization", "pooling"]))
    colors = propose_colors(6, "palette", aggregates={5}, roles=roles)
    assert colors[:5] == [ROLE_COLORS["palette"][r] for r in roles.values()]
    fill = darken(colors[5], AGGREGATE_DARKENING)
    assert min(ciede2000(fill, c) for c in colors[:5]) >= MIN_DELTA_E


@pytest.mark.parametrize("mode", MODES)
def test_same_inputs_give_the_same_colours(mode):
    first = propose_colors(45, mode, every_third(45), {4: "#123456"})
    assert propose_colors(45, mode, every_third(45), {4: "#123456"}) == first


@pytest.mark.parametrize("mode", MODES)
def test_more_entries_keep_the_colours_of_the_first_ones(mode):
    assert propose_colors(60, mode)[:25] == propose_colors(25, mode)


def test_fixed_colours_are_returned_unchanged_and_kept_away_from():
    fixed = {0: "#8bc34a", 3: "#9E9E9E", 7: "#2196F3"}
    aggregates = frozenset({3, 5})
    colors = propose_colors(12, "palette", aggregates, fixed)
    assert [colors[i] for i in fixed] == list(fixed.values())
    shown = displayed(colors, aggregates)
    proposed = [c for i, c in enumerate(shown) if i not in fixed]
    assert all(ciede2000(p, f) >= MIN_DELTA_E for p in proposed for f in
               (shown[i] for i in fixed))
    assert smallest_difference(proposed) >= MIN_DELTA_E
    assert "#8BC34A" not in colors and colors.count("#2196F3") == 1


def test_fixed_indices_outside_the_entries_are_ignored():
    assert propose_colors(3, "palette", fixed={5: "#8BC34A"}) == FREE[:3]


def test_the_old_positional_call_still_works():
    assert propose_colors(2, "palette") == FREE[:2]
    assert propose_colors(0, "hue_gap") == []


@pytest.mark.parametrize("mode", MODES)
def test_sixty_entries_take_well_under_fifty_milliseconds(mode):
    propose_colors(60, mode, every_third(60))  # fills the grid's cache
    fastest = math.inf
    for _ in range(3):
        start = time.perf_counter()
        propose_colors(60, mode, every_third(60))
        fastest = min(fastest, time.perf_counter() - start)
    assert fastest < 0.05
