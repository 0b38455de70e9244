"""Aggregation on real models (SPEC §5): grouping rules, automatic grouping, life cycle, state."""
from __future__ import annotations

import json

import keras
import pytest
from keras import layers

import svg_geometry as geo
from net2vis_widget import figure
from net2vis_widget.examples import unet
from net2vis_widget.figure import READABLE_GLYPHS
from net2vis_widget.aggregate import GroupingError


def glyph_count(fig) -> int:
    return len(geo.elements(geo.parse(fig.to_svg()), "n2v-layer"))


BLOCK = ["b1_conv1", "b1_bn", "b1_relu1", "b1_conv2", "b1_add", "b1_out"]


# --- manual grouping and its rules ----------------------------------------------------------

def test_grouping_a_residual_block_folds_every_occurrence(residual):
    fig = figure(residual)
    assert fig.group(BLOCK, name="Residual") == "Residual"
    root = geo.parse(fig.to_svg())
    groups = [g for g in geo.elements(root, "n2v-layer") if "n2v-group" in geo.classes(g)]
    assert [g.get("data-type") for g in groups] == ["Residual", "Residual"]
    assert len(geo.elements(root, "n2v-layer")) == 16 - 12 + 2
    assert "Residual" in [i.get("data-key") for i in geo.elements(root, "n2v-legend-item")]


def test_a_single_layer_is_refused(residual):
    with pytest.raises(GroupingError, match="at least two"):
        figure(residual).group(["b1_bn"])


def test_a_disconnected_selection_is_refused(residual):
    with pytest.raises(GroupingError, match="not connected"):
        figure(residual).group(["b1_conv1", "b1_relu1"])


def test_a_selection_fed_from_two_layers_is_one_glyph_with_two_input_handles(residual):
    fig = figure(residual)
    name = fig.group(["b1_conv2", "b1_add"])  # fed by b1_relu1 and by stem
    glyphs = [n.id for n in fig.folded.nodes if n.type == name]
    assert [fig.folded.feeds[g] for g in glyphs] == [["b1_relu1", "stem"], ["b2_relu1", "b1_out"]]
    assert fig.state["aggregates"][0]["sources"] == [[-1], [-2, 0]]
    root = geo.parse(fig.to_svg())
    for g in glyphs:  # one edge, so one input handle, from each entry
        assert len([e for e in geo.elements(root, "n2v-edge") if e.get("data-target") == g]) == 2


def test_a_selection_fed_from_three_layers_is_refused_with_reason():
    a, b, c = (keras.Input((4,), name=n) for n in "abc")
    first = layers.Add(name="first")([a, b])
    model = keras.Model([a, b, c], layers.Add(name="second")([first, c]))
    with pytest.raises(GroupingError, match="several entries: data comes in from 'a', 'b', 'c'"):
        figure(model).group(["first", "second"])


def test_a_selection_with_a_hole_is_refused_with_reason(residual):
    with pytest.raises(GroupingError, match="a hole: 'b1_relu1', 'b1_conv2' lie between"):
        figure(residual).group(["stem", "b1_conv1", "b1_bn", "b1_add"])


def test_a_selection_with_two_exits_is_refused_with_reason(residual):
    with pytest.raises(GroupingError, match="several exits"):
        figure(residual).group(["stem", "b1_conv1"])  # stem also feeds the add


def test_a_parallel_selection_is_refused_with_reason(residual):
    with pytest.raises(GroupingError, match="several exits"):
        figure(residual).group(["b1_conv1", "b1_bn", "b1_relu1", "b1_conv2", "b1_add", "b1_out",
                                "b2_conv1"])  # b1_out feeds b2_conv1 and b2_add


def test_unknown_layers_and_taken_names_are_refused(residual):
    fig = figure(residual)
    with pytest.raises(GroupingError, match="no layer 'nope'"):
        fig.group(["nope", "b1_bn"])
    with pytest.raises(GroupingError, match="already names"):
        fig.group(["b1_conv1", "b1_bn"], name="Conv2D")


