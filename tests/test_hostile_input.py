"""What a careless or hostile input must never do (SPEC §6.4): change the user's model, inject
markup into the SVG, break the document, or leave a figure that no longer draws.

A seeded fuzzer mutates a real state; a generator of hostile names (markup, quotes, control
characters, bidi marks, 10,000 characters) names the layers of every adapter.
"""
from __future__ import annotations

import json
import math
import random
import warnings
import xml.etree.ElementTree as ET

import keras
import numpy as np
import pytest
from keras import layers

from net2vis_widget import Net2Vis, figure, svg
from net2vis_widget.cli import main
from net2vis_widget.scene import Glyph, Label, Line, Scene

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from net2vis_widget.torch_examples import resnet18  # noqa: E402

MARKUP = '#000000" onmouseover="alert(1)'
ELEMENTS = {"svg", "title", "desc", "rect", "g", "line", "polyline", "polygon", "text"}
ATTRIBUTES = {"xmlns", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2",
              "points", "fill", "stroke", "stroke-width", "stroke-linejoin", "stroke-dasharray",
              "data-id", "data-type", "data-key", "data-source", "data-target", "font-size",
              "font-family", "text-anchor", "dy", "transform", "rx",
              "data-graph", "data-box"}  # the boxes of the graph and its legend, for the view


def hostile_names(count: int, seed: int = 0) -> list[str]:
    """``count`` distinct names no one should give a layer, and some will."""
    fixed = ['<script>alert(1)</script>', '"><g onload="alert(1)">', "it's \"quoted\" & <b>",
             "head\x1b[0m", "nul\x00byte", "tab\tand\nnewline", "bell\x07\x0b\x0c",
             "\u202eevil\u202c", "\u200fright-to-left\u200e", "del\x7f\x85", "x" * 10_000,
             "emoji 🧠‍🔥", "]]>", "&#x3C;", "lone\ud800surrogate", "\ufffe\uffff"]
    rng = random.Random(seed)
    alphabet = [chr(c) for c in (*range(0, 0x20), 0x7f, 0x202e, 0x200f)] + list('<>&"\'=')
    names = fixed[:count]
    while len(names) < count:
        names.append("".join(rng.choice(alphabet + ["a", "b"]) for _ in range(rng.randint(1, 12))))
    return list(dict.fromkeys(names))


def assert_clean(document: str) -> ET.Element:
    """A well-formed SVG of the contract's elements and attributes only: nothing injected."""
    root = ET.fromstring(document.encode("utf-8"))
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        assert tag in ELEMENTS, tag
        assert set(element.attrib) <= ATTRIBUTES, set(element.attrib) - ATTRIBUTES
    return root


# --- the user's model stays as it was --------------------------------------------------------

def test_drawing_leaves_a_module_in_train_mode_bit_identical():
    module = resnet18().train()
    module.layer1.register_forward_hook(lambda *_: None)
    before = {k: v.clone() for k, v in module.state_dict().items()}
    modes = [m.training for m in module.modules()]
    figure(module, input_size=(2, 3, 32, 32))
    assert module.training and [m.training for m in module.modules()] == modes
    assert all(torch.equal(before[k], v) for k, v in module.state_dict().items())
    assert len(module.layer1._forward_hooks) == 1
    assert {p.device.type for p in module.parameters()} == {"cpu"}


def test_a_mixed_mode_module_keeps_each_submodules_mode():
    module = resnet18().train()
    module.bn1.eval()
    figure(module, input_size=(1, 3, 32, 32))
    assert module.training and not module.bn1.training and module.layer1.training


def test_an_input_of_any_size_allocates_nothing():
    """10⁸ × 10⁸ pixels would be 1.2 × 10¹⁷ bytes: only a fake tensor can carry it."""
    fig = figure(resnet18(), input_size=(1, 3, 10**8, 10**8))
    assert fig.network.by_id["x"].output_shapes == ((3, 10**8, 10**8),)


