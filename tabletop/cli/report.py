"""Verbs that print: `report` (the AAR/IP of a session), `handouts` (packets and cards), `msel` (spreadsheet).

Wiring only: open the file, call `tabletop.report`, write the result. Every
expected failure (missing or foreign file, a bad exercise, a broken custom
template, an unwritable output) ends with a message and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any

from tabletop.cli import UserError
from tabletop.names import canonical_team

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database, hence of every session file."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `report`, `handouts` and `msel` verbs."""
    p = subparsers.add_parser(
        "report",
        help="print the after-action report / improvement plan of a session",
        description="Render the after-action report and improvement plan from a session file: "
        "HTML for print, Markdown for a wiki, PDF, or Word (docx) to finish and review in the after-action "
        "meeting. Default output: SESSION-NAME-aar.FORMAT in the current folder; '-o -' writes HTML or "
        "Markdown to standard output.",
    )
    p.add_argument("session", metavar="SESSION", help="session file")
    p.add_argument("-f", "--format", default="html", metavar="html|md|pdf|docx", help="output format (default: html)")
    p.add_argument("-o", "--output", metavar="OUT", help="file to write, or '-' for standard output")
    p.add_argument("--template", metavar="FILE",
                   help="your own Jinja template (sandboxed; for pdf it must produce HTML; not for docx)")
    p.add_argument("--paper", default="a4", choices=("a4", "letter"), help="PDF and Word paper size (default: a4)")
    p.add_argument(
        "--detail",
        default="auto",
        choices=("auto", "full", "condensed"),
        help="full: every decision and delivery; condensed: only divergent or ruled-on injects and exceptions "
        "(auto, the default, condenses records of more than 500 decisions and deliveries)",
    )
    p.set_defaults(func=cmd_report)

    p = subparsers.add_parser(
        "handouts",
        help="print participant packets (what each team knows at STARTEX) and the control cell's inject cards",
        description="Print each team's packet (its private brief, the first move's situation update and "
        "discussion questions: nothing a team learns only in play) and the inject cards the control cell hands "
        "out at delivery. With --team: that packet alone, no cards. Without --team: "
        "one document with a packet per participant team, each on new pages, then every inject card.",
    )
    p.add_argument("exercise", metavar="EXERCISE", help="exercise YAML file")
    p.add_argument("--team", metavar="T", help="only this team's packet (no inject cards)")
    p.add_argument("-f", "--format", default="html", metavar="html|pdf", help="output format (default: html)")
    p.add_argument("-o", "--output", metavar="OUT", help="file to write (default: ID-handouts.FORMAT or ID-TEAM-packet.FORMAT)")
    p.add_argument("--paper", default="a4", choices=("a4", "letter"), help="PDF paper size (default: a4)")
    p.set_defaults(func=cmd_handouts)

    p = subparsers.add_parser(
        "msel",
        help="write the MSEL of an exercise or a session as CSV or XLSX",
        description="Write the Master Scenario Events List in planners' spreadsheet columns. "
        "Given a session file (recognised by its content), rows also say when each inject was "
        "delivered and what became of it.",
    )
    p.add_argument("source", metavar="EXERCISE|SESSION", help="exercise YAML file or session file")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    p.set_defaults(func=cmd_msel)


def is_session_file(path: Path) -> bool:
    """Whether the file starts with the SQLite header (a session); anything else is read as YAML."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror}") from None


def open_session(path: Path) -> Any:
    """Open a session file read-only, or end with the store's message."""
    from tabletop.engine import Session
    from tabletop.store import StoreError

    if not path.exists():
        raise UserError(f"{path}: no such session file")
    if not is_session_file(path):
        raise UserError(f"{path}: not a session file (a session is the SQLite file written by `tabletop run`)")
    try:
        return Session.open(path, readonly=True)
    except StoreError as error:
        raise UserError(str(error)) from None


def load_exercise(path: Path) -> Any:
    """Load an exercise file, printing the loader's FILE:LINE:COL lines when it does not load."""
    from tabletop.loader import ExerciseError, load

    try:
        return load(path).exercise
    except ExerciseError as error:
        print(str(error), file=sys.stderr)
        raise UserError(f"{path}: not a valid exercise ({len(error.diagnostics)} error(s) above)") from None


