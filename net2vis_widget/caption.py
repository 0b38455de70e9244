"""The figure in words: a caption that is also its accessible description.

It reads the figure as drawn with ×N marks, left to right: each run of glyphs of one kind (an
aggregate's variants, ``Bottleneck, projection`` and ``Bottleneck``, are one kind) with its
count, split into stages where the size it outputs changes, with the sizes the figure's
labels show; then the parameter total, each weight counted once.
"""
from __future__ import annotations

from itertools import groupby

from . import sizing
from .network import Network, Node


def describe(network: Network, marked: Network, styles, preferences) -> str:
    """``ResNet50: Input (3 channels at 224×224); …; 4 stages of Bottleneck (×3, ×4, ×6,
    ×3; 256 to 2048 channels at 56×56 to 7×7); GAP (2048); Linear (1000); 25.6 M
    parameters.`` ``marked``: ``network`` folded with ×N marks, no occurrence opened."""
    said = sizing.labels(marked, preferences)

    def kind(node: Node) -> tuple[str, str]:  # each input apart: a model's inputs differ
        alias = styles[node.type].alias
        return (alias.split(",")[0] if node.members else alias,
                node.id if node.role == "input" else "")

    parts = [_run(name, list(run), said, network.by_id)
             for (name, _), run in groupby(marked.nodes, key=kind)]
    total = sum(n.params for n in network.nodes)
    return f"{network.name}: {'; '.join(parts)}; {count(total)} parameters."


def _run(name: str, run: list[Node], said, layers) -> str:
    """One kind's glyphs in a row: ``Conv (7×7 kernel, 64 channels at 112×112)``,
    ``Bottleneck ×2 (…)``, or its stages where the output's size changes along the run."""
    def size(node):
        return said[node.id]

    stages = [sum(n.repeats for n in nodes) for _, nodes in groupby(run, key=size)]
    (first, first_grid), (last, last_grid) = size(run[0]), size(run[-1])
    if len(stages) == 1:
        times = f" ×{stages[0]}" if stages[0] > 1 else ""
        shown = ", ".join(filter(None, (_kernel(run[0], layers), _size(last, last_grid))))
        return f"{name}{times} ({shown})" if shown else f"{name}{times}"
    counts = ", ".join(f"×{n}" for n in stages) + "; " if max(stages) > 1 else ""
    if not first_grid:  # vectors: their widths
        return f"{len(stages)} stages of {name} ({counts}{first} to {last})"
    grids = f"{first_grid} to {last_grid}" if first_grid != last_grid else first_grid
    of = "" if name.lower().startswith("stage") else f" of {name}"  # not "stages of Stage"
    return f"{len(stages)} stages{of} ({counts}{_size(f'{first} to {last}', grids)})"


def _kernel(node: Node, layers) -> str:
    """``7×7 kernel`` (``kernel 3`` along a sequence) where the glyph holds one convolution,
    as a stem does."""
    convolutions = [layers[m] for m in node.members or (node.id,)
                    if m in layers and layers[m].role == "convolution"]
    if len(convolutions) != 1:
        return ""
    settings = convolutions[0].settings
    size = settings.get("kernel_size") or settings.get("kernel_shape")
    size = [size] if isinstance(size, int) else list(size or ())
    if len(size) == 1:  # a sequence's convolution: Whisper's
        return f"kernel {size[0]}"
    return f"{'×'.join(map(str, size))} kernel" if size else ""


def _size(features: str, grid: str) -> str:
    """``64 channels at 112×112``, ``1 channel at 128×128``, ``768 features × 16
    positions`` (a sequence), ``16 positions`` (token ids), or a vector's width."""
    if not grid:
        return features
    if "×" not in grid.replace(" to ", ""):  # one axis: a sequence
        positions = f"{grid} position{'' if grid == '1' else 's'}"
        return f"{features} features × {positions}" if features else positions
    return f"{features} channel{'' if features == '1' else 's'} at {grid}"


def count(params: int) -> str:
    """A parameter count as papers write it: 512, 70 k, 4.5 M, 1.2 B."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if params >= size:
            return f"{params / size:.3g} {unit}"
    return str(params)
