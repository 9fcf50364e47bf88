"""The engine's state in words: the plain views the console's widgets show.

Each function reads the session's exercise and state and returns frozen view
objects (`MselLine`, `BoardLine`, `LogLine`, `StatusView`, `InjectView`); no
widget is touched here and no rule of the exercise is decided, so the app only
has to hand these down. Kept apart from the app so the wording of every pane
can be read, and tested, in one place.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo
from typing import TYPE_CHECKING

from tabletop.app.commands.registry import Mode
from tabletop.app.formatting import (
    in_world_short,
    in_world_text,
    offset_text,
    one_line,
    rate_text,
    team_label,
    teams_text,
    wall_text,
)
from tabletop.app.widgets.board import Answer, BoardLine
from tabletop.app.widgets.card import AnswerView, InjectView, OptionView
from tabletop.app.widgets.log import LogLine
from tabletop.app.widgets.msel import MselLine
from tabletop.app.widgets.status import StatusView
from tabletop.events import CorrectedEvent, DecidedEvent, EventBase
from tabletop.model import Exercise, Inject, TeamKind
from tabletop.state import InjectStatus, MselRow, SessionState
from tabletop.wording import presentation_lines

if TYPE_CHECKING:
    from tabletop.app.screens.hotwash import HotwashEntries
    from tabletop.engine import Session

STATE_LABELS = {
    InjectStatus.upcoming: "upcoming",
    InjectStatus.due: "DUE",
    InjectStatus.delivered: "delivered",
    InjectStatus.held: "held",
    InjectStatus.skipped: "skipped",
    InjectStatus.inactive: "not live",
    InjectStatus.passed: "not played",
}
"""How each engine status reads in the MSEL."""

IN_RESERVE = "in reserve"
"""A contingency not delivered: never due by the clock, it waits for the facilitator to pick it."""


def state_label(status: InjectStatus, contingency: bool) -> str:
    """How an inject's status reads: a contingency kept back is in reserve, not 'upcoming'."""
    if contingency and status is InjectStatus.upcoming:
        return IN_RESERVE
    return STATE_LABELS[status]

STATE_STYLES = {
    InjectStatus.upcoming: "",
    InjectStatus.due: "bold black on yellow",
    InjectStatus.delivered: "dim",
    InjectStatus.held: "yellow",
    InjectStatus.skipped: "dim strike",
    InjectStatus.inactive: "dim italic",
    InjectStatus.passed: "dim italic",
}
"""How each engine status looks in the MSEL; the due row stands out."""


def status_view(
    session: Session, minute: float, due: int, *, mode: Mode, author: str, wall_zone: tzinfo | None
) -> StatusView:
    """The status lines from the engine's clock and move."""
    exercise = session.exercise
    state = session.state
    if state.started is None:
        clock = "not started"
    elif state.ended is not None:
        clock = "ENDEX"
    elif state.clock.running:
        clock = "running"
    else:
        clock = "paused"
    move = state.move
    move_text = (
        f"{move.id} {state.move_index + 1}/{len(exercise.moves)} {move.title}"
        if move is not None
        else "press S for STARTEX" if mode is Mode.facilitator else "waiting for STARTEX"
    )
    return StatusView(
        title=exercise.title,
        marking=exercise.marking,
        clock=clock,
        offset=offset_text(minute),
        rate=rate_text(state.clock.rate),
        world=in_world_text(exercise.setting, minute),
        world_short=in_world_short(exercise.setting, minute),
        move=move_text,
        wall=wall_text(session.now(), wall_zone),
        due=due,
        who="" if mode is Mode.facilitator else f"evaluator {author}",
        rfis=len(state.unanswered_rfis()) if mode is Mode.facilitator else 0,
    )


def recipients_text(exercise: Exercise, to: tuple[str, ...]) -> str:
    """Who an MSEL row goes to: 'all' when it is every team but control, else their labels."""
    everyone = [t.id for t in exercise.teams if t.kind != TeamKind.control]
    if list(to) == everyone:
        return "all"
    return " ".join(team_label(exercise, t) for t in to)


def msel_line(exercise: Exercise, row: MselRow) -> MselLine:
    """One MSEL row in words."""
    if row.kind == "contingency":
        at = "reserve" if row.at is None else offset_text(row.at)
    else:
        at = offset_text(row.at or 0)
    return MselLine(
        inject=row.inject,
        at=at,
        move=row.move or ("" if row.kind == "contingency" else "-"),
        title=("✎ " if row.kind == "adhoc" else "") + row.title,
        to=recipients_text(exercise, row.to),
        state=state_label(row.status, row.kind == "contingency"),
        style=STATE_STYLES[row.status],
    )


def first_open(rows: list[MselRow]) -> str:
    """Where the cursor starts: the first inject due, else the first still to come."""
    for wanted in (InjectStatus.due, InjectStatus.upcoming, InjectStatus.held):
        for row in rows:
            if row.status is wanted and row.kind == "scheduled":
                return row.inject
    return rows[0].inject


