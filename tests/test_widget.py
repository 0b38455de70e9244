"""The widget's Python side, driven through the same entry points as its view (SPEC §6.1–6.2)."""
from __future__ import annotations

import base64
import re

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output

import svg_geometry as geo
from net2vis_widget import GroupingError, Net2Vis, figure
from net2vis_widget.widget import STATIC_NOTE


def act(widget, **content):
    """Send an action as the view does."""
    widget._on_message(widget, content, [])


def glyphs(widget):
    return geo.elements(geo.parse(widget.svg), "n2v-layer")


def test_the_view_shows_exactly_what_to_svg_and_save_write(residual, tmp_path):
    widget = Net2Vis(residual)
    widget.save(tmp_path / "fig.svg")
    assert widget.svg == widget.to_svg() == (tmp_path / "fig.svg").read_text(encoding="utf-8")
    assert widget.svg == figure(residual).to_svg()


def static_figure(output) -> str:
    """The SVG inside a static output's image."""
    html = output.data["text/html"]
    image = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)[1]
    return base64.b64decode(image).decode()


def test_a_displayed_widget_leaves_a_static_figure_that_follows_every_change(residual):
    InteractiveShell.instance()  # IPython's display machinery, captured below
    widget = Net2Vis(residual)
    with capture_output() as captured:
        display(widget)
        first = widget.svg
        widget.auto_group()
    static, view, update = captured.outputs
    assert static_figure(static) == static.data["image/svg+xml"] == first
    assert STATIC_NOTE in static.data["text/html"]
    assert view.data["application/vnd.jupyter.widget-view+json"]["model_id"] == widget.model_id
    assert view.data["text/plain"] == "<Net2Vis widget of 'residual': 16 layers as 16 glyphs>"
    assert f"n2v-static-{widget.figure_id}" in static.data["text/html"]
    assert update.update and update.transient == static.transient
    assert static_figure(update) == widget.svg != first  # the figure the user ended with


def test_a_widget_never_displayed_sends_no_static_figure(residual):
    widget = Net2Vis(residual)
    with capture_output() as captured:
        widget.auto_group()
    assert captured.outputs == []


def test_tooltip_facts_describe_each_glyph(residual):
    facts = Net2Vis(residual).layers["b1_conv1"]
    assert facts["type"] == "Conv2D" and facts["params"] == 8 * 8 * 9 + 8
    assert facts["inputs"] == [[16, 16, 8]] and facts["config"]["filters"] == 8


def test_auto_group_action_folds_and_lists_the_aggregates(residual):
    widget = Net2Vis(residual)
    act(widget, action="auto_group")
    assert len(glyphs(widget)) < 16
    assert [e["key"] for e in widget.legend if e["kind"] == "aggregate"]


def test_legend_toggle_deactivates_and_reactivates_an_aggregate(residual):
    widget = Net2Vis(residual)
    act(widget, action="select_between", first="b1_conv1", last="b1_out")
    act(widget, action="group", layers=widget.selection)
    (name,) = [a["name"] for a in widget.state["aggregates"]]
    assert name == "Residual block"  # named after what it holds
    folded = widget.svg
    act(widget, action="set_active", name=name, active=False)
    assert len(glyphs(widget)) == 16
    assert {"key": name, "active": False}.items() <= next(
        e for e in widget.legend if e["key"] == name).items()
    act(widget, action="set_active", name=name, active=True)
    assert widget.svg == folded


def test_shift_click_selects_every_layer_between(residual):
    widget = Net2Vis(residual)
    act(widget, action="select_between", first="stem", last="b1_out")
    assert widget.selection == ["stem", "b1_conv1", "b1_bn", "b1_relu1", "b1_conv2", "b1_add",
                                "b1_out"]
    act(widget, action="select", layers=["b1_bn"])
    assert widget.selection == ["b1_bn"]
    act(widget, action="select", layers=[])  # Esc
    assert widget.selection == []


def test_every_message_from_the_view_is_answered(residual):
    """The view counts answers: an action Python has run, failed or not, is answered."""
    widget = Net2Vis(residual)
    for content in ({"action": "select", "layers": ["stem"]}, {"action": "ghost"},
                    {"action": "hide", "type": "Conv2D"}, {"action": "hide", "type": "Conv2D"}):
        before = widget.answered
        widget._on_message(widget, content)
        assert widget.answered == before + 1


