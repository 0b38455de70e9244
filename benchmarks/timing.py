"""Timing shared by the benchmarks: seconds of repeated runs, each taker choosing its statistic
(the median, or the fastest run where a busy machine disturbs the others)."""
from __future__ import annotations

import time


def run_times(action, repeats: int, warmup: int = 0, prepare=lambda: None) -> list[float]:
    """Seconds of ``repeats`` runs of ``action(prepare())`` after ``warmup`` untimed runs;
    ``prepare`` (untimed) makes each run's argument, such as a fresh widget."""
    for _ in range(warmup):
        action(prepare())
    times = []
    for _ in range(repeats):
        argument = prepare()
        start = time.perf_counter()
        action(argument)
        times.append(time.perf_counter() - start)
    return times
