"""Every model in keras.applications renders (SPEC §8). Slow: builds about forty models."""
from __future__ import annotations

import inspect
import itertools
import re

import keras
import pytest

import svg_geometry as geo
from net2vis_widget import figure
from net2vis_widget.palette import MIN_DELTA_E, ciede2000, fill_of

NAMES = sorted(name for name, factory in inspect.getmembers(keras.applications)
               if inspect.isfunction(factory) and name[0].isupper())


def layer_calls(model, top=True) -> int:
    """Calls of non-model layers in ``model``, nested models counted by their layers; an
    identity (``Activation("linear")``, ConvNeXt's in place of stochastic depth) passes its
    input on and is no layer of the figure."""
    graph = model._functional if isinstance(model, keras.Sequential) else model
    count = 0
    for op in graph.operations:
        for index in range(len(op._inbound_nodes)):
            if f"{id(op)}_ib-{index}" not in graph._nodes:
                continue
            if isinstance(op, keras.Model):
                count += layer_calls(op, top=False)
            elif isinstance(op, keras.layers.Activation) and op.activation.__name__ == "linear":
                continue
            elif top or not isinstance(op, keras.layers.InputLayer):
                count += 1
    return count


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_application_renders_and_folds_into_a_readable_figure(name):
    model = getattr(keras.applications, name)(weights=None)
    fig = figure(model, auto_group=False)  # nested models (ConvNeXt stem and downsampling) fold
    root = geo.parse(fig.to_svg())
    assert len(geo.elements(root, "n2v-layer")) == len(fig.folded.nodes)
    drawn = [m for node in fig.folded.nodes for m in (node.members or (node.id,))]
    hidden = sum(n.type in fig.state["hidden"] for n in fig.network.nodes)  # padding, dropout
    assert len(drawn) == len(set(drawn)) == layer_calls(model) - hidden

    names = fig.auto_group()
    assert names and all(len(n) <= 24 and not n.startswith("Group") for n in names)
    assert len(set(names)) == len(names)
    assert not [n for n in names if "…" in n or re.search(r" \d+$", n)]  # content, not numbers
    assert_distinct_colours(fig)
    for marks in (False, True):
        fig.update(repeat_marks=marks)
        root = geo.parse(fig.to_svg())
        assert geo.problems(root) == []
        assert geo.tallest_glyph(root) <= 3 * fig.state["preferences"]["max_height"]
        drawn = [m for node in fig.folded.nodes for m in (node.members or (node.id,))]
        assert len(drawn) == len(set(drawn)) == layer_calls(model) - hidden  # each layer once
    assert len(fig.folded.nodes) <= MAX_GLYPHS
    assert geo.print_problems(root, len(fig.folded.nodes)) == []
    fig.update(page_width="column")
    assert geo.print_problems(geo.parse(fig.to_svg()), len(fig.folded.nodes), column=True) == []
    keras.backend.clear_session()


MAX_GLYPHS = 30  # after auto_group() with ×N marks, for every application


def assert_distinct_colours(fig):
    """No two legend entries look alike: their drawn fills differ by ΔE ≥ 15 (CIEDE2000) in
    a legend of up to 30 entries; beyond, where so many colours cannot all be that far
    apart, by ΔE ≥ 10."""
    fills = {key: fill_of(s.color, s.aggregate) for key, s in fig.styles.items()}
    bound = MIN_DELTA_E if len(fills) <= 30 else 10
    close = [(a, b) for a, b in itertools.combinations(fills, 2)
             if ciede2000(fills[a], fills[b]) < bound]
    assert not close, (len(fills), close)
