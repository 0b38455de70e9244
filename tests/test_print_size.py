"""Figures that fit the page (SPEC §4.5): the document's size in inches, text of at least
``font_size`` at that size, rows that wrap at cut points, and a legend that stays compact,
beside the graph or in a file of its own when asked."""
from __future__ import annotations

import keras
import networkx as nx
import pytest
from keras import layers

import svg_geometry as geo
from net2vis_widget import figure
from net2vis_widget.wrap import cut_ranks


def rows(root) -> int:
    return len(set(geo.rows_of(root).values()))


@pytest.mark.parametrize("page_width, inches", [("text", 7.0), ("column", 3.3), (5, 5.0)])
@pytest.mark.parametrize("font_size", [6, 7, 9])
def test_text_is_at_least_font_size_at_the_printed_width(application, page_width, inches,
                                                         font_size):
    fig = figure(application("ResNet50"), page_width=page_width, font_size=font_size)
    fig.auto_group()
    root = geo.parse(fig.to_svg())
    width, _ = geo.inches(root)
    assert width <= inches
    assert geo.smallest_text_points(root, width) == pytest.approx(font_size, abs=0.01)
    assert fig.state["preferences"]["page_width"] == inches  # the state keeps inches


def test_a_long_graph_wraps_into_rows_no_wider_than_the_page(application):
    fig = figure(application("ResNet50"), auto_group=False)  # 170 glyphs, ~9,400 units long
    root = geo.parse(fig.to_svg())
    width, height = geo.inches(root)
    assert rows(root) > 5 and width <= 7
    assert geo.smallest_text_points(root, 7) >= 6.5  # a last-stage block is wider than 7 in
    assert geo.problems(root) == []
    fig.update(page_width=100)  # a page wide enough: one row
    assert rows(geo.parse(fig.to_svg())) == 1


def test_rows_break_only_where_one_layer_carries_everything_forward(application):
    """Each edge between two rows leaves the last column of its row, and only one glyph
    sends edges from one row into the next (ResNet50: between its residual blocks; at 10 in,
    where each block fits a row)."""
    fig = figure(application("ResNet50"), page_width=10)
    root = geo.parse(fig.to_svg())
    row_of = geo.rows_of(root)
    crossing = [(e.get("data-source"), e.get("data-target")) for e in
                geo.elements(root, "n2v-edge")
                if row_of[e.get("data-source")] != row_of[e.get("data-target")]]
    assert all(row_of[t] == row_of[s] + 1 for s, t in crossing)
    sources = {row_of[s]: set() for s, _ in crossing}
    for s, _ in crossing:
        sources[row_of[s]].add(s)
    assert len(sources) == rows(root) - 1 and all(len(v) == 1 for v in sources.values())
    rank = fig.rendering.placement.rank
    assert {rank[s] for s, _ in crossing} <= set(cut_ranks(fig.folded, rank))


def test_where_blocks_are_wider_than_the_page_rows_break_between_a_few_edges(application):
    """At 7 in, a last-stage block of ResNet50 is wider than the page: its row breaks where
    at most three glyphs send edges on, the edges nested on their way, crossing nothing."""
    fig = figure(application("ResNet50"), auto_group=False)
    root = geo.parse(fig.to_svg())
    row_of = geo.rows_of(root)
    assert max(row_of.values()) >= 5 and geo.problems(root) == []
    sources = {}
    for e in geo.elements(root, "n2v-edge"):
        s, t = e.get("data-source"), e.get("data-target")
        for row in range(row_of[s], row_of[t]):
            sources.setdefault(row, set()).add(s)
    assert max(len(v) for v in sources.values()) in (2, 3)


def test_a_unet_is_never_cut_between_its_encoder_and_decoder(custom_models):
    fig = figure(custom_models["unet"])
    rank = fig.rendering.placement.rank
    skips = [e for e in fig.folded.edges if rank[e.target] - rank[e.source] > 1]
    assert skips
    first, last = min(rank[e.source] for e in skips), max(rank[e.target] for e in skips)
    assert not [r for r in cut_ranks(fig.folded, rank) if first < r < last]


def test_a_figure_that_fits_stays_in_one_row(application):
    fig = figure(application("VGG19"), repeat_marks=True)
    fig.auto_group()
    root = geo.parse(fig.to_svg())
    assert rows(root) == 1 and not geo.edges_off_the_grid(root) and not geo.bent_edges(root)


def test_wide_fans_keep_glyphs_within_three_max_heights(application):
    fig = figure(application("InceptionV3"))
    for max_height in (100, 60):
        fig.update(max_height=max_height)
        root = geo.parse(fig.to_svg())
        assert geo.tallest_glyph(root) <= 3 * max_height + 0.05
        assert geo.problems(root) == []