def test_the_tooltip_facts_name_each_occurrence_and_the_layers_it_holds(application):
    widget = Net2Vis(application("ResNet50"))
    widget.auto_group()
    blocks = [f for f in widget.layers.values() if f["type"] == "Bottleneck"]
    assert [f["occurrence"][:2] for f in blocks][:2] == [[1, 1], [2, 2]]
    assert {f["occurrence"][2] for f in blocks} == {len(blocks)} and len(blocks) >= 10
    holding = [f for f in widget.layers.values() if "conv4_block3_2_conv" in f["layers"]]
    assert len(holding) == 1 and holding[0]["type"] == "Bottleneck"
    widget.update(repeat_marks=True)  # a ×N glyph shows several occurrences
    marked = [f["occurrence"] for f in widget.layers.values() if f["type"] == "Bottleneck"]
    assert any(first < last for first, last, _ in marked) and marked[-1][1] == marked[-1][2]


def test_an_invalid_group_shows_why_and_changes_nothing(residual):
    widget = Net2Vis(residual)
    before_svg, before_state = widget.svg, widget.state
    act(widget, action="group", layers=["b1_bn"])
    assert widget.error == "select at least two layers to group"
    assert widget.svg == before_svg and widget.state == before_state
    act(widget, action="auto_group")
    assert widget.error == ""


def test_the_python_api_raises_and_the_view_reports_the_same_error(residual):
    widget = Net2Vis(residual)
    with pytest.raises(GroupingError, match="not connected"):
        widget.group(["stem", "b1_bn"])
    assert widget.error == "the selected layers are not connected"


def test_hiding_a_type_from_the_legend_greys_it_and_shows_it_back(residual):
    widget = Net2Vis(residual)
    act(widget, action="hide", type="BatchNormalization")
    assert len(glyphs(widget)) == 14
    entry = next(e for e in widget.legend if e["key"] == "BatchNormalization")
    assert entry["active"] is False
    act(widget, action="show", type="BatchNormalization")
    assert len(glyphs(widget)) == 16


def test_renaming_and_recolouring_an_entry(residual):
    widget = Net2Vis(residual)
    act(widget, action="update", aliases={"Conv2D": "Conv"}, colors={"Conv2D": "#00ff00"})
    root = geo.parse(widget.svg)
    item = next(i for i in geo.elements(root, "n2v-legend-item") if i.get("data-key") == "Conv2D")
    assert geo.text_of(item, "n2v-label") == ["Conv"]
    assert next(g for g in glyphs(widget) if g.get("data-id") == "stem").get("fill") == "#00FF00"


def test_a_bad_colour_or_preference_is_refused_in_the_view(residual):
    widget = Net2Vis(residual)
    before = widget.svg
    act(widget, action="update", colors={"Conv2D": "green"})
    assert "#RRGGBB" in widget.error and widget.svg == before
    act(widget, action="update", preferences={"scale": "cubic"})
    assert "scale" in widget.error and widget.svg == before


def test_a_preference_change_re_renders(residual):
    widget = Net2Vis(residual)
    act(widget, action="update", preferences={"show_features": False, "show_names": True})
    root = geo.parse(widget.svg)
    assert not geo.elements(root, "n2v-feature") and geo.elements(root, "n2v-name")
    assert widget.preferences["show_names"] is True


def test_download_sends_the_document_to_the_view(residual):
    widget = Net2Vis(residual)
    sent = []
    widget.send = sent.append  # capture what would travel to the browser
    act(widget, action="download")
    assert sent == [{"kind": "download", "svg": widget.to_svg(), "filename": "residual.svg"}]


def test_an_unknown_action_is_reported(residual):
    widget = Net2Vis(residual)
    act(widget, action="explode")
    assert widget.error.startswith("unknown action 'explode'; known: auto_group")


def test_state_round_trips_through_the_widget(residual):
    widget = Net2Vis(residual, color_mode="hue_gap")
    widget.auto_group()
    widget.hide("BatchNormalization")
    assert Net2Vis(residual, state=widget.state).svg == widget.svg