def board_lines(exercise: Exercise, state: SessionState, rows: list[MselRow]) -> list[BoardLine]:
    """Decisions still awaited, and those of the open move every team has answered."""
    move = state.move
    lines = []
    for row in rows:
        if row.status is not InjectStatus.delivered:
            continue
        deciders = state.deciders(row.inject)
        if not deciders:
            continue
        waiting = any(state.pending_submission(row.inject, t) is not None for t in deciders)
        # an answered decision stays while its move is open; a contingency has no move of its own,
        # so the move it was delivered in counts
        this_move = move is not None and (row.move == move.id or state.delivered_in_move.get(row.inject) == state.move_index)
        if not row.awaited and not waiting and not this_move:
            continue
        inject = exercise.inject(row.inject)
        prompt = inject.decision.prompt if inject is not None and inject.decision else row.title
        answers = []
        for team in deciders:
            decision = state.decision(row.inject, team)
            waiting = state.pending_submission(row.inject, team)
            answers.append(
                Answer(
                    team=team_label(exercise, team),
                    answered=decision is not None,
                    choice=(
                        (decision.option or f"“{one_line(decision.text, 20)}”")
                        + (" (team)" if decision.source == "team" else "")
                        if decision is not None
                        else ""
                    ),
                    team_id=team,
                    submitted=(waiting.option or f"“{one_line(waiting.text, 20)}”") if waiting is not None else "",
                )
            )
        lines.append(BoardLine(row.inject, one_line(prompt), tuple(answers)))
    return lines


TAKEN_BACK = {"delivered": "withdrawn", "adhoc": "withdrawn", "held": "taken back", "skipped": "taken back",
              "move_advanced": "undone"}
"""How the log marks a play event taken back, by its kind; any other record taken back is 'retracted'."""


def log_line(state: SessionState, event: EventBase) -> LogLine:
    """One event as the log shows it, after corrections."""
    name = state.label
    text = state.summary(event, name)
    style = ""
    if event.CORRECTABLE and not isinstance(event, CorrectedEvent):
        # the mark goes first, so a narrow log that cuts the line still shows it
        if state.is_retracted(event.seq):
            text = f"[{TAKEN_BACK.get(event.type, 'retracted')}] {text}"  # type: ignore[attr-defined]
            style = "dim strike"
        elif state.corrections_of(event.seq):
            current = state.effective(event.seq)
            text = "[corrected] " + (current.summary(name) if current is not None else text)
            style = "italic"
    return LogLine(seq=event.seq, at=offset_text(event.minute), author=event.author, text=text, style=style)


RECORD_FIELD_LABELS = {"to": "Sent to", "option": "Option", "text": "Words", "body": "Text", "dissent": "Dissent",
                       "rationale": "Rationale", "team": "Team", "inject": "Inject", "reason": "Reason",
                       "objective": "Objective", "rating": "Rating", "target": "Record corrected",
                       "source": "Entered by"}
"""How the record view names an event's fields; any other field is named after itself."""


def record_rows(state: SessionState, seq: int, zone: tzinfo | None) -> tuple[str, list[tuple[str, str]], bool] | None:
    """One record of the log in full, for the record view: its title, (label, value) rows and
    whether it can be corrected. Values are whole (the log line cuts them), teams by their labels."""
    event = state.event(seq)
    if event is None:
        return None
    exercise = state.exercise

    def shown(key: str, value: object) -> str:
        if key == "team" and isinstance(value, str):
            return team_label(exercise, value)
        if key == "to" and isinstance(value, list):
            return teams_text(exercise, value) or "nobody"
        if key in ("replacement",) and isinstance(value, dict):
            return "; ".join(f"{k} {shown(k, v)}" for k, v in value.items() if v not in (None, "", []))
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    rows = [("At", f"{offset_text(event.minute)} scenario time, {wall_text(event.at, zone)}"),
            ("By", event.author),
            ("What", log_line(state, event).text)]
    first = event.payload()
    current = state.effective(seq) if event.CORRECTABLE and not isinstance(event, CorrectedEvent) else event
    fields = (current if current is not None else event).payload()  # a retracted record shows what it said
    for key, value in fields.items():
        if key == "type" or value in (None, "", [], {}):
            continue
        if key == "replacement":
            rows.append(("Replaced by", shown(key, value)))
        else:
            rows.append((RECORD_FIELD_LABELS.get(key, key.replace("_", " ").capitalize()), shown(key, value)))
    if current is not None and current is not event:
        changed = [f"{RECORD_FIELD_LABELS.get(k, k).lower()} {shown(k, v) if v not in (None, '', []) else '(none)'}"
                   for k, v in first.items() if k != "type" and fields.get(k) != v]
        if changed:
            rows.append(("First written", "; ".join(changed)))
    elif current is None:
        rows.append(("Now", "retracted: no longer part of the record"))
    for correction in state.corrections_of(seq):
        verb = "retracted" if correction.replacement is None else "corrected"
        rows.append((f"Correction #{correction.seq}", f"{verb} at {offset_text(correction.minute)} by {correction.author}: "
                                           f"{correction.reason}"))
    kind = event.type  # type: ignore[attr-defined]
    return f"Record #{seq} · {kind}", rows, event.CORRECTABLE


