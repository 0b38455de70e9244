"""Very long chains, drawn end to end: a Keras ``Sequential`` of 20,000 ``Dense`` layers and a
PyTorch ``Sequential`` of 10,000 ``Linear`` layers (issue 23's sizes).

``python benchmarks/bench_chains.py [keras|torch] [LAYERS]``: one model per process (so that
the peak memory is the model's). Building the model is timed apart from drawing it: the
drawing is ``figure(model)`` (capture, fold, layout, drawing, SVG) and then ``auto_group()``.
Peak memory is the process's maximum resident set size after building and after drawing.

Keras builds such a model only with Python's recursion limit raised (its graph walk recurses
once per layer), as its user has to; drawing itself needs no more than the default.
"""
from __future__ import annotations

import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SIZES = {"keras": 20_000, "torch": 10_000}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(framework: str, layers: int):
    if framework == "keras":
        import keras

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 10 * layers))
        try:
            return keras.Sequential([keras.Input((8,))] +
                                    [keras.layers.Dense(8) for _ in range(layers)]), {}
        finally:
            sys.setrecursionlimit(limit)
    import torch

    return torch.nn.Sequential(*[torch.nn.Linear(8, 8) for _ in range(layers)]), {
        "input_size": (1, 8)}


def main(framework: str = "keras", layers: str | None = None) -> None:
    from net2vis_widget import figure

    count = int(layers) if layers else SIZES[framework]
    start = time.perf_counter()
    model, inputs = build(framework, count)
    built, built_peak = time.perf_counter() - start, peak_mb()
    start = time.perf_counter()
    fig = figure(model, auto_group=False, **inputs)
    svg = fig.to_svg()
    drawn = time.perf_counter() - start
    start = time.perf_counter()
    fig.auto_group()
    grouped_svg = fig.to_svg()
    grouped = time.perf_counter() - start
    print(f"{framework} chain of {count:,} layers: built in {built:.1f} s (peak {built_peak:,.0f} "
          f"MB); drawn in {drawn:.1f} s ({len(fig.network.nodes):,} layers, {len(svg) / 1e6:.1f} "
          f"MB of SVG), auto-grouped in {grouped:.1f} s ({len(fig.folded.nodes)} glyphs, "
          f"{len(grouped_svg) / 1e3:.0f} kB); peak {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
