"""`tabletop session ...`: every action of the console as a verb on a session file.

Each writing verb opens the session, takes one engine action (one event), prints
what it recorded in one line and exits; a refused action prints why on stderr
and exits 1 with nothing written. This makes a session scriptable and gives the
console's rules a second, plain front end.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from tabletop.cli import UserError
from tabletop.names import canonical_team, find_inject
from tabletop.engine import ActionRefused, Session, StoreError
from tabletop.events import EventBase
from tabletop.loader import ExerciseError
from tabletop.model import Channel, format_offset, parse_offset

CORRECTION_FLAGS = (
    "team",
    "inject",
    "option",
    "text",
    "rationale",
    "dissent",
    "objective",
    "rating",
    "evaluator",
    "kind",
    "title",
    "body",
    "channel",
    "source",
)
"""Fields a correction may override with a flag of the same name (others through --set)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `tabletop session` and its verbs."""
    group = subparsers.add_parser(
        "session",
        help="run a session from the command line (every console action is a verb)",
        description="Create, drive and read a session file. Every writing verb appends exactly one event.",
    )
    verbs = group.add_subparsers(dest="session_verb", metavar="VERB")
    group.set_defaults(func=lambda args: _usage(group))

    def verb(name: str, help_text: str, func: Callable[[argparse.Namespace], int], *, writes: bool = True) -> argparse.ArgumentParser:
        p = verbs.add_parser(name, help=help_text, description=help_text)
        if name != "new":
            p.add_argument("file", metavar="FILE", help="the session file")
        if writes:
            p.add_argument("--author", default="facilitator", metavar="NAME", help="who records it (default: facilitator)")
        p.set_defaults(func=func)
        return p

    p = verb("new", "create a session file from an exercise", cmd_new)
    p.add_argument("exercise", metavar="EXERCISE", help="the exercise YAML file")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the session file to create")
    p.add_argument("--start", action="store_true", help="STARTEX at once")
    p.add_argument("--rate", type=_rate, metavar="R", help="clock rate at STARTEX (with --start; default 1)")

    p = verb("start", "STARTEX: start the clock and open the first move", cmd_start)
    p.add_argument("--rate", type=_rate, default=1.0, metavar="R", help="clock rate, e.g. 1, 2 or 4 (default 1)")

    verb("status", "the clock, the move, due injects and awaited decisions", cmd_status, writes=False)

    p = verb("log", "every event in order", cmd_log, writes=False)
    p.add_argument("--json", action="store_true", help="one JSON object per event")

    p = verb("deliver", "deliver an inject to its recipients (again if already delivered)", cmd_deliver)
    p.add_argument("inject", metavar="INJECT")
    p.add_argument("--force", action="store_true", help="deliver a conditional inject whose condition does not hold")

    p = verb("hold", "hold an inject back for now", cmd_hold)
    p.add_argument("inject", metavar="INJECT")
    p.add_argument("--reason", default="")

    p = verb("skip", "decide an inject will not be played", cmd_skip)
    p.add_argument("inject", metavar="INJECT")
    p.add_argument("--reason", default="")

    p = verb("inject", "write an ad-hoc inject and deliver it at once", cmd_inject)
    p.add_argument("--title", required=True)
    p.add_argument("--body", required=True)
    p.add_argument("--to", required=True, nargs="+", metavar="TEAM", help="recipient team ids, or 'all'")
    p.add_argument("--channel", default="briefing", choices=[c.value for c in Channel])
    p.add_argument("--source", default="Control")
    p.add_argument("--move", default=None, metavar="MOVE", help="move it belongs to (default: the open one)")

    p = verb("decide", "record a team's decision on an inject", cmd_decide)
    p.add_argument("--team", required=True)
    p.add_argument("--inject", required=True)
    p.add_argument("--option", default=None)
    p.add_argument("--text", default="")
    p.add_argument("--rationale", default="")
    p.add_argument("--dissent", default="")

    p = verb("note", "add a note to the record", cmd_note)
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--inject", default=None)

    p = verb("observe", "record an evaluator's observation against an objective", cmd_observe)
    p.add_argument("--objective", required=True)
    p.add_argument("--rating", required=True, type=str.upper, choices=["P", "S", "M", "U"])
    p.add_argument("--text", required=True)
    p.add_argument("--inject", default=None)
    p.add_argument("--evaluator", default=None, metavar="NAME", help="default: the author")

    p = verb("rule", "record a white-cell ruling", cmd_rule)
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--rationale", default="")
    p.add_argument("--inject", default=None)
    p.add_argument("--team", default=None)

    verb("pause", "stop the scenario clock", cmd_pause)
    verb("resume", "run the scenario clock again", cmd_resume)

    p = verb("rate", "change the clock rate", cmd_rate)
    p.add_argument("rate", type=_rate, metavar="R")

    p = verb("jump", "move scenario time forward to +HH:MM after STARTEX", cmd_jump)
    p.add_argument("to", type=_offset, metavar="+HH:MM")

    verb("advance", "open the next move", cmd_advance)

    p = verb("withdraw", "take back an inject's latest delivery from some or all of its teams (it stays in the record)",
             cmd_withdraw)
    p.add_argument("inject", metavar="INJECT")
    p.add_argument("--reason", required=True)
    p.add_argument("--from", dest="teams", nargs="+", default=None, metavar="TEAM",
                   help="the teams to withdraw it from (default: every team it reached)")

    p = verb("submissions", "say whether team submissions count at once or wait for the facilitator to confirm each",
             cmd_submissions)
    p.add_argument("mode", choices=["confirm", "direct"],
                   help="confirm: each waits for `tabletop session confirm`; direct: a submission is the decision")

    p = verb("confirm", "confirm a team's submission that waits for the facilitator: it becomes the team's decision",
             cmd_confirm)
    p.add_argument("--team", required=True)
    p.add_argument("--inject", required=True)

    p = verb("reply", "answer a team's question (RFI) by its number; the answer goes to that team only", cmd_reply)
    p.add_argument("rfi", type=_seq, metavar="RFI", help="the question's number, as `session status` lists it")
    p.add_argument("text", metavar="TEXT")

    p = verb("take-back", "undo an inject's hold or skip", cmd_take_back)
    p.add_argument("inject", metavar="INJECT")
    p.add_argument("--reason", required=True)

    p = verb("reopen", "undo the last move advance: the move before it is open again (the clock stays)", cmd_reopen)
    p.add_argument("--reason", required=True)

    p = verb("correct", "correct (or retract) an earlier record by its seq", cmd_correct)
    p.add_argument("seq", type=_seq, metavar="SEQ")
    p.add_argument("--reason", required=True)
    p.add_argument("--retract", action="store_true", help="retract the record instead of replacing fields")
    for field in CORRECTION_FLAGS:
        p.add_argument(f"--{field}", default=None, help=argparse.SUPPRESS)
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="replace any field of the record")
    p.epilog = "field flags: " + " ".join(f"--{f}" for f in CORRECTION_FLAGS)

    verb("end", "ENDEX: stop play", cmd_end)

    p = verb("hotwash", "record a hot-wash entry", cmd_hotwash)
    p.add_argument("--kind", required=True, choices=["strength", "improvement"])
    p.add_argument("--text", required=True)
    p.add_argument("--objective", default=None)
    p.add_argument("--team", default=None)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


# Argument types: a bad value is a usage error with a clear message.


def _rate(text: str) -> float:
    """A number, '2' or '2x'; whether the engine accepts it is the engine's call."""
    try:
        value = float(text.lower().rstrip("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate; write 1, 2 or 4") from None
    return value


def _offset(text: str) -> int:
    try:
        value = parse_offset(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not isinstance(value, int) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a scenario time; write '+HH:MM'")
    return value


def _seq(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an event number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an event number")
    return value


# Opening sessions with every failure turned into a message


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except ActionRefused as error:
        raise UserError(str(error)) from None
    except StoreError as error:
        raise UserError(str(error)) from None


@contextlib.contextmanager
def _open(args: argparse.Namespace, *, readonly: bool = False) -> Iterator[Session]:
    with _refusals():
        session = Session.open(args.file, readonly=readonly, author=getattr(args, "author", "facilitator"))
        try:
            yield session
        finally:
            session.close()


def _line(session: Session, event: EventBase) -> str:
    """The event's CLI line; a correction names the fields it changed, as the console log does."""
    return f"#{event.seq} {format_offset(event.minute)} {event.author}: {session.state.summary(event)}"


def _act(args: argparse.Namespace, action: Callable[[Session], EventBase]) -> int:
    with _open(args) as session:
        _canonical_names(args, session)
        event = action(session)
        print(_line(session, event))
    return 0


def _canonical_names(args: argparse.Namespace, session: Session) -> None:
    """Teams named by label or name in any case, and inject ids in any case or zero padding, as
    the file spells them; a name that matches nothing is left for the engine to refuse with a hint."""
    exercise = session.exercise
    if getattr(args, "team", None):
        args.team = canonical_team(exercise, args.team)
    if isinstance(getattr(args, "to", None), list):
        args.to = [canonical_team(exercise, name) if name.casefold() != "all" else name for name in args.to]
    if getattr(args, "inject", None):
        known = [i.id for i in exercise.all_injects()] + [a.inject for a in session.state.adhoc_injects]
        args.inject = find_inject(known, args.inject) or args.inject


# Verbs


def cmd_new(args: argparse.Namespace) -> int:
    """Create a session file from an exercise, and start it with --start."""
    if args.rate is not None and not args.start:
        raise UserError("--rate sets the clock at STARTEX: add --start, or give it to `tabletop session start`")
    try:
        session = Session.create(args.exercise, args.output, author=args.author)
    except ExerciseError as error:
        print(str(error), file=sys.stderr)
        return 1
    except StoreError as error:
        raise UserError(str(error)) from None
    with session, _refusals():
        print(f"created {args.output} from {args.exercise} ({session.exercise.title})")
        if args.start:
            print(session.start(rate=args.rate or 1.0).line())
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    """STARTEX."""
    return _act(args, lambda s: s.start(rate=args.rate))


def cmd_deliver(args: argparse.Namespace) -> int:
    """Deliver an inject."""
    return _act(args, lambda s: s.deliver(args.inject, force=args.force))


def cmd_hold(args: argparse.Namespace) -> int:
    """Hold an inject."""
    return _act(args, lambda s: s.hold(args.inject, reason=args.reason))


def cmd_skip(args: argparse.Namespace) -> int:
    """Skip an inject."""
    return _act(args, lambda s: s.skip(args.inject, reason=args.reason))


def cmd_inject(args: argparse.Namespace) -> int:
    """Write and deliver an ad-hoc inject."""
    return _act(
        args,
        lambda s: s.adhoc(args.title, args.body, args.to, channel=args.channel, source=args.source, move=args.move),
    )


def cmd_decide(args: argparse.Namespace) -> int:
    """Record a decision."""
    return _act(
        args,
        lambda s: s.decide(
            args.team, args.inject, option=args.option, text=args.text, rationale=args.rationale, dissent=args.dissent
        ),
    )


def cmd_note(args: argparse.Namespace) -> int:
    """Add a note."""
    return _act(args, lambda s: s.note(args.text, inject=args.inject))


def cmd_observe(args: argparse.Namespace) -> int:
    """Record an observation."""
    return _act(
        args,
        lambda s: s.observe(args.objective, args.rating, args.text, inject=args.inject, evaluator=args.evaluator),
    )


def cmd_rule(args: argparse.Namespace) -> int:
    """Record a ruling."""
    return _act(args, lambda s: s.rule(args.text, rationale=args.rationale, inject=args.inject, team=args.team))


def cmd_pause(args: argparse.Namespace) -> int:
    """Pause the clock."""
    return _act(args, lambda s: s.pause())


def cmd_resume(args: argparse.Namespace) -> int:
    """Resume the clock."""
    return _act(args, lambda s: s.resume())


def cmd_rate(args: argparse.Namespace) -> int:
    """Change the clock rate."""
    return _act(args, lambda s: s.set_rate(args.rate))


def cmd_jump(args: argparse.Namespace) -> int:
    """Jump the clock forward."""
    return _act(args, lambda s: s.jump(args.to))


def cmd_advance(args: argparse.Namespace) -> int:
    """Open the next move."""
    return _act(args, lambda s: s.advance())


def cmd_withdraw(args: argparse.Namespace) -> int:
    """Withdraw a delivery."""
    def action(session: Session) -> EventBase:
        teams = [canonical_team(session.exercise, t) for t in args.teams] if args.teams else None
        return session.withdraw(args.inject, args.reason, teams)

    return _act(args, action)


def cmd_submissions(args: argparse.Namespace) -> int:
    """Set how team submissions count."""
    return _act(args, lambda s: s.set_submission_mode(args.mode == "confirm"))


def cmd_confirm(args: argparse.Namespace) -> int:
    """Confirm a waiting team submission."""
    return _act(args, lambda s: s.confirm_submission(args.inject, args.team))


def cmd_reply(args: argparse.Namespace) -> int:
    """Answer an RFI."""
    return _act(args, lambda s: s.reply(args.rfi, args.text))


def cmd_take_back(args: argparse.Namespace) -> int:
    """Take back a hold or skip."""
    return _act(args, lambda s: s.take_back(args.inject, args.reason))


def cmd_reopen(args: argparse.Namespace) -> int:
    """Undo the last move advance."""
    return _act(args, lambda s: s.reopen_move(args.reason))


def cmd_end(args: argparse.Namespace) -> int:
    """ENDEX."""
    return _act(args, lambda s: s.end())


def cmd_hotwash(args: argparse.Namespace) -> int:
    """Record a hot-wash entry."""
    return _act(args, lambda s: s.hotwash(args.kind, args.text, objective=args.objective, team=args.team))


def cmd_correct(args: argparse.Namespace) -> int:
    """Correct or retract a record."""
    overrides: dict[str, Any] = {f: getattr(args, f) for f in CORRECTION_FLAGS if getattr(args, f) is not None}
    for item in args.set:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise UserError(f"--set takes FIELD=VALUE (got {item!r})")
        overrides[field.strip()] = _field_value(field.strip(), value)
    if args.retract and overrides:
        raise UserError("--retract takes no field changes; give one or the other")
    if not args.retract and not overrides:
        raise UserError("say what to correct (e.g. --text ..., --option ...) or give --retract")
    return _act(args, lambda s: s.correct(args.seq, args.reason, None if args.retract else overrides))


def _field_value(field: str, value: str) -> Any:
    if field == "to":
        return [part for part in value.replace(",", " ").split() if part]
    return value


def cmd_status(args: argparse.Namespace) -> int:
    """Print where the session stands."""
    with _open(args, readonly=True) as session:
        for line in status_lines(session):
            print(line)
    return 0


def status_lines(session: Session) -> list[str]:
    """The status report of a session, as printed by `tabletop session status`."""
    state = session.state
    exercise = session.exercise
    minute = session.now_minute()
    lines = [f"{exercise.title} ({exercise.id} {exercise.version}) - {exercise.marking}"]
    if state.started is None:
        clock = "not started (run `tabletop session start`)"
    elif state.ended is not None:
        clock = f"{format_offset(minute)} ENDEX"
    else:
        running = "running" if state.clock.running else "paused"
        clock = f"{format_offset(minute)} {running} at {state.clock.rate:g}x"
    lines.append(f"clock: {clock}")
    if state.move is not None:
        lines.append(f"move: {state.move.id} {state.move.title} ({state.move_index + 1} of {len(exercise.moves)})")
    due = state.due(minute)
    if due:
        lines.append("due:")
        for inject in due:
            lines.append(f"  {inject.id} {format_offset(inject.at or 0)} {inject.title} -> {', '.join(exercise.recipients(inject))}")
    else:
        lines.append("due: nothing")
    awaited = state.awaited()
    if awaited:
        lines.append("awaited decisions:")
        for inject_id, teams in awaited.items():
            lines.append(f"  {inject_id}: {', '.join(teams)}")
    else:
        lines.append("awaited decisions: none")
    unanswered = state.unanswered_rfis()
    if unanswered:
        lines.append("questions from teams, unanswered (`tabletop session reply FILE RFI TEXT`):")
        for rfi in unanswered:
            about = f" on {rfi.inject}" if rfi.inject else ""
            lines.append(f"  #{rfi.seq} {rfi.team}{about}: {' '.join(rfi.text.split())}")
    held = [row for row in state.msel(minute) if row.status.value == "held"]
    if held:
        lines.append("held: " + ", ".join(row.inject for row in held))
    lines.append(f"events: {state.last_seq}")
    return lines


def cmd_log(args: argparse.Namespace) -> int:
    """Print every event, as lines or as JSON objects."""
    with _open(args, readonly=True) as session:
        for event in session.state.events:
            if args.json:
                print(event.model_dump_json())
            else:
                print(_line(session, event))
    return 0

