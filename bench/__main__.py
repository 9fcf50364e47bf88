"""`python -m bench [--quick] [--json FILE] [AREA...]`: run the benchmarks and print one table.

Every area module `bench/bench_<area>.py` returns its figures; the table shows
each with the baseline measured in the same run, the ratio and the goal. Each
area runs in a fresh interpreter of its own, so no area's figures depend on
what ran before it. An area that is missing or fails is named under the table,
and the exit code is 1 when any goal is not met or any area could not run.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Figure

EXPECTED_AREAS = ("loader", "engine", "report", "console", "portal", "memory")
"""Areas the table must cover, in the order they print: load, log, report, console, team portal, then memory."""


def discover() -> list[str]:
    """Names of the bench_<area> modules next to this file, expected areas first."""
    here = Path(__file__).parent
    found = {m.name[len("bench_") :] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")}
    return [a for a in EXPECTED_AREAS if a in found] + sorted(found - set(EXPECTED_AREAS))


def format_table(figures: list[Figure]) -> str:
    """The figures as a fixed-width text table."""
    header = ("figure", "ours", "baseline", "ratio", "goal", "met", "notes")
    rows = [header]
    for f in figures:
        base = f"{f.baseline:.4g} {f.unit} ({f.baseline_name})" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        notes = ", ".join(f"{k}={v}" for k, v in f.extra.items())
        rows.append((f.name, f"{f.value:.4g} {f.unit}", base, ratio, f.goal or "-", met, notes))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> str:
    """One line saying where the figures were measured: they mean nothing without it."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()}: {os.cpu_count()} CPUs, load {load:.1f}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {time.strftime('%Y-%m-%d %H:%M')}")


def summary(figures: list[Figure], missing: list[str], failed: dict[str, str]) -> str:
    """Goals met and not met, and areas that did not run."""
    judged = [f for f in figures if f.met is not None]
    lines = [f"goals met: {sum(1 for f in judged if f.met)} of {len(judged)}"]
    lines += [f"  NOT MET: {f.name}: {f.value:.4g} {f.unit}"
              + (f" ({f.ratio:.2f}x {f.baseline_name})" if f.ratio is not None else "") + f", goal {f.goal}"
              for f in judged if not f.met]
    lines += [f"area missing: {area} (no bench/bench_{area}.py)" for area in missing]
    lines += [f"area failed: {area}: {error}" for area, error in failed.items()]
    return "\n".join(lines)


class AreaFailed(Exception):
    """An area raised or its process died; the message is the first line of why."""


RESULT_MARK = "BENCH-FIGURES "
"""Prefix of the line on which an area's process hands its figures back, as JSON."""


def area_process(area: str, quick: bool) -> None:
    """Run one area in this (fresh) process and print its figures on one marked line."""
    module = importlib.import_module(f"bench.bench_{area}")
    figures = module.run(quick=quick)
    print(RESULT_MARK + json.dumps([dataclasses.asdict(f) for f in figures], default=str), flush=True)


def run_area(area: str, *, quick: bool) -> list[Figure]:
    """One area's figures, measured in a process of its own.

    Each area starts from a fresh interpreter, so what an earlier area left in
    memory (a ten-thousand-inject exercise, a long session) does not slow the
    figures of the next one: each table row is what it would be on its own.
    """
    code = f"from bench.__main__ import area_process; area_process({area!r}, {quick!r})"
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                          stdout=subprocess.PIPE, text=True)
    marked = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not marked:
        lines = [line for line in done.stdout.splitlines() if not line.startswith(RESULT_MARK)]
        raise AreaFailed(f"exit {done.returncode}" + (f": {lines[-1][:300]}" if lines else " (traceback above)"))
    return [Figure(**data) for data in json.loads(marked[-1][len(RESULT_MARK):])]


def main(argv: list[str] | None = None) -> int:
    """Run the areas asked for (default: all) and print the table and its summary."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("areas", nargs="*", help=f"areas to run (default: all of {', '.join(discover())})")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args(argv)
    available = discover()
    unknown = [a for a in args.areas if a not in available]
    if unknown:
        parser.error(f"no such area: {', '.join(unknown)} (areas: {', '.join(available)})")
    areas = args.areas or available
    missing = [] if args.areas else [a for a in EXPECTED_AREAS if a not in available]
    figures: list[Figure] = []
    failed: dict[str, str] = {}
    print(machine(), file=sys.stderr, flush=True)
    for area in areas:
        print(f"running {area}...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            figures.extend(run_area(area, quick=args.quick))
        except AreaFailed as error:  # one broken area must not hide the others' figures
            failed[area] = str(error)
        print(f"  {area}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(machine())
    print(format_table(figures))
    print()
    print(summary(figures, missing, failed))
    if args.json:
        data = [{**dataclasses.asdict(f), "ratio": f.ratio} for f in figures]
        Path(args.json).write_text(json.dumps({"machine": machine(), "quick": args.quick, "figures": data,
                                               "missing": missing, "failed": failed}, indent=2, default=str))
    return 0 if all(f.met is not False for f in figures) and not failed and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