def test_a_refused_grouping_changes_nothing(residual):
    fig = figure(residual)
    fig.group(["b1_conv1", "b1_bn"], name="ConvBN")
    before_svg, before_state = fig.to_svg(), fig.state
    with pytest.raises(GroupingError):
        fig.group(["stem", "head"])
    assert fig.to_svg() == before_svg and fig.state == before_state


def test_selecting_between_two_layers_takes_every_path(residual):
    fig = figure(residual)
    assert fig.select_between("b1_out", "stem") == ["stem"] + BLOCK
    assert fig.group(fig.select_between("b1_conv1", "b1_out"))  # the block but its fork


# --- automatic grouping ---------------------------------------------------------------------

def test_auto_group_folds_vgg19_at_least_as_compactly_as_the_paper(application):
    fig = figure(keras.applications.VGG19(weights=None, include_top=False))
    assert glyph_count(fig) == 22
    fig.auto_group()
    assert glyph_count(fig) <= 12  # the paper's Fig. 7: 22 → 12 glyphs


def test_auto_group_reads_resnet50_as_stem_blocks_and_head(application):
    fig = figure(application("ResNet50"))
    fig.auto_group()
    root = geo.parse(fig.to_svg())
    glyphs = geo.elements(root, "n2v-layer")
    assert len(glyphs) <= 23  # the paper's Fig. 8: 178 → 23 glyphs
    blocks = [g for g in glyphs if "n2v-group" in geo.classes(g)
              and g.get("data-type").startswith("Bottleneck")]
    assert len(blocks) == 16  # one glyph per residual block


@pytest.mark.parametrize("name", ["InceptionV3", "MobileNetV2", "DenseNet121", "EfficientNetB0"])
def test_auto_group_shrinks_large_models(application, name):
    fig = figure(application(name) if name != "EfficientNetB0" else
                 keras.applications.EfficientNetB0(weights=None), auto_group=False)
    before = glyph_count(fig)
    fig.auto_group()
    assert glyph_count(fig) < before / 4


def test_repeat_marks_show_consecutive_blocks_once(application):
    fig = figure(application("ResNet50"))
    fig.auto_group()
    fig.update(repeat_marks=True)
    root = geo.parse(fig.to_svg())
    assert sorted(geo.text_of(root, "n2v-mark")) == ["×2", "×2", "×3", "×5"]
    assert len(geo.elements(root, "n2v-layer")) == 23 - 12 + 4 - 2  # padding hidden by default


# --- life cycle -----------------------------------------------------------------------------

def nested(fig):
    fig.group(["b1_conv1", "b1_bn"], name="ConvBN")
    fig.group(["b1_conv1", "b1_relu1"], name="Unit")  # ConvBN + ReLU
    return fig


def test_switching_an_aggregate_off_changes_that_one_only(residual):
    fig = nested(figure(residual))
    glyphs = [n.type for n in fig.folded.nodes]
    fig.set_active("ConvBN", False)
    assert [a["active"] for a in fig.state["aggregates"]] == [False, True]
    assert [n.type for n in fig.folded.nodes] == glyphs  # Unit still folds, from its layers
    (unit,) = [i for i in geo.elements(geo.parse(fig.to_svg()), "n2v-legend-item")
               if i.get("data-key") == "Unit"]
    members = {g.get("data-type") for g in geo.elements(unit, "n2v-legend-glyph")}
    assert {"Conv2D", "BatchNormalization"} <= members  # its composition says what it holds


def test_switching_an_inner_aggregate_off_and_on_gives_back_the_same_bytes(application):
    fig = figure(application("ResNet50"))
    fig.auto_group()
    before, glyphs = fig.to_svg(), len(fig.folded.nodes)
    fig.set_active("Conv×3", False)
    assert len(fig.folded.nodes) == glyphs  # the bottlenecks holding it stay folded
    fig.set_active("Conv×3", True)
    assert fig.to_svg() == before


def test_deactivate_then_activate_gives_back_the_same_bytes(residual):
    fig = nested(figure(residual))
    before = fig.to_svg()
    fig.set_active("Unit", False)
    assert fig.to_svg() != before
    fig.set_active("Unit", True)
    assert fig.to_svg() == before


