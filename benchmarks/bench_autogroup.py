"""Automatic grouping time (SPEC §8: a 2,000-layer chain under 0.5 s; NASNetLarge under 0.2 s).

Run: ``python benchmarks/bench_autogroup.py``. Times ``figure(model).auto_group()`` on
ResNet50, DenseNet201, NASNetLarge, a 24-block transformer encoder (extraction excluded)
and a synthetic 2,000-layer conv/batch-norm/ReLU chain; prints glyph counts before, after,
and after with ×N marks. Asserts nothing.
"""
from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from net2vis_widget import Edge, Network, Node, figure  # noqa: E402
from net2vis_widget.examples import transformer_encoder  # noqa: E402

TARGETS = {"chain 2,000": 0.5, "NASNetLarge": 0.2}


def chain(length: int) -> Network:
    kinds = ("Conv2D", "BatchNormalization", "ReLU")
    nodes = [Node(f"n{i}", f"n{i}", kinds[i % 3] if i else "InputLayer", ((32, 32, 8),),
                  ((32, 32, 8),)) for i in range(length)]
    edges = [Edge(f"n{i}", f"n{i + 1}") for i in range(length - 1)]
    return Network("chain", tuple(nodes), tuple(edges))


def time_auto_group(network: Network, repeats: int = 5) -> tuple[float, int, int, int]:
    times = []
    for _ in range(repeats):
        fig = figure(network, auto_group=False)
        start = time.perf_counter()
        fig.auto_group()
        times.append(time.perf_counter() - start)
    glyphs = len(fig.folded.nodes)
    fig.update(repeat_marks=True)
    return statistics.median(times), len(network.nodes), glyphs, len(fig.folded.nodes)


def main() -> None:
    cases = {name: figure(getattr(keras.applications, name)(weights=None)).network
             for name in ("ResNet50", "DenseNet201", "NASNetLarge")}
    cases["transformer ×24"] = figure(transformer_encoder(24)).network
    cases["chain 2,000"] = chain(2_000)
    print(f"{'model':<16} {'layers':>6} {'glyphs':>6} {'with ×N':>7} {'auto_group s':>12}  target")
    for name, network in cases.items():
        seconds, layers, glyphs, marked = time_auto_group(network)
        target = TARGETS.get(name)
        verdict = f"<{target} s: {'PASS' if seconds < target else 'MISS'}" if target else "-"
        print(f"{name:<16} {layers:>6} {glyphs:>6} {marked:>7} {seconds:>12.4f}  {verdict}")


if __name__ == "__main__":
    main()
