"""The `map` verb: the exercise's branch map as an SVG file.

Wiring only: load the exercise, call `tabletop.report.branch_map`, write the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tabletop.cli.report import load_exercise, write_output


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `map` verb."""
    p = subparsers.add_parser(
        "map",
        help="draw the branch map of an exercise as SVG",
        description="Draw the injects on a timeline by move, each conditional inject and situation variant "
        "linked to the decisions and deliveries that make it live; those reached by one option only are red. "
        "Default output: ID-map.svg; '-o -' writes to standard output.",
    )
    p.add_argument("exercise", metavar="EXERCISE", help="exercise YAML file")
    p.add_argument("-o", "--output", metavar="OUT", help="SVG file to write, or '-' for standard output")
    p.set_defaults(func=cmd_map)


def cmd_map(args: argparse.Namespace) -> int:
    """Write the branch map."""
    from tabletop.report.branch_map import branch_map

    exercise = load_exercise(Path(args.exercise))
    out = None if args.output == "-" else Path(args.output or f"{exercise.id}-map.svg")
    write_output(out, branch_map(exercise))
    if out is not None:
        print(f"wrote {out}")
    return 0
