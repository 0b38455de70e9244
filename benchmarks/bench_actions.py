"""Kernel-side widget latency on keras.applications (SPEC §8: first display ≤ 0.3 s, every
action ≤ 50 ms beyond auto-grouping's own search, which ≤ 150 ms).

``python benchmarks/bench_actions.py [NAME ...]`` (all applications by default) builds each
model once, then times, median of 5: the first ``Net2Vis(model)`` as it opens (extraction,
folding, auto-grouping a model of more than 80 glyphs, layout, drawing, the traits), and on an
unfolded widget ``auto_group()``'s search alone (the figure's state changed, nothing drawn) and
``auto_group()`` as the widget runs it (search and the new figure) on a fresh widget, and
each on a fresh auto-grouped widget (so that
no figure it keeps for a state seen before answers it): switching an aggregate off, hiding a
layer type, a rename, and a preference that changes only labels. Asserts nothing; prints a
table and the worst figures.
"""
from __future__ import annotations

import inspect
import os
import statistics
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from net2vis_widget import Net2Vis  # noqa: E402
from timing import run_times  # noqa: E402

REPEATS = 5
COLUMNS = ["first", "search", "auto_group", "toggle", "hide/show", "rename", "preference"]
TARGETS = {"first": 0.3, "search": 0.15, "auto_group": 0.2, "toggle": 0.05, "hide/show": 0.05,
           "rename": 0.05, "preference": 0.05}


def median(action, prepare=lambda: None) -> float:
    return statistics.median(run_times(action, REPEATS, prepare=prepare))


def row(model) -> dict[str, float]:
    def unfolded():  # what auto_group() folds
        return Net2Vis(model, auto_group=False)

    times = {"first": median(lambda _: Net2Vis(model))}  # as it opens: folded if large
    times["search"] = median(lambda w: w.figure.auto_group(), unfolded)
    times["auto_group"] = median(lambda w: w.auto_group(), unfolded)
    widget = unfolded()
    widget.auto_group()
    grouped, aggregate = widget.state, widget.state["aggregates"][-1]["name"]
    layer_type = next(t for t in ("BatchNormalization", "ReLU", "Activation", "Conv2D")
                      if any(n.type == t for n in widget.figure.network.nodes))

    def fresh():  # each action on a widget that has drawn nothing but its first figure, so
        return Net2Vis(model, state=grouped)  # no figure it keeps can answer it

    times["toggle"] = median(lambda w: w.set_active(aggregate, False), fresh)
    times["hide/show"] = median(lambda w: w.hide(layer_type), fresh)
    times["rename"] = median(lambda w: w.update(aliases={aggregate: "Block"}), fresh)
    times["preference"] = median(lambda w: w.update(show_features=False), fresh)
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
