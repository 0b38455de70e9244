"""ONNX files (SPEC §3c): exported from the PyTorch networks here, and written by hand with
``onnx.helper``: branches joined by Concat, a graph without shapes, external weights, a
corrupt file."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import svg_geometry as geo

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from net2vis_widget import Net2Vis, figure  # noqa: E402
from net2vis_widget.torch_examples import resnet18  # noqa: E402


@pytest.fixture(scope="module")
def resnet_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("onnx") / "resnet18.onnx"
    torch.onnx.export(resnet18().eval(), (torch.rand(1, 3, 224, 224),), str(path), dynamo=False)
    return path


def zeros(name, shape):
    return numpy_helper.from_array(np.zeros(shape, np.float32), name)


def inception_graph(modules=2, shapes=True):
    """``modules`` inception-style modules in a row: 1×1 conv, 3×3 conv, max-pool, Concat."""
    nodes, weights, x = [], [], "image"
    for m in range(modules):
        for branch, kernel in (("a", 1), ("b", 3)):
            w = f"w{m}{branch}"
            weights.append(zeros(w, (8, 24 if m else 3, kernel, kernel)))
            nodes.append(helper.make_node("Conv", [x, w], [f"c{m}{branch}"], name=f"conv{m}{branch}",
                                          pads=[kernel // 2] * 4))
        pool = f"p{m}"
        nodes.append(helper.make_node("MaxPool", [x], [pool], name=f"pool{m}", kernel_shape=[3, 3],
                                      pads=[1, 1, 1, 1]))
        if m == 0:  # 3 channels in: widen the pooled branch so that every module gives 24
            weights.append(zeros("wp", (8, 3, 1, 1)))
            nodes.append(helper.make_node("Conv", [pool, "wp"], ["pw"], name="pool_proj"))
            pool = "pw"
        nodes.append(helper.make_node("Concat", [f"c{m}a", f"c{m}b", pool], [f"out{m}"],
                                      name=f"concat{m}", axis=1))
        x = f"out{m}"
    dims = [1, 3, 32, 32] if shapes else None
    graph = helper.make_graph(nodes, "inception", [helper.make_tensor_value_info(
        "image", TensorProto.FLOAT, dims)], [helper.make_tensor_value_info(x, TensorProto.FLOAT,
                                                                           None)], weights)
    return helper.make_model(graph)


def test_an_exported_resnet18_draws_with_the_pytorch_structure(resnet_file):
    fig = figure(resnet_file)
    conv = fig.network.nodes[1]
    assert (conv.type, conv.output_shapes, conv.params) == ("Conv", ((64, 112, 112),),
                                                            64 * 3 * 7 * 7 + 64)
    assert conv.config["kernel_shape"] == [7, 7] and conv.config["strides"] == [2, 2]
    tooltip = Net2Vis(resnet_file).layers[conv.id]["config"]
    assert {"kernel_shape", "strides", "pads"} <= tooltip.keys()
    adds = [n for n in fig.network.nodes if n.type == "Add"]
    assert len(adds) == 8 and all(len(set(fig.network.feeds[a.id])) == 2 for a in adds)
    assert conv.channel_axes == (0, 0)  # (C, H, W)
    assert geo.problems(geo.parse(fig.to_svg())) == []
    fig.update(repeat_marks=True)
    fig.auto_group()
    assert len(fig.folded.nodes) <= 14
    assert geo.problems(geo.parse(fig.to_svg())) == []


def test_inception_branches_are_glyphs_and_each_module_folds(tmp_path):
    onnx.save(inception_graph(), tmp_path / "inception.onnx")
    fig = figure(tmp_path / "inception.onnx")
    types = [n.type for n in fig.network.nodes]
    assert types.count("Conv") == 5 and types.count("MaxPool") == 2 and types.count("Concat") == 2
    fig.auto_group()
    modules = [n for n in fig.folded.nodes if n.members]
    assert len(modules) == 2 and all(n.type.startswith("Inception") for n in modules)
    assert geo.problems(geo.parse(fig.to_svg())) == []


def test_a_graph_without_shapes_draws_unknown_sizes():
    fig = figure(inception_graph(modules=1, shapes=False))  # a loaded ModelProto
    assert fig.network.nodes[0].output_shapes == ((),)
    root = geo.parse(fig.to_svg())
    assert geo.problems(root) == []
    assert len(geo.elements(root, "n2v-layer")) == len(fig.network.nodes)


def test_external_weights_are_not_read(tmp_path):
    onnx.save(inception_graph(), tmp_path / "external.onnx", save_as_external_data=True,
              all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
    (tmp_path / "weights.bin").unlink()  # drawing must not need them
    fig = figure(tmp_path / "external.onnx")
    assert fig.network.by_id["conv0b"].params == 8 * 3 * 3 * 3


def test_a_corrupt_or_missing_file_is_one_clear_line(tmp_path):
    (tmp_path / "broken.onnx").write_bytes(b"\x08\x07garbage that is not protobuf")
    with pytest.raises(ValueError, match=r"broken.onnx: not a readable ONNX model"):
        figure(tmp_path / "broken.onnx")
    with pytest.raises(ValueError, match=r"missing.onnx: no such model file"):
        figure(tmp_path / "missing.onnx")
    done = subprocess.run([sys.executable, "-m", "net2vis_widget.cli", "broken.onnx", "-o", "x.svg"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.strip()] and "broken.onnx" in done.stderr


def test_the_cli_draws_an_onnx_file(resnet_file, tmp_path):
    done = subprocess.run([sys.executable, "-m", "net2vis_widget.cli", str(resnet_file), "-o",
                           "r18.svg", "--auto-group"], cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "net2vis: wrote r18.svg", "")


def test_an_operator_with_subgraphs_is_one_glyph_saying_so():
    branch = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "branch", [],
                               [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    nodes = [helper.make_node("Greater", ["x", "zero"], ["cond"], name="test"),
             helper.make_node("If", ["cond"], ["out"], name="choose", then_branch=branch,
                              else_branch=branch),
             helper.make_node("Sigmoid", ["out"], ["prob"], name="sigmoid")]
    graph = helper.make_graph(nodes, "conditional",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 4])],
                              [zeros("zero", (1, 4))])
    fig = figure(helper.make_model(graph))
    assert [n.type for n in fig.network.nodes] == ["Input", "Greater", "If", "Sigmoid"]
    assert fig.network.by_id["choose"].config == {"else_branch": "subgraph (not expanded)",
                                                  "then_branch": "subgraph (not expanded)"}


def test_a_bias_or_scale_is_part_of_its_layer_and_a_sum_is_an_add():
    weights = [numpy_helper.from_array(np.ones((4, 4), np.float32), "w"),
               numpy_helper.from_array(np.ones(4, np.float32), "b"),
               numpy_helper.from_array(np.array(0.5, np.float32), "scale")]
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"], name="project"),
             helper.make_node("Add", ["m", "b"], ["biased"], name="bias"),
             helper.make_node("Mul", ["biased", "scale"], ["scaled"], name="halve"),
             helper.make_node("Relu", ["scaled"], ["r"], name="relu"),
             helper.make_node("Sum", ["r", "x"], ["y"], name="residual")]
    info = helper.make_tensor_value_info
    graph = helper.make_graph(nodes, "g", [info("x", TensorProto.FLOAT, [1, 3, 4])],
                              [info("y", TensorProto.FLOAT, None)], initializer=weights)
    fig = figure(helper.make_model(graph))
    assert [n.type for n in fig.network.nodes] == ["Input", "Linear", "Relu", "Add"]
