"""`SessionState`: everything a session knows, as a pure fold over its events.

The log is the truth; this is derived from it and from the exercise, and
nothing else. Replaying the same events gives the same state, so a session
reopened after a crash, a participant's view in another terminal and the
after-action report all see one story. `apply` is O(1) per event (a correction
re-reads only its own chain); the views that depend on corrections or on the
current minute (decisions, awaited answers, MSEL status) are computed when
asked and cached until the next relevant event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import ValidationError

from tabletop.clock import ScenarioClock
from tabletop.conditions import describe, evaluate, situation_for
from tabletop.events import (
    AdhocEvent,
    CorrectedEvent,
    DecidedEvent,
    DeliveredEvent,
    EndedEvent,
    EventBase,
    HeldEvent,
    HotwashEvent,
    MoveAdvancedEvent,
    NoteEvent,
    ObservedEvent,
    RuledEvent,
    SkippedEvent,
    StartedEvent,
)
from tabletop.model import Exercise, Inject, Move
from tabletop.wording import team_label


class InjectStatus(str, Enum):
    """Where an inject stands in the MSEL."""

    upcoming = "upcoming"
    """Not yet due: its time or its move has not come, or it is a contingency in reserve."""
    due = "due"
    """Its time has come in an open move, it is live, nobody has acted on it, and play goes on (not after ENDEX)."""
    delivered = "delivered"
    """Handed to its recipients (an ad-hoc inject is delivered when written)."""
    held = "held"
    """Held back by the facilitator; may still be delivered or skipped."""
    skipped = "skipped"
    """Will not be played."""
    inactive = "inactive"
    """Conditional, and its condition does not hold (yet)."""
    passed = "passed"
    """Scheduled, live, never delivered, held or skipped, and its move has closed (or play has ended).

    It is not due any more, so it does not swell the count of what is due now;
    it can still be delivered late, and the report lists it as not played.
    """


@dataclass(frozen=True)
class Delivery:
    """One handing-over of an inject to teams, as recorded."""

    seq: int
    """Seq of the delivered or ad-hoc event."""
    inject: str
    """Inject id."""
    to: tuple[str, ...]
    """Team ids it actually went to."""
    at: datetime
    """Wall-clock UTC time."""
    minute: float
    """Scenario minute."""
    redelivery: bool
    """True when it had been delivered before."""
    adhoc: bool
    """True for an inject written during play."""


@dataclass(frozen=True)
class Withdrawal:
    """A delivery taken back from some or all of its teams by a correction: it stays in the record, marked."""

    delivery: Delivery
    """The delivery as it was sent."""
    teams: tuple[str, ...]
    """Teams it was withdrawn from."""
    reason: str
    """Why, as the facilitator gave it."""
    correction: int
    """Seq of the correction that withdrew it."""


@dataclass(frozen=True)
class ReceivedInject:
    """An inject as a team received it: its text (from the exercise or the ad-hoc event) and when."""

    inject: str
    """Inject id."""
    title: str
    """Headline."""
    body: str
    """Full text."""
    source: str
    """Who it is from in the story."""
    channel: str
    """How it arrived."""
    to: tuple[str, ...]
    """Everyone it went to in that delivery."""
    seq: int
    """Seq of the delivery."""
    at: datetime
    """Wall-clock UTC time of the delivery."""
    minute: float
    """Scenario minute of the delivery."""
    adhoc: bool
    """True for an ad-hoc inject."""
    redelivery: bool
    """True when this was a repeat delivery."""


@dataclass(frozen=True)
class MselRow:
    """One row of the MSEL as the console and the report show it."""

    inject: str
    """Inject id."""
    kind: str
    """'scheduled', 'contingency' or 'adhoc'."""
    move: str | None
    """Move id (None for a contingency not tied to a move)."""
    at: float | None
    """Scheduled scenario minute; for an ad-hoc inject, when it was written."""
    title: str
    """Headline."""
    to: tuple[str, ...]
    """Recipients (as planned, or as delivered for ad-hoc injects)."""
    channel: str
    """How it arrives."""
    status: InjectStatus
    """Where it stands now."""
    condition: str | None
    """The branching condition in words, if any."""
    delivered_minute: float | None
    """Scenario minute of the first delivery."""
    reason: str
    """Reason given for the last hold or skip."""
    awaited: tuple[str, ...]
    """Teams asked to decide that have not answered (once delivered)."""
    decided: tuple[str, ...]
    """Teams that have recorded a decision."""


class SessionState:
    """The fold of a session's events over its exercise."""

    def label(self, team_id: str) -> str:
        """A team as every face names it ('PRC'): the name function the summaries and conditions take."""
        return team_label(self.exercise, team_id)

    def summary(self, event: EventBase, name: Callable[[str], str] = str) -> str:
        """The event's line; a correction names the fields it changed from the record it corrects."""
        if isinstance(event, CorrectedEvent):
            target = self.event(event.target)
            return event.summary(name, before=target.payload() if target is not None else None)
        return event.summary(name)

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.events: list[EventBase] = []
        """Every event folded, in seq order, as written (corrections do not rewrite them)."""
        self.clock = ScenarioClock()
        """The scenario clock as the log has set it."""
        self.started: StartedEvent | None = None
        """The STARTEX event, once play has begun."""
        self.ended: EndedEvent | None = None
        """The ENDEX event, once play is over."""
        self.move_index = -1
        """Index of the open move in `exercise.moves` (-1 before STARTEX)."""
        self.move_openings: list[tuple[str, EventBase]] = []
        """(move id, the event that opened it), in order."""
        self.situations: dict[str, tuple[str, int | None]] = {}
        """Per opened move: the situation text read when it opened, and the variant index (None: default)."""
        self.deliveries: list[Delivery] = []
        """Every delivery (scheduled, contingency, ad hoc, repeats) as it stands, in order: a delivery
        withdrawn from some teams lists only the others, one withdrawn from all is left out."""
        self.sent: list[Delivery] = []
        """Every delivery as it was sent, withdrawn or not, in order: what the teams saw arrive."""
        self.withdrawals: dict[int, Withdrawal] = {}
        """Per delivery seq: what a correction took back of it."""
        self.last_action: dict[str, EventBase] = {}
        """Per inject id: the last delivered, ad-hoc, held or skipped event."""
        self._injects: dict[str, Inject] = {i.id: i for i in exercise.all_injects()}
        self._move_index_of: dict[str, int] = {
            inject.id: index for index, move in enumerate(exercise.moves) for inject in move.injects
        }
        self._contingencies = {i.id for i in exercise.contingencies}
        self._file_order = {inject_id: n for n, inject_id in enumerate(self._injects)}
        self._by_seq: dict[int, EventBase] = {}
        self._records: dict[str, list[int]] = {}
        self._corrections_of: dict[int, list[int]] = {}
        self._adhoc: list[str] = []
        self._adhoc_set: set[str] = set()
        self._first_delivery: dict[str, Delivery] = {}
        self._cache: dict[str, Any] = {}
        self.locked: set[str] = set()
        """Injects the facilitator closed to team submissions."""
        self.confirm_submissions = False
        """Whether a team's submission waits for the facilitator's confirmation before it is a decision."""
        self._submitted: dict[tuple[str, str], Any] = {}
        """Per (inject, team): the latest submission not yet followed by a decision for that team."""
        self.delivered_in_move: dict[str, int] = {}
        """Per inject id: index of the move open at its latest delivery (teams may submit only in that move)."""

    # Folding

    @classmethod
    def replay(cls, exercise: Exercise, events: Iterable[EventBase]) -> SessionState:
        """The state after folding `events` in order."""
        state = cls(exercise)
        for event in events:
            state.apply(event)
        return state

    @property
    def last_seq(self) -> int:
        """Seq of the last event folded (0 before any)."""
        return self.events[-1].seq if self.events else 0

    def apply(self, event: EventBase) -> None:
        """Fold one event in; events must come in seq order."""
        self.events.append(event)
        self._by_seq[event.seq] = event
        kind: str = event.type  # type: ignore[attr-defined]
        if kind in _CLOCK_TYPES:
            self.clock = self.clock.apply(event)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, event)
        if kind == "corrected" and self._by_seq.get(self.root_of(event.seq)).type in _PLAY_TYPES:  # type: ignore[union-attr]
            self._replay_play()
        if event.CORRECTABLE:
            self._records.setdefault(kind, []).append(event.seq)
            if kind in _PLAY_STEPS:
                # a delivery, hold, skip or move advance changes no other kind's records: keep their caches
                for key in (f"records:{kind}", "awaited", "msel"):
                    self._cache.pop(key, None)
            else:
                self._cache.clear()
        elif self._cache:
            self._cache.pop("awaited", None)
            self._cache.pop("msel", None)

    def _on_started(self, event: StartedEvent) -> None:
        self.started = event
        self.move_index = 0
        self._open(event.move, event)

    def _on_move(self, event: MoveAdvancedEvent) -> None:
        self.move_index = event.index
        self._open(event.move, event)

    def _replay_play(self) -> None:
        """Fold the play events again as corrections now have them, after a correction of one.

        A delivery withdrawn, a hold or skip taken back or a move advance undone
        changes what was delivered and which move is open from that point on;
        the clock is not replayed, since a jump cannot be taken back (later
        events were timed after it). Situations already read out stay as read.
        """
        read = dict(self.situations)
        self.move_index = -1
        self.move_openings = []
        self.situations = {}
        self.deliveries = []
        self.sent = []
        self.withdrawals = {}
        self.last_action = {}
        self._first_delivery = {}
        self.delivered_in_move = {}
        for event in self.events:
            kind: str = event.type  # type: ignore[attr-defined]
            if kind == "started":
                self._on_started(event)  # type: ignore[arg-type]
            elif kind in _PLAY_TYPES:
                standing = self.effective(event.seq)
                if kind == "move_advanced":
                    if standing is not None:
                        self._on_move(standing)  # type: ignore[arg-type]
                elif kind in ("delivered", "adhoc"):
                    self._send(event, standing)
                elif standing is not None:
                    self.last_action[event.inject] = standing  # type: ignore[attr-defined]
        for move_id in self.situations:
            if move_id in read:
                self.situations[move_id] = read[move_id]

    def _send(self, sent: EventBase, standing: EventBase | None) -> None:
        """Record a delivery as sent and as it stands after any withdrawal."""
        inject: str = sent.inject  # type: ignore[attr-defined]
        if isinstance(sent, AdhocEvent):
            self._adhoc_set.add(inject)
        adhoc = inject in self._adhoc_set
        redelivery = bool(getattr(sent, "redelivery", False))
        original = Delivery(sent.seq, inject, tuple(sent.to), sent.at, sent.minute, redelivery, adhoc)  # type: ignore[attr-defined]
        self.sent.append(original)
        remaining = tuple(standing.to) if standing is not None else ()  # type: ignore[attr-defined]
        gone = tuple(t for t in original.to if t not in remaining)
        if gone:
            correction = self._corrections_of[sent.seq][-1]
            reason = self._by_seq[correction].reason  # type: ignore[attr-defined]
            self.withdrawals[sent.seq] = Withdrawal(original, gone, reason, correction)
        if remaining:
            self.delivered_in_move[inject] = self.move_index
            delivery = Delivery(sent.seq, inject, remaining, sent.at, sent.minute,
                                redelivery and inject in self._first_delivery, adhoc)
            self.deliveries.append(delivery)
            self._first_delivery.setdefault(inject, delivery)
            self.last_action[inject] = standing  # type: ignore[assignment]

    def _open(self, move_id: str, event: EventBase) -> None:
        """Record the opening and fix its situation text from what was decided before it.

        The text is chosen once, at the opening, because that is what the room
        heard: a decision corrected later does not rewrite what was read out.
        """
        self.move_openings.append((move_id, event))
        move = self.exercise.move(move_id)
        if move is not None and move_id not in self.situations:
            self.situations[move_id] = situation_for(move, self)

    def _on_ended(self, event: EndedEvent) -> None:
        self.ended = event

    def _on_delivered(self, event: DeliveredEvent) -> None:
        self._send(event, event)

    def _on_adhoc(self, event: AdhocEvent) -> None:
        self._adhoc.append(event.inject)
        self._send(event, event)

    def _on_held_or_skipped(self, event: HeldEvent | SkippedEvent) -> None:
        self.last_action[event.inject] = event

    def _on_corrected(self, event: CorrectedEvent) -> None:
        self._corrections_of.setdefault(event.target, []).append(event.seq)
        root = self._by_seq.get(self.root_of(event.seq))
        if isinstance(root, DecidedEvent) and event.replacement is not None:
            # a decision corrected for a team settles that team's waiting submission
            team, inject = _final_replacement(self, event).get("team"), root.inject
            self._submitted.pop((inject, team or root.team), None)

    def _on_locked(self, event: Any) -> None:
        self.locked.add(event.inject)

    def _on_submission_mode(self, event: Any) -> None:
        self.confirm_submissions = event.confirm

    def _on_submitted(self, event: Any) -> None:
        self._submitted[(event.inject, event.team)] = event

    def _on_decided(self, event: DecidedEvent) -> None:
        self._submitted.pop((event.inject, event.team), None)

    def pending_submissions(self) -> list[Any]:
        """Team submissions waiting for the facilitator, oldest first (what the console asks to confirm)."""
        return sorted(self._submitted.values(), key=lambda e: e.seq)

    def pending_submission(self, inject_id: str, team_id: str) -> Any | None:
        """The team's submission on the inject waiting for confirmation, if any."""
        return self._submitted.get((inject_id, team_id))

    # Events and corrections

    def event(self, seq: int) -> EventBase | None:
        """The event with this seq, as written."""
        return self._by_seq.get(seq)

    def effective(self, seq: int) -> EventBase | None:
        """The event with this seq as it stands after corrections; None if retracted or unknown."""
        original = self._by_seq.get(seq)
        if original is None:
            return None
        for correction_seq in reversed(self._corrections_of.get(seq, ())):
            correction = self.effective(correction_seq)
            if correction is None:
                continue
            assert isinstance(correction, CorrectedEvent)
            if correction.replacement is None:
                return None
            replaced = _replaced(original, correction.replacement)
            if replaced is not None:
                return replaced
        return original

    def corrections_of(self, seq: int) -> list[CorrectedEvent]:
        """Corrections pointing at this event, oldest first (each as it stands)."""
        out = []
        for correction_seq in self._corrections_of.get(seq, ()):
            correction = self.effective(correction_seq)
            if isinstance(correction, CorrectedEvent):
                out.append(correction)
        return out

    def is_retracted(self, seq: int) -> bool:
        """Whether the event exists and a correction retracted it."""
        return seq in self._by_seq and self.effective(seq) is None

    def root_of(self, seq: int) -> int:
        """The record a correction (or a correction of one) ultimately corrects."""
        event = self._by_seq.get(seq)
        while isinstance(event, CorrectedEvent):
            seq = event.target
            event = self._by_seq.get(seq)
        return seq

    def records(self, kind: str) -> list[EventBase]:
        """Records of one correctable kind ('decided', 'note', ...) as they stand, retractions left out."""
        key = f"records:{kind}"
        cached = self._cache.get(key)
        if cached is None:
            cached = []
            for seq in self._records.get(kind, ()):
                current = self.effective(seq)
                if current is not None:
                    cached.append(current)
            self._cache[key] = cached
        return list(cached)

    @property
    def corrections(self) -> list[CorrectedEvent]:
        """Every correction as written, in order (including corrections of corrections)."""
        return [self._by_seq[s] for s in self._records.get("corrected", ())]  # type: ignore[misc]

    @property
    def notes(self) -> list[NoteEvent]:
        """Facilitator notes, corrected, retractions left out."""
        return self.records("note")  # type: ignore[return-value]

    @property
    def observations(self) -> list[ObservedEvent]:
        """Evaluators' observations, corrected, retractions left out."""
        return self.records("observed")  # type: ignore[return-value]

    @property
    def rulings(self) -> list[RuledEvent]:
        """White-cell rulings, corrected, retractions left out."""
        return self.records("ruled")  # type: ignore[return-value]

    @property
    def hotwash(self) -> list[HotwashEvent]:
        """Hot-wash entries, corrected, retractions left out."""
        return self.records("hotwash")  # type: ignore[return-value]

    @property
    def decisions(self) -> list[DecidedEvent]:
        """Every decision recorded (not only the latest per team), corrected, in order."""
        return self.records("decided")  # type: ignore[return-value]

    @property
    def rfis(self) -> list[Any]:
        """Teams' requests for information, corrected, retractions left out."""
        return self.records("rfi")

    @property
    def rfi_replies(self) -> list[Any]:
        """The control cell's answers to RFIs, corrected, retractions left out."""
        return self.records("rfi_reply")

    def replies_to(self, rfi_seq: int) -> list[Any]:
        """Answers sent for one RFI, in order."""
        return [r for r in self.rfi_replies if r.rfi == rfi_seq]

    def unanswered_rfis(self) -> list[Any]:
        """RFIs no answer has been sent for yet: what the console's inbox puts first."""
        answered = {r.rfi for r in self.rfi_replies}
        return [r for r in self.rfis if r.seq not in answered]

    def team_answers(self, team_id: str | None = None) -> list[Any]:
        """Latest answer per (team, move, question), in the order first answered."""
        latest: dict[tuple[str, str, str], Any] = {}
        for answer in self.records("team_answer"):
            if team_id is None or answer.team == team_id:
                latest[(answer.team, answer.move, answer.question)] = answer
        return list(latest.values())

    @property
    def feedback(self) -> list[Any]:
        """Participant feedback forms, corrected, retractions left out."""
        return self.records("feedback")

    # Decisions

    def _decision_index(self) -> dict[str, dict[str, DecidedEvent]]:
        index = self._cache.get("decision_index")
        if index is None:
            index = {}
            for decision in self.records("decided"):
                assert isinstance(decision, DecidedEvent)
                index.setdefault(decision.inject, {})[decision.team] = decision
            self._cache["decision_index"] = index
        return index  # type: ignore[no-any-return]

    def decisions_on(self, inject_id: str) -> dict[str, DecidedEvent]:
        """Latest decision per team on the inject, corrections applied."""
        return dict(self._decision_index().get(inject_id, {}))

    def decision(self, inject_id: str, team_id: str) -> DecidedEvent | None:
        """The team's latest decision on the inject."""
        return self._decision_index().get(inject_id, {}).get(team_id)

    def team_decisions(self, team_id: str) -> dict[str, DecidedEvent]:
        """A team's latest decision per inject."""
        return {
            inject_id: teams[team_id]
            for inject_id, teams in self._decision_index().items()
            if team_id in teams
        }

    def choices(self, inject_id: str) -> Mapping[str, str | None]:
        """Latest option per team on the inject (None for free text); what conditions read."""
        return {team: d.option for team, d in self._decision_index().get(inject_id, {}).items()}

    def was_delivered(self, inject_id: str) -> bool:
        """Whether the inject has been delivered at least once."""
        return inject_id in self._first_delivery

    def deciders(self, inject_id: str) -> list[str]:
        """Teams asked to decide on the inject (none for ad-hoc injects or injects without a decision)."""
        inject = self._injects.get(inject_id)
        return self.exercise.deciders(inject) if inject is not None else []

    def awaited(self) -> dict[str, list[str]]:
        """Delivered injects still waiting for decisions: inject id to the teams that owe one."""
        cached = self._cache.get("awaited")
        if cached is None:
            cached = {}
            index = self._decision_index()
            received: dict[str, set[str]] = {}
            for delivery in self.deliveries:
                received.setdefault(delivery.inject, set()).update(delivery.to)
            for inject_id in self._first_delivery:
                missing = [t for t in self.deciders(inject_id)
                           if t not in index.get(inject_id, {}) and t in received[inject_id]]
                if missing:
                    cached[inject_id] = missing
            self._cache["awaited"] = cached
        return {k: list(v) for k, v in cached.items()}

    # Injects

    def inject(self, inject_id: str) -> Inject | None:
        """The exercise's inject with this id (scheduled or contingency)."""
        return self._injects.get(inject_id)

    def adhoc(self, inject_id: str) -> AdhocEvent | None:
        """The ad-hoc inject with this id, as it stands after corrections."""
        index = self._cache.get("adhoc_by_id")
        if index is None:
            index = self._cache["adhoc_by_id"] = {r.inject: r for r in self.records("adhoc")}  # type: ignore[attr-defined]
        return index.get(inject_id)  # type: ignore[no-any-return]

    @property
    def adhoc_injects(self) -> list[AdhocEvent]:
        """Ad-hoc injects written so far, corrected, in order."""
        return self.records("adhoc")  # type: ignore[return-value]

    def knows(self, inject_id: str) -> bool:
        """Whether the id names an inject of the exercise or an ad-hoc one."""
        return inject_id in self._injects or inject_id in self._adhoc_set

    def next_adhoc_id(self) -> str:
        """The id the next ad-hoc inject gets."""
        return f"ADHOC-{len(self._adhoc) + 1}"

    def is_live(self, inject_id: str) -> bool:
        """Whether the inject may fire: it has no condition, or its condition holds now."""
        inject = self._injects.get(inject_id)
        if inject is None or inject.condition is None:
            return True
        return evaluate(inject.condition, self)

    def live_conditionals(self) -> list[str]:
        """Ids of conditional injects whose condition holds now."""
        return [i.id for i in self._injects.values() if i.condition is not None and evaluate(i.condition, self)]

    def status(self, inject_id: str, minute: float) -> InjectStatus:
        """Where the inject stands at scenario minute `minute`."""
        action = self.last_action.get(inject_id)
        if isinstance(action, (DeliveredEvent, AdhocEvent)):
            return InjectStatus.delivered
        if isinstance(action, HeldEvent):
            return InjectStatus.held
        if isinstance(action, SkippedEvent):
            return InjectStatus.skipped
        inject = self._injects.get(inject_id)
        if inject is None:
            return InjectStatus.upcoming
        if inject.condition is not None and not evaluate(inject.condition, self):
            return InjectStatus.inactive
        if inject_id in self._contingencies or self.started is None:
            return InjectStatus.upcoming
        move_index = self._move_index_of[inject_id]
        if self.ended is not None or move_index < self.move_index:
            return InjectStatus.passed
        scheduled = self._scheduled_minute(inject, move_index)
        if move_index == self.move_index and scheduled <= minute + 1e-9:
            return InjectStatus.due
        return InjectStatus.upcoming

    def due(self, minute: float) -> list[Inject]:
        """Scheduled injects due at `minute`, in scenario-time order; contingencies never are."""
        rows = [
            self._injects[row.inject]
            for row in self.msel(minute)
            if row.status is InjectStatus.due and row.kind == "scheduled"
        ]
        return rows

    def schedule_of(self, inject_id: str) -> tuple[int, float] | None:
        """(move index, scenario minute) a scheduled inject is planned for, as its status reads it;
        None for contingencies and ad-hoc injects."""
        inject = self._injects.get(inject_id)
        if inject is None or inject_id in self._contingencies:
            return None
        move_index = self._move_index_of[inject_id]
        return move_index, self._scheduled_minute(inject, move_index)

    def _scheduled_minute(self, inject: Inject, move_index: int) -> float:
        if inject.at is not None:
            return float(inject.at)
        return float(self.exercise.move_start(self.exercise.moves[move_index]))

    def msel(self, minute: float) -> list[MselRow]:
        """The MSEL in play order with each inject's status at `minute`.

        Per move, scheduled injects by time with the move's ad-hoc injects merged in
        at the minute they were written; contingencies last, in file order.
        """
        key = ("msel", minute)
        cached = self._cache.get("msel")
        if cached is not None and cached[0] == key:
            return list(cached[1])
        rows: list[MselRow] = []
        adhoc_by_move: dict[str | None, list[AdhocEvent]] = {}
        for record in self.records("adhoc"):
            assert isinstance(record, AdhocEvent)
            adhoc_by_move.setdefault(record.move, []).append(record)
        placed: set[str | None] = set()
        for index, move in enumerate(self.exercise.moves):
            keyed: list[tuple[tuple[float, int, int], MselRow]] = []
            for inject in move.injects:
                at = self._scheduled_minute(inject, index)
                keyed.append(((at, 0, self._file_order[inject.id]), self._row(inject, "scheduled", move, at, minute)))
            for record in adhoc_by_move.get(move.id, []):
                keyed.append(((record.minute, 1, record.seq), self._adhoc_row(record)))
            placed.add(move.id)
            keyed.sort(key=lambda pair: pair[0])
            rows.extend(row for _, row in keyed)
        for move_id, records in adhoc_by_move.items():
            if move_id not in placed:
                rows.extend(self._adhoc_row(record) for record in records)
        for inject in self.exercise.contingencies:
            rows.append(self._row(inject, "contingency", None, inject.at, minute))
        self._cache["msel"] = (key, rows)
        return list(rows)

    def _row(self, inject: Inject, kind: str, move: Move | None, at: float | None, minute: float) -> MselRow:
        first = self._first_delivery.get(inject.id)
        action = self.last_action.get(inject.id)
        reason = action.reason if isinstance(action, (HeldEvent, SkippedEvent)) else ""
        decided = self.decisions_on(inject.id)
        deciders = self.exercise.deciders(inject)
        return MselRow(
            inject=inject.id,
            kind=kind,
            move=move.id if move is not None else None,
            at=float(at) if at is not None else None,
            title=inject.title,
            to=tuple(self.exercise.recipients(inject)),
            channel=inject.channel.value,
            status=self.status(inject.id, minute),
            condition=describe(inject.condition, self.label) if inject.condition is not None else None,
            delivered_minute=first.minute if first is not None else None,
            reason=reason,
            awaited=tuple(t for t in deciders if t not in decided) if first is not None else (),
            decided=tuple(t for t in decided),
        )

    def _adhoc_row(self, record: AdhocEvent) -> MselRow:
        return MselRow(
            inject=record.inject,
            kind="adhoc",
            move=record.move,
            at=record.minute,
            title=record.title,
            to=tuple(record.to),
            channel=record.channel.value,
            status=InjectStatus.delivered,
            condition=None,
            delivered_minute=record.minute,
            reason="",
            awaited=(),
            decided=tuple(self.decisions_on(record.inject)),
        )

    # What teams received

    def received(self, delivery: Delivery) -> ReceivedInject:
        """The text a delivery carried: from the exercise, or from the ad-hoc event as corrected."""
        if delivery.adhoc:
            record = self.adhoc(delivery.inject) or self._by_seq[delivery.seq]
            assert isinstance(record, AdhocEvent)
            title, body, source, channel = record.title, record.body, record.source, record.channel.value
        else:
            inject = self._injects[delivery.inject]
            title, body, source, channel = inject.title, inject.body, inject.source, inject.channel.value
        return ReceivedInject(
            inject=delivery.inject,
            title=title,
            body=body,
            source=source,
            channel=channel,
            to=delivery.to,
            seq=delivery.seq,
            at=delivery.at,
            minute=delivery.minute,
            adhoc=delivery.adhoc,
            redelivery=delivery.redelivery,
        )

    def withdrawn_from(self, team_id: str) -> list[tuple[ReceivedInject, Withdrawal]]:
        """Deliveries to the team that were later withdrawn from it, with why."""
        return [(self.received(w.delivery), w) for w in self.withdrawals.values() if team_id in w.teams]

    def delivered_to(self, team_id: str) -> list[ReceivedInject]:
        """Everything actually delivered to the team, in order, with its text."""
        return [self.received(d) for d in self.deliveries if team_id in d.to]

    def first_delivery(self, inject_id: str) -> Delivery | None:
        """The first delivery of the inject, if any."""
        return self._first_delivery.get(inject_id)

    # The move

    @property
    def move(self) -> Move | None:
        """The open move (None before STARTEX)."""
        return self.exercise.moves[self.move_index] if self.move_index >= 0 else None

    def situation(self, move_id: str) -> str:
        """The situation text of a move as it was read when it opened (the default before then)."""
        opened = self.situations.get(move_id)
        if opened is not None:
            return opened[0]
        move = self.exercise.move(move_id)
        return move.situation if move is not None else ""

    def situation_variant(self, move_id: str) -> int | None:
        """Index of the situation variant the move opened with; None for the default or not yet opened."""
        opened = self.situations.get(move_id)
        return opened[1] if opened is not None else None

    @property
    def next_move(self) -> Move | None:
        """The move `advance` would open, if any."""
        index = self.move_index + 1
        return self.exercise.moves[index] if 0 < index < len(self.exercise.moves) else None

    # Comparison

    def snapshot(self, minute: float | None = None) -> dict[str, Any]:
        """Everything derived, as plain data: two states are the same story when these are equal."""
        at = self.clock.base if minute is None else minute
        return {
            "last_seq": self.last_seq,
            "clock": (self.clock.base, self.clock.since, self.clock.rate, self.clock.running, self.clock.ended),
            "started": self.started is not None,
            "ended": self.ended is not None,
            "move_index": self.move_index,
            "moves": [(m, e.seq) for m, e in self.move_openings],
            "situations": dict(self.situations),
            "deliveries": list(self.deliveries),
            "withdrawals": dict(self.withdrawals),
            "msel": self.msel(at),
            "awaited": self.awaited(),
            "decisions": {k: {t: d.model_dump() for t, d in v.items()} for k, v in self._decision_index().items()},
            "live": self.live_conditionals(),
            "records": {
                kind: [r.model_dump() for r in self.records(kind)]
                for kind in ("decided", "note", "observed", "ruled", "hotwash", "adhoc")
            },
            "corrections": [c.model_dump() for c in self.corrections],
            "locked": sorted(self.locked),
            "confirm_submissions": self.confirm_submissions,
            "submitted": [e.model_dump() for e in self.pending_submissions()],
        }


