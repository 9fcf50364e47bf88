"""The bench command's harness: each area in its own process, figures handed back whole, failures named."""

from __future__ import annotations

import pytest

from bench.__main__ import AreaFailed, format_table, run_area, summary


def test_an_area_runs_in_its_own_process_and_hands_back_its_figures() -> None:
    figures = run_area("engine", quick=True)
    names = [f.name for f in figures]
    assert any(name.startswith("durable append") for name in names)
    judged = [f for f in figures if f.goal]
    assert judged and all(f.met is not None and f.baseline for f in judged)
    table = format_table(figures)
    assert "durable append" in table and "goal" in table.splitlines()[0]
    assert summary(figures, [], {}).startswith("goals met:")


def test_an_area_that_cannot_run_is_named_not_fatal() -> None:
    with pytest.raises(AreaFailed, match="exit 1"):
        run_area("no_such_area", quick=True)
