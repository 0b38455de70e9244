"""PyTorch modules: net2vis (capture, then drawing) beside torchview, in one run.

``python benchmarks/bench_torch.py`` times each module here and a set of ``transformers``
architectures built from small configs: our capture (``figure()``) and drawing
(``to_svg()``) apart, and torchview's graph to SVG on the CPU and on its meta device. The
last column is ours (capture + drawing) over torchview's best; below 1.0 we are faster.
Needs ``pip install torchview`` and Graphviz's ``dot``; a peer that fails is reported.
"""
from __future__ import annotations

import statistics
import warnings

import torch
import transformers as hf

from net2vis_widget import figure
from net2vis_widget.figure import render
from net2vis_widget.torch_examples import resnet18, tiny_transformer, unet
from lookalikes import autoencoder, maxvit, squeezenet, vgg16
from timing import run_times

IDS = torch.ones(1, 16, dtype=torch.long)
IMAGE = {"input_size": (1, 3, 224, 224)}
TOKENS = {"input_data": IDS}
SMALL = dict(hidden_size=128, intermediate_size=256, num_attention_heads=4,
             num_hidden_layers=4)


def modules():
    """(name, module, inputs) of every module timed."""
    yield "ResNet-18 (here)", resnet18(), IMAGE
    yield "U-Net (here)", unet(), {"input_size": (1, 1, 128, 128)}
    yield "transformer (here)", tiny_transformer(), TOKENS
    yield "BERT ×4", hf.BertModel(hf.BertConfig(**SMALL)), TOKENS
    yield "GPT-2 ×4", hf.GPT2Model(hf.GPT2Config(n_layer=4, n_embd=128, n_head=4)), TOKENS
    yield "Llama ×4", hf.LlamaModel(hf.LlamaConfig(num_key_value_heads=2, **SMALL)), TOKENS
    yield "ViT ×4", hf.ViTModel(hf.ViTConfig(**SMALL)), IMAGE
    yield "ResNet-50", hf.ResNetModel(hf.ResNetConfig()), IMAGE
    yield "ConvNeXt-T", hf.ConvNextModel(hf.ConvNextConfig()), IMAGE
    yield "Swin-T", hf.SwinModel(hf.SwinConfig()), IMAGE
    yield "EfficientNet-B0", hf.EfficientNetModel(hf.EfficientNetConfig()), IMAGE
    yield "RegNet", hf.RegNetModel(hf.RegNetConfig()), IMAGE
    yield "MobileViT", hf.MobileViTModel(hf.MobileViTConfig()), {"input_size": (1, 3, 256, 256)}
    yield "T5 ×4", hf.T5Model(hf.T5Config(num_layers=4, d_model=128, d_ff=256, num_heads=4)), {
        "input_data": {"input_ids": IDS, "decoder_input_ids": IDS[:, :4]}}
    yield "Whisper ×2", hf.WhisperModel(hf.WhisperConfig(
        d_model=128, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4)), {"input_data": {
            "input_features": torch.zeros(1, 80, 3000), "decoder_input_ids": IDS[:, :4]}}
    yield "SqueezeNet (look-alike)", squeezenet(), IMAGE
    yield "VGG-16 (look-alike)", vgg16(), IMAGE
    yield "MaxViT-T (look-alike)", maxvit(), IMAGE
    yield "autoencoder (diffusers look-alike)", autoencoder(), {"input_size": (1, 3, 128, 128)}
    yield "DeiT-S", hf.DeiTModel(hf.DeiTConfig(hidden_size=384, num_attention_heads=6,
                                               intermediate_size=1536)), IMAGE
    yield "MobileNetV2", hf.MobileNetV2Model(hf.MobileNetV2Config()), IMAGE


def best(fn, repeats: int = 3) -> float:
    """The fastest of ``repeats`` runs, after one to warm up: the least disturbed by a busy
    machine."""
    return min(run_times(lambda _: fn(), repeats, warmup=1))


def ours(module, inputs) -> tuple[float, float]:
    capture = best(lambda: figure(module, auto_group=False, **inputs))
    # the figure keeps its rendering: draw with the pipeline
    fig = figure(module, auto_group=False, **inputs)
    return capture, best(lambda: render(fig.network, fig.snapshot))


def torchview(module, inputs, device: str) -> float | str:
    try:
        from torchview import draw_graph
    except ImportError as error:
        return f"not installed ({error.__class__.__name__})"
    arguments = dict(inputs)
    if "input_data" in arguments and device == "meta":
        data = arguments["input_data"]
        arguments["input_data"] = ({k: v.to("meta") for k, v in data.items()}
                                   if isinstance(data, dict) else data.to("meta"))
    try:
        return best(lambda: draw_graph(module, expand_nested=True, device=device, **arguments)
                    .visual_graph.pipe(format="svg"), 1)
    except Exception as error:  # noqa: BLE001 - report the failure, don't hide it
        return f"failed: {error.__class__.__name__}: {str(error).splitlines()[0][:60]}"


def main() -> None:
    warnings.simplefilter("ignore")
    header = ["model", "capture s", "draw s", "torchview cpu s", "torchview meta s", "ratio"]
    rows, ratios = [], []
    for name, module, inputs in modules():
        module.eval()
        capture, draw = ours(module, inputs)
        peers = [torchview(module, inputs, device) for device in ("cpu", "meta")]
        timed = [p for p in peers if isinstance(p, float)]
        ratio = (capture + draw) / min(timed) if timed else None
        if ratio is not None:
            ratios.append(ratio)
        rows.append([name, f"{capture:.3f}", f"{draw:.3f}",
                     *(f"{p:.3f}" if isinstance(p, float) else p for p in peers),
                     f"{ratio:.2f}" if ratio is not None else "-"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if ratios:
        print(f"median ours / torchview: {statistics.median(ratios):.2f} "
              f"(below 1.0 on {sum(r < 1 for r in ratios)} of {len(ratios)})")


if __name__ == "__main__":
    main()