def test_group_then_ungroup_gives_back_the_same_bytes(residual):
    fig = figure(residual)
    before = fig.to_svg()
    fig.ungroup(fig.group(BLOCK))
    assert fig.to_svg() == before


def test_ungrouping_expands_the_aggregate_inside_those_using_it(residual):
    fig = nested(figure(residual))
    folded = fig.to_svg()
    fig.ungroup("ConvBN")
    (unit,) = fig.state["aggregates"]
    assert unit["members"] == ["Conv2D", "BatchNormalization", "ReLU"]
    assert fig.to_svg().count('data-type="Unit"') == folded.count('data-type="Unit"')


def test_hiding_a_type_bypasses_its_layers_and_show_brings_them_back(residual):
    fig = figure(residual)
    before = fig.to_svg()
    fig.hide("BatchNormalization")
    root = geo.parse(fig.to_svg())
    assert "b1_bn" not in geo.glyphs(root)
    assert any(e.get("data-source") == "b1_conv1" and e.get("data-target") == "b1_relu1"
               for e in geo.elements(root, "n2v-edge"))
    assert "BatchNormalization" not in [i.get("data-key") for i in geo.elements(root, "n2v-legend-item")]
    fig.show("BatchNormalization")
    assert fig.to_svg() == before


def test_nested_models_become_active_aggregates_named_from_what_they_hold():
    block = keras.Sequential([keras.Input((8, 8, 4)), layers.Conv2D(4, 3, padding="same"),
                              layers.ReLU()], name="block")
    inputs = keras.Input((8, 8, 4), name="x")
    fig = figure(keras.Model(inputs, layers.Flatten(name="flat")(block(block(inputs)))))
    assert [(a["name"], a["origin"]) for a in fig.state["aggregates"]] == [("Conv–ReLU", "block")]
    assert glyph_count(fig) == 4
    assert {"made from": "block"} in [n.settings for n in fig.folded.nodes]  # in the tooltip
    fig.set_active("Conv–ReLU", False)
    assert glyph_count(fig) == 6


# --- state ----------------------------------------------------------------------------------

def test_state_is_json_and_restores_the_same_figure(residual):
    fig = nested(figure(residual, color_mode="colorblind"))
    fig.hide("Flatten")
    fig.update(aliases={"Unit": "Conv unit"}, colors={"ReLU": "#112233"})
    state = json.loads(json.dumps(fig.state))
    assert figure(residual, state=state).to_svg() == fig.to_svg()


def test_a_state_saved_before_aggregates_had_entries_still_loads(residual):
    fig = figure(residual)
    fig.group(BLOCK, name="Residual")
    old = {"name": "Residual", "members": ["Conv2D", "BatchNormalization", "ReLU", "Conv2D", "Add",
                                           "ReLU"],
           "edges": [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]], "inputs": [1, 0, 0, 0, 1, 0],
           "active": True}  # as the first release wrote it
    restored = figure(residual, state={**fig.state, "aggregates": [old]})
    assert restored.to_svg() == fig.to_svg()
    (converted,), (made,) = restored.state["aggregates"], fig.state["aggregates"]
    assert [sorted(row) for row in converted["sources"]] == [sorted(r) for r in made["sources"]]


def test_state_onto_an_edited_model_keeps_what_applies(residual):
    fig = nested(figure(residual))
    fig.update(colors={"Dense": "#123456", "BatchNormalization": "#654321"})
    inputs = keras.Input((16, 16, 8))
    x = layers.Conv2D(8, 3, padding="same")(inputs)
    edited = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(layers.ReLU()(x))))
    with pytest.warns(UserWarning, match="skipped"):
        restored = figure(edited, state=fig.state)
    assert restored.state["colors"] == {"Dense": "#123456"}
    assert restored.state["aggregates"] == []


def test_a_malformed_state_is_refused_clearly(residual):
    with pytest.raises(TypeError, match="state must be a dict"):
        figure(residual, state="groups.json")


