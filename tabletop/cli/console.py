"""Verbs that open the console: `run` (facilitator) and `evaluate` (evaluator).

Everything that can go wrong with the files is found before the screen opens:
a bad exercise prints the loader's `FILE:LINE:COL` lines, a bad session file
prints the store's message, and the command exits 1 without a traceback.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

from tabletop.cli import UserError, settle_start_up
from tabletop.wording import evaluate_command, program, resume_command


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `run` and `evaluate` verbs."""
    p = subparsers.add_parser(
        "run",
        help="open the facilitator console on a new session of an exercise, or resume one",
        description="Open the facilitator console. `tabletop run EXERCISE` starts a new session "
        "(written to sessions/<exercise>-<UTC time>.tabletop unless -o says where); "
        "`tabletop run --session FILE` (or `tabletop run FILE.tabletop`) resumes one where it was left.",
    )
    p.add_argument("exercise", nargs="?", metavar="EXERCISE", help="exercise YAML file to start a session of, or a session file to resume")
    p.add_argument("-o", "--output", metavar="FILE", help="session file to create (default: sessions/ID-TIME.tabletop)")
    p.add_argument("--session", metavar="FILE", help="resume this session file instead of starting a new one")
    p.add_argument("--new", action="store_true",
                   help="start a new session even though an unfinished one of this exercise is in sessions/")
    p.set_defaults(func=cmd_run, settles_start_up=True)

    p = subparsers.add_parser(
        "evaluate",
        help="open the console read-only for play, to record observations as an evaluator",
        description="Follow a running session from a second terminal and record observations "
        "rated P/S/M/U against the exercise's objectives.",
    )
    p.add_argument("session", metavar="SESSION", help="session file the facilitator is running")
    p.add_argument("--evaluator", required=True, metavar="NAME", help="your name, written with each observation")
    p.set_defaults(func=cmd_evaluate, settles_start_up=True)


def default_session_path(exercise_id: str, now: datetime | None = None, folder: Path | None = None) -> Path:
    """`sessions/<exercise-id>-<UTC timestamp>.tabletop` under the working directory."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    base = folder if folder is not None else Path.cwd() / "sessions"
    return base / f"{exercise_id}-{moment:%Y%m%dT%H%M%SZ}.tabletop"


def unfinished_sessions(exercise_id: str, folder: Path) -> list[tuple[Path, int, datetime | None]]:
    """Sessions of this exercise in `folder` that never reached ENDEX: (path, events, time of the last), newest first.

    A file that cannot be read as a session is left out: this is a reminder, not a check.
    """
    from tabletop.engine import Session

    found: list[tuple[Path, int, datetime | None]] = []
    for path in sorted(folder.glob(f"{glob_escape(exercise_id)}-*.tabletop"), reverse=True):
        try:
            with Session.open(path, readonly=True) as session:
                state = session.state
                if state.ended is None:
                    last = state.events[-1].at if state.events else None
                    found.append((path, len(state.events), last))
        except Exception:  # noqa: BLE001 - a damaged or foreign file is not a session to resume
            continue
    return found


def glob_escape(text: str) -> str:
    """`text` with the glob pattern characters taken literally."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def unfinished_message(exercise_file: str, found: list[tuple[Path, int, datetime | None]]) -> str:
    """What `tabletop run EXERCISE` says instead of splitting the day's record across two files."""
    path, events, last = found[0]
    when = f", the last at {last.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC" if last is not None else ""
    others = f" ({len(found) - 1} older unfinished one{'s' if len(found) > 2 else ''} too)" if len(found) > 1 else ""
    return (
        f"{path}: an unfinished session of this exercise ({events} event{'s' if events != 1 else ''}{when}){others}\n"
        f"  resume it with    {resume_command(path)}\n"
        f"  or start another  {program()} run {shlex.quote(exercise_file)} --new"
    )


def open_session(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Create or open the session, turning every expected failure into a UserError."""
    from tabletop.engine import Session
    from tabletop.loader import ExerciseError, load
    from tabletop.store import StoreError

    try:
        if args.session:
            return Session.open(Path(args.session)), Path(args.session)
        loaded = load(args.exercise)
        if args.output:
            target = Path(args.output)
        else:
            target = default_session_path(loaded.exercise.id)
            if not getattr(args, "new", False):
                found = unfinished_sessions(loaded.exercise.id, target.parent) if target.parent.is_dir() else []
                if found:
                    raise UserError(unfinished_message(args.exercise, found))
        if target.exists():
            raise UserError(f"{target}: already exists; resume it with  {resume_command(target)}")
        target.parent.mkdir(parents=True, exist_ok=True)
        return Session.create_from_loaded(loaded.exercise, loaded.text, loaded.filename, target), target
    except ExerciseError as error:
        raise UserError(str(error)) from None
    except StoreError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        name = error.filename or args.session or args.output or args.exercise
        raise UserError(f"{name}: {error.strerror or error}") from None


SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of every session file (an SQLite database); no exercise YAML starts so."""


def is_session_file(name: str) -> bool:
    """Whether the file is a session, so `tabletop run FILE.tabletop` can resume it."""
    try:
        with open(name, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def cmd_run(args: argparse.Namespace) -> int:
    """Open the facilitator console; say where the session is written before and after."""
    if args.exercise and not args.session and is_session_file(args.exercise):
        if args.output:
            raise UserError(f"{args.exercise} is a session file; -o names a new one and cannot be used with it", code=2)
        args.session, args.exercise = args.exercise, None
    if bool(args.exercise) == bool(args.session):
        raise UserError("give an EXERCISE file to start, or --session FILE to resume (not both)", code=2)
    if args.session and args.output:
        raise UserError("-o names a new session file; it cannot be used with --session", code=2)
    session, path = open_session(args)
    from tabletop.app import ConsoleApp, Mode
    from tabletop.app.rhythm import TYPING_GAP

    print(f"Session file: {path}", flush=True)
    try:
        ConsoleApp(session, mode=Mode.facilitator, after_first_frame=settle_start_up, typing_gap=TYPING_GAP,
                   opening_notice=f"{path}\n? shows it again, with the command that resumes it.").run()
    finally:
        session.close()
    print(f"Session saved in {path}")
    print(f"Resume with: {resume_command(path)}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Open the console in evaluator mode, writing observations as NAME."""
    name = args.evaluator.strip()
    if not name:
        raise UserError("--evaluator needs your name, e.g. --evaluator 'J. Park'", code=2)
    from tabletop.engine import Session
    from tabletop.store import StoreError

    try:
        session = Session.open(Path(args.session), author=name)
    except StoreError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"{args.session}: {error.strerror or error}") from None
    from tabletop.app import ConsoleApp, Mode
    from tabletop.app.rhythm import TYPING_GAP

    try:
        ConsoleApp(session, mode=Mode.evaluator, after_first_frame=settle_start_up, typing_gap=TYPING_GAP).run()
    finally:
        session.close()
    print(f"Observations saved in {args.session}", file=sys.stderr)
    print(f"Come back with: {evaluate_command(Path(args.session), name)}", file=sys.stderr)
    return 0