def test_a_module_on_the_meta_device_and_a_half_module_draw_from_input_size():
    with torch.device("meta"):
        meta = resnet18()
    shapes = figure(meta, input_size=(1, 3, 64, 64)).network.by_id["fc"].output_shapes
    assert shapes == ((1000,),)
    half = figure(resnet18().half(), input_size=(1, 3, 64, 64))
    assert half.network.by_id["fc"].output_shapes == ((1000,),)


def test_a_compiled_module_draws_as_the_module_it_wraps():
    plain = figure(resnet18(), input_size=(1, 3, 32, 32))
    compiled = figure(torch.compile(resnet18()), input_size=(1, 3, 32, 32))
    assert [n.id for n in compiled.network.nodes] == [n.id for n in plain.network.nodes]
    assert compiled.to_svg() == plain.to_svg()


def test_a_submodule_named_with_a_slash_groups():
    class Head(torch.nn.Module):
        def __init__(self):
            super().__init__()
            for name in ("head/cls", "head/box"):
                self.add_module(name, torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU()))

        def forward(self, x):
            return getattr(self, "head/box")(getattr(self, "head/cls")(x))

    fig = figure(Head(), input_size=(1, 4))
    assert fig.auto_group()
    assert_clean(fig.to_svg())
    assert "head/cls.0" in {n.name for n in fig.network.nodes}


# --- nothing injected, whatever a state says ----------------------------------------------------

def test_markup_in_a_state_never_reaches_the_svg_nor_the_cli(residual, tmp_path, capsys):
    state = figure(residual).state
    state["colors"] = {"Conv2D": MARKUP}
    with pytest.raises(ValueError, match="#RRGGBB"):
        figure(residual, state=state)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    model = tmp_path / "model.keras"
    residual.save(model)
    assert main([str(model), "-o", str(tmp_path / "f.svg"), "--state", str(path)]) == 1
    assert "#RRGGBB" in capsys.readouterr().err
    assert not (tmp_path / "f.svg").exists()


def test_the_writer_escapes_every_attribute_whatever_its_source():
    hostile = 'a" onload="alert(1)\x00'
    glyph = Glyph(hostile, hostile, ((0, 0), (1, 1), (0, 1)), hostile, hostile, 1, True)
    scene = Scene(hostile, (0, 0, 10, 10), (glyph,), (Line(hostile, hostile, ((0, 0), (1, 0))),),
                  (Label(hostile, 0, 0, "name", 7),), (), ())
    root = assert_clean(svg.write(scene, 1.0, 100.0))
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'a" onload="alert(1)'


# --- hostile names in every adapter ---------------------------------------------------------------

NAMES = hostile_names(24)


def keras_named(names):
    """Keras refuses '/' in a name."""
    names = [encodable(name).replace("/", "|") for name in names]
    x = inputs = keras.Input((8, 8, 3), name=names[0])
    for name in names[1:]:
        x = layers.Conv2D(4, 1, name=name)(x)
    return keras.Model(inputs, x, name=names[-1])


class TorchNamed(torch.nn.Module):
    def __init__(self, names):
        super().__init__()
        self.order = [name.replace(".", "·") or "empty" for name in names]
        for name in self.order:
            self.add_module(name, torch.nn.Sequential(torch.nn.Conv2d(3, 3, 1), torch.nn.ReLU()))

    def forward(self, x):
        for name in self.order:
            x = getattr(self, name)(x)
        return x


def encodable(name: str) -> str:
    """TensorFlow and protobuf store names as UTF-8, which has no lone surrogates."""
    return name.encode("utf-8", "replace").decode("utf-8")


