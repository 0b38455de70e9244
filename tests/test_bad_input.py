"""Bad input at every entry point (SPEC §6.4): one clear error that names the problem, and
nothing lost — the figure's SVG and state are byte-identical before and after.

The matrix runs each case through its entry point: the Python API of a figure, a saved state,
the view's messages, each adapter (Keras, PyTorch, ONNX) and the command line.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers

from net2vis_widget import Net2Vis, figure
from net2vis_widget.aggregate import GroupingError
from net2vis_widget.cli import main

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

from net2vis_widget.extract import MissingInputs  # noqa: E402

MARKUP = '#000000" onmouseover="alert(1)'


@pytest.fixture(scope="module")
def grouped(residual):
    """An auto-grouped figure with an alias and a colour: every part of a state in use."""
    fig = figure(residual)
    fig.auto_group()
    fig.update(aliases={"Conv2D": "Conv"}, colors={"Add–ReLU": "#123456"})
    return fig


def assert_refused(fig, action, error, match):
    """``action(fig)`` raises ``error`` whose message matches, and changes nothing."""
    svg, state = fig.to_svg(), json.dumps(fig.state)
    with pytest.raises(error, match=match):
        action(fig)
    assert fig.to_svg() == svg
    assert json.dumps(fig.state) == state


# --- the Python API of a figure ---------------------------------------------------------------

API = {
    "max_width NaN": (lambda f: f.update(max_width=float("nan")), ValueError,
                      r"max_width must be a finite number from 1 to 10000, got nan"),
    "max_height infinite": (lambda f: f.update(max_height=math.inf), ValueError,
                            r"max_height must be a finite number"),
    "min_height negative": (lambda f: f.update(min_height=-1), ValueError, r"min_height .* got -1"),
    "max_height below min_height": (lambda f: f.update(max_height=10), ValueError,
                                    r"max_height must be a finite number ≥ min_height \(30\)"),
    "min_width overflowing": (lambda f: f.update(min_width=1e308), ValueError, r"min_width"),
    "spacing as text": (lambda f: f.update(spacing_vertical="30"), ValueError,
                        r"spacing_vertical must be a finite number"),
    "unknown scale": (lambda f: f.update(scale="cubic"), ValueError,
                      r"scale must be one of linear, log; got 'cubic'"),
    "colour mode None": (lambda f: f.update(color_mode=None), ValueError, r"color_mode"),
    "show_names as text": (lambda f: f.update(show_names="yes"), TypeError,
                           r"show_names must be True or False"),
    "legend as 1": (lambda f: f.update(legend=1), ValueError,
                    r"legend must be one of True, False, right, separate; got 1"),
    "unknown preference": (lambda f: f.update(zoom=2), TypeError,
                           r"unknown preference zoom; known: min_height"),
    "aliases not a mapping": (lambda f: f.update(aliases=["Conv2D"]), TypeError,
                              r"aliases must map names to values"),
    "alias None": (lambda f: f.update(aliases={"Conv2D": None}), ValueError,
                   r"alias for 'Conv2D' must be a non-empty text, got None"),
    "alias blank": (lambda f: f.update(aliases={"Conv2D": "  "}), ValueError,
                    r"alias for 'Conv2D' must be a non-empty text"),
    "alias with a control character": (lambda f: f.update(aliases={"Conv2D": "a\x0bb"}),
                                       ValueError, r"must not hold control characters"),
    "alias of an unknown type": (lambda f: f.update(aliases={"Nope": "x"}), KeyError,
                                 r"no layer type or aggregate 'Nope'"),
    "colour with markup": (lambda f: f.update(colors={"Conv2D": MARKUP}), ValueError,
                           r"colour for 'Conv2D' must look like '#RRGGBB'"),
    "colour by name": (lambda f: f.update(colors={"Conv2D": "red"}), ValueError, r"#RRGGBB"),
    "colour too short": (lambda f: f.update(colors={"Conv2D": "#12345"}), ValueError, r"#RRGGBB"),
    "colours not a mapping": (lambda f: f.update(colors="#FFFFFF"), TypeError,
                              r"colors must map names to values"),
    "hide an unknown type": (lambda f: f.hide("Nope"), KeyError, r"no layer type 'Nope'"),
    "show an unknown type": (lambda f: f.show("Nope"), KeyError, r"no layer type 'Nope'"),
    "switch off an unknown aggregate": (lambda f: f.set_active("Nope", False), KeyError,
                                        r"no aggregate named 'Nope' \(aggregates: 'Conv–BN"),
    "active as text": (lambda f: f.set_active("Add–ReLU", "no"), TypeError,
                       r"active must be True or False"),
    "ungroup an unknown aggregate": (lambda f: f.ungroup("Nope"), KeyError,
                                     r"no aggregate named 'Nope'"),
    "group one layer": (lambda f: f.group(["head"]), GroupingError, r"at least two layers"),
    "group unknown layers": (lambda f: f.group(["nope1", "nope2"]), GroupingError,
                             r"no layer 'nope1' is drawn"),
    "group under an empty name": (lambda f: f.group(["flat", "head"], name=""), GroupingError,
                                  r"name must be a non-empty text"),
    "group under a type's name": (lambda f: f.group(["flat", "head"], name="Conv2D"),
                                  GroupingError, r"'Conv2D' already names a layer type"),
    "group under a name with NUL": (lambda f: f.group(["flat", "head"], name="x\x00"),
                                    GroupingError, r"control characters"),
    "group layers not connected": (lambda f: f.group(["stem", "head"]), GroupingError,
                                   r"hole|not connected"),
    "select between unknown layers": (lambda f: f.select_between("nope", "head"),
                                      GroupingError, r"no layer 'nope'"),
    "save as .txt": (lambda f: f.save("figure.txt"), ValueError, r"use a \.svg, \.pdf or \.png"),
}


@pytest.mark.parametrize("case", API)
def test_the_python_api_refuses_and_changes_nothing(grouped, case):
    action, error, match = API[case]
    assert_refused(grouped, action, error, match)


@pytest.mark.parametrize("case", ["max_width NaN", "alias None", "colour with markup",
                                  "group one layer", "hide an unknown type"])
def test_the_widget_refuses_the_same_and_shows_why(residual, case):
    action, error, match = API[case]
    widget = Net2Vis(residual)
    widget.auto_group()
    widget.update(aliases={"Conv2D": "Conv"}, colors={"Add–ReLU": "#123456"})
    svg = widget.svg
    assert_refused(widget, action, error, match)
    assert widget.svg == svg
    assert re.search(match, widget.error)


def test_numpy_numbers_are_preferences_like_python_ones(residual):
    fig = figure(residual, max_width=np.int64(90), min_width=np.float32(25.0))
    assert fig.state["preferences"]["max_width"] == 90
    json.dumps(fig.state)  # JSON-safe: numpy's types did not leak into the state


# --- a saved state ----------------------------------------------------------------------------

def _state_with(grouped, **changes):
    state = json.loads(json.dumps(grouped.state))
    for path, value in changes.items():
        target, *keys = path.split("__")
        holder = state
        for key in [target, *keys][:-1]:
            holder = holder[int(key) if key.isdigit() else key]
        last = [target, *keys][-1]
        holder[int(last) if last.isdigit() else last] = value
    return state


STATES = {
    "not a dict": (lambda g: [], TypeError, r"state must be a dict"),
    "aggregates not a list": (lambda g: _state_with(g, aggregates={}), TypeError,
                              r"state: 'aggregates' must be a list"),
    "aggregate name a number": (lambda g: _state_with(g, aggregates__0__name=3), ValueError,
                                r"state: an aggregate must be a dict with a 'name'"),
    "aggregate members a text": (lambda g: _state_with(g, aggregates__0__members="Conv2D"),
                                 ValueError, r"'members' must be a list of names"),
    "aggregate sources of text": (lambda g: _state_with(g, aggregates__0__sources=[["a"]]),
                                  ValueError, r"'sources' must list, per member"),
    "aggregate sources of booleans": (
        lambda g: _state_with(g, aggregates__0__sources=[[True], [False], [1], [2]]),
        ValueError, r"'sources' must list"),
    "aggregate active as text": (lambda g: _state_with(g, aggregates__1__active="yes"),
                                 ValueError, r"'active' must be True or False"),
    "aggregate not one block": (lambda g: _state_with(g, aggregates__0__sources=[[-1], [-1],
                                                                                 [1], [2]]),
                                ValueError, r"is malformed: its members do not form one"),
    "aggregate name with ESC": (lambda g: _state_with(g, aggregates__1__name="Add\x1b[0m"),
                                ValueError, r"name must not hold control characters"),
    "colour with markup": (lambda g: _state_with(g, colors={"Add–ReLU": MARKUP}), ValueError,
                           r"state: colour for 'Add–ReLU' must look like '#RRGGBB'"),
    "alias None": (lambda g: _state_with(g, aliases={"Conv2D": None}), ValueError,
                   r"state: the alias for 'Conv2D' must be a non-empty text"),
    "aliases a list": (lambda g: _state_with(g, aliases=["Conv"]), TypeError,
                       r"state: aliases must map names"),
    "hidden a text": (lambda g: _state_with(g, hidden="ReLU"), TypeError,
                      r"'hidden' must be a list"),
    "hidden of numbers": (lambda g: _state_with(g, hidden=[1, 2]), ValueError,
                          r"'hidden' must list layer types"),
    "preference NaN": (lambda g: _state_with(g, preferences__max_width=float("nan")),
                       ValueError, r"state: preference max_width must be a finite number"),
    "unknown preference": (lambda g: _state_with(g, preferences__zoom=2), TypeError,
                           r"state: unknown preference zoom"),
    "preferences a list": (lambda g: _state_with(g, preferences=[1]), TypeError,
                           r"preferences must map names"),
    "unknown field": (lambda g: {**g.state, "aggregatez": []}, ValueError,
                      r"state: unknown field aggregatez; known: aggregates"),
}


@pytest.mark.parametrize("case", STATES)
def test_a_malformed_state_is_refused_whole(residual, grouped, case):
    make, error, match = STATES[case]
    with pytest.raises(error, match=match):
        figure(residual, state=make(grouped))
    assert_refused(Net2Vis(residual, state=grouped.state),
                   lambda w: Net2Vis(residual, state=make(grouped)), error, match)


def test_an_opened_occurrence_the_figure_lacks_is_skipped_with_a_warning(residual, grouped):
    glyph = next(node.id for node in grouped.folded.nodes if node.members)
    state = _state_with(grouped, opened=[glyph, "ghost"])
    with pytest.warns(UserWarning, match="skipped opened occurrence 'ghost'"):
        fig = figure(residual, state=state)
    assert fig.state["opened"] == [glyph]


def test_the_download_is_named_safely_whatever_the_model_is_called(residual):
    widget = Net2Vis(residual)
    widget.figure.network = dataclasses.replace(widget.figure.network, name="../x/ y\x00z")
    sent = []
    widget.send = sent.append
    widget._on_message(widget, {"action": "download"})
    assert sent[0]["filename"] == "x_y_z.svg"


def test_a_state_entry_for_another_model_is_skipped_with_a_warning(residual, grouped):
    state = _state_with(grouped, hidden=["LSTM"], aliases={"Conv2D": "Conv", "GRU": "g"})
    with pytest.warns(UserWarning, match="skipped hidden type 'LSTM'"):
        fig = figure(residual, state=state)
    assert fig.state["aliases"] == {"Conv2D": "Conv"} and fig.state["hidden"] == []


# --- the view's messages ----------------------------------------------------------------------

MESSAGES = {
    "not a dict": ("auto_group", r"a message from the view must be a dict, got str"),
    "no action": ({}, r"unknown action None; known: auto_group"),
    "group without layers": ({"action": "group"}, r"the action 'group' needs 'layers'"),
    "group layers as text": ({"action": "group", "layers": "stem"},
                             r"needs 'layers' as a list of glyph ids, got 'stem'"),
    "group layers as numbers": ({"action": "group", "layers": [1, 2]},
                                r"needs 'layers' as a list of glyph ids"),
    "switch off an unknown aggregate": ({"action": "set_active", "name": "Nope", "active": False},
                                        r"no aggregate named 'Nope'"),
    "switch without active": ({"action": "set_active", "name": "Add–ReLU"},
                              r"the action 'set_active' needs 'active'"),
    "hide an unknown type": ({"action": "hide", "type": "Nope"}, r"no layer type 'Nope'"),
    "select an unknown glyph": ({"action": "select", "layers": ["ghost"]},
                                r"no glyph 'ghost' in this figure"),
    "select between unknown glyphs": ({"action": "select_between", "first": "ghost",
                                       "last": "stem"},
                                      r"no layer 'ghost' is drawn"),
    "preference as text": ({"action": "update", "preferences": {"max_width": "wide"}},
                           r"max_width must be a finite number"),
    "colour as a URL": ({"action": "update", "colors": {"Conv2D": "javascript:alert(1)"}},
                        r"#RRGGBB"),
    "preferences as a list": ({"action": "update", "preferences": [1]},
                              r"needs 'preferences' as a dict"),
    "ungroup without a name": ({"action": "ungroup"}, r"the action 'ungroup' needs 'name'"),
    "unknown action": ({"action": "explode"}, r"unknown action 'explode'"),
    "action a list": ({"action": ["group"]}, r"unknown action \['group'\]; known"),
    "update of nothing": ({"action": "update", "preferences": None},
                          r"the action 'update' needs aliases, colors or preferences"),
}


@pytest.fixture(scope="module")
def widget(residual):
    widget = Net2Vis(residual)
    widget.auto_group()
    return widget


@pytest.mark.parametrize("case", MESSAGES)
def test_a_bad_message_from_the_view_shows_its_own_error_and_changes_nothing(widget, case):
    content, match = MESSAGES[case]
    widget.error = "an earlier error"
    svg, state, selection = widget.svg, json.dumps(widget.state), list(widget.selection)
    widget._on_message(widget, content)
    assert widget.error != "an earlier error"
    assert re.search(match, widget.error), widget.error
    assert (widget.svg, json.dumps(widget.state), widget.selection) == (svg, state, selection)


# --- the adapters -----------------------------------------------------------------------------

class Small(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.norm = torch.nn.BatchNorm2d(4)

    def forward(self, x):
        return torch.relu(self.norm(self.conv(x)))


def onnx_model(nodes, inputs=("x",), outputs=("y",), weights=()):
    info = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 3, 8, 8]) for n in inputs]
    out = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs]
    graph = helper.make_graph(nodes, "g", info, out, initializer=list(weights))
    return helper.make_model(graph)


def _sparse(path, size: int) -> str:
    """A file of ``size`` bytes that takes no room on disk: an ONNX tag, then zeros."""
    with open(path, "wb") as file:
        file.write(b"\x08\x07")
        file.truncate(size)
    return str(path)


def _duplicate_names():
    inputs = keras.Input((4,))
    a, b = layers.Dense(3), layers.Dense(3)
    model = keras.Model(inputs, b(a(inputs)))
    a.name = b.name = "a"
    return model


def _saved(tmp_path, name, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


ADAPTERS = {
    "torch: size an int": (lambda t: figure(Small(), input_size=5), ValueError,
                           r"input_size must be a size such as \(1, 3, 224, 224\).*got 5"),
    "torch: size empty": (lambda t: figure(Small(), input_size=()), ValueError,
                          r"input_size must be .* got \(\)"),
    "torch: size of floats": (lambda t: figure(Small(), input_size=(1.0, 3, 8, 8)), ValueError,
                              r"positive integers"),
    "torch: size negative": (lambda t: figure(Small(), input_size=(1, -3, 8, 8)), ValueError,
                             r"positive integers"),
    "torch: size a text": (lambda t: figure(Small(), input_size="1,3,8,8"), ValueError,
                           r"got '1,3,8,8'"),
    "torch: both sizes and data": (
        lambda t: figure(Small(), input_size=(1, 3, 8, 8), input_data=torch.ones(1, 3, 8, 8)),
        ValueError, r"pass input_size or input_data, not both"),
    "torch: no inputs": (lambda t: figure(Small()), MissingInputs,
                         r"Small\) needs example inputs: pass input_size=.*input_data="),
    "torch: the class, not a module": (lambda t: figure(Small, input_size=(1, 3, 8, 8)),
                                       TypeError, r"got the class Small.*pass an instance"),
    "torch: a checkpoint path": (lambda t: figure("model.pt", input_size=(1, 3, 8, 8)),
                                 ValueError, r"reads \.onnx, \.keras and \.h5 files.*torch\.load"),
    "torch: wrong channels": (lambda t: figure(Small(), input_size=(1, 5, 8, 8)), ValueError,
                              r"cannot run Small: conv \(Conv2d\) failed on inputs of sizes "
                              r"\[\(5, 8, 8\)\]"),
    "keras: two layers named alike": (lambda t: figure(_duplicate_names()), ValueError,
                                      r"2 layers \(Dense, Dense\) are named 'a': give each"),
    "keras: an unbuilt Sequential": (lambda t: figure(keras.Sequential([layers.Dense(3)])),
                                     ValueError, r"not built.*model\.build"),
    "keras: data for a Keras model": (
        lambda t: figure(keras.Sequential([keras.Input((3,)), layers.Dense(3)]),
                         input_data=[1, 2, 3]), TypeError, r"input_data is for PyTorch modules"),
    "keras: a size of the wrong rank": (
        lambda t: figure(keras.Sequential([keras.Input((None, 3)), layers.Conv1D(4, 3)]),
                         input_size=(8, 8, 3)), ValueError,
        r"cannot take inputs of sizes \[\(8, 8, 3\)\]: its layer 'conv1d' was built for inputs "
        r"of shape \(\?, 3\), and these inputs give it \(8, 8, 3\)"),
    "keras: a size of text": (
        lambda t: figure(keras.Sequential([keras.Input((3,)), layers.Dense(3)]),
                         input_size="3"), ValueError, r"must be 1 input shape\(s\) without the batch"),
    "keras: a missing file": (lambda t: figure(str(t / "gone.keras")), ValueError,
                              r"gone\.keras: no such model file"),
    "keras: a file that is no archive": (lambda t: figure(_saved(t, "bad.keras", b"not a zip")),
                                         ValueError, r"bad\.keras: not a \.keras archive"),
    "keras: a corrupt archive": (lambda t: figure(_saved(t, "bad.keras", b"PK\x03\x04rest")),
                                 ValueError, r"bad\.keras: not a readable Keras model"),
    "keras: an .h5 file that is not HDF5": (lambda t: figure(_saved(t, "m.h5", b"{}")),
                                            ValueError, r"m\.h5: not an HDF5 file"),
    "keras: a size its weights cannot take": (
        lambda t: figure(keras.Sequential([keras.Input((8,)), layers.Dense(4, name="d")],
                                          name="tiny"), input_size=(9, 9)), ValueError,
        r"'tiny' cannot take inputs of sizes \[\(9, 9\)\]: its layer 'd' was built for "
        r"inputs of shape \(8\), and these inputs give it \(9, 9\)"),
    "a plain object": (lambda t: figure(object()), TypeError, r"cannot draw a builtins\.object"),
    "onnx: a directory": (lambda t: figure(str(t)), ValueError, r"is a directory, not a model"),
    "onnx: a URL": (lambda t: figure("https://example.org/model.onnx"), ValueError,
                    r"cannot read a URL .* download the file"),
    "onnx: an empty model": (lambda t: figure(onnx.ModelProto()), ValueError,
                             r"holds no operators"),
    "onnx: sizes for a file": (lambda t: figure(_saved(t, "m.onnx", onnx_model(
        [helper.make_node("Relu", ["x"], ["y"])]).SerializeToString()), input_size=(1, 3)),
        TypeError, r"an ONNX model knows its input shapes"),
    "onnx: a missing file": (lambda t: figure(str(t / "gone.onnx")), ValueError,
                             r"gone\.onnx: no such model file"),
    "onnx: a file of other bytes": (lambda t: figure(_saved(t, "bad.onnx", b"\x00garbage")),
                                    ValueError, r"bad\.onnx: not an ONNX model \(it starts"),
    "onnx: a text file": (lambda t: figure(_saved(t, "notes.onnx", b"hello")), ValueError,
                          r"notes\.onnx: not an ONNX model \(it starts with b'hell'\)"),
    "onnx: a corrupt file": (lambda t: figure(_saved(t, "bad.onnx", b"\x08\x07\xff\xff")),
                             ValueError, r"bad\.onnx: not a readable ONNX model"),
    "onnx: larger than protobuf allows": (lambda t: figure(_sparse(t / "huge.onnx", 5 * 2 ** 29)),
                                          ValueError, r"huge\.onnx: 2\.5 GB is more than an "
                                          r"ONNX file can hold"),
    "onnx: two operators write one tensor": (lambda t: figure(onnx_model([
        helper.make_node("Relu", ["x"], ["a"], name="one"),
        helper.make_node("Sigmoid", ["x"], ["a"], name="two"),
        helper.make_node("Relu", ["a"], ["y"], name="last")])), ValueError,
        r"operator 'two' \(Sigmoid\) writes the tensor 'a', which operator 'one' \(Relu\) "
        r"also writes"),
    "onnx: an operator writes an input": (lambda t: figure(onnx_model([
        helper.make_node("Relu", ["x"], ["y"], name="r"),
        helper.make_node("Relu", ["y"], ["x"], name="back")])), ValueError,
        r"'back' \(Relu\) writes the tensor 'x', which the graph's inputs or weights also"),
    "onnx: a cycle": (lambda t: figure(onnx_model([
        helper.make_node("Add", ["x", "z"], ["a"], name="first"),
        helper.make_node("Relu", ["a"], ["z"], name="loop"),
        helper.make_node("Relu", ["a"], ["y"], name="last")])), ValueError,
        r"cycle: operator '(first|loop)' \((Add|Relu)\) reads the tensor '(z|a)'"),
    "onnx: a tensor nothing produces": (lambda t: figure(onnx_model([
        helper.make_node("Add", ["x", "ghost"], ["a"], name="sum"),
        helper.make_node("Relu", ["a"], ["y"], name="last")])), ValueError,
        r"operator 'sum' \(Add\) reads the tensor 'ghost', which no operator, input or weight"),
}


@pytest.mark.parametrize("case", ADAPTERS)
def test_an_adapter_refuses_a_bad_model_with_one_clear_error(tmp_path, case):
    make, error, match = ADAPTERS[case]
    with pytest.raises(error, match=match) as raised:
        make(tmp_path)
    assert "\n" not in str(raised.value)


# --- the command line -------------------------------------------------------------------------

def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


CLI = {
    "malformed --input-size": (lambda t: ["net2vis_widget.torch_examples:resnet18", "-o",
                                          str(t / "f.svg"), "--input-size", "1,x"],
                               r"argument --input-size: not sizes like 1,3,224,224: '1,x'"),
    "no output": (lambda t: ["ResNet50"], r"the following arguments are required: -o"),
    "a state that is not JSON": (lambda t: ["ResNet50", "-o", str(t / "f.svg"), "--state",
                                            _write(t, "state.json", "{oops")],
                                 r"state\.json: not a JSON state file"),
    "a deeply nested state": (lambda t: ["ResNet50", "-o", str(t / "f.svg"), "--state",
                                         _write(t, "deep.json", "[" * 100_000 + "]" * 100_000)],
                              r"deep\.json: not a state file \(its JSON is nested too deeply\)"),
    "a missing state file": (lambda t: ["ResNet50", "-o", str(t / "f.svg"), "--state",
                                        str(t / "none.json")],
                             r"none\.json: cannot read the state file"),
    "a module without --input-size": (lambda t: ["net2vis_widget.torch_examples:resnet18", "-o",
                                                 str(t / "f.svg")],
                                      r"needs example inputs: pass --input-size, such as"),
    "an unknown application": (lambda t: ["ResNet5", "-o", str(t / "f.svg")],
                               r"'ResNet5' is neither a model file"),
    "an unknown output format": (lambda t: ["ResNet50", "-o", str(t / "f.gif")],
                                 r"use a \.svg, \.pdf or \.png"),
    "a factory that does not exist": (lambda t: ["net2vis_widget.examples:nothing", "-o",
                                                 str(t / "f.svg")],
                                      r"net2vis_widget\.examples has no function 'nothing'"),
    "a missing module": (lambda t: ["no_such_package.models:build", "-o", str(t / "f.svg")],
                         r"No module named 'no_such_package'"),
}


@pytest.mark.parametrize("case", CLI)
def test_the_command_line_fails_in_one_line_with_status_1(tmp_path, capsys, case):
    make, match = CLI[case]
    assert main(make(tmp_path)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("net2vis: "), err
    assert re.search(match, err), err


def test_the_installed_command_fails_in_one_line_too(tmp_path):
    result = subprocess.run([sys.executable, "-m", "net2vis_widget.cli", "x.keras", "-o",
                             str(tmp_path / "f.svg"), "--input-size", "1,3;"],
                            capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "--input-size" in result.stderr


def test_grouping_layers_inside_one_glyph_says_which_aggregate_holds_them(application):
    fig = figure(application("ResNet50"))
    fig.auto_group()
    with pytest.raises(GroupingError, match=r"inside one glyph of 'Bottleneck.*double-click"):
        fig.group(["conv2_block2_1_conv", "conv2_block2_3_conv"])


def test_an_alias_longer_than_a_legend_line_is_refused(residual):
    fig = figure(residual)
    before = fig.state
    with pytest.raises(ValueError, match="at most 40 characters"):
        fig.update(aliases={"Conv2D": "C" * 41})
    assert fig.state == before
