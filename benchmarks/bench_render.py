"""Render-time benchmark: net2vis vs keras.utils.plot_model vs visualkeras on Keras models,
plus synthetic graphs (PyTorch modules beside torchview: ``bench_torch.py``).

Run: ``python benchmarks/bench_render.py [--quick]`` (``--quick`` skips DenseNet201 and the
10,000-node synthetic graph). Prints a table with the SPEC targets; asserts nothing. The
peers come with ``pip install -e ".[bench]"`` and Debian's ``graphviz``; a peer that is
missing or fails is reported in its cell.
"""
from __future__ import annotations

import argparse
import os
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from net2vis_widget import Edge, Network, Node, figure  # noqa: E402
from timing import run_times  # noqa: E402

# SPEC targets: net2vis seconds per model, and the minimum speed-up over plot_model.
KERAS_TARGETS = {"ResNet50": 0.04, "DenseNet201": 0.1}
SYNTHETIC_TARGETS = {1_000: None, 5_000: 2.0, 10_000: 5.0}
MIN_RATIO = 3.0


def median_time(fn, repeats: int, warmup: int = 0) -> float:
    return statistics.median(run_times(lambda _: fn(), repeats, warmup))


def time_net2vis(model, repeats=7) -> float:
    return median_time(lambda: figure(model, auto_group=False).to_svg(), repeats, warmup=1)


def time_plot_model(model, repeats=3) -> float:
    # plot_model(to_file="*.svg") raises when IPython is importable, so go through model_to_dot.
    return median_time(
        lambda: keras.utils.model_to_dot(model, rankdir="LR", show_shapes=True).create(
            format="svg"),
        repeats)


def time_visualkeras(model) -> str:
    """Seconds of one ``layered_view`` as text, or why it could not run."""
    try:
        import visualkeras
    except ImportError as exc:
        return f"not installed ({exc.__class__.__name__})"
    try:
        return f"{median_time(lambda: visualkeras.layered_view(model), 1):.3f} s"
    except Exception as exc:  # report the failure, don't hide it
        return f"failed: {exc.__class__.__name__}: {exc}"


def synthetic_network(n: int) -> Network:
    """A residual chain of ``n`` nodes: conv/bn/relu pairs, an Add skip per block, downsampling
    (with a projection shortcut) every 8 blocks."""
    nodes: list[Node] = []
    edges: list[Edge] = []

    def add(kind, in_shapes, out_shape, inputs, params=0):
        node_id = f"{kind.lower()}_{len(nodes)}"
        nodes.append(Node(node_id, node_id, kind, tuple(in_shapes), (out_shape,), {}, params))
        edges.extend(Edge(src, node_id, i) for i, src in enumerate(inputs))
        return node_id

    shape = (224, 224, 64)
    last = add("InputLayer", [shape], shape, [])
    block = 0
    while len(nodes) < n:
        h, w, c = shape
        down = block and block % 8 == 0 and h > 7
        out = (h // 2, w // 2, min(c * 2, 2048)) if down else shape
        skip = add("Conv2D", [shape], out, [last], c * out[2]) if down else last
        x = last
        for conv in range(2):
            x = add("Conv2D", [shape if conv == 0 else out], out, [x], 9 * c * out[2])
            x = add("BatchNormalization", [out], out, [x], 4 * out[2])
            if conv == 0:
                x = add("ReLU", [out], out, [x])
        x = add("Add", [out, out], out, [x, skip])
        last = add("ReLU", [out], out, [x])
        shape, block = out, block + 1
    kept = {node.id for node in nodes[:n]}
    return Network(f"synthetic_{n}", tuple(nodes[:n]),
                   tuple(e for e in edges if e.source in kept and e.target in kept))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def keras_row(name: str) -> list[str]:
    model = getattr(keras.applications, name)(weights=None)
    nodes = len(figure(model).network.nodes)
    ours = time_net2vis(model)
    try:
        peer = time_plot_model(model)
        ratio, peer_text = peer / ours, f"{peer:.3f}"
    except Exception as exc:
        ratio, peer_text = None, f"failed: {exc.__class__.__name__}: {exc}"
    target = KERAS_TARGETS[name]
    spec = f"<{target} s: {verdict(ours < target)}"
    spec += f"; >={MIN_RATIO:g}x: {verdict(ratio is not None and ratio >= MIN_RATIO)}"
    return [name, str(nodes), f"{ours:.4f}", peer_text,
            f"{ratio:.1f}x" if ratio else "-", time_visualkeras(model), spec]


def synthetic_row(n: int) -> list[str]:
    network = synthetic_network(n)
    ours = median_time(lambda: figure(network, auto_group=False).to_svg(), 1)
    target = SYNTHETIC_TARGETS[n]
    spec = f"<{target:g} s: {verdict(ours < target)}" if target else "-"
    return [f"synthetic {n:,}", str(len(network.nodes)), f"{ours:.3f}", "-", "-", "-", spec]


def print_table(rows: list[list[str]]) -> None:
    header = ["model", "nodes", "net2vis s", "plot_model s", "ratio", "visualkeras", "SPEC"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip DenseNet201 and the 10,000-node synthetic graph")
    quick = parser.parse_args().quick
    models = ["ResNet50"] + ([] if quick else ["DenseNet201"])
    sizes = [1_000, 5_000] + ([] if quick else [10_000])
    rows = [keras_row(name) for name in models] + [synthetic_row(n) for n in sizes]
    print_table(rows)


if __name__ == "__main__":
    main()