@pytest.mark.parametrize("name", ["ResNet50", "InceptionV3", "NASNetMobile"])
def test_legend_compositions_have_no_crossing_edges(application, name):
    model = (application(name) if name != "NASNetMobile"
             else keras.applications.NASNetMobile(weights=None))
    fig = figure(model)
    fig.auto_group()
    root = geo.parse(fig.to_svg())
    assert geo.elements(root, "n2v-legend-edge")
    planar = {a.name for a in fig.snapshot.aggregates if is_planar(a)}
    assert planar
    crossings = geo.legend_crossings(root)
    assert {key: found for key, found in crossings.items() if key in planar and found} == {}
    assert geo.legend_share(root) <= 1 / 3


def is_planar(aggregate) -> bool:
    """The aggregate's graph, its entries joined where they come from (outside), is planar."""
    graph = nx.Graph([(str(a), str(b)) for a, b in aggregate.edges])
    graph.add_edges_from((f"entry{-1 - s}", str(i)) for i, row in enumerate(aggregate.sources)
                         for s in row if s < 0)
    graph.add_edges_from(("outside", f"entry{k}") for k in range(aggregate.entries))
    return nx.check_planarity(graph)[0]


def test_a_composition_starts_after_its_equals_sign(application):
    fig = figure(application("ResNet50"))
    fig.auto_group()
    root = geo.parse(fig.to_svg())
    for item in geo.elements(root, "n2v-legend-item"):
        equals = [t for t in geo.elements(item, "n2v-legend") if t.text == "="]
        if equals:
            sign_right = geo.bbox(geo.label_box(equals[0]))[2]
            drawn = [geo.bbox(geo.points(e)) for e in geo.elements(item, "n2v-legend-edge")]
            drawn += [geo.bbox(geo.points(g)) for g in geo.elements(item, "n2v-legend-glyph")[1:]]
            assert min(box[0] for box in drawn) >= sign_right


def test_legend_right_stands_beside_the_graph(application):
    fig = figure(application("VGG19"), legend="right", page_width=12)
    root = geo.parse(fig.to_svg())
    graph_right = max(geo.bbox(p)[2] for p in geo.glyphs(root).values())
    legend = [geo.bbox(geo.points(g)) for g in geo.elements(root, "n2v-legend-glyph")]
    assert legend and min(box[0] for box in legend) > graph_right
    graph_top = min(geo.bbox(p)[1] for p in geo.glyphs(root).values())
    assert min(box[1] for box in legend) < graph_top + 100  # level with the graph, not under it


def test_legend_separate_is_saved_to_a_file_of_its_own(application, tmp_path):
    fig = figure(application("VGG19"), legend="separate")
    root = geo.parse(fig.to_svg())
    assert not geo.elements(root, "n2v-legend-item")
    fig.save(tmp_path / "vgg.svg")
    legend = geo.parse((tmp_path / "vgg-legend.svg").read_text())
    keys = {item.get("data-key") for item in geo.elements(legend, "n2v-legend-item")}
    assert {"Conv2D", "MaxPooling2D", "Dense"} <= keys
    assert geo.inches(legend)[0] <= 7 and not geo.glyphs(legend)
    fig.save(tmp_path / "vgg.pdf")
    assert (tmp_path / "vgg-legend.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("value, message", [
    ("a4", r'page_width must be "column" or "text" or a finite number'),
    (0.5, r"page_width must be .* from 1 to 100, got 0.5"),
    (True, r"page_width must be"),
])
def test_a_bad_page_width_is_refused_and_changes_nothing(application, value, message):
    fig = figure(application("VGG19"))
    before = fig.to_svg()
    with pytest.raises(ValueError, match=message):
        fig.update(page_width=value)
    assert fig.to_svg() == before


def test_an_input_size_gives_a_keras_model_without_one_its_resolutions():
    model = keras.applications.VGG19(weights=None, include_top=False)
    root = geo.parse(figure(model, input_size=(224, 224, 3)).to_svg())
    dimensions = geo.text_of(root, "n2v-dimension")
    assert dimensions[0] == "224×224" and "7×7" in dimensions and "?×?" not in dimensions


def _skip_then_one(count: int):
    """``count`` convolutions under one skip link (no cut inside), its Add, one more."""
    inputs = keras.Input((32, 32, 3))
    stem = x = layers.Conv2D(16, 3, padding="same")(inputs)
    for _ in range(count):
        x = layers.Conv2D(16, 3, padding="same")(x)
    x = layers.Add()([stem, x])
    return keras.Model(inputs, layers.Conv2D(8, 3)(x))


def test_a_glyph_or_two_are_not_left_alone_on_a_last_row_where_joining_keeps_7_pt_near():
    widths = {n: geo.inches(geo.parse(figure(_skip_then_one(n), page_width=30).to_svg()))[0]
              for n in range(1, 8)}
    count = next(n for n, width in widths.items() if 7.05 < width < 7.9)  # a little too wide
    root = geo.parse(figure(_skip_then_one(count)).to_svg())
    assert set(geo.rows_of(root).values()) == {0}  # one row, drawn a little smaller
    assert geo.smallest_text_points(root, 7) >= 6
