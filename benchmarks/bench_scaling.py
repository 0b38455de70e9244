"""Time per pipeline phase on NASNet-like networks of 1k, 5k and 20k layers (SPEC §8: 20k
nodes ≤ 5 s, no phase worse than O((V + E) log(V + E))).

``python benchmarks/bench_scaling.py [SIZE ...]``. Each cell reads the two cells before it
(the previous one and the one before that: NASNet's wiring, with its long edges), runs two
branches of separable convolutions on each input and adds them, then concatenates. The
phases are those of ``figure.render``; a phase whose time grows much faster than the size
shows in the last column (its time per layer relative to the smallest size).
"""
from __future__ import annotations

import sys
import time

from net2vis_widget import draw, layout, legend, sizing, svg
from net2vis_widget.figure import layer_types, styles_of
from net2vis_widget.fold import fold
from net2vis_widget.network import Edge, Network, Node
from net2vis_widget.state import State
from net2vis_widget.wrap import wrap

SHAPE = (32, 32, 64)


def nasnet_like(size: int) -> Network:
    nodes = [Node("input", "input", "Input", (), (SHAPE,), role="input")]
    edges, before, last = [], "input", "input"

    def add(kind, role, sources):
        node_id = f"n{len(nodes)}"
        nodes.append(Node(node_id, node_id, kind, (SHAPE,) * len(sources), (SHAPE,), role=role,
                          kernel=role == "convolution"))
        edges.extend(Edge(s, node_id, i) for i, s in enumerate(sources))
        return node_id

    while len(nodes) < size:
        branches = []
        for source in (last, before):  # a cell reads the previous two cells
            x = add("Activation", "activation", [source])
            x = add("SeparableConv2D", "convolution", [x])
            y = add("SeparableConv2D", "convolution", [source])
            branches.append(add("Add", "add", [x, y]))
        before, last = last, add("Concatenate", "concatenate", branches)
    kept = {n.id for n in nodes[:size]}
    return Network(f"nasnet_like_{size}", tuple(nodes[:size]),
                   tuple(e for e in edges if e.source in kept and e.target in kept))


def phases(network: Network) -> dict[str, float]:
    """Seconds per phase of one render, with the default state."""
    state, preferences, times = State(), State().preferences, {}

    def timed(name, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        times[name] = time.perf_counter() - start
        return result

    folded = timed("fold", fold, network, state.aggregates, state.hidden)
    styles = timed("styles", styles_of, network, state)
    sizes = timed("measure", sizing.measure, folded, preferences)
    boxes = timed("boxes", draw.boxes, folded, sizes, styles, preferences)
    placement = timed("layout", layout.layout, [n.id for n in folded.nodes],
                      list(dict.fromkeys((e.source, e.target) for e in folded.edges)), boxes,
                      preferences.spacing_horizontal, preferences.spacing_vertical)
    scene = timed("draw", draw.draw, folded, sizes, placement, styles, preferences)
    width = preferences.page_units - 2 * svg.MARGIN
    scene = timed("wrap", wrap, scene, folded, placement, width,
                  preferences.spacing_horizontal, preferences.spacing_vertical)
    entries = legend.entries(layer_types(network), (), {n.type for n in folded.nodes},
                             preferences)
    scene = timed("legend", legend.add_legend, scene, entries, styles, preferences, width)
    timed("write", svg.write, scene, preferences.points_per_unit, preferences.page_width)
    return times


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 5_000, 20_000]
    rows = {size: phases(nasnet_like(size)) for size in sizes}
    names = list(rows[sizes[0]])
    print("layers".ljust(8) + "".join(n.rjust(9) for n in names) + "    total s")
    for size, times in rows.items():
        print(f"{size:<8}" + "".join(f"{times[n]:9.3f}" for n in names)
              + f"{sum(times.values()):11.2f}")
    small, large = sizes[0], sizes[-1]
    growth = {n: (rows[large][n] / large) / max(rows[small][n] / small, 1e-9) for n in names}
    print(f"time per layer at {large:,} over {small:,}: "
          + ", ".join(f"{n} {g:.1f}×" for n, g in growth.items()))


if __name__ == "__main__":
    main()
