"""One vocabulary for every framework (SPEC §3d): the adapters map their own types onto
roles, kernels, settings, call paths and a channel axis per tensor; everything after reads
only those, so the same network draws the same from Keras, PyTorch and ONNX."""
from __future__ import annotations

import itertools
from dataclasses import replace

import keras
import pytest

from net2vis_widget import figure
from net2vis_widget.examples import residual_net
from net2vis_widget.network import ROLES, Network
from net2vis_widget.palette import MIN_DELTA_E, ciede2000, fill_of
from net2vis_widget.sizing import measure

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
onnx = pytest.importorskip("onnx")

IDS = torch.ones(1, 16, dtype=torch.long)
SMALL = dict(hidden_size=64, intermediate_size=128, num_attention_heads=4)
LANGUAGE_MODELS = {  # hidden size 64, 16 tokens, each with its default configuration else
    "BERT": lambda: transformers.BertModel(transformers.BertConfig(num_hidden_layers=2, **SMALL)),
    "GPT-2": lambda: transformers.GPT2LMHeadModel(transformers.GPT2Config(n_layer=2, n_embd=64,
                                                                          n_head=4)),
    "Llama": lambda: transformers.LlamaForCausalLM(transformers.LlamaConfig(
        num_hidden_layers=2, num_key_value_heads=2, vocab_size=1000, **SMALL)),
}
VISION_MODELS = {  # 64×64 images, hidden size 64; ViT: 16 patches and a class token
    "ViT": (lambda: transformers.ViTModel(transformers.ViTConfig(
        num_hidden_layers=2, image_size=64, patch_size=16, **SMALL)), 17),
    "Swin": (lambda: transformers.SwinModel(transformers.SwinConfig(
        image_size=64, patch_size=4, embed_dim=64, depths=[2], num_heads=[4], window_size=4)),
             256),
}
SEQUENCE_ROLES = {"attention", "dense", "normalization", "activation", "add"}


def sides(fig):
    """What each glyph's labels say: {glyph id: (features under it, dimensions after it)}."""
    sizes = measure(fig.network, fig.snapshot.preferences)  # every layer, unfolded
    return {v: (size.features, size.output_dimensions) for v, size in sizes.items()}


@pytest.mark.parametrize("name", LANGUAGE_MODELS)
def test_a_language_models_glyphs_read_hidden_size_under_and_tokens_beside(name):
    fig = figure(LANGUAGE_MODELS[name](), input_data=IDS)  # default config: caches returned
    labels = sides(fig)
    layers = [n for n in fig.network.nodes if n.role in SEQUENCE_ROLES
              and len(n.output_shapes[0]) == 2 and n.output_shapes[0][-1] == 64]
    assert len(layers) >= 8
    assert {labels[n.id] for n in layers} == {("64", "16")}


@pytest.mark.parametrize("name", VISION_MODELS)
def test_a_vision_transformer_reads_its_stem_as_an_image_and_its_blocks_as_tokens(name):
    build, tokens = VISION_MODELS[name]
    fig = figure(build(), input_size=(1, 3, 64, 64))
    labels = sides(fig)
    stem = next(n for n in fig.network.nodes if n.role == "convolution")
    assert labels[stem.id][1].count("×") == 1  # an image: 4×4 patches, 16×16 for Swin
    blocks = [n for n in fig.network.nodes if n.role == "normalization"]  # (Swin's attention
    # reads windows of 16 tokens)
    assert blocks and {labels[n.id] for n in blocks} == {("64", str(tokens))}


def test_plumbing_is_bypassed_in_pytorch_as_in_onnx():
    class ShiftedWindows(torch.nn.Module):
        """A Swin block's mask as torchvision builds it: from the input's shape only."""

        def __init__(self):
            super().__init__()
            self.qkv, self.drop = torch.nn.Linear(8, 8), torch.nn.Dropout(0.1)

        def forward(self, x):
            mask = x.new_zeros((4, 4))
            for i, rows in enumerate((slice(0, 2), slice(2, 4))):
                mask[rows, :] = i
            mask = mask.reshape(16).unsqueeze(0) - mask.reshape(16).unsqueeze(1)
            mask = mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)
            scores = self.qkv(x) @ self.qkv(x).transpose(-1, -2)
            return self.drop(torch.softmax(scores + mask, -1))

    module = ShiftedWindows().train()
    fig = figure(module, input_size=(1, 16, 8))
    assert {n.type for n in fig.network.nodes} == {"Input", "Linear", "MatMul", "Softmax"}
    assert module.training