def inject_view(session: Session, inject_id: str, rows: list[MselRow] | None = None) -> InjectView | None:
    """Everything about one inject, in words, for the inject screen."""
    # The presentation header is only read on an inject card, never on the first screen.
    from tabletop.need_to_know import presentation_header

    exercise = session.exercise
    state = session.state
    if rows is None:
        rows = state.msel(session.now_minute())
    row = next((r for r in rows if r.inject == inject_id), None)
    if row is None:
        return None
    inject = exercise.inject(inject_id)
    adhoc = state.adhoc(inject_id)
    state_text = state_label(row.status, row.kind == "contingency")
    if row.delivered_minute is not None:
        state_text += f" at {offset_text(row.delivered_minute)}"
    if row.reason:
        state_text += f" ({row.reason})"
    if row.awaited:
        state_text += f"; awaiting {teams_text(exercise, list(row.awaited))}"
    at = "in reserve" if row.at is None else offset_text(row.at)
    deciders = state.deciders(inject_id)
    decided = state.decisions_on(inject_id)
    teams = list(deciders) + [t for t in decided if t not in deciders]
    answers: list[AnswerView] = []
    for team in teams:
        answers.append(answer_view(exercise, inject, team, decided.get(team)))
        waiting = state.pending_submission(inject_id, team)
        if waiting is not None:  # read in full before y confirms it: the board has room for a few words only
            sent = answer_view(exercise, inject, team, waiting)
            answers.append(replace(sent, team=f"{sent.team} (sent)", waiting=True))
    if inject is not None:
        return InjectView(
            id=inject.id,
            title=inject.title,
            state=state_text,
            at=at,
            move=row.move or "",
            source=inject.source,
            channel=inject.channel.value.replace("_", " "),
            to=", ".join(f"{team_label(exercise, t)}" for t in exercise.recipients(inject)),
            body=inject.body,
            kind=row.kind,
            condition=row.condition or "",
            objectives=tuple(inject.objectives),
            expected=tuple((team_label(exercise, t), text) for t, text in inject.expected.items()),
            questions=tuple(inject.questions),
            notes=inject.notes or "",
            prompt=inject.decision.prompt if inject.decision else "",
            options=tuple(
                OptionView(o.id, o.label, o.posture.value, o.consequence or "")
                for o in (inject.decision.options if inject.decision else [])
            ),
            header=tuple(presentation_lines(presentation_header(inject))),
            attachments=tuple(f"{a.caption} ({a.file})" if a.caption else a.file for a in inject.attachments),
            answers=tuple(answers),
        )
    if adhoc is not None:
        return InjectView(
            id=adhoc.inject,
            title=adhoc.title,
            state=state_text,
            at=at,
            move=adhoc.move or "",
            source=adhoc.source,
            channel=adhoc.channel.value.replace("_", " "),
            to=teams_text(exercise, list(adhoc.to)),
            body=adhoc.body,
            kind="ad hoc",
            answers=tuple(answers),
        )
    return None


def answer_view(exercise: Exercise, inject: Inject | None, team: str, decision: DecidedEvent | None) -> AnswerView:
    """One team's decision on an inject as the card shows it (not answered yet when `decision` is None)."""
    label = team_label(exercise, team)
    if decision is None:
        return AnswerView(team=label, answered=False)
    option = ""
    if decision.option:
        chosen = inject.decision.option(decision.option) if inject is not None and inject.decision else None
        option = f"{decision.option}: {chosen.label}" if chosen is not None else decision.option
    return AnswerView(
        team=label,
        option=option,
        text=decision.text,
        rationale=decision.rationale,
        dissent=decision.dissent,
        when=f"{offset_text(decision.minute)} #{decision.seq}",
    )


def hotwash_entries(state: SessionState) -> dict[str, HotwashEntries]:
    """Hot-wash entries and play-time ratings, by objective id (GENERAL for the rest)."""
    from tabletop.app.screens.hotwash import GENERAL, HotwashEntries

    strengths: dict[str, list[str]] = {}
    improvements: dict[str, list[str]] = {}
    ratings: dict[str, list[str]] = {}
    for entry in state.hotwash:
        key = entry.objective or GENERAL
        target = strengths if entry.kind.value == "strength" else improvements
        target.setdefault(key, []).append(entry.text)
    for observation in state.observations:
        ratings.setdefault(observation.objective, []).append(observation.rating.value)
    keys = set(strengths) | set(improvements) | set(ratings)
    return {
        key: HotwashEntries(
            tuple(strengths.get(key, ())), tuple(improvements.get(key, ())), tuple(ratings.get(key, ()))
        )
        for key in keys
    }
