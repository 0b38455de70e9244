"""The visual grammar as a reader sees it in the SVG (SPEC §4, §6.3, §7)."""
from __future__ import annotations

import keras
import pytest
from keras import layers

import svg_geometry as geo
from net2vis_widget import figure
from net2vis_widget.palette import ROLE_COLORS


def side_heights(polygon):
    """(left side height, right side height) of a single-handle glyph."""
    left, _, right, _ = geo.bbox(polygon)
    height_at = lambda x: (max(y for px, y in polygon if abs(px - x) < geo.EPS)  # noqa: E731
                           - min(y for px, y in polygon if abs(px - x) < geo.EPS))
    return height_at(left), height_at(right)


def width(polygon):
    left, _, right, _ = geo.bbox(polygon)
    return right - left


@pytest.fixture(scope="module")
def small_cnn():
    inputs = keras.Input((64, 64, 3), name="image")
    x = layers.Conv2D(16, 3, padding="same", name="conv_a")(inputs)
    x = layers.MaxPooling2D(name="pool")(x)
    x = layers.Conv2D(64, 3, padding="same", name="conv_b")(x)
    x = layers.UpSampling2D(name="up")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, name="classes")(x)
    return keras.Model(inputs, outputs, name="small_cnn")


def glyphs_of(model, **preferences):
    return geo.glyphs(geo.parse(figure(model, **preferences).to_svg()))


def test_pooling_layer_narrows_to_the_right(small_cnn):
    left, right = side_heights(glyphs_of(small_cnn)["pool"])
    assert right < left - 1


def test_upsampling_layer_widens_to_the_right(small_cnn):
    left, right = side_heights(glyphs_of(small_cnn)["up"])
    assert right > left + 1


def test_same_size_convolution_is_a_rectangle_at_full_height(small_cnn):
    left, right = side_heights(glyphs_of(small_cnn)["conv_a"])
    assert left == right == 100


def test_width_grows_with_feature_channels_from_min_to_max(small_cnn):
    glyphs = glyphs_of(small_cnn)
    assert width(glyphs["image"]) == 20 and width(glyphs["conv_b"]) == 80
    assert 20 < width(glyphs["conv_a"]) < width(glyphs["conv_b"])


def test_log_scale_widens_narrow_layers(small_cnn):
    linear, log = glyphs_of(small_cnn)["conv_a"], glyphs_of(small_cnn, scale="log")["conv_a"]
    assert width(log) > width(linear)


def test_dense_layers_get_min_width_and_no_border(small_cnn):
    root = geo.parse(figure(small_cnn).to_svg())
    dense = next(g for g in geo.elements(root, "n2v-layer") if g.get("data-id") == "classes")
    assert width(geo.points(dense)) == 20 and dense.get("stroke") is None
    conv = next(g for g in geo.elements(root, "n2v-layer") if g.get("data-id") == "conv_a")
    assert conv.get("stroke") is not None


def test_channels_first_reads_the_first_axis_as_channels():
    inputs = keras.Input((8, 32, 32), name="x")
    outputs = layers.Activation("relu", name="act")(inputs)
    root = geo.parse(figure(keras.Model(inputs, outputs), channels_first=True).to_svg())
    assert geo.text_of(root, "n2v-feature") == ["8", "8"]
    assert "32×32" in geo.text_of(root, "n2v-dimension")


def test_dimension_and_feature_labels_show_sizes_but_not_for_dense_layers(small_cnn):
    root = geo.parse(figure(small_cnn).to_svg())
    assert geo.text_of(root, "n2v-dimension") == ["64×64", "64×64", "64×64", "32×32", "32×32",
                                                   "64×64", "1×1"]  # global pooling makes 1×1
    assert geo.text_of(root, "n2v-feature") == ["3", "16", "16", "64", "64", "64", "10"]


def test_three_dimensional_shapes_are_labelled_with_three_axes(custom_models):
    root = geo.parse(figure(custom_models["voxnet"]).to_svg())
    assert "30×30×30" in geo.text_of(root, "n2v-dimension")


def test_a_model_built_for_any_size_is_drawn_at_the_size_given_never_as_question_marks():
    inputs = keras.Input((None, None, 3), name="x")
    model = keras.Model(inputs, layers.Conv2D(4, 3)(inputs), name="fcn")
    with pytest.raises(ValueError, match=r"'fcn' is built for inputs of any size \(\?, \?, 3\): "
                                         r"pass input_size.*such as \(64, 64, 3\)"):
        figure(model)
    root = geo.parse(figure(model, input_size=(32, 32, 3)).to_svg())
    assert {"32×32", "30×30"} == set(geo.text_of(root, "n2v-dimension"))


def test_an_application_built_for_any_size_is_drawn_at_its_documented_size_and_says_so():
    with pytest.warns(UserWarning, match=r"'MobileNetV3Small' is built for inputs of any size; "
                                         r"drawn at 224×224"):
        fig = figure(keras.applications.MobileNetV3Small(weights=None))
    assert "?×?" not in geo.text_of(geo.parse(fig.to_svg()), "n2v-dimension")


