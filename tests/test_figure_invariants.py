"""The figure's geometry, read back from the SVG, on real models (SPEC §4, §6.3)."""
from __future__ import annotations

import pytest

import svg_geometry as geo
from conftest import APPLICATIONS
from net2vis_widget import figure

MODELS = APPLICATIONS + ("unet", "voxnet", "multi_io")
FOLDED = tuple(f"{name}+auto" for name in MODELS)  # the same, auto-grouped


@pytest.fixture(scope="module", params=MODELS + FOLDED)
def rendered(request, application, custom_models):
    name = request.param.removesuffix("+auto")
    model = custom_models.get(name) or application(name)
    fig = figure(model)
    if request.param.endswith("+auto"):
        fig.auto_group()
    return fig, geo.parse(fig.to_svg()), len(model._nodes)


def test_one_glyph_per_layer_call_or_aggregate(rendered):
    fig, root, layer_calls = rendered
    glyphs = geo.elements(root, "n2v-layer")
    assert len(glyphs) == len(fig.folded.nodes)
    layers = [m for n in fig.folded.nodes for m in (n.members or (n.id,))]
    hidden = sum(n.type in fig.state["hidden"] for n in fig.network.nodes)  # padding, dropout
    assert len(layers) == len(set(layers)) == layer_calls - hidden  # each call drawn once
    if not fig.state["aggregates"]:
        assert len(glyphs) == layer_calls - hidden


def test_every_edge_keeps_to_the_edge_rule(rendered):
    assert geo.edges_off_the_grid(rendered[1]) == []


def test_edges_end_on_the_handles_of_their_glyphs(rendered):
    assert geo.edges_off_their_handles(rendered[1]) == []


def test_no_two_glyphs_overlap(rendered):
    assert geo.overlapping_glyphs(rendered[1]) == []


def test_no_label_overlaps_a_glyph_or_another_label(rendered):
    assert geo.overlapping_labels(rendered[1]) == []


def test_no_edge_runs_through_a_glyph_it_does_not_connect(rendered):
    assert geo.edges_through_glyphs(rendered[1]) == []


def test_no_two_edges_overlap(rendered):
    assert geo.overlapping_edges(rendered[1]) == []
