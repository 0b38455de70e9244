"""PyTorch modules in the same figure (SPEC §3b): real modules written here and a BERT built
by ``transformers`` from a config (random weights, no download), captured by torch.export."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import svg_geometry as geo

torch = pytest.importorskip("torch")
from net2vis_widget import Net2Vis, figure  # noqa: E402
from net2vis_widget.torch_examples import TwoInOut, resnet18, tiny_transformer, unet  # noqa: E402

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def resnet():
    return figure(resnet18(), input_size=(1, 3, 224, 224))


@pytest.fixture(scope="module")
def bert():
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(num_hidden_layers=4, hidden_size=128, num_attention_heads=4,
                                     intermediate_size=256)
    return transformers.BertModel(config)


def test_resnet18_draws_like_the_keras_resnets(resnet):
    layers = resnet.network.nodes
    assert [n.type for n in layers[:5]] == ["Input", "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d"]
    conv = layers[1]
    assert conv.input_shapes == ((3, 224, 224),) and conv.output_shapes == ((64, 112, 112),)
    assert conv.params == 64 * 3 * 7 * 7 and conv.config["kernel_size"] == [7, 7]
    assert conv.channel_axes == (0, 0)  # (C, H, W)
    root = geo.parse(resnet.to_svg())
    assert "112×112" in geo.text_of(root, "n2v-dimension")
    assert "64" in geo.text_of(root, "n2v-feature")
    assert geo.problems(root) == []


def test_resnet18_blocks_are_aggregates_from_the_module_hierarchy(resnet):
    names = [a["name"] for a in resnet.state["aggregates"]]
    assert names == ["Residual block", "Residual, projection"]  # identity and projection
    assert {a["origin"] for a in resnet.state["aggregates"]} == {"BasicBlock"}  # the class
    assert [n.type for n in resnet.folded.nodes].count("Residual block") == 5
    adds = [n for n in resnet.network.nodes if n.type == "Add"]
    assert len(adds) == 8 and all(len(set(resnet.network.feeds[a.id])) == 2 for a in adds)


def test_resnet18_auto_groups_into_at_most_12_glyphs():
    fig = figure(resnet18(), input_size=(1, 3, 224, 224), repeat_marks=True)
    fig.auto_group()
    assert len(fig.folded.nodes) <= 12
    assert geo.problems(geo.parse(fig.to_svg())) == []
    assert fig.to_svg() == figure(resnet18(), input_size=(1, 3, 224, 224), repeat_marks=True,
                                  state=fig.state).to_svg()  # deterministic, state restores


def test_bert_folds_into_its_layers_shown_once(bert):
    fig = figure(bert, input_data=torch.ones(1, 16, dtype=torch.long), repeat_marks=True)
    assert ("Transformer layer", 4) in [(n.type, n.repeats) for n in fig.folded.nodes]
    assert len(fig.folded.nodes) <= 10
    assert geo.problems(geo.parse(fig.to_svg())) == []


def test_a_module_list_loop_and_functional_ops(tmp_path):
    fig = figure(tiny_transformer(), input_data=torch.ones(1, 12, dtype=torch.long))
    assert [n.type for n in fig.folded.nodes] == (
        ["Input", "Embedding"] + ["Transformer layer"] * 4 + ["Mean", "Linear"])
    attention = [n for n in fig.network.nodes if n.type == "MultiheadAttention"]
    assert len(attention) == 4 and attention[0].output_shapes == ((12, 64),)
    fig.save(tmp_path / "transformer.svg")


def test_two_inputs_and_two_outputs():
    fig = figure(TwoInOut(), input_size=[(1, 3, 32, 32), (1, 8)])
    types = [n.type for n in fig.network.nodes]
    assert types.count("Input") == 2 and "Concat" in types
    cat = next(n for n in fig.network.nodes if n.type == "Concat")
    assert len(fig.network.feeds[cat.id]) == 2
    assert sum(1 for n in fig.network.nodes if not fig.network.targets[n.id]) == 2
    assert geo.problems(geo.parse(fig.to_svg())) == []


def test_a_module_without_inputs_is_refused_naming_both_options():
    with pytest.raises(ValueError, match=r"input_size=\(1, 3, 224, 224\).*input_data="):
        figure(resnet18())


def test_wrong_input_sizes_give_pytorchs_reason_and_the_sizes_tried():
    with pytest.raises(ValueError, match=r"cannot run ResNet18: conv1 \(Conv2d\) failed on inputs "
                       r"of sizes \[\(5, 32, 32\)\]: .*3 channels"):
        figure(resnet18(), input_size=(1, 5, 32, 32))


def test_the_widget_shows_a_pytorch_figure(resnet):
    widget = Net2Vis(resnet18(), input_size=(1, 3, 64, 64))
    assert widget.layers["conv1"]["config"] == {"out_channels": 64, "kernel_size": [7, 7],
                                                "stride": [2, 2], "padding": [3, 3]}
    glyphs = len(widget.layers)
    widget._on_message(None, {"action": "set_active", "name": "Residual block", "active": False})
    assert len(widget.layers) > glyphs and widget.error == ""


def test_the_cli_draws_a_module_from_a_factory(tmp_path):
    done = subprocess.run([sys.executable, "-m", "net2vis_widget.cli",
                           "net2vis_widget.torch_examples:resnet18", "--input-size", "1,3,64,64",
                           "-o", "r18.svg"], cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "net2vis: wrote r18.svg", "")
    assert (tmp_path / "r18.svg").read_text().count('class="n2v-layer') > 5


def test_a_unet_draws_its_skip_links_into_the_concatenations():
    fig = figure(unet(), input_size=(1, 1, 64, 64))
    cats = [n for n in fig.network.nodes if n.type == "Concat"]
    assert len(cats) == 3 and all(len(set(fig.network.feeds[c.id])) == 2 for c in cats)
    shapes = [n.output_shapes[0] for n in fig.network.nodes if n.type == "MaxPool2d"]
    assert shapes == [(16, 32, 32), (32, 16, 16), (64, 8, 8)]
    # 32 channels at 32×32 joined to 32 more: 64 channels, not 32 at 64×32
    assert [c.output_shapes[0][c.channel_axes[1]] for c in cats] == [128, 64, 32]
    root = geo.parse(fig.to_svg())
    assert geo.problems(root) == []
    fig.auto_group()
    assert geo.problems(geo.parse(fig.to_svg())) == []


def test_the_figure_is_the_same_bytes_whatever_the_hash_seed():
    script = ("import hashlib, sys; sys.path.insert(0, 'tests')\n"
              "from test_random_networks import repeated_network\n"
              "from net2vis_widget import figure\n"
              "from net2vis_widget.torch_examples import resnet18\n"
              "figures = [figure(resnet18(), input_size=(1, 3, 64, 64))]\n"
              "figures += [figure(repeated_network(seed)) for seed in range(20)]\n"
              "for f in figures: f.auto_group()\n"
              "print(hashlib.sha256(''.join(f.to_svg() for f in figures).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              cwd=ROOT).stdout for seed in range(6)}
    assert len(digests) == 1


def test_a_module_pytorch_cannot_capture_is_refused_with_pytorchs_reason():
    class DataDependent(torch.nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x  # a branch on the values

    with pytest.raises(ValueError, match=r"cannot run DataDependent: forward \(DataDependent\) "
                       r"failed on inputs of sizes \[\(8,\)\]: Could not guard on data"):
        figure(DataDependent(), input_size=(1, 8))


def test_a_sequence_model_keeps_its_features_as_channels():
    fig = figure(tiny_transformer(), input_data=torch.ones(1, 12, dtype=torch.long))
    assert fig.network.by_id["embedding"].channel_axes == (-1, -1)  # (tokens, features)
    root = geo.parse(fig.to_svg())
    assert "64" in geo.text_of(root, "n2v-feature") and "12" in geo.text_of(root, "n2v-dimension")