def test_resnet50_is_one_figure_from_keras_pytorch_and_onnx(tmp_path):
    torch_model = transformers.ResNetForImageClassification(transformers.ResNetConfig()).eval()
    path = tmp_path / "resnet50.onnx"
    torch.onnx.export(torch_model, (torch.rand(1, 3, 224, 224),), str(path), dynamo=False)
    figures = {"keras": figure(keras.applications.ResNet50(weights=None)),
               "torch": figure(torch_model, input_size=(1, 3, 224, 224)),
               "onnx": figure(path)}
    shapes = {}
    for name, fig in figures.items():
        fig.update(repeat_marks=True)
        fig.auto_group()
        shapes[name] = [("block", n.repeats) if n.members else (n.role, n.repeats)
                        for n in fig.folded.nodes]
    assert shapes["keras"] == shapes["torch"] == shapes["onnx"]
    assert [r for kind, r in shapes["keras"] if kind == "block"][1:] == [1, 2, 1, 3, 1, 5, 1, 2]


def test_a_relu_capped_at_6_is_a_relu6_in_keras_as_in_pytorch():
    """MobileNetV2's ``ReLU(6.0)``: the paper's and PyTorch's ``ReLU6``, not a ``ReLU``."""
    types = {n.type for n in figure(keras.applications.MobileNetV2(weights=None)).network.nodes}
    torch_types = {n.type for n in figure(torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU6()), input_size=(1, 3, 8, 8)).network.nodes}
    assert "ReLU6" in types & torch_types and "ReLU" not in types


def test_densenet121_counts_its_dense_blocks_as_the_paper_does():
    fig = figure(keras.applications.DenseNet121(weights=None), repeat_marks=True)
    fig.auto_group()
    runs = [n.repeats for n in fig.folded.nodes if n.type == "Dense layer"]
    assert runs == [6, 12, 24, 16]


def test_types_renamed_to_nonsense_group_the_same_given_the_same_roles():
    original = figure(residual_net(blocks=4)).network
    renamed_type = {t: f"OP_{i}" for i, t in enumerate(original.kinds)}  # TFLite-like names
    renamed = Network(original.name, tuple(replace(n, type=renamed_type[n.type], short="")
                                           for n in original.nodes), original.edges)
    groups = {}
    for key, network in (("original", original), ("renamed", renamed)):
        fig = figure(network)
        fig.auto_group()
        back = {v: k for k, v in renamed_type.items()} if key == "renamed" else {}
        groups[key] = [(tuple(back.get(m, m) for m in a["members"]), a["sources"])
                       for a in fig.state["aggregates"]]
    assert len(groups["original"]) >= 3
    structure = [(len(members), sources) for members, sources in groups["original"]]
    assert structure == [(len(members), sources) for members, sources in groups["renamed"]]


def test_every_node_carries_neutral_facts():
    fig = figure(transformers.BertModel(transformers.BertConfig(num_hidden_layers=2, **SMALL)),
                 input_data=IDS)
    assert {n.role for n in fig.network.nodes} <= set(ROLES)
    layer = next(n for n in fig.network.nodes if n.calls)
    assert layer.calls[0] == "encoder.layer.0" and layer.scope[0] == "BertLayer"
    assert "/" not in "".join(n.type for n in fig.network.nodes)
    dense = next(n for n in fig.network.nodes if n.role == "dense")
    assert dense.kernel and dense.settings["out_features"] in (64, 128)
    assert "Dropout" not in {n.type for n in fig.network.nodes}  # eval mode: identity


def test_no_two_legend_entries_look_alike_and_grey_means_off():
    fig = figure(transformers.LlamaForCausalLM(transformers.LlamaConfig(
        num_hidden_layers=2, num_key_value_heads=2, vocab_size=1000, **SMALL)), input_data=IDS)
    fig.auto_group()
    fills = {key: fill_of(s.color, s.aggregate) for key, s in fig.styles.items()}
    assert len(fills) >= 10
    for a, b in itertools.combinations(fills, 2):
        assert ciede2000(fills[a], fills[b]) >= MIN_DELTA_E, (a, b)
    assert all(ciede2000(fill, "#9E9E9E") >= MIN_DELTA_E for fill in fills.values())
