"""The `import` verb: an MSEL spreadsheet (XLSX or CSV) to an exercise YAML file.

Wiring only: read the sheet with `tabletop.msel_import`, print every problem as
`FILE:SHEET!CELL: message`, and write the YAML only when there are none.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from tabletop.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `import` verb."""
    p = subparsers.add_parser(
        "import",
        help="read an MSEL spreadsheet (XLSX or CSV) back into an exercise",
        description="Read a Master Scenario Events List kept in a spreadsheet. Headers are recognised by "
        "name in any order (HSEEP practice, OpenAEV, CMU SEI Blueprint, tabletop's own export). "
        "-o writes a new exercise; --into replaces the injects of an existing exercise and keeps its teams, "
        "objectives, moves and briefs; --check only reports. Every problem is listed as FILE:SHEET!CELL.",
    )
    p.add_argument("sheet", metavar="MSEL", help="MSEL.xlsx or MSEL.csv")
    target = p.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", metavar="EXERCISE", help="new exercise YAML file to write")
    target.add_argument("--into", metavar="EXERCISE", help="existing exercise YAML whose injects are replaced")
    p.add_argument("--check", action="store_true", help="report what would be written and every problem; write nothing")
    p.add_argument("--start", metavar="DATETIME", help="STARTEX in the story, e.g. 2027-04-11T06:00+09:00")
    p.add_argument("--timezone", metavar="ZONE", help="IANA time zone of the story, e.g. Asia/Seoul")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    """Import the sheet, or list why it cannot be."""
    from tabletop.cli.report import load_exercise
    from tabletop.msel_import import MselError, exercise_yaml, import_msel, schema_reference

    if not args.output and not args.into and not args.check:
        raise UserError("say where the exercise goes: -o NEW.yaml, --into EXISTING.yaml, or --check", code=2)
    sheet = Path(args.sheet)
    if sheet.suffix.lower() not in (".xlsx", ".csv"):
        raise UserError(f"{sheet}: an MSEL is read from .xlsx or .csv, not {sheet.suffix or 'a file without suffix'}")
    if not sheet.is_file():
        raise UserError(f"{sheet}: no such file")
    start = None
    if args.start:
        try:
            start = datetime.fromisoformat(args.start)
        except ValueError:
            raise UserError(f"--start {args.start!r} is not a date-time; write e.g. 2027-04-11T06:00+09:00", code=2) from None
        if start.tzinfo is None:
            raise UserError(f"--start {args.start!r} needs its UTC offset, e.g. 2027-04-11T06:00+09:00", code=2)
    into = load_exercise(Path(args.into)) if args.into else None
    warnings: list = []
    try:
        exercise = import_msel(sheet, into=into, start=start, zone=args.timezone, name=str(sheet), warnings=warnings)
    except MselError as error:
        print(str(error), file=sys.stderr)
        raise UserError(f"{sheet}: not imported ({len(error.problems)} problem(s) above)") from None
    except (OSError, ValueError) as error:
        raise UserError(f"{sheet}: cannot read: {getattr(error, 'strerror', None) or error}") from None
    for warning in sorted(warnings):
        print(warning.format(), file=sys.stderr)
    out = Path(args.into or args.output) if (args.into or args.output) else None
    count = len(exercise.all_injects())
    if args.check:
        where = f" into {out}" if out else ""
        print(f"{sheet}: {count} injects in {len(exercise.moves)} moves, {len(exercise.teams)} teams; "
              f"would write{where or ' an exercise'}; nothing written")
        return 0
    assert out is not None
    text = exercise_yaml(exercise, schema_reference(out))
    from tabletop.loader import ExerciseError, load_text

    try:
        load_text(text, str(out), files=False)  # the maps it names may still have to be copied beside it
    except ExerciseError as error:
        print(str(error), file=sys.stderr)
        raise UserError(f"{sheet}: the exercise it describes does not validate; nothing written") from None
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {out}: {error.strerror or error}") from None
    print(f"wrote {out} ({count} injects)")
    from tabletop.attachments import attachment_places, file_problem

    missing = sorted({a.file for _, a in attachment_places(exercise) if file_problem(out.parent, a.file)})
    for name in missing:
        print(f"tabletop: warning: {out} attaches {name}, which is not in {out.parent} yet: copy it there "
              "before the exercise is validated or played", file=sys.stderr)
    return 0