def write_output(out: Path | None, data: str | bytes) -> None:
    """Write text or bytes to a file, or text to standard output when `out` is None."""
    if out is None:
        assert isinstance(data, str)
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    try:
        if isinstance(data, bytes):
            out.write_bytes(data)
        else:
            out.write_text(data, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {out}: {error.strerror or error}") from None


def _check_format(fmt: str, formats: tuple[str, ...]) -> str:
    """The format named, in lower case ('markdown' is 'md', 'word' is 'docx'), if it is one of `formats`."""
    value = fmt.strip().lower()
    if value == "markdown":
        value = "md"
    if value == "word":
        value = "docx"
    if value not in formats:
        raise UserError(f"unknown format {fmt!r}: use one of {', '.join(formats)}")
    return value


def _output(args: argparse.Namespace, default: str) -> Path | None:
    if args.output == "-":
        if args.format == "pdf":
            raise UserError("a PDF is written to a file: give -o FILE.pdf")
        if args.format == "docx":
            raise UserError("a Word file is written to a file: give -o FILE.docx")
        return None
    return Path(args.output) if args.output else Path(default)


def cmd_report(args: argparse.Namespace) -> int:
    """Render the AAR/IP of a session."""
    from tabletop.report.render import DOCX_NO_TEMPLATE, FORMATS, ReportError, render_report

    args.format = _check_format(args.format, FORMATS)
    template = None
    if args.template and args.format == "docx":
        raise UserError(DOCX_NO_TEMPLATE)
    if args.template:
        try:
            template = Path(args.template).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"cannot read template {args.template}: {getattr(error, 'strerror', None) or error}") from None
    path = Path(args.session)
    out = _output(args, f"{path.stem}-aar.{args.format}")
    session = open_session(path)
    try:
        data = render_report(
            session=session,
            fmt=args.format,
            template=template,
            template_name=args.template or "<template>",
            name=path.name,
            paper=args.paper,
            detail=args.detail,
        )
    except ReportError as error:
        raise UserError(str(error)) from None
    finally:
        session.close()
    write_output(out, data)
    if out is not None:
        print(f"wrote {out}")
    return 0


def files_beside(exercise: Path) -> Callable[[str], bytes | None]:
    """A reader of the files an exercise attaches, from its folder (the loader has checked them)."""
    folder = exercise.parent

    def read(name: str) -> bytes | None:
        try:
            return (folder / name).read_bytes()
        except OSError:
            return None

    return read


def cmd_handouts(args: argparse.Namespace) -> int:
    """Print the packets and inject cards of an exercise."""
    from tabletop.report.handouts import render_handouts
    from tabletop.report.render import ReportError

    args.format = _check_format(args.format, ("html", "pdf"))
    exercise = load_exercise(Path(args.exercise))
    args.team = canonical_team(exercise, args.team)
    default = f"{exercise.id}-{args.team}-packet.{args.format}" if args.team else f"{exercise.id}-handouts.{args.format}"
    out = _output(args, default)
    try:
        data = render_handouts(exercise=exercise, fmt=args.format, team=args.team, paper=args.paper,
                               files=files_beside(Path(args.exercise)))
    except ReportError as error:
        raise UserError(str(error)) from None
    write_output(out, data)
    if out is not None:
        print(f"wrote {out}")
    return 0


def cmd_msel(args: argparse.Namespace) -> int:
    """Write the MSEL of an exercise or a session."""
    from tabletop.report.msel import MSEL_SUFFIXES, write_msel

    out = Path(args.output)
    if out.suffix.lower() not in MSEL_SUFFIXES:
        raise UserError(f"{out}: the MSEL is written as .csv or .xlsx; name the file FILE.csv or FILE.xlsx")
    source = Path(args.source)
    if is_session_file(source):
        session = open_session(source)
        try:
            exercise, state = session.exercise, session.state
        finally:
            session.close()
    else:
        exercise, state = load_exercise(source), None
    try:
        count = write_msel(out, exercise, state)
    except OSError as error:
        raise UserError(f"cannot write {out}: {error.strerror or error}") from None
    print(f"wrote {out} ({count} rows)")
    return 0
