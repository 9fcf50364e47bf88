"""What a correction may change of each kind of record, and the choices it may change it to.

The console's correction form is drawn from this: a field that names a team, an
option, an objective, a rating or an inject is a list of what the exercise and
the session allow, never an id typed by hand; a delivery offers the teams it
reached; a move advance or a hold offers only to be taken back, in words that
say what that does. The engine still validates every correction; this module
only decides what the form offers, so a plain pytest can check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tabletop.events import (
    AdhocEvent,
    CorrectedEvent,
    DecidedEvent,
    DeliveredEvent,
    EventBase,
    HeldEvent,
    HotwashEvent,
    MoveAdvancedEvent,
    NoteEvent,
    ObservedEvent,
    RuledEvent,
    SkippedEvent,
)
from tabletop.model import RATING_DEFINITIONS, Channel, TeamKind
from tabletop.state import SessionState
from tabletop.wording import offset_text, team_label, teams_text

NONE = ""
"""The value of a list's "none" entry (no option, no objective, no team)."""


@dataclass(frozen=True)
class CorrectionField:
    """One field of the correction form."""

    name: str
    """The record's field it edits."""
    label: str
    """What the form calls it."""
    kind: str
    """'text' (one line), 'lines' (text of several lines, such as an inject's body), 'choice' (one of
    `choices`) or 'teams' (any of `choices`, ticked)."""
    value: Any
    """What the record says now: text, a choice's value, or the ticked team ids."""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, words) of each choice, in the order offered."""


@dataclass(frozen=True)
class CorrectionPlan:
    """What the form offers for one record."""

    heading: str
    """The record in words."""
    fields: tuple[CorrectionField, ...]
    """The fields a replacement may change (empty: it can only be taken back)."""
    take_back: str
    """Label of the retraction: 'Retract', 'Withdraw from every team', 'Take back the hold', ..."""
    take_back_says: str
    """What taking it back does, in a sentence, including what cannot go back."""


def plan_for(state: SessionState, event: EventBase) -> CorrectionPlan:
    """The correction form for `event` as it stands now.

    For a correction picked in the log the fields are those of the record it
    corrects, and taking back undoes that correction (the record then stands as before it).
    """
    plan = _plan(state, event)
    if isinstance(event, CorrectedEvent):
        return CorrectionPlan(plan.heading, plan.fields, "Undo this correction",
                              f"The record stands again as it did before #{event.seq} ({event.reason}).")
    return plan


def _plan(state: SessionState, event: EventBase) -> CorrectionPlan:
    root = state.event(state.root_of(event.seq)) or event
    standing = state.effective(root.seq) or root
    exercise = state.exercise
    heading = describe(state, standing)
    match standing:
        case DecidedEvent():
            inject = exercise.inject(standing.inject)
            deciders = exercise.deciders(inject) if inject is not None else []
            teams = deciders or [standing.team]
            options: list[tuple[str, str]] = []
            if inject is not None and inject.decision is not None:
                options = [(o.id, f"{o.id}: {o.label}") for o in inject.decision.options]
            fields = (
                CorrectionField("team", "Team", "choice", standing.team, _teams(state, teams)),
                CorrectionField("option", "Option", "choice", standing.option or NONE,
                                (*options, (NONE, "None: the team's own words only"))),
                CorrectionField("text", "Said", "text", standing.text),
                CorrectionField("rationale", "Why", "text", standing.rationale),
                CorrectionField("dissent", "Dissent", "text", standing.dissent),
            )
            return CorrectionPlan(heading, fields, "Retract", "The decision is struck from the record; "
                                  "branches that followed from it follow the record as it then stands.")
        case NoteEvent():
            fields = (CorrectionField("text", "Note", "text", standing.text),
                      CorrectionField("inject", "Inject", "choice", standing.inject or NONE, _injects(state, standing.inject)))
            return CorrectionPlan(heading, fields, "Retract", "The note is struck from the record.")
        case RuledEvent():
            fields = (CorrectionField("text", "Ruling", "text", standing.text),
                      CorrectionField("rationale", "Why", "text", standing.rationale),
                      CorrectionField("inject", "Inject", "choice", standing.inject or NONE, _injects(state, standing.inject)),
                      CorrectionField("team", "Team", "choice", standing.team or NONE,
                                      (*_teams(state, _players(state)), (NONE, "No team in particular"))))
            return CorrectionPlan(heading, fields, "Retract", "The ruling is struck from the record.")
        case ObservedEvent():
            fields = (
                CorrectionField("objective", "Objective", "choice", standing.objective,
                                tuple((o.id, f"{o.id}: {o.text}") for o in exercise.objectives)),
                CorrectionField("rating", "Rating", "choice", standing.rating.value,
                                tuple((r, f"{r}: {words.split(':')[0]}") for r, words in RATING_DEFINITIONS.items())),
                CorrectionField("text", "Observed", "text", standing.text),
                CorrectionField("inject", "Inject", "choice", standing.inject or NONE, _injects(state, standing.inject)),
            )
            return CorrectionPlan(heading, fields, "Retract", "The observation is struck from the record.")
        case HotwashEvent():
            fields = (
                CorrectionField("kind", "Kind", "choice", standing.kind.value,
                                (("strength", "Strength"), ("improvement", "Area for improvement"))),
                CorrectionField("text", "Said", "text", standing.text),
                CorrectionField("objective", "Objective", "choice", standing.objective or NONE,
                                (*((o.id, f"{o.id}: {o.text}") for o in exercise.objectives), (NONE, "No objective"))),
                CorrectionField("team", "Team", "choice", standing.team or NONE,
                                (*_teams(state, _players(state)), (NONE, "No team in particular"))),
            )
            return CorrectionPlan(heading, fields, "Retract", "The hot-wash entry is struck from the record.")
        case AdhocEvent():
            sent = root.to if isinstance(root, AdhocEvent) else standing.to
            fields = (
                CorrectionField("title", "Headline", "text", standing.title),
                CorrectionField("body", "Text", "lines", standing.body),
                CorrectionField("to", "Stands for", "teams", tuple(standing.to), _teams(state, sent)),
                CorrectionField("channel", "Channel", "choice", standing.channel.value,
                                tuple((c.value, c.value.replace("_", " ")) for c in Channel)),
                CorrectionField("source", "From", "text", standing.source),
            )
            return CorrectionPlan(heading, fields, "Withdraw from every team",
                                  "Every team it reached sees it marked as withdrawn, with the reason you give here "
                                  "word for word; what they read cannot be unread.")
        case DeliveredEvent():
            sent = root.to if isinstance(root, DeliveredEvent) else standing.to
            fields = (CorrectionField("to", "Stands for", "teams", tuple(standing.to), _teams(state, sent)),)
            return CorrectionPlan(heading, fields, "Withdraw from every team",
                                  "Untick a team to withdraw the inject from it only. Each team it is withdrawn from "
                                  "sees it marked as withdrawn, with the reason you give here word for word; what "
                                  "they read cannot be unread. You can then "
                                  "deliver it again to the right teams.")
        case HeldEvent() | SkippedEvent():
            verb, done = ("hold", "held") if isinstance(standing, HeldEvent) else ("skip", "skipped")
            # the form's own "Reason" is why the record is corrected; this is the reason the hold or skip gave
            fields = (CorrectionField("reason", f"Why {done}", "text", standing.reason),)
            return CorrectionPlan(heading, fields, f"Take back the {verb}",
                                  f"{standing.inject} stands as if never {done} (due if its time has come); "
                                  "only while nothing else was done to it since.")
        case MoveAdvancedEvent():
            before = _move_before(state, standing)
            clock = ""
            if standing.jump_to is not None:
                clock = (f" The clock jumped from {offset_text(standing.minute)} to {offset_text(standing.jump_to)} "
                         "when it opened; it stays where it is (time cannot go back).")
            return CorrectionPlan(heading, (), "Undo the advance",
                                  f"{before} opens again and {standing.move} waits to be opened." + clock
                                  + " Only possible while nothing was delivered in the new move.")
    fields = tuple(
        CorrectionField(name, name.replace("_", " ").capitalize(), "text", value)
        for name, value in standing.payload().items()
        if name != "type" and isinstance(value, str)
    )
    return CorrectionPlan(heading, fields, "Retract", "The record is struck from the record.")


def describe(state: SessionState, event: EventBase) -> str:
    """A record in words, with times and teams as the room says them (not raw fields)."""
    exercise = state.exercise
    when = offset_text(event.minute)
    match event:
        case DeliveredEvent():
            return f"{event.inject} {_title(state, event.inject)}: delivered at {when} to {teams_text(exercise, event.to)}"
        case AdhocEvent():
            return f"{event.inject} {event.title}: written and delivered at {when} to {teams_text(exercise, event.to)}"
        case HeldEvent() | SkippedEvent():
            verb = "held" if isinstance(event, HeldEvent) else "skipped"
            why = f" ({event.reason})" if event.reason else ""
            return f"{event.inject} {_title(state, event.inject)}: {verb} at {when}{why}"
        case MoveAdvancedEvent():
            move = exercise.move(event.move)
            title = f" {move.title}" if move is not None else ""
            return f"Move {event.move}{title}: opened at {when}"
        case DecidedEvent():
            return f"{team_label(exercise, event.team)} on {event.inject}: {event.option or repr(event.text)} (at {when})"
        case CorrectedEvent():
            return f"Correction #{event.seq} of #{event.target}: {event.reason}"
    return f"{state.summary(event, state.label)} (at {when})"


def _title(state: SessionState, inject_id: str) -> str:
    inject = state.inject(inject_id)
    if inject is not None:
        return inject.title
    record = state.adhoc(inject_id)
    return record.title if record is not None else ""


def _teams(state: SessionState, team_ids: Any) -> tuple[tuple[str, str], ...]:
    return tuple((t, f"{team_label(state.exercise, t)}") for t in team_ids)


def _players(state: SessionState) -> list[str]:
    return [t.id for t in state.exercise.teams if t.kind == TeamKind.player]


def _injects(state: SessionState, current: str | None) -> tuple[tuple[str, str], ...]:
    """The injects a record may be moved to: those standing delivered to someone (a delivery withdrawn
    from every team is no longer one), and the record's own inject, marked if it was withdrawn."""
    seen: list[str] = []
    for delivery in state.deliveries:
        if delivery.inject not in seen:
            seen.append(delivery.inject)
    choices = [(i, f"{i} {_title(state, i)}") for i in seen]
    if current is not None and current not in seen:
        choices.insert(0, (current, f"{current} {_title(state, current)} (withdrawn)"))
    return (*choices, (NONE, "No inject"))


def _move_before(state: SessionState, event: MoveAdvancedEvent) -> str:
    if event.index >= 1:
        return f"Move {state.exercise.moves[event.index - 1].id}"
    return "The move before"


def replacement_of(plan: CorrectionPlan, event: EventBase, values: dict[str, Any]) -> dict[str, Any]:
    """The fields the form changed, as the engine's `correct` takes them (unchanged fields left out)."""
    changed: dict[str, Any] = {}
    for field in plan.fields:
        if field.name not in values:
            continue
        value = values[field.name]
        if field.kind == "teams":
            value = [t for t, _ in field.choices if t in set(value)]
            if tuple(value) != tuple(field.value):
                changed[field.name] = value
            continue
        if field.kind == "lines" and str(value).strip() == str(field.value or "").strip():
            continue  # only the blank lines around the text moved
        if value != field.value:
            changed[field.name] = value if value != NONE or field.kind in ("text", "lines") else ""
    return changed
