"""The figure's geometry, read back from the SVG, on real models (SPEC §4, §6.3)."""
from __future__ import annotations

import itertools

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
    assert len(layers) == len(set(layers)) == layer_calls  # each layer call drawn exactly once
    if not fig.state["aggregates"]:
        assert len(glyphs) == layer_calls


def test_every_edge_is_horizontal(rendered):
    _, root, _ = rendered
    for edge in geo.elements(root, "n2v-edge"):
        ys = {y for _, y in geo.points(edge)}
        assert len(ys) == 1, f"edge {edge.get('data-source')} → {edge.get('data-target')} bends"


def test_edges_end_on_the_handles_of_their_glyphs(rendered):
    _, root, _ = rendered
    glyphs = geo.glyphs(root)
    for edge in geo.elements(root, "n2v-edge"):
        start, end = geo.points(edge)[0], geo.points(edge)[-1]
        assert geo.on_vertical_side(start, glyphs[edge.get("data-source")], at_right=True)
        assert geo.on_vertical_side(end, glyphs[edge.get("data-target")], at_right=False)


def test_no_two_glyphs_overlap(rendered):
    _, root, _ = rendered
    glyphs = list(geo.glyphs(root).items())
    for (a, p), (b, q) in itertools.combinations(glyphs, 2):
        assert not geo.polygons_overlap(p, q), f"{a} overlaps {b}"


def test_no_label_overlaps_a_glyph_or_another_label(rendered):
    _, root, _ = rendered
    labels = [(t.text, geo.label_box(t)) for t in geo.elements(root, "n2v-label")]
    glyphs = list(geo.glyphs(root).items()) + [
        (g.get("data-id"), geo.points(g)) for g in geo.elements(root, "n2v-legend-glyph")]
    for text, box in labels:
        for glyph_id, polygon in glyphs:
            assert not geo.polygons_overlap(box, polygon), f"label {text!r} on glyph {glyph_id}"
    for (a, p), (b, q) in itertools.combinations(labels, 2):
        assert not geo.polygons_overlap(p, q), f"labels {a!r} and {b!r} overlap"


def test_no_edge_runs_through_a_glyph_it_does_not_connect(rendered):
    _, root, _ = rendered
    glyphs = geo.glyphs(root)
    for edge in geo.elements(root, "n2v-edge"):
        ends = {edge.get("data-source"), edge.get("data-target")}
        pts = geo.points(edge)
        for glyph_id, polygon in glyphs.items():
            if glyph_id not in ends:
                assert not any(geo.segment_enters(a, b, polygon) for a, b in zip(pts, pts[1:])), \
                    f"edge {sorted(ends)} runs through {glyph_id}"


def test_no_two_edges_overlap(rendered):
    _, root, _ = rendered
    runs = []
    for edge in geo.elements(root, "n2v-edge"):
        pts = geo.points(edge)
        runs.append(((edge.get("data-source"), edge.get("data-target")), pts[0][1],
                     min(pts[0][0], pts[-1][0]), max(pts[0][0], pts[-1][0])))
    runs.sort(key=lambda run: (run[1], run[2]))
    for (ends_a, y_a, left_a, right_a), (ends_b, y_b, left_b, right_b) in zip(runs, runs[1:]):
        if abs(y_a - y_b) < geo.EPS:
            assert left_b >= right_a - geo.EPS, f"edges {ends_a} and {ends_b} overlap"
