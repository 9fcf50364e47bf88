"""What a room-wide or irreversible action leaves behind, for the question asked before it.

The console asks before it advances the move, delivers an inject a second
time or delivers one before it is due. What it names in that question (injects not delivered, decisions still
awaited, held injects, where the clock will go, to whom an inject already
went) is computed here from the session state, so the console only words it
and a test can check the facts without drawing a screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tabletop.state import InjectStatus, SessionState


@dataclass(frozen=True)
class AdvanceFacts:
    """What is still open in the current move, and what `advance` will do to the clock."""

    move: str | None
    """The move now open."""
    next_move: str | None
    """The move `advance` opens; None when this is the last move."""
    undelivered: tuple[str, ...]
    """Scheduled injects of the open move not yet delivered (due, upcoming or held), in MSEL order."""
    held: tuple[str, ...]
    """Injects on hold (any move, contingencies too), in MSEL order."""
    awaited: dict[str, tuple[str, ...]]
    """Delivered injects still waiting for decisions: inject id to the teams that owe one."""
    now_minute: float
    """Scenario minute now."""
    jump_to: float | None
    """Scenario minute the clock jumps to (the next move's start), or None when it does not move."""


def advance_facts(state: SessionState, minute: float) -> AdvanceFacts:
    """The facts the move-advance question names, at scenario minute `minute`."""
    move = state.move
    upcoming = state.next_move
    rows = state.msel(minute)
    open_states = (InjectStatus.due, InjectStatus.upcoming, InjectStatus.held)
    undelivered = tuple(
        r.inject for r in rows if move is not None and r.kind == "scheduled" and r.move == move.id and r.status in open_states
    )
    held = tuple(r.inject for r in rows if r.status == InjectStatus.held)
    awaited = {inject: tuple(teams) for inject, teams in state.awaited().items()}
    jump_to: float | None = None
    if upcoming is not None:
        start = float(state.exercise.move_start(upcoming))
        jump_to = start if start > minute else None
    return AdvanceFacts(
        move=move.id if move is not None else None,
        next_move=upcoming.id if upcoming is not None else None,
        undelivered=undelivered,
        held=held,
        awaited=awaited,
        now_minute=minute,
        jump_to=jump_to,
    )


@dataclass(frozen=True)
class RedeliveryFacts:
    """An inject's earlier deliveries, named before it is sent again."""

    inject: str
    """Inject id."""
    to: tuple[str, ...]
    """Teams the first delivery went to."""
    at: datetime
    """Wall-clock UTC time of the first delivery."""
    minute: float
    """Scenario minute of the first delivery."""
    times: int
    """How many times it has been delivered so far."""


def redelivery_facts(state: SessionState, inject_id: str) -> RedeliveryFacts | None:
    """The inject's earlier deliveries; None when it was never delivered (then nothing needs asking)."""
    first = state.first_delivery(inject_id)
    if first is None:
        return None
    times = sum(1 for d in state.deliveries if d.inject == inject_id)
    return RedeliveryFacts(inject=inject_id, to=first.to, at=first.at, minute=first.minute, times=times)


@dataclass(frozen=True)
class EarlyFacts:
    """A first delivery ahead of the plan: how far ahead, and to whom it goes."""

    inject: str
    """Inject id."""
    title: str
    """Its headline."""
    to: tuple[str, ...]
    """Teams it goes to."""
    planned: float
    """Scenario minute it is planned for."""
    now_minute: float
    """Scenario minute now."""
    planned_move: str | None
    """The move it belongs to, when that move is not open yet (None when it is the open move's)."""
    open_move: str | None
    """The move the room is in."""


EARLY_GRACE = 1.0
"""Scenario minutes before its time within which an inject counts as due, not early: the DUE mark
and the facilitator's key may be a few seconds apart."""


def early_facts(state: SessionState, inject_id: str, minute: float) -> EarlyFacts | None:
    """What delivering a never-delivered scheduled inject now would jump ahead of; None when it is due
    (or late, or unscheduled: a contingency is picked on purpose from its own list)."""
    if state.first_delivery(inject_id) is not None:
        return None
    scheduled = state.schedule_of(inject_id)
    inject = state.exercise.inject(inject_id)
    if scheduled is None or inject is None:  # ad hoc, or a contingency
        return None
    index, planned = scheduled
    exercise = state.exercise
    open_move = state.move
    later_move = exercise.moves[index].id if open_move is not None and index > state.move_index else None
    if later_move is None and planned <= minute + EARLY_GRACE:
        return None
    return EarlyFacts(inject=inject_id, title=inject.title, to=tuple(exercise.recipients(inject)), planned=planned,
                      now_minute=minute, planned_move=later_move, open_move=open_move.id if open_move is not None else None)
