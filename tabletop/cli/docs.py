"""The `docs` verb: the exercise documents printed before play, from the exercise file alone.

Wiring only: load the exercise, call `tabletop.report.documents`, write the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tabletop.cli import UserError
from tabletop.cli.report import _check_format, _output, files_beside, load_exercise, write_output
from tabletop.names import canonical_team

KINDS = ("sitman", "facilitator", "evaluator", "feedback", "cards")
"""Kept here as well as in the report package so `--help` imports nothing heavy."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `docs` verb."""
    p = subparsers.add_parser(
        "docs",
        help="print an exercise document: read-ahead, facilitator guide, evaluator handbook, feedback form, cards",
        description="Print one document of the exercise set, with the exercise's marking and disclaimer. "
        "sitman: the Situation Manual (read-ahead) with only what participants know at STARTEX (no private brief; with --team, that team's packet with its brief); "
        "facilitator: the agenda in wall-clock times, each move with its situation variants, injects, "
        "branches and contingencies, and the hot-wash questions; evaluator: an Exercise Evaluation Guide "
        "per objective; feedback: the participant feedback form; cards: the control cell's inject cards. "
        "Default output: ID-KIND[-TEAM].FORMAT in the current folder; '-o -' writes HTML or Markdown to "
        "standard output.",
    )
    p.add_argument("exercise", metavar="EXERCISE", help="exercise YAML file")
    p.add_argument("--kind", required=True, choices=KINDS, help="which document")
    p.add_argument("--team", metavar="T", help="sitman: that team's read-ahead only; cards: the cards addressed to it")
    p.add_argument("-f", "--format", default="html", metavar="html|md|pdf", help="output format (default: html)")
    p.add_argument("-o", "--output", metavar="OUT", help="file to write, or '-' for standard output")
    p.add_argument("--paper", default="a4", choices=("a4", "letter"), help="PDF paper size (default: a4)")
    p.set_defaults(func=cmd_docs)


def cmd_docs(args: argparse.Namespace) -> int:
    """Print one exercise document."""
    from tabletop.report.documents import render_document
    from tabletop.report.render import ReportError

    args.format = _check_format(args.format, ("html", "md", "pdf"))
    exercise = load_exercise(Path(args.exercise))
    args.team = canonical_team(exercise, args.team)
    team = f"-{args.team}" if args.team else ""
    out = _output(args, f"{exercise.id}-{args.kind}{team}.{args.format}")
    try:
        data = render_document(exercise=exercise, kind=args.kind, fmt=args.format, team=args.team, paper=args.paper,
                               files=files_beside(Path(args.exercise)))
    except ReportError as error:
        raise UserError(str(error)) from None
    write_output(out, data)
    if out is not None:
        print(f"wrote {out}")
    return 0
