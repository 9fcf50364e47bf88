"""`python -m bench [--quick] [AREA...]`: run the benchmarks and print one table."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import Figure


def discover() -> list[str]:
    """Names of the bench_<area> modules next to this file."""
    here = Path(__file__).parent
    return sorted(m.name[len("bench_") :] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("areas", nargs="*", help=f"areas to run (default: all of {', '.join(discover())})")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    for area in args.areas or discover():
        module = importlib.import_module(f"bench.bench_{area}")
        print(f"running {area}...", file=sys.stderr, flush=True)
        figures.extend(module.run(quick=args.quick))
    print(format_table(figures))
    return 0 if all(f.met is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
