"""Kernel-side widget latency on keras.applications (SPEC §8: first display ≤ 0.3 s, every
action ≤ 50 ms beyond auto-grouping's own search, which ≤ 150 ms).

``python benchmarks/bench_actions.py [NAME ...]`` (all applications by default) builds each
model once, then times, median of 5: the first ``Net2Vis(model)`` (extraction, folding,
layout, drawing, the traits), ``auto_group()`` on a fresh widget, and on the auto-grouped
widget: switching an aggregate off and on, hiding and showing a layer type, a rename, and a
preference that changes only labels. Asserts nothing; prints a table and the worst figures.
"""
from __future__ import annotations

import inspect
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from net2vis_widget import Net2Vis  # noqa: E402

REPEATS = 5
COLUMNS = ["first", "auto_group", "toggle", "hide/show", "rename", "preference"]
TARGETS = {"first": 0.3, "auto_group": 0.15, "toggle": 0.05, "hide/show": 0.05,
           "rename": 0.05, "preference": 0.05}


def median(action, prepare=lambda: None) -> float:
    times = []
    for _ in range(REPEATS):
        state = prepare()
        start = time.perf_counter()
        action(state)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(model) -> dict[str, float]:
    times = {"first": median(lambda _: Net2Vis(model))}
    times["auto_group"] = median(lambda w: w.auto_group(), lambda: Net2Vis(model))
    widget = Net2Vis(model)
    widget.auto_group()
    aggregate = widget.state["aggregates"][-1]["name"]
    layer_type = next(t for t in ("BatchNormalization", "ReLU", "Activation", "Conv2D")
                      if any(n.type == t for n in widget.figure.network.nodes))
    # one action timed is half of a pair that leaves the widget as it was
    times["toggle"] = median(lambda _: (widget.set_active(aggregate, False),
                                        widget.set_active(aggregate, True))) / 2
    times["hide/show"] = median(lambda _: (widget.hide(layer_type), widget.show(layer_type))) / 2
    names = iter(range(10 ** 6))
    times["rename"] = median(lambda _: widget.update(aliases={aggregate: f"Block {next(names)}"}))
    flags = iter(range(10 ** 6))
    times["preference"] = median(lambda _: widget.update(show_features=next(flags) % 2 == 0))
    return times


def main() -> None:
    names = sys.argv[1:] or sorted(n for n, f in inspect.getmembers(keras.applications)
                                   if inspect.isfunction(f) and n[0].isupper())
    print("model".ljust(20) + "".join(c.rjust(12) for c in COLUMNS) + "   (ms)")
    worst = dict.fromkeys(COLUMNS, (0.0, ""))
    for name in names:
        model = getattr(keras.applications, name)(weights=None)
        times = row(model)
        print(name.ljust(20) + "".join(f"{times[c] * 1000:12.1f}" for c in COLUMNS), flush=True)
        worst = {c: max(worst[c], (times[c], name)) for c in COLUMNS}
        keras.backend.clear_session()
    print("worst:", ", ".join(f"{c} {t * 1000:.0f} ms ({name}; target {TARGETS[c] * 1000:.0f})"
                              for c, (t, name) in worst.items()))


if __name__ == "__main__":
    main()