_PLAY_TYPES = frozenset({"delivered", "adhoc", "held", "skipped", "move_advanced"})
"""Kinds whose correction changes the course of play (what was delivered, which move is open)."""

_PLAY_STEPS = frozenset({"delivered", "held", "skipped", "move_advanced"})
"""Correctable kinds that are steps of play rather than records: appending one leaves other records' caches."""

_CLOCK_TYPES = frozenset({"started", "paused", "resumed", "rate_changed", "jumped", "move_advanced", "ended"})

_HANDLERS: dict[str, Callable[[SessionState, Any], None]] = {
    "started": SessionState._on_started,
    "move_advanced": SessionState._on_move,
    "ended": SessionState._on_ended,
    "delivered": SessionState._on_delivered,
    "adhoc": SessionState._on_adhoc,
    "held": SessionState._on_held_or_skipped,
    "skipped": SessionState._on_held_or_skipped,
    "corrected": SessionState._on_corrected,
    "locked": SessionState._on_locked,
    "submission_mode": SessionState._on_submission_mode,
    "submitted": SessionState._on_submitted,
    "decided": SessionState._on_decided,
}
"""What each kind of event changes beyond the log itself and the clock."""


def _final_replacement(state: SessionState, correction: CorrectedEvent) -> dict[str, Any]:
    """The record payload a correction (or a correction of a correction) finally stands for."""
    payload: dict[str, Any] = correction.replacement or {}
    while payload.get("replacement") is not None and "target" in payload:
        payload = payload["replacement"]
    return payload


def _replaced(original: EventBase, payload: Mapping[str, Any]) -> EventBase | None:
    meta = {name: getattr(original, name) for name in EventBase.META_FIELDS}
    try:
        return type(original).model_validate({**payload, **meta})
    except ValidationError:
        return None
