"""`Session`: one run of an exercise, its actions and their rules.

Every action a facilitator, an evaluator or a CLI verb takes is one method
here. It validates against the state replayed from the log (refreshed inside
the write transaction, so it sees what other terminals wrote a moment ago),
appends exactly one event in one SQLite transaction, folds that event into the
state and returns it. An action that is not allowed raises `ActionRefused`
with a message meant for the person at the keyboard, and nothing is written.

The engine never imports a UI; the clock is passed in, so it is deterministic
under test.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from tabletop.clock import Now, system_now
from tabletop.events import (
    AdhocEvent,
    CorrectedEvent,
    DecidedEvent,
    DeliveredEvent,
    FEEDBACK_QUESTIONS,
    EndedEvent,
    EventBase,
    FeedbackEvent,
    LockedEvent,
    RfiEvent,
    RfiReplyEvent,
    TeamAnswerEvent,
    HeldEvent,
    HotwashEvent,
    HotwashKind,
    JumpedEvent,
    MoveAdvancedEvent,
    NoteEvent,
    ObservedEvent,
    PausedEvent,
    RateChangedEvent,
    ResumedEvent,
    RuledEvent,
    SkippedEvent,
    StartedEvent,
    SubmissionModeEvent,
    SubmittedEvent,
    build_validators,
    payload_fields,
)
from tabletop.loader import ExerciseError, load_exercise_text, read_text
from tabletop.model import ALL, Channel, Exercise, Inject, Rating, TeamKind, format_offset
from tabletop.names import inject_suggestion, team_suggestion
from tabletop.need_to_know import discussion_closed, submission_closed
from tabletop.state import InjectStatus, MselRow, SessionState
from tabletop.attachments import attachment_files
from tabletop.store import Store, StoreError, exercise_copy

__all__ = ["ActionRefused", "Session", "StoreError", "MAX_RATE", "REOPENED", "CLOSED"]

MAX_RATE = 1440.0
"""Fastest clock rate accepted: a scenario day per wall minute."""

REOPENED = "reopened"
CLOSED = "console closed"
"""Why the clock stopped when the facilitator left the console with it running."""
"""Reason of the pause recorded when a writer reopens a session whose clock was left running by a crash."""

E = TypeVar("E", bound=EventBase)


class ActionRefused(Exception):
    """The action is not allowed now; the message tells the user why. Nothing was written."""


def load_stored_exercise(text: str, filename: str) -> Exercise:
    """The exercise from the YAML copy kept in a session file; its attachments come from the file's
    own copies, so the folder it was made from need not exist here."""
    return load_exercise_text(text, filename, files=False)


class Session:
    """An open session: the exercise, the replayed state, and the actions that extend the log.

    Actions and `refresh` may be called from several threads (a console polls in a
    worker); a lock keeps the fold in seq order.
    """

    def __init__(self, store: Store, exercise: Exercise, *, clock: Now | None, author: str) -> None:
        self._store = store
        self.exercise = exercise
        """The exercise, loaded from the YAML copy kept in the session file."""
        self.state = SessionState(exercise)
        """The fold of every event so far."""
        self.author = author
        """Name recorded as the author of this session's actions."""
        self._now: Now = clock or system_now
        self._unreported: list[EventBase] = []
        self._lock = threading.RLock()

    # Opening

    @classmethod
    def create(
        cls,
        exercise_path: str | os.PathLike[str],
        session_path: str | os.PathLike[str],
        *,
        clock: Now | None = None,
        author: str = "facilitator",
    ) -> Session:
        """Start a new session file from an exercise file (raises ExerciseError if it does not load)."""
        text = read_text(exercise_path)
        return cls.create_from_text(text, str(exercise_path), session_path, clock=clock, author=author)

    @classmethod
    def create_from_text(
        cls,
        text: str,
        filename: str,
        session_path: str | os.PathLike[str],
        *,
        clock: Now | None = None,
        author: str = "facilitator",
    ) -> Session:
        """Start a new session file from exercise YAML text already in hand."""
        exercise = load_exercise_text(text, filename)
        return cls.create_from_loaded(exercise, text, filename, session_path, clock=clock, author=author)

    @classmethod
    def create_from_loaded(
        cls,
        exercise: Exercise,
        text: str,
        filename: str,
        session_path: str | os.PathLike[str],
        *,
        clock: Now | None = None,
        author: str = "facilitator",
    ) -> Session:
        """Start a new session from an exercise the caller has already loaded and checked from `text`.

        Saves a second parse when the caller had to load the file anyway (to name
        the session after the exercise, say); `text` is what the file keeps.
        """
        store = Store.create(session_path, exercise_copy(text, filename), attachments=attachment_files(exercise, filename))
        return cls(store, exercise, clock=clock, author=author)

    @classmethod
    def open(
        cls,
        session_path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        clock: Now | None = None,
        author: str = "facilitator",
    ) -> Session:
        """Open a session file and replay it.

        A writer that finds the clock running although the writers that ran it are gone
        (they crashed) records a pause, reason 'reopened', at the scenario minute those
        writers were last known alive (their heartbeat, else their last event): time
        after the crash does not count. A reader never writes.
        """
        store = Store.open(session_path, readonly=readonly)
        try:
            copy = store.exercise()
            try:
                exercise = load_stored_exercise(copy.text, copy.filename)
            except ExerciseError as error:
                raise StoreError(f"{session_path}: the exercise kept in this session no longer loads:\n{error}") from None
            session = cls(store, exercise, clock=clock, author=author)
            session._fold(store.events())
            if not readonly:
                session._recover()
        except BaseException:
            store.close()
            raise
        return session

    def prepare(self) -> None:
        """Do now the one-time work the first action would otherwise pay for (building validators)."""
        build_validators()

    def close(self) -> None:
        """Close the file; the session stays valid on disk. Safe to call twice."""
        self._store.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        """The session file."""
        return self._store.path

    def attachment(self, file: str) -> bytes | None:
        """The bytes of an attachment as the session file keeps them (None for a file made before
        sessions kept attachments, or a name the exercise does not attach)."""
        return self._store.attachment(file)

    @property
    def readonly(self) -> bool:
        """Whether this session was opened to read only."""
        return self._store.readonly

    def _recover(self) -> None:
        if not self._store.dead_writers():
            return
        recorded: list[EventBase] = []
        with self._lock:
            with self._store.transaction() as tx:
                self._fold_new(tx.events(self.state.last_seq))
                dead = self._store.dead_writers()
                if not dead:
                    return
                # a live team view or portal writes submissions but does not run the clock: only a
                # console that still beats means the clock is someone's to pause
                if self.state.clock.running and self._store.live_writers(beating=True) == 0:
                    minute = self.state.events[-1].minute
                    alive = self._store.last_alive(dead)
                    if alive is not None:  # the console beat after its last event: that time was played
                        minute = max(minute, min(self.state.clock.minute_at(alive), self.now_minute()))
                    pause = PausedEvent(at=self._now(), minute=minute, author=self.author, reason=REOPENED)
                    recorded.append(tx.append(pause))
                tx.forget_writers(dead)
            self._fold(recorded)

    def heartbeat(self) -> None:
        """Tell the file this writer is alive now. The console beats every few seconds, so a reopen
        after a crash pauses the clock where the console was last alive, not at its last event."""
        if not self.readonly:
            self._store.heartbeat(self._now())

    # Reading

    def refresh(self) -> list[EventBase]:
        """Fold events appended by other processes; returns them (cheap when nothing changed)."""
        with self._lock:
            new = self._unreported
            self._unreported = []
            if self._store.changed():
                events = self._store.events(after=self.state.last_seq)
                self._fold(events)
                new = new + events
            return new

    def now_minute(self) -> float:
        """Scenario minute now, from the clock events and the clock callable."""
        return self.state.clock.minute_at(self._now())

    def now(self) -> datetime:
        """Wall-clock time now, from the clock callable."""
        return self._now()

    def due(self) -> list[Inject]:
        """Scheduled injects due now, in order."""
        return self.state.due(self.now_minute())

    def msel(self) -> list[MselRow]:
        """The MSEL with each inject's status now."""
        return self.state.msel(self.now_minute())

    def status(self, inject_id: str) -> InjectStatus:
        """Where one inject stands now."""
        return self.state.status(inject_id, self.now_minute())

    def awaited(self) -> dict[str, list[str]]:
        """Delivered injects still waiting for decisions, with the teams that owe one."""
        return self.state.awaited()

    def _fold(self, events: Iterable[EventBase]) -> None:
        for event in events:
            self.state.apply(event)

    def _fold_new(self, events: list[EventBase]) -> None:
        self._fold(events)
        self._unreported.extend(events)

    # The one way an action writes

    def _act(self, build: Callable[[datetime, float], E]) -> E:
        if self.readonly:
            raise ActionRefused("this session was opened read-only")
        if not self.author.strip():
            raise ActionRefused("the author's name may not be empty")
        with self._lock:
            with self._store.transaction() as tx:
                self._fold_new(tx.events(self.state.last_seq))
                now = self._now()
                minute = self.state.clock.minute_at(now)
                try:
                    event = build(now, minute)
                except ValidationError as error:
                    raise ActionRefused(_first_error(error)) from None
                stamped = tx.append(event)
            self._fold([stamped])
            return stamped  # type: ignore[return-value]

    def _meta(self, now: datetime, minute: float) -> dict[str, Any]:
        return {"at": now, "minute": minute, "author": self.author}

    # Checks shared by actions

    def _require_started(self) -> None:
        if self.state.started is None:
            raise ActionRefused("the session has not started yet (STARTEX)")

    def _require_playing(self) -> None:
        self._require_started()
        if self.state.ended is not None:
            raise ActionRefused("the session has already ended (ENDEX)")

    def _check_inject(self, inject_id: str) -> None:
        if not self.state.knows(inject_id):
            known = [i.id for i in self.exercise.all_injects()] + [a.inject for a in self.state.adhoc_injects]
            raise ActionRefused(f"unknown inject {inject_id!r}{inject_suggestion(known, inject_id)}")

    def _check_team(self, team_id: str) -> None:
        if self.exercise.team(team_id) is None:
            known = [t.id for t in self.exercise.teams]
            hint = team_suggestion(self.exercise, team_id)
            raise ActionRefused(f"unknown team {team_id!r}{hint} (teams: {', '.join(known)})")

    def _check_objective(self, objective_id: str) -> None:
        known = [o.id for o in self.exercise.objectives]
        if objective_id not in known:
            listed = ", ".join(known) if known else "none in this exercise"
            raise ActionRefused(f"unknown objective {objective_id!r} (objectives: {listed})")

    def _check_rate(self, rate: float) -> float:
        try:
            value = float(rate)
        except (TypeError, ValueError):
            raise ActionRefused(f"{rate!r} is not a clock rate; give a number such as 1, 2 or 4") from None
        if not math.isfinite(value) or value <= 0:
            raise ActionRefused(f"the clock rate must be above 0 (got {rate!r})")
        if value > MAX_RATE:
            raise ActionRefused(f"the clock rate may be at most {MAX_RATE:g}x (got {value:g})")
        return value

    def undelivered_reason(self, inject_id: str) -> str | None:
        """Why no decision can be recorded on an inject that was never delivered, and what to do; None once it was.

        The console says it before its form is filled; the engine refuses with the same words.
        """
        if self.state.was_delivered(inject_id):
            return None
        status = self.state.status(inject_id, self.now_minute())
        if status is InjectStatus.skipped:
            return (f"{inject_id} was skipped, never delivered; take the skip back (x on its log line) "
                    "and deliver it before recording decisions")
        if status is InjectStatus.held:
            return f"{inject_id} is held, not delivered yet; deliver it (d) before recording decisions"
        return f"{inject_id} has not been delivered yet; deliver it before recording decisions"

    def _check_decision(self, payload: Mapping[str, Any]) -> None:
        team, inject_id, option = payload["team"], payload["inject"], payload.get("option")
        self._check_team(team)
        self._check_inject(inject_id)
        undelivered = self.undelivered_reason(inject_id)
        if undelivered is not None:
            raise ActionRefused(undelivered)
        inject = self.exercise.inject(inject_id)
        if inject is not None and inject.decision is not None:
            asked = self.exercise.deciders(inject)
            if team not in asked:
                raise ActionRefused(f"team {team!r} was not asked to decide on {inject_id} (asked: {', '.join(asked)})")
        else:
            players = {t.id for t in self.exercise.teams if t.kind == TeamKind.player}
            received = {t for d in self.state.deliveries if d.inject == inject_id for t in d.to}
            if team not in players or team not in received:
                raise ActionRefused(f"team {team!r} did not receive {inject_id} as a deciding team")
        if option:
            if inject is None or inject.decision is None:
                raise ActionRefused(f"{inject_id} offers no options; record the decision as text")
            if inject.decision.option(option) is None:
                offered = ", ".join(o.id for o in inject.decision.options)
                raise ActionRefused(f"option {option!r} is not offered by {inject_id} (options: {offered})")
        if not option and not str(payload.get("text") or "").strip():
            raise ActionRefused("a decision needs an option or a text")

    def _check_record(self, kind: str, payload: Mapping[str, Any]) -> None:
        """Domain checks of a record's payload, shared by the action and its corrections."""
        if kind == "decided":
            self._check_decision(payload)
            return
        if payload.get("inject"):
            self._check_inject(payload["inject"])
        if payload.get("team"):
            self._check_team(payload["team"])
        if payload.get("objective"):
            self._check_objective(payload["objective"])
        if "text" in payload and not str(payload["text"]).strip():
            raise ActionRefused("the text may not be empty")
        if kind == "adhoc":
            for team in payload.get("to") or []:
                self._check_team(team)

    # Actions

    def start(self, rate: float = 1.0) -> StartedEvent:
        """STARTEX: the clock starts at minute 0 at `rate` and the first move opens."""

        def build(now: datetime, minute: float) -> StartedEvent:
            if self.state.ended is not None:
                raise ActionRefused("the session has already ended (ENDEX)")
            if self.state.started is not None:
                raise ActionRefused("the session has already started")
            value = self._check_rate(rate)
            return StartedEvent(at=now, minute=0.0, author=self.author, rate=value, move=self.exercise.moves[0].id)

        return self._act(build)

    def deliver(self, inject_id: str, *, force: bool = False) -> DeliveredEvent:
        """Hand an inject to its recipients; re-delivers one already delivered.

        A conditional inject whose condition does not hold is refused unless `force`.
        """

        def build(now: datetime, minute: float) -> DeliveredEvent:
            to = self._check_deliverable(inject_id, force)
            return DeliveredEvent(
                **self._meta(now, minute), inject=inject_id, to=to, redelivery=self.state.was_delivered(inject_id)
            )

        return self._act(build)

    def delivery_refusal(self, inject_id: str, *, force: bool = False) -> str | None:
        """Why delivering the inject would be refused now, if it would: asked before the console
        asks whether to deliver early or again, so a refusal never comes after a confirmation."""
        try:
            self._check_deliverable(inject_id, force)
        except ActionRefused as refused:
            return str(refused)
        return None

    def _check_deliverable(self, inject_id: str, force: bool) -> list[str]:
        """The teams a delivery of the inject goes to, or ActionRefused saying why it cannot go now."""
        self._require_playing()
        self._check_inject(inject_id)
        adhoc = self.state.adhoc(inject_id)
        if adhoc is not None:
            return list(adhoc.to)
        inject = self.exercise.inject(inject_id)
        assert inject is not None
        if not force and not self.state.was_delivered(inject_id) and not self.state.is_live(inject_id):
            from tabletop.conditions import describe

            assert inject.condition is not None
            raise ActionRefused(
                f"{inject_id} is conditional and its condition does not hold "
                f"({describe(inject.condition)}); to deliver it all the same, use Deliver anyway (D on the console, "
                "--force on the command line)"
            )
        return self.exercise.recipients(inject)

    def _check_holdable(self, inject_id: str, verb: str) -> None:
        self._require_playing()
        self._check_inject(inject_id)
        if self.state.adhoc(inject_id) is not None:
            raise ActionRefused(f"{inject_id} is an ad-hoc inject; it was delivered when written")
        action = self.state.last_action.get(inject_id)
        if isinstance(action, DeliveredEvent):
            raise ActionRefused(f"{inject_id} has already been delivered; it cannot be {verb}")
        if isinstance(action, SkippedEvent):
            raise ActionRefused(f"{inject_id} has already been skipped")
        if verb == "held" and isinstance(action, HeldEvent):
            raise ActionRefused(f"{inject_id} is already held")

    def refusal(self, verb: str, inject_id: str) -> str | None:
        """Why holding (`verb` 'held') or skipping ('skipped') the inject would be refused now, if it would:
        asked before a form for the reason is filled, so a refusal never comes after the typing."""
        try:
            self._check_holdable(inject_id, verb)
        except ActionRefused as refused:
            return str(refused)
        return None

    def hold(self, inject_id: str, reason: str = "") -> HeldEvent:
        """Hold an inject back; it may be delivered or skipped later."""

        def build(now: datetime, minute: float) -> HeldEvent:
            self._check_holdable(inject_id, "held")
            return HeldEvent(**self._meta(now, minute), inject=inject_id, reason=reason.strip())

        return self._act(build)

    def skip(self, inject_id: str, reason: str = "") -> SkippedEvent:
        """Decide an inject will not be played."""

        def build(now: datetime, minute: float) -> SkippedEvent:
            self._check_holdable(inject_id, "skipped")
            return SkippedEvent(**self._meta(now, minute), inject=inject_id, reason=reason.strip())

        return self._act(build)

    def adhoc(
        self,
        title: str,
        body: str,
        to: Iterable[str] | str,
        channel: str = "briefing",
        source: str = "Control",
        move: str | None = None,
    ) -> AdhocEvent:
        """Write an unplanned inject and deliver it at once; it gets the next 'ADHOC-N' id."""

        def build(now: datetime, minute: float) -> AdhocEvent:
            self._require_playing()
            if not title.strip():
                raise ActionRefused("an ad-hoc inject needs a title")
            if not body.strip():
                raise ActionRefused("an ad-hoc inject needs a body")
            recipients = _recipients(self.exercise, to)
            if not recipients:
                raise ActionRefused("an ad-hoc inject needs at least one recipient team")
            for team in recipients:
                self._check_team(team)
            try:
                how = Channel(channel)
            except ValueError:
                raise ActionRefused(
                    f"unknown channel {channel!r} (channels: {', '.join(c.value for c in Channel)})"
                ) from None
            move_id = move
            if move_id is None:
                current = self.state.move
                move_id = current.id if current is not None else None
            elif move_id not in {m.id for m in self.exercise.moves}:
                raise ActionRefused(f"unknown move {move_id!r} (moves: {', '.join(m.id for m in self.exercise.moves)})")
            return AdhocEvent(
                **self._meta(now, minute),
                inject=self.state.next_adhoc_id(),
                title=title.strip(),
                body=body.strip(),
                to=recipients,
                channel=how,
                source=source.strip() or "Control",
                move=move_id,
            )

        return self._act(build)

    def decide(
        self,
        team: str,
        inject: str,
        option: str | None = None,
        text: str = "",
        rationale: str = "",
        dissent: str = "",
    ) -> DecidedEvent:
        """Record a team's decision on a delivered inject; a later one supersedes it. The facilitator
        may still record one after ENDEX: a team that answers during the closing is part of the record."""

        def build(now: datetime, minute: float) -> DecidedEvent:
            self._require_started()
            payload = {
                "team": team,
                "inject": inject,
                "option": option or None,
                "text": text.strip(),
                "rationale": rationale.strip(),
                "dissent": dissent.strip(),
            }
            self._check_decision(payload)
            return DecidedEvent(**self._meta(now, minute), **payload)

        return self._act(build)

    # Team actions: what a team does from its own link, under the console's rules

    def _team_meta(self, team: str, now: datetime, minute: float) -> dict[str, Any]:
        return {"at": now, "minute": minute, "author": f"team:{team}"}

    def _check_player(self, team: str) -> None:
        self._check_team(team)
        found = self.exercise.team(team)
        if found is None or found.kind == TeamKind.control:
            raise ActionRefused(f"{team!r} is the control cell; it acts from the console, not from a team link")

    def _check_received(self, team: str, inject_id: str) -> None:
        """Refuse an inject the team has not received, in the words a stranger's guess deserves."""
        received = {t for d in self.state.deliveries if d.inject == inject_id for t in d.to}
        if not self.state.knows(inject_id) or team not in received:
            raise ActionRefused(f"no inject {inject_id!r} has been delivered to your team")

    def submit_decision(
        self,
        team: str,
        inject: str,
        option: str | None = None,
        text: str = "",
        rationale: str = "",
        dissent: str = "",
    ) -> DecidedEvent | CorrectedEvent:
        """A team's own decision from its link; a revision is a correction of its standing decision.

        Refused when the inject was not delivered to the team or not put to it, after the
        facilitator locked the inject, once the move it came in has ended, and after ENDEX.
        """

        def build(now: datetime, minute: float) -> DecidedEvent | CorrectedEvent:
            self._require_playing()
            self._check_player(team)
            # the one rule the team's views also offer their forms by: received, not locked, its move still open
            closed = submission_closed(self.state, team, inject)
            if closed is not None:
                raise ActionRefused(closed.refusal)
            payload = {
                "team": team,
                "inject": inject,
                "option": option or None,
                "text": text.strip(),
                "rationale": rationale.strip(),
                "dissent": dissent.strip(),
                "source": "team",
            }
            self._check_decision(payload)
            meta = self._team_meta(team, now, minute)
            standing = self.state.decision(inject, team)
            if standing is not None and standing.payload() == payload:
                raise ActionRefused("this is the decision already recorded; nothing changed")
            if self.state.confirm_submissions:
                waiting = self.state.pending_submission(inject, team)
                fields = {k: v for k, v in payload.items() if k != "source"}
                if waiting is not None and waiting.payload() == fields:
                    raise ActionRefused("this is what your team already submitted; it waits for the control cell")
                return SubmittedEvent(**meta, **fields)
            if standing is None:
                return DecidedEvent(**meta, **payload)
            return CorrectedEvent(**meta, target=standing.seq, reason=f"revised by team {team}", replacement=payload)

        return self._act(build)

    def set_submission_mode(self, confirm: bool) -> SubmissionModeEvent:
        """Say whether team submissions count at once (False) or wait for the facilitator to confirm each (True)."""

        def build(now: datetime, minute: float) -> SubmissionModeEvent:
            if self.state.confirm_submissions == confirm:
                raise ActionRefused("team submissions already " + (
                    "wait for confirmation" if confirm else "count as decisions at once"))
            return SubmissionModeEvent(**self._meta(now, minute), confirm=confirm)

        return self._act(build)

    def confirm_submission(self, inject: str, team: str) -> DecidedEvent | CorrectedEvent:
        """Make the team's waiting submission its decision (a correction when it revises a standing one)."""

        def build(now: datetime, minute: float) -> DecidedEvent | CorrectedEvent:
            waiting = self.state.pending_submission(inject, team)
            if waiting is None:
                raise ActionRefused(f"no submission from {team} on {inject} waits for confirmation")
            payload = {**waiting.payload(), "source": "team"}
            self._check_decision(payload)
            standing = self.state.decision(inject, team)
            if standing is None:
                return DecidedEvent(**self._meta(now, minute), **payload)
            if standing.payload() == payload:
                raise ActionRefused(f"{team}'s submission on {inject} is already its recorded decision")
            return CorrectedEvent(
                **self._meta(now, minute), target=standing.seq,
                reason=f"revised by team {team}, confirmed by the facilitator", replacement=payload,
            )

        return self._act(build)

    def lock(self, inject_id: str) -> LockedEvent:
        """Close an inject to team submissions; the facilitator can still record and correct."""

        def build(now: datetime, minute: float) -> LockedEvent:
            self._require_started()
            self._check_inject(inject_id)
            if inject_id in self.state.locked:
                raise ActionRefused(f"{inject_id} is already locked")
            return LockedEvent(**self._meta(now, minute), inject=inject_id)

        return self._act(build)

    def ask(self, team: str, text: str, inject: str | None = None) -> RfiEvent:
        """A team's request for information to the control cell, optionally about one inject it received."""

        def build(now: datetime, minute: float) -> RfiEvent:
            self._require_playing()
            self._check_player(team)
            if not text.strip():
                raise ActionRefused("the question may not be empty")
            if inject:
                self._check_received(team, inject)
            return RfiEvent(**self._team_meta(team, now, minute), team=team, text=text.strip(), inject=inject or None)

        return self._act(build)

    def reply(self, rfi: int, text: str) -> RfiReplyEvent:
        """The control cell answers an RFI; the answer goes to the asking team only."""

        def build(now: datetime, minute: float) -> RfiReplyEvent:
            self._require_started()
            asked = self.state.effective(rfi)
            if not isinstance(asked, RfiEvent):
                open_ = ", ".join(f"#{r.seq}" for r in self.state.rfis) or "none"
                raise ActionRefused(f"#{rfi} is not a request for information (RFIs: {open_})")
            if not text.strip():
                raise ActionRefused("the answer may not be empty")
            return RfiReplyEvent(**self._meta(now, minute), rfi=rfi, team=asked.team, text=text.strip())

        return self._act(build)

    def answer_question(self, team: str, move: str, question: str, text: str) -> TeamAnswerEvent:
        """A team's notes on one discussion question put to it in the open move (refused once the move has ended)."""

        def build(now: datetime, minute: float) -> TeamAnswerEvent:
            self._require_playing()
            self._check_player(team)
            found = next((m for m in self.exercise.moves if m.id == move), None)
            if found is None:
                raise ActionRefused(f"move {move!r} has not opened")
            # the rule the team's views offer the discussion forms by: the open move's questions only
            closed = discussion_closed(self.state, move)
            if closed is not None:
                raise ActionRefused(closed.refusal)
            asked = list(found.questions.get(ALL, [])) + list(found.questions.get(team, []))
            if question not in asked:
                raise ActionRefused(f"that question was not put to your team in {move}")
            if not text.strip():
                raise ActionRefused("the answer may not be empty")
            return TeamAnswerEvent(
                **self._team_meta(team, now, minute), team=team, move=move, question=question, text=text.strip()
            )

        return self._act(build)

    def give_feedback(
        self,
        team: str,
        ratings: Mapping[str, int],
        strengths: str = "",
        improvements: str = "",
        comments: str = "",
        participant: str = "",
    ) -> FeedbackEvent:
        """One participant's feedback form, accepted only after ENDEX."""

        def build(now: datetime, minute: float) -> FeedbackEvent:
            self._require_started()
            if self.state.ended is None:
                raise ActionRefused("the feedback form opens at ENDEX")
            self._check_player(team)
            checked: dict[str, int] = {}
            for key, value in ratings.items():
                if key not in FEEDBACK_QUESTIONS:
                    raise ActionRefused(f"unknown feedback question {key!r}")
                try:
                    number = int(value)
                except (TypeError, ValueError):
                    raise ActionRefused(f"rating {value!r} is not a number from 1 to 5") from None
                if not 1 <= number <= 5:
                    raise ActionRefused(f"ratings run from 1 to 5 (got {number})")
                checked[key] = number
            if not checked and not (strengths.strip() or improvements.strip() or comments.strip()):
                raise ActionRefused("the form is empty: give a rating or a comment")
            return FeedbackEvent(
                **self._team_meta(team, now, minute),
                team=team,
                participant=participant.strip(),
                ratings=checked,
                strengths=strengths.strip(),
                improvements=improvements.strip(),
                comments=comments.strip(),
            )

        return self._act(build)

    def note(self, text: str, inject: str | None = None) -> NoteEvent:
        """Add a note to the record (also after ENDEX)."""

        def build(now: datetime, minute: float) -> NoteEvent:
            self._require_started()
            payload = {"text": text.strip(), "inject": inject or None}
            self._check_record("note", payload)
            return NoteEvent(**self._meta(now, minute), **payload)

        return self._act(build)

    def rule(
        self, text: str, rationale: str = "", inject: str | None = None, team: str | None = None
    ) -> RuledEvent:
        """Record a white-cell ruling: what control adjudicated and why."""

        def build(now: datetime, minute: float) -> RuledEvent:
            self._require_started()
            payload = {"text": text.strip(), "rationale": rationale.strip(), "inject": inject or None, "team": team or None}
            self._check_record("ruled", payload)
            return RuledEvent(**self._meta(now, minute), **payload)

        return self._act(build)

    def observe(
        self,
        objective: str,
        rating: str | Rating,
        text: str,
        inject: str | None = None,
        evaluator: str | None = None,
    ) -> ObservedEvent:
        """Record an evaluator's observation against an objective (the author is the evaluator)."""

        def build(now: datetime, minute: float) -> ObservedEvent:
            self._require_started()
            value = rating.value if isinstance(rating, Rating) else str(rating).strip().upper()
            if value not in {r.value for r in Rating}:
                raise ActionRefused(f"rating {rating!r} is not one of P, S, M, U")
            payload = {"objective": objective, "text": text.strip(), "inject": inject or None}
            self._check_record("observed", payload)
            who = (evaluator or self.author).strip() or self.author
            return ObservedEvent(**self._meta(now, minute), evaluator=who, rating=Rating(value), **payload)

        return self._act(build)

    def pause(self, reason: str = "") -> PausedEvent:
        """Stop the scenario clock; `reason` says why when it was not the facilitator's key ('console closed')."""

        def build(now: datetime, minute: float) -> PausedEvent:
            self._require_playing()
            if not self.state.clock.running:
                raise ActionRefused("the clock is already paused")
            return PausedEvent(**self._meta(now, minute), reason=reason)

        return self._act(build)

    def resume(self) -> ResumedEvent:
        """Run the scenario clock again from where it stopped."""

        def build(now: datetime, minute: float) -> ResumedEvent:
            self._require_playing()
            if self.state.clock.running:
                raise ActionRefused("the clock is already running")
            return ResumedEvent(**self._meta(now, minute))

        return self._act(build)

    def set_rate(self, rate: float) -> RateChangedEvent:
        """Run the clock at a new rate (1 = real time, 4 = four scenario minutes per wall minute)."""

        def build(now: datetime, minute: float) -> RateChangedEvent:
            self._require_playing()
            value = self._check_rate(rate)
            if value == self.state.clock.rate:
                raise ActionRefused(f"the clock already runs at {value:g}x")
            return RateChangedEvent(**self._meta(now, minute), rate=value)

        return self._act(build)

    def jump(self, minute: float) -> JumpedEvent:
        """Move scenario time forward to `minute` (after STARTEX); it never goes back."""

        def build(now: datetime, current: float) -> JumpedEvent:
            self._require_playing()
            try:
                target = float(minute)
            except (TypeError, ValueError):
                raise ActionRefused(f"{minute!r} is not a scenario minute") from None
            if not math.isfinite(target):
                raise ActionRefused(f"{minute!r} is not a scenario minute")
            if target <= current:
                raise ActionRefused(
                    f"scenario time only moves forward: it is {format_offset(current)} now, "
                    f"cannot jump to {format_offset(target)}"
                )
            return JumpedEvent(**self._meta(now, current), to=target)

        return self._act(build)

    def advance(self) -> MoveAdvancedEvent:
        """Open the next move; the clock jumps to its start when that lies ahead."""

        def build(now: datetime, minute: float) -> MoveAdvancedEvent:
            self._require_playing()
            move = self.state.next_move
            if move is None:
                last = self.state.move
                raise ActionRefused(f"{last.id if last else 'this'} is the last move; end the exercise instead")
            start = float(self.exercise.move_start(move))
            return MoveAdvancedEvent(
                **self._meta(now, minute),
                move=move.id,
                index=self.state.move_index + 1,
                jump_to=start if start > minute else None,
            )

        return self._act(build)

    def end(self) -> EndedEvent:
        """ENDEX: play stops and the clock stops for good; notes, observations, hot wash go on."""

        def build(now: datetime, minute: float) -> EndedEvent:
            self._require_playing()
            return EndedEvent(**self._meta(now, minute))

        return self._act(build)

    def hotwash(
        self, kind: str | HotwashKind, text: str, objective: str | None = None, team: str | None = None
    ) -> HotwashEvent:
        """Record a hot-wash entry: a strength or an area for improvement."""

        def build(now: datetime, minute: float) -> HotwashEvent:
            self._require_started()
            value = kind.value if isinstance(kind, HotwashKind) else str(kind).strip().lower()
            if value not in {k.value for k in HotwashKind}:
                raise ActionRefused(f"hot-wash kind {kind!r} is not 'strength' or 'improvement'")
            payload = {"text": text.strip(), "objective": objective or None, "team": team or None}
            self._check_record("hotwash", payload)
            return HotwashEvent(**self._meta(now, minute), kind=HotwashKind(value), **payload)

        return self._act(build)

    def correct(
        self,
        seq: int,
        reason: str,
        replacement: Mapping[str, Any] | EventBase | None = None,
    ) -> CorrectedEvent:
        """Correct an earlier record without editing it: replace its fields, or retract it.

        `replacement` is a mapping of the fields to change (merged onto the record as it
        stands) or a whole event of the same kind; None retracts. A correction may be
        corrected too: retracting it restores what it replaced, and field changes given
        for it apply to the record it corrects.
        """

        def build(now: datetime, minute: float) -> CorrectedEvent:
            self._require_started()
            if not reason.strip():
                raise ActionRefused("a correction needs a reason")
            target = self.state.event(seq)
            if target is None:
                raise ActionRefused(f"there is no event #{seq} in this session (last is #{self.state.last_seq})")
            if not target.CORRECTABLE:
                raise ActionRefused(
                    f"#{seq} is a {target.type} event, which cannot be corrected; only deliveries, holds, skips, move advances, "  # type: ignore[attr-defined]
                    "decisions, notes, RFIs and their answers, team answers, feedback forms, "
                    "observations, rulings, hot-wash entries, ad-hoc injects and corrections can"
                )
            root = self.state.event(self.state.root_of(seq))
            assert root is not None
            if replacement is None:
                if self.state.is_retracted(seq):
                    raise ActionRefused(f"#{seq} is already retracted")
                self._check_play_retraction(target, root)
                return CorrectedEvent(**self._meta(now, minute), target=seq, reason=reason.strip(), replacement=None)
            overrides = self._overrides(target, root, replacement)
            self._check_play_change(root, overrides)
            payload = self._replacement(seq, overrides)
            return CorrectedEvent(**self._meta(now, minute), target=seq, reason=reason.strip(), replacement=payload)

        return self._act(build)

    def _check_play_retraction(self, target: EventBase, root: EventBase) -> None:
        """Refuse taking back a play event (hold, skip, move advance) when later play depends on it."""
        if target is not root:
            return
        if isinstance(root, (HeldEvent, SkippedEvent)):
            last = self.state.last_action.get(root.inject)
            if last is None or last.seq != root.seq:
                raise ActionRefused(
                    f"{root.inject} has been {_acted(last)} since it was {root.type}; take that back first"  # type: ignore[attr-defined]
                )
        if isinstance(root, MoveAdvancedEvent):
            if self.state.ended is not None:
                raise ActionRefused("play has ended; a move cannot be reopened after ENDEX")
            opened = self.state.move_openings[-1][1] if self.state.move_openings else None
            if opened is None or opened.seq != root.seq:
                raise ActionRefused(f"#{root.seq} is not the last move opened; only the latest advance can be undone")
            since = sorted({d.inject for d in self.state.deliveries if d.seq > root.seq})
            if since:
                raise ActionRefused(
                    f"{', '.join(since)} {'was' if len(since) == 1 else 'were'} delivered in {root.move}; "
                    "withdraw them first, then undo the advance"
                )

    def _check_play_change(self, root: EventBase, overrides: Mapping[str, Any]) -> None:
        """What a correction may change of a play event: a delivery's teams (fewer), a hold's or skip's reason."""
        if isinstance(root, (DeliveredEvent, AdhocEvent)) and "to" in overrides:
            sent = list(root.to)
            to = [t for t in _recipients(self.exercise, overrides["to"])]
            added = [t for t in to if t not in sent]
            if added:
                raise ActionRefused(
                    f"{root.inject} was not delivered to {', '.join(added)}; deliver it again to reach more teams"
                )
            if not to:
                raise ActionRefused(f"to withdraw {root.inject} from every team, retract the delivery")
        if isinstance(root, DeliveredEvent):
            fixed = [k for k in overrides if k != "to"]
            if fixed:
                raise ActionRefused(f"a delivery's {fixed[0]} cannot change; only the teams it stands for")
        if isinstance(root, (HeldEvent, SkippedEvent)):
            fixed = [k for k in overrides if k != "reason"]
            if fixed:
                raise ActionRefused(f"a {root.type}'s {fixed[0]} cannot change; only its reason, or take it back")  # type: ignore[attr-defined]
        if isinstance(root, MoveAdvancedEvent):
            raise ActionRefused("a move advance can only be undone (retracted), not changed")

    def withdraw(self, inject_id: str, reason: str, teams: Iterable[str] | str | None = None) -> CorrectedEvent:
        """Take back the inject's latest delivery from `teams` (default: all it reached).

        The delivery stays in the record and the team views show it as withdrawn;
        the inject can then be delivered again, to the right teams.
        """
        self._check_inject(inject_id)
        delivery = next((d for d in reversed(self.state.deliveries) if d.inject == inject_id), None)
        if delivery is None:
            raise ActionRefused(f"{inject_id} stands delivered to nobody; there is nothing to withdraw")
        if teams is None:
            return self.correct(delivery.seq, reason)
        gone = _recipients(self.exercise, teams)
        for team in gone:
            self._check_team(team)
        missing = [t for t in gone if t not in delivery.to]
        if missing:
            raise ActionRefused(f"{inject_id}'s latest delivery did not reach {', '.join(missing)}")
        remaining = [t for t in delivery.to if t not in gone]
        if not remaining:
            return self.correct(delivery.seq, reason)
        return self.correct(delivery.seq, reason, {"to": remaining})

    def take_back(self, inject_id: str, reason: str) -> CorrectedEvent:
        """Undo the inject's hold or skip: it is due (or upcoming) again, as if never held or skipped."""
        self._check_inject(inject_id)
        last = self.state.last_action.get(inject_id)
        if not isinstance(last, (HeldEvent, SkippedEvent)):
            raise ActionRefused(f"{inject_id} is not held or skipped (it is {self.state.status(inject_id, self.now_minute()).value})")
        return self.correct(last.seq, reason)

    def reopen_move(self, reason: str) -> CorrectedEvent:
        """Undo the last move advance: the move before it is open again; the clock stays where it is."""
        if len(self.state.move_openings) < 2:
            raise ActionRefused("no move has been advanced to; the first move opened at STARTEX")
        return self.correct(self.state.move_openings[-1][1].seq, reason)

    def _overrides(self, target: EventBase, root: EventBase, replacement: Mapping[str, Any] | EventBase) -> dict[str, Any]:
        if isinstance(replacement, EventBase):
            if type(replacement) is not type(root):
                raise ActionRefused(
                    f"#{target.seq} corrects a {root.type} record; the replacement must be one too"  # type: ignore[attr-defined]
                )
            return replacement.payload()
        allowed = payload_fields(type(root))
        unknown = [key for key in replacement if key not in allowed]
        if unknown:
            raise ActionRefused(
                f"a {root.type} record has no field {unknown[0]!r} (fields: {', '.join(allowed)})"  # type: ignore[attr-defined]
            )
        if not replacement:
            raise ActionRefused("give the fields to correct, or retract the record")
        return dict(replacement)

    def _replacement(self, seq: int, overrides: dict[str, Any]) -> dict[str, Any]:
        """The replacement payload for event `seq`, with `overrides` applied to the record at the root."""
        target = self.state.event(seq)
        assert target is not None
        standing = self.state.effective(seq)
        if isinstance(target, CorrectedEvent):
            return self._payload_with(target, standing.payload() if standing is not None else None, overrides)
        base = (standing or target).payload()
        payload = self._payload_with(target, base, overrides)
        if standing is not None and payload == base:
            raise ActionRefused(f"the correction changes nothing in #{seq}")
        return payload

    def _payload_with(self, event: EventBase, current: dict[str, Any] | None, overrides: dict[str, Any]) -> dict[str, Any]:
        """`event`'s payload as it stands (`current`, or as written), with the root record's fields overridden.

        For a correction, the overrides go into its replacement, down to the record it corrects.
        """
        base = dict(current) if current is not None else event.payload()
        if isinstance(event, CorrectedEvent):
            inner_event = self.state.event(event.target)
            assert inner_event is not None
            base["replacement"] = self._payload_with(inner_event, base.get("replacement"), overrides)
            return base
        fields = type(event).model_fields
        cleared = {k: None for k, v in overrides.items() if v == "" and k in fields and fields[k].default is None}
        merged = {**base, **overrides, **cleared}
        meta = {name: getattr(event, name) for name in EventBase.META_FIELDS}
        try:
            validated = type(event).model_validate({**merged, **meta})
        except ValidationError as error:
            raise ActionRefused(_first_error(error)) from None
        payload = validated.payload()
        self._check_record(event.type, payload)  # type: ignore[attr-defined]
        if isinstance(event, AdhocEvent) and payload["inject"] != event.inject:
            raise ActionRefused(f"{event.inject} keeps its id; correct its text or the teams it stands for")
        return payload


def _recipients(exercise: Exercise, to: Iterable[str] | str) -> list[str]:
    if isinstance(to, str):
        items = [part.strip() for part in to.replace(",", " ").split()]
    else:
        items = [str(part).strip() for part in to]
    if ALL in items:
        return [t.id for t in exercise.teams if t.kind != TeamKind.control]
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def _acted(event: EventBase | None) -> str:
    """What was last done to an inject, as a past participle ('delivered', 'held', ...)."""
    kind = getattr(event, "type", "")
    return {"delivered": "delivered", "adhoc": "delivered", "held": "held", "skipped": "skipped"}.get(kind, "acted on")


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part)
    return f"{where}: {first['msg']}" if where else str(first["msg"])
