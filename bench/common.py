"""What every benchmark module shares: a figure row, timing and memory helpers.

A module `bench/bench_<area>.py` defines `run(quick: bool) -> list[Figure]`.
Each figure carries our value and a baseline measured in the same run, so the
ratio means something on whatever machine prints it.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    """One row of the bench table."""

    name: str
    """What was measured, with its size, e.g. 'load+validate 10,000 injects'."""
    value: float
    """Our figure."""
    unit: str
    """'s', 'ms', 'MiB'..."""
    baseline: float | None = None
    """The same work done the bare way, in the same run and unit."""
    baseline_name: str = ""
    """What the baseline is, e.g. 'yaml.CSafeLoader'."""
    goal: str = ""
    """The target, e.g. '<= 2.0x' or '< 0.5 s'."""
    met: bool | None = None
    """Whether the goal is met; None when there is no goal."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Anything else worth printing (peak memory, slope)."""

    @property
    def ratio(self) -> float | None:
        """Our value over the baseline."""
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Minimum wall time of `repeat` runs of fn, in seconds (least disturbed by noise)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def samples(fn: Callable[[], Any], count: int) -> list[float]:
    """Wall time of each of `count` runs of fn, in seconds."""
    out = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (0-100) of values, nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    """The median of values."""
    return statistics.median(values)


def peak_memory(fn: Callable[[], Any]) -> float:
    """Peak Python heap allocated while fn runs, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024)


def slope(sizes: list[int], times: list[float]) -> str:
    """How time grows with size: the log-log slope, named (1.0 is linear)."""
    import math

    if len(sizes) < 2 or any(t <= 0 for t in times):
        return "n/a"
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    word = "sub-linear" if k < 0.85 else "linear" if k < 1.2 else "worse than linear"
    return f"{k:.2f} ({word})"
