"""Importing a 10,000-row MSEL workbook against a bare `openpyxl` read-only load of the same file.

The baseline opens the workbook read-only and touches every cell value of every
sheet, which is the least any import must do; ours also maps headers, parses
times, resolves teams and objectives and validates every inject.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import Figure, best_of, peak_memory
from bench.generate import exercise_yaml
from tabletop.loader import load_exercise_text
from tabletop.msel_import import import_msel
from tabletop.report.msel import write_msel

GOAL_RATIO = 2.0


def bare_load(path: Path) -> int:
    """Every cell value of every sheet, read-only, as openpyxl gives them."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    count = 0
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                count += len(row)
    finally:
        book.close()
    return count


def run(quick: bool) -> list[Figure]:
    """Import vs bare read at 1,000 rows (quick) or 10,000 rows; the goal applies at the largest size."""
    size = 1000 if quick else 10000
    exercise = load_exercise_text(exercise_yaml(size), "generated.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "msel.xlsx"
        rows = write_msel(path, exercise)
        if import_msel(path) != exercise:
            raise AssertionError("the generated MSEL did not import back to the same exercise")
        repeat = 1 if size >= 10000 else 3
        ours = best_of(lambda: import_msel(path), repeat)
        bare = best_of(lambda: bare_load(path), repeat)
        figure = Figure(
            name=f"import MSEL {rows:,} rows (xlsx)",
            value=ours,
            unit="s",
            baseline=bare,
            baseline_name="openpyxl read-only load",
            goal=f"<= {GOAL_RATIO}x",
        )
        figure.met = figure.ratio is not None and figure.ratio <= GOAL_RATIO
        figure.extra["peak_MiB"] = f"{peak_memory(lambda: import_msel(path)):.1f}"
        figure.extra["bare_peak_MiB"] = f"{peak_memory(lambda: bare_load(path)):.1f}"
        figure.extra["file_MiB"] = f"{path.stat().st_size / (1024 * 1024):.1f}"
    return [figure]