def test_labels_can_be_switched_off_and_names_on(small_cnn):
    root = geo.parse(figure(small_cnn, show_dimensions=False, show_features=False,
                            show_names=True).to_svg())
    assert not geo.elements(root, "n2v-dimension") and not geo.elements(root, "n2v-feature")
    assert geo.text_of(root, "n2v-name")[:2] == ["Input", "Conv"]  # the word papers use


def test_sample_placeholders_sit_before_the_input_and_after_the_output(small_cnn):
    root = geo.parse(figure(small_cnn, show_samples=True).to_svg())
    before, after = sorted(geo.elements(root, "n2v-sample"), key=lambda r: float(r.get("x")))
    glyphs = geo.glyphs(root)
    assert float(before.get("x")) + float(before.get("width")) < geo.bbox(glyphs["image"])[0]
    assert float(after.get("x")) > geo.bbox(glyphs["classes"])[2]
    assert float(before.get("width")) == 100


def test_legend_has_one_entry_per_layer_type_coloured_by_its_role(small_cnn):
    root = geo.parse(figure(small_cnn).to_svg())
    items = geo.elements(root, "n2v-legend-item")
    keys = [item.get("data-key") for item in items]
    assert keys == ["Input", "Conv2D", "MaxPooling2D", "UpSampling2D",
                    "GlobalAveragePooling2D", "Dense"]
    fills = [next(iter(geo.elements(item, "n2v-legend-glyph"))).get("fill") for item in items]
    roles = ["input", "convolution", "pooling", "upsampling", "global_pooling", "dense"]
    assert fills == [ROLE_COLORS["palette"][role] for role in roles]
    assert geo.glyphs(root)["conv_b"] and all(
        g.get("fill") == fills[1] for g in geo.elements(root, "n2v-layer")
        if g.get("data-type") == "Conv2D")


def test_legend_lies_below_the_graph(small_cnn):
    root = geo.parse(figure(small_cnn).to_svg())
    graph_bottom = max(geo.bbox(p)[3] for p in geo.glyphs(root).values())
    legend_top = min(geo.bbox(geo.points(g))[1] for g in geo.elements(root, "n2v-legend-glyph"))
    assert legend_top > graph_bottom


def test_legend_reverse_and_legend_off(small_cnn):
    root = geo.parse(figure(small_cnn, legend_reverse=True).to_svg())
    assert geo.elements(root, "n2v-legend-item")[0].get("data-key") == "Dense"
    assert not geo.elements(geo.parse(figure(small_cnn, legend=False).to_svg()), "n2v-legend-item")


def test_colour_modes_use_their_palettes(small_cnn):
    root = geo.parse(figure(small_cnn, color_mode="colorblind").to_svg())
    conv = ROLE_COLORS["colorblind"]["convolution"]
    assert geo.glyphs(root) and geo.elements(root, "n2v-layer")[1].get("fill") == conv
    root = geo.parse(figure(small_cnn, color_mode="hue_gap").to_svg())
    fills = [g.get("fill") for g in geo.elements(root, "n2v-legend-glyph")]
    assert fills[0] == "#246BB3" and len(set(fills)) == len(fills)


def test_aliases_and_colours_override_per_type(small_cnn):
    root = geo.parse(figure(small_cnn, aliases={"Conv2D": "Conv"},
                            colors={"Conv2D": "#123456"}).to_svg())
    item = next(i for i in geo.elements(root, "n2v-legend-item") if i.get("data-key") == "Conv2D")
    assert geo.text_of(item, "n2v-label") == ["Conv"]
    assert geo.elements(root, "n2v-layer")[1].get("fill") == "#123456"


def test_bad_preferences_and_colours_are_refused(small_cnn):
    with pytest.raises(TypeError, match="unknown preference"):
        figure(small_cnn, max_hieght=3)
    with pytest.raises(ValueError, match="scale"):
        figure(small_cnn, scale="cubic")
    with pytest.raises(ValueError, match="#RRGGBB"):
        figure(small_cnn, colors={"Conv2D": "red"})


def test_two_renders_are_identical_bytes(application):
    model = application("ResNet50")
    assert figure(model).to_svg() == figure(model).to_svg()


def test_model_derived_text_is_escaped_and_reads_as_typed():
    class Odd(layers.Layer):
        def call(self, x):
            return x

    inputs = keras.Input((4,), name='a<b&"c"')
    model = keras.Model(inputs, Odd(name="é'&>")(inputs), name="<model & co>")
    root = geo.parse(figure(model, show_names=True, aliases={"Odd": "<odd & \"rare\">"}).to_svg())
    assert {g.get("data-id") for g in geo.elements(root, "n2v-layer")} == {'a<b&"c"', "é'&>"}
    assert root.find(geo.SVG + "title").text == "<model & co>"
    assert "<odd & \"rare\">" in geo.text_of(root, "n2v-name")


def test_document_is_standalone(application):
    text = figure(application("VGG19")).to_svg()
    root = geo.parse(text)
    assert root.get("viewBox")
    # every text is inside a group naming the font (converters do not inherit it from <svg>)
    fonted = [t for g in root.iter(geo.SVG + "g") if "sans-serif" in g.get("font-family", "")
              for t in g.iter(geo.SVG + "text")]
    assert len(fonted) == len(list(root.iter(geo.SVG + "text"))) > 0
    assert "<script" not in text and "href" not in text
