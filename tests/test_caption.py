"""The figure in words (``describe()``): the blocks in the figure's own names with their ×N,
their stages and sizes, and the parameter total, each weight counted once; in the SVG as
<desc>, in a PDF as its subject; following the state."""
from __future__ import annotations

import keras
import pytest
import pymupdf
import torch
import transformers

import svg_geometry as geo
from net2vis_widget import Net2Vis, figure
from net2vis_widget.caption import count
from net2vis_widget.examples import unet

LLAMA_3_8B = transformers.LlamaConfig(
    hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
    num_key_value_heads=8, vocab_size=128256, architectures=["LlamaForCausalLM"])


def legend_names(fig) -> set[str]:
    root = geo.parse(fig.to_svg())
    return {text.text for text in root.iter(geo.SVG + "text") if text.text}


def test_resnet50_in_words():
    model = keras.applications.ResNet50(weights=None)
    fig = figure(model)
    assert fig.describe() == (
        "resnet50: Input (3 channels at 224×224); Conv–BN–ReLU (7×7 kernel, 64 channels at "
        "112×112); "
        "MaxPool (64 channels at 56×56); 4 stages of Bottleneck (×3, ×4, ×6, ×3; 256 to 2048 "
        "channels at 56×56 to 7×7); GAP (2048 channels at 1×1); Linear (1000); "
        f"{count(model.count_params())} parameters.")
    assert count(model.count_params()) == "25.6 M"
    assert {"Conv–BN–ReLU", "MaxPool", "Bottleneck", "GAP", "Linear"} <= legend_names(fig)


def test_unet_in_words():
    model = unet()
    caption = figure(model, auto_group=True).describe()
    assert "3 stages of Up block (128 to 32 channels at 32×32 to 128×128)" in caption
    assert caption.endswith(f"; {count(model.count_params())} parameters.")


@pytest.mark.parametrize("config, blocks", [
    (transformers.BertConfig(), ["Transformer layer ×12 (768 features × 16 positions)"]),
    (transformers.T5Config(), ["Encoder layer ×6", "Decoder layer ×6"]),
    (transformers.WhisperConfig(), ["Conv (kernel 3, 384 features × 3000 positions)"]),
    (LLAMA_3_8B, ["Transformer layer ×32 (4096 features × 16 positions)"]),
    (transformers.SwinConfig(), ["Transformer layer ×6 (384 features × 196 positions)",
                                 "GAP (768 features × 1 position)"]),
    (transformers.ConvNextConfig(), ["Residual block ×9 (384 channels at 14×14)",
                                     "GAP (768 channels at 1×1)"]),  # its mean: as Keras's
])
def test_transformers_in_words(config, blocks):
    from net2vis_widget.extract import from_config

    model, _ = from_config.model_and_inputs(config)
    caption = figure(config).describe()
    for block in blocks:
        assert block in caption
    assert caption.endswith(f"; {count(sum(p.numel() for p in model.parameters()))} parameters.")


def test_the_caption_follows_the_state_and_travels_with_the_figure(residual, tmp_path):
    fig = figure(residual, auto_group=True)
    before = fig.describe()
    fig.update(aliases={"Residual block": "ResBlock"})
    assert fig.describe() == before.replace("Residual block", "ResBlock")
    fig.unfold()
    assert "ResBlock" not in fig.describe()
    root = geo.parse(fig.to_svg())
    assert root.find(geo.SVG + "desc").text == fig.describe()
    fig.save(tmp_path / "fig.pdf")
    assert pymupdf.open(tmp_path / "fig.pdf").metadata["subject"] == fig.describe()
    widget = Net2Vis(residual, auto_group=True)
    assert widget.caption == widget.describe() == before


def test_a_network_without_weights_says_zero_parameters():
    model = torch.nn.Sequential(torch.nn.ReLU())
    assert figure(model, input_size=(1, 8)).describe().endswith("; 0 parameters.")
