"""Every model in keras.applications renders (SPEC §8). Slow: builds about forty models."""
from __future__ import annotations

import inspect

import keras
import pytest

import svg_geometry as geo
from net2vis_widget import figure

NAMES = sorted(name for name, factory in inspect.getmembers(keras.applications)
               if inspect.isfunction(factory) and name[0].isupper())


def layer_calls(model, top=True) -> int:
    """Calls of non-model layers in ``model``, nested models counted by their layers."""
    graph = model._functional if isinstance(model, keras.Sequential) else model
    count = 0
    for op in graph.operations:
        for index in range(len(op._inbound_nodes)):
            if f"{id(op)}_ib-{index}" not in graph._nodes:
                continue
            if isinstance(op, keras.Model):
                count += layer_calls(op, top=False)
            elif top or not isinstance(op, keras.layers.InputLayer):
                count += 1
    return count


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_application_renders_and_folds_into_a_readable_figure(name):
    model = getattr(keras.applications, name)(weights=None)
    fig = figure(model)  # nested models (ConvNeXt's stem and downsampling blocks) fold
    root = geo.parse(fig.to_svg())
    assert len(geo.elements(root, "n2v-layer")) == len(fig.folded.nodes)
    drawn = [m for node in fig.folded.nodes for m in (node.members or (node.id,))]
    assert len(drawn) == len(set(drawn)) == layer_calls(model)

    names = fig.auto_group()
    assert names and all(len(n) <= 24 and not n.startswith("Group") for n in names)
    assert len(set(names)) == len(names)
    for marks in (False, True):
        fig.update(repeat_marks=marks)
        root = geo.parse(fig.to_svg())
        assert geo.problems(root) == []
        drawn = [m for node in fig.folded.nodes for m in (node.members or (node.id,))]
        assert len(drawn) == len(set(drawn)) == layer_calls(model)  # each layer once
    assert len(fig.folded.nodes) <= MAX_GLYPHS
    keras.backend.clear_session()


MAX_GLYPHS = 30  # after auto_group() with ×N marks, for every application