def test_hiding_a_type_keeps_the_grouping_and_the_legend_drops_it(application):
    fig = figure(application("ResNet50"))
    fig.auto_group()
    glyphs = [n.type for n in fig.folded.nodes]
    fig.hide("BatchNormalization")
    assert [n.type for n in fig.folded.nodes] == glyphs  # the residual blocks still fold
    root = geo.parse(fig.to_svg())
    legend_types = {g.get("data-type") for g in geo.elements(root, "n2v-legend-glyph")}
    assert "BatchNormalization" not in legend_types and "Bottleneck" in legend_types
    fig.show("BatchNormalization")
    assert [n.type for n in fig.folded.nodes] == glyphs


# --- undo and redo ----------------------------------------------------------------------------

ACTIONS = {
    "auto_group": lambda fig: fig.auto_group(),
    "group": lambda fig: fig.group(BLOCK),
    "switch off": lambda fig: fig.set_active(fig.auto_group()[0], False),
    "ungroup": lambda fig: fig.ungroup(fig.auto_group()[-1]),
    "hide": lambda fig: fig.hide("BatchNormalization"),
    "rename": lambda fig: fig.update(aliases={"Conv2D": "Convolution"}),
    "preference": lambda fig: fig.update(spacing_horizontal=40),
    "open": lambda fig: fig.open_occurrence(
        next(n.id for n in (fig.auto_group() and fig.folded.nodes) if n.members)),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_undo_takes_back_each_kind_of_action_and_redo_makes_it_again(residual, action):
    fig = figure(residual)
    before = fig.to_svg()
    ACTIONS[action](fig)
    after, steps = fig.to_svg(), fig.history["undo"]
    assert after != before and steps >= 1
    for _ in range(steps):
        fig.undo()
    assert fig.to_svg() == before and fig.history == {"undo": 0, "redo": steps}
    for _ in range(steps):
        fig.redo()
    assert fig.to_svg() == after


def test_an_action_after_undo_forgets_what_was_undone_and_nothing_is_no_step(residual):
    fig = figure(residual)
    fig.update(scale="log")
    fig.update(scale="log")  # no change: no step
    assert fig.history == {"undo": 1, "redo": 0}
    fig.undo()
    fig.hide("BatchNormalization")
    assert fig.history == {"undo": 1, "redo": 0}
    with pytest.raises(ValueError, match="nothing to redo"):
        fig.redo()
    fig.undo()
    with pytest.raises(ValueError, match="nothing to undo"):
        fig.undo()
    assert "history" not in fig.state  # part of nothing saved


# --- a readable first look ------------------------------------------------------------------

@pytest.mark.parametrize("name, folded", [("VGG19", False), ("ResNet50", True),
                                          ("NASNetLarge", True), ("MobileNetV2", True)])
def test_a_model_too_big_to_read_unfolded_opens_folded(application, name, folded):
    fig = figure(application(name))
    unfolded = figure(application(name), auto_group=False)
    assert bool(fig.state["aggregates"]) == folded
    assert len(unfolded.folded.nodes) > READABLE_GLYPHS if folded else (
        fig.to_svg() == unfolded.to_svg())
    assert fig.history == {"undo": 0, "redo": 0}  # the figure as it opens


def test_show_all_layers_is_one_step_and_undo_folds_again(application):
    fig = figure(application("ResNet50"))
    folded = fig.to_svg()
    fig.unfold()
    assert len(fig.folded.nodes) == len(figure(application("ResNet50"),
                                               auto_group=False).folded.nodes)
    fig.undo()
    assert fig.to_svg() == folded


def test_auto_group_takes_true_false_or_auto_and_a_state_decides_alone(residual):
    with pytest.raises(ValueError, match="auto_group must be True, False or 'auto'"):
        figure(residual, auto_group="yes")
    assert figure(residual, auto_group=True).state["aggregates"]
    assert not figure(residual).state["aggregates"]  # 13 glyphs: read as they are
    assert not figure(unet()).state["aggregates"]  # the U-Net's 28 too
    grouped = figure(residual, auto_group=True)
    assert figure(residual, state={**grouped.state, "aggregates": []},
                  auto_group=True).state["aggregates"] == []