def onnx_named(names):
    names = list(map(encodable, names))
    nodes, x, weights = [], names[0], []
    for i, name in enumerate(names[1:]):
        w = f"w{i}"
        weights.append(numpy_helper.from_array(np.zeros((3, 3, 1, 1), "float32"), w))
        op = "Conv" if i % 2 else name  # every other operator of an unknown, hostile type
        nodes.append(helper.make_node(op, [x, w], [f"{name}:out"], name=name))
        x = f"{name}:out"
    graph = helper.make_graph(
        nodes, names[-1], [helper.make_tensor_value_info(names[0], TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, None)], initializer=weights)
    return helper.make_model(graph)


@pytest.mark.parametrize("make", [
    lambda names: figure(keras_named(names)),
    lambda names: figure(TorchNamed(names), input_size=(1, 3, 8, 8)),
    lambda names: figure(onnx_named(names)),
], ids=["keras", "torch", "onnx"])
def test_hostile_names_draw_a_well_formed_figure_in_every_adapter(make, tmp_path):
    for start in range(0, len(NAMES), 8):
        fig = make(NAMES[start:start + 8])
        fig.update(show_names=True)
        fig.auto_group()
        assert_clean(fig.to_svg())
        fig.save(tmp_path / "figure.svg")
        assert_clean((tmp_path / "figure.svg").read_text(encoding="utf-8"))
        widget = Net2Vis(fig.network)
        glyphs = [g for g in assert_clean(widget.svg).iter()
                  if "n2v-layer" in g.get("class", "").split()]
        assert {g.get("data-id") for g in glyphs} == set(widget.layers)  # tooltips find them


# --- a seeded fuzzer of states --------------------------------------------------------------------

VALUES = [None, True, False, 0, -1, 10**30, 1e308, float("nan"), float("inf"), "", " ", "x",
          MARKUP, "\x1b[0m", [], {}, [[]], [-1], {"name": "x"}, "#ABCDEF", 2.5, [1, "a"]]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, path + (index,))


def mutated(state, rng: random.Random):
    """``state`` with one part deleted, replaced, duplicated or renamed."""
    state = json.loads(json.dumps(state))
    path = rng.choice([p for p in _paths(state) if p])
    holder = state
    for key in path[:-1]:
        holder = holder[key]
    key, kind = path[-1], rng.choice(["replace", "replace", "delete", "duplicate", "rename"])
    if kind == "delete":
        del holder[key]
    elif kind == "duplicate" and isinstance(holder, list):
        holder.insert(key, json.loads(json.dumps(holder[key])))
    elif kind == "rename" and isinstance(holder, dict):
        holder[rng.choice(["", "zz", MARKUP, "Conv2D", "ReLU"])] = holder.pop(key)
    else:
        holder[key] = rng.choice(VALUES)
    return state


def test_200_mutations_of_a_real_state_are_refused_whole_or_draw(residual):
    base = figure(residual, aliases={"Conv2D": "Conv"}, colors={"ReLU": "#AA0000"})
    base.auto_group()
    base.set_active("Add–ReLU", False)
    rng, accepted = random.Random(20261201), 0
    for _ in range(200):
        state = mutated(base.state, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # entries for types the model lacks are skipped
            try:
                fig = figure(residual, state=state)
            except (TypeError, ValueError) as error:
                assert str(error).startswith("state"), error
                continue
        accepted += 1
        document = fig.to_svg()
        root = assert_clean(document)  # a name holding markup stays text inside a value
        assert not [a for e in root.iter() for a in e.attrib if a.startswith("on")]
        again = figure(residual, state=json.loads(json.dumps(fig.state)))  # JSON-safe, whole
        assert again.to_svg() == document
    assert 20 < accepted < 180  # the mutations reach both outcomes


def test_a_refused_preference_leaves_the_figure_drawable(residual):
    fig = figure(residual)
    for bad in (float("nan"), float("inf"), -5, 10**9, "80"):
        with pytest.raises(ValueError):
            fig.update(max_width=bad)
        assert math.isfinite(fig.state["preferences"]["max_width"])
        assert_clean(fig.to_svg())
