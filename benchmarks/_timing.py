"""Timing helpers shared by the benchmarks (run by hand, never in the test suite)."""
from __future__ import annotations

import statistics
import time


def median_times(fns: dict, repeats: int, warmup: int = 2) -> dict:
    """Median seconds of each function, timed round-robin so that a load spike from other
    users of the machine hits every contender alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}
