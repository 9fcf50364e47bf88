"""Loading and validating exercises against a bare `yaml.load(..., CSafeLoader)`."""

from __future__ import annotations

import yaml

from bench.common import Figure, best_of, peak_memory, slope
from bench.generate import exercise_yaml
from tabletop.loader import load_text

GOAL_RATIO = 2.0


def run(quick: bool) -> list[Figure]:
    """Load+validate vs bare libyaml at growing sizes; the goal applies at 10,000 injects."""
    sizes = [100, 1000] if quick else [100, 1000, 10000]
    figures: list[Figure] = []
    ours_times: list[float] = []
    for size in sizes:
        text = exercise_yaml(size)
        repeat = 3 if size >= 10000 else 5
        ours = best_of(lambda: load_text(text, "generated.yaml"), repeat)
        bare = best_of(lambda: yaml.load(text, Loader=yaml.CSafeLoader), repeat)
        ours_times.append(ours)
        goal_applies = size == max(sizes)
        figure = Figure(
            name=f"load+validate {size:,} injects",
            value=ours,
            unit="s",
            baseline=bare,
            baseline_name="yaml.CSafeLoader",
            goal=f"<= {GOAL_RATIO}x" if goal_applies else "",
        )
        if goal_applies:
            figure.met = figure.ratio is not None and figure.ratio <= GOAL_RATIO
            figure.extra["peak_MiB"] = f"{peak_memory(lambda: load_text(text, 'generated.yaml')):.1f}"
            figure.extra["bare_peak_MiB"] = f"{peak_memory(lambda: yaml.load(text, Loader=yaml.CSafeLoader)):.1f}"
            figure.extra["slope"] = slope(sizes, ours_times)
        figures.append(figure)
    return figures
