"""Report runs of N or more words that an exercise file shares with a source document.

Why: the bundled exercises are written from source reports, and no sentence may
be copied from them. This reads files outside the repository (the sources), so
it is a tool a scenario author runs, not a test.

Usage: python tools/shared_runs.py SOURCES_DIR [EXERCISE ...] [--n 12]
Exit code 0 when no run is shared, 1 when one is, 2 on bad input.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words, so punctuation, case and line breaks do not hide a copy."""
    return WORD.findall(text.lower().replace("\u2019", "'"))


def shared_runs(source: list[str], target: list[str], n: int) -> list[str]:
    """Maximal runs of at least n words of target that also occur in source."""
    grams = {tuple(source[i : i + n]) for i in range(len(source) - n + 1)}
    runs: list[str] = []
    i = 0
    while i <= len(target) - n:
        if tuple(target[i : i + n]) in grams:
            j = i + 1
            while j <= len(target) - n and tuple(target[j : j + n]) in grams:
                j += 1
            runs.append(" ".join(target[i : j + n - 1]))
            i = j + n - 1
        else:
            i += 1
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path)
    parser.add_argument("exercises", nargs="*", type=Path)
    parser.add_argument("--n", type=int, default=12)
    args = parser.parse_args(argv)
    if not args.sources.is_dir():
        print(f"{args.sources}: not a directory of source documents", file=sys.stderr)
        return 2
    if args.n < 2:
        print("--n must be at least 2", file=sys.stderr)
        return 2
    targets = args.exercises or sorted(Path("exercises").glob("*.yaml"))
    sources = {p.name: words(p.read_text(encoding="utf-8", errors="replace"))
               for p in sorted(args.sources.glob("*.txt"))}
    if not sources:
        print(f"{args.sources}: no .txt source documents", file=sys.stderr)
        return 2
    found = 0
    for target in targets:
        try:
            tw = words(target.read_text(encoding="utf-8"))
        except OSError as exc:
            print(f"{target}: {exc.strerror}", file=sys.stderr)
            return 2
        for name, sw in sources.items():
            for run in shared_runs(sw, tw, args.n):
                found += 1
                print(f"{target}: {len(run.split())} words shared with {name}: {run}")
    print(f"{len(targets)} files against {len(sources)} sources: {found} shared runs of {args.n}+ words")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
