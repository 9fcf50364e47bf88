"""The facilitator console: one Textual app over one engine `Session`.

The app is the one owner of session state. Keys and forms become
:class:`~tabletop.app.messages.EngineCall` objects; a single worker thread
appends them in order (one engine call, one event, one durable append) and
posts the outcome back as a message; the app then refreshes its widgets from
the engine's state. The console holds no rule of the exercise: what is due,
who has answered and what is allowed all come from the engine.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Input, TextArea

from tabletop.app.commands import CommandsProvider, EventsProvider, InjectsProvider, Mode, bindings, command_for
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
from tabletop.app.messages import (
    ActionDone,
    ActionRefused,
    ActionRequested,
    EngineCall,
    InjectHighlighted,
    SessionChanged,
)
from tabletop.app.screens.inject import InjectScreen
from tabletop.app.screens.main import MainScreen
from tabletop.app.widgets.board import Answer, BoardLine, DecisionBoard
from tabletop.app.widgets.card import AnswerView, InjectCard, InjectView, OptionView
from tabletop.app.widgets.log import EventLog, LogLine
from tabletop.app.widgets.msel import MselLine, MselTable
from tabletop.app.widgets.status import StatusBar, StatusView
from tabletop.engine import ActionRefused as Refusal
from tabletop.engine import Session
from tabletop.events import CorrectedEvent, DecidedEvent, EventBase
from tabletop.model import Inject, TeamKind
from tabletop.need_to_know import presentation_header
from tabletop.state import InjectStatus, MselRow
from tabletop.store import StoreError
from tabletop.wording import presentation_lines

if TYPE_CHECKING:
    from tabletop.app.screens.hotwash import HotwashEntries, HotwashScreen

# The forms, the hot-wash and the help screens are imported where they are
# opened, not here: the console's first screen does not need them, and their
# widgets (text areas, selects, option lists) make a noticeable part of the
# start-up time.

STATE_LABELS = {
    InjectStatus.upcoming: "upcoming",
    InjectStatus.due: "DUE",
    InjectStatus.delivered: "delivered",
    InjectStatus.held: "held",
    InjectStatus.skipped: "skipped",
    InjectStatus.inactive: "not live",
}
"""How each engine status reads in the MSEL."""

STATE_STYLES = {
    InjectStatus.upcoming: "",
    InjectStatus.due: "bold black on yellow",
    InjectStatus.delivered: "dim",
    InjectStatus.held: "yellow",
    InjectStatus.skipped: "dim strike",
    InjectStatus.inactive: "dim italic",
}
"""How each engine status looks in the MSEL; the due row stands out."""


class ConsoleApp(App[None]):
    """The facilitator (or evaluator) console over one session."""

    TITLE = "tabletop"
    CSS_PATH = [Path(__file__).with_name("app.tcss"), Path(__file__).parent / "screens" / "main.tcss"]
    """The console screen is the default screen, whose own CSS_PATH Textual does not read: its styles load here."""
    BINDINGS: ClassVar[list[BindingType]] = bindings()  # type: ignore[assignment]
    COMMANDS = App.COMMANDS | {CommandsProvider, InjectsProvider, EventsProvider}
    NOTIFICATION_TIMEOUT = 6

    def __init__(
        self,
        session: Session,
        *,
        mode: Mode = Mode.facilitator,
        wall_zone: tzinfo | None = None,
        blink: bool = True,
        bell: bool = True,
        poll_interval: float = 0.25,
        tick_interval: float = 1.0,
        heartbeat_interval: float = 10.0,
        after_first_frame: Callable[[], None] | None = None,
    ) -> None:
        """`wall_zone` is the zone wall time is shown in (default: the machine's);
        `blink` False stops cursor blink (snapshots); intervals only redraw, never count time,
        except the heartbeat, which tells the file every `heartbeat_interval` seconds that the
        console is alive (a reopen after a crash pauses the clock there);
        `after_first_frame` runs once the console is on screen (`tabletop run` settles
        start-up's memory there)."""
        super().__init__()
        self.after_first_frame = after_first_frame
        self.session = session
        self.mode = mode
        self.author = session.author
        self.wall_zone = wall_zone
        self.blink = blink
        self.ring_bell = bell
        self.poll_interval = poll_interval
        self.tick_interval = tick_interval
        self.heartbeat_interval = heartbeat_interval
        self.selected_inject: str | None = None
        self._lock = threading.RLock()
        self._queue: deque[tuple[EngineCall, MessagePump | None]] = deque()
        self._queue_lock = threading.Lock()
        self._draining = False
        self._delivering: set[str] = set()
        """Injects whose first delivery is queued or being written: a second press must not send it twice."""
        self._log_count = 0
        self._due_seen: set[str] | None = None
        self._main: MainScreen | None = None
        self._hotwash: HotwashScreen | None = None
        self._cursor_placed = False
        self._phase: tuple[bool, bool] | None = None
        self.sub_title = session.exercise.title

    # Start-up

    def on_mount(self) -> None:
        """Poll the file and redraw the clock on intervals; finish start-up after the first frame."""
        self.set_interval(self.poll_interval, self.poll_session, name="poll session file")
        self.set_interval(self.tick_interval, self._tick, name="redraw clock")
        self.set_interval(self.heartbeat_interval, self._heartbeat, name="heartbeat")
        self.call_after_refresh(self._first_frame_shown)

    def _first_frame_shown(self) -> None:
        if self.after_first_frame is not None:
            self.after_first_frame()
        self._prepare_engine()

    @work(thread=True, group="heartbeat", exclusive=True, name="heartbeat")
    def _heartbeat(self) -> None:
        """Mark the session file: this console is alive now. Skipped while an action holds the engine
        (the event it writes is as good), and a failed beat is left to the next action to report."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self.session.heartbeat()
        except (StoreError, sqlite3.Error):
            pass
        finally:
            self._lock.release()

    @work(thread=True, group="engine", name="prepare the engine")
    def _prepare_engine(self) -> None:
        """Build what the first action would otherwise wait for, while the facilitator reads the screen.

        Holds the engine lock, so it never runs beside an action.
        """
        with self._lock:
            self.session.prepare()

    def get_default_screen(self) -> Screen[Any]:
        """The console screen, the base every form and detail screen opens over."""
        self._main = MainScreen()
        return self._main

    # Where the user is

    def current_inject(self) -> str | None:
        """The inject the keys act on: the one being read, else the MSEL cursor's."""
        if isinstance(self.screen, InjectScreen):
            return self.screen.inject_id
        if self._main is not None and self._main.composed:
            selected = self._main.query_one(MselTable).selected
            if selected is not None:
                return selected
        return self.selected_inject

    def _open_inject(self) -> Inject | None:
        """The exercise inject being read on the inject screen, if any (notes tie to it)."""
        if isinstance(self.screen, InjectScreen):
            return self.session.exercise.inject(self.screen.inject_id)
        return None

    def inject_place(self, inject_id: str) -> str:
        """Where an inject sits, in words, for the palette: 'M1 +00:15' or 'contingency'."""
        move = self.session.exercise.move_of(inject_id)
        inject = self.session.exercise.inject(inject_id)
        if move is None or inject is None:
            return "contingency"
        at = inject.at if inject.at is not None else self.session.exercise.move_start(move)
        return f"{move.id} {offset_text(at)}"

    # Engine calls: queued, run in order on one worker thread

    def request(self, call: EngineCall, requester: MessagePump | None = None) -> None:
        """Queue one engine call; its outcome comes back as a message."""
        with self._queue_lock:
            self._queue.append((call, requester))
            if self._draining:
                return
            self._draining = True
        self._drain()

    @work(thread=True, group="engine", name="append to session")
    def _drain(self) -> None:
        """Run queued calls one after another; only post messages back."""
        while True:
            with self._queue_lock:
                if not self._queue:
                    self._draining = False
                    return
                call, requester = self._queue.popleft()
            self._perform(call, requester)

    def _perform(self, call: EngineCall, requester: MessagePump | None) -> None:
        try:
            with self._lock:
                event = getattr(self.session, call.method)(**call.kwargs)
        except Refusal as error:
            self.post_message(ActionRefused(call, str(error), requester=requester))
        except (StoreError, sqlite3.Error, OSError) as error:
            self.post_message(
                ActionRefused(call, f"could not write to the session file: {error}", failure=True, requester=requester)
            )
        else:
            self.post_message(ActionDone(call, event, requester=requester))

    def on_action_requested(self, message: ActionRequested) -> None:
        """A form or pane asks for an engine call."""
        message.stop()
        self.request(message.call, message.requester)

    def on_action_done(self, message: ActionDone) -> None:
        """The event is written: refresh, tell the user, then let the form close."""
        if message.call.method == "deliver":
            self._delivering.discard(message.call.kwargs.get("inject_id", ""))
        self.refresh_views()
        if message.call.done:
            self.notify(message.call.done, timeout=3, markup=False)
        if message.call.method in ("advance", "start"):
            self._notify_situation()
        if message.requester is not None:
            message.requester.post_message(ActionDone(message.call, message.event))
        if message.call.method == "end":
            self.call_after_refresh(self.action_hotwash)

    def on_action_refused(self, message: ActionRefused) -> None:
        """Nothing was written: say why (in the form when one is waiting)."""
        if message.call.method == "deliver":
            self._delivering.discard(message.call.kwargs.get("inject_id", ""))
        self.refresh_views()
        if message.requester is not None:
            message.requester.post_message(ActionRefused(message.call, message.reason, failure=message.failure))
        else:
            self.notify(message.reason, title="Not done", severity="error", timeout=8, markup=False)
            self.bell()

    def on_session_changed(self, message: SessionChanged) -> None:
        """Another terminal wrote to the session: show it."""
        self.refresh_views()

    # Intervals: they redraw; scenario time always comes from the engine

    def poll_session(self) -> None:
        """Fold what other terminals appended (cheap when nothing changed: PRAGMA data_version)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            new = self.session.refresh()
        except (StoreError, sqlite3.Error) as error:
            self.notify(f"cannot read the session file: {error}", severity="error", markup=False)
            return
        finally:
            self._lock.release()
        if new:
            self.post_message(SessionChanged(new))

    def _tick(self) -> None:
        self.refresh_views()

    # Views: read the engine's state, hand words down to the widgets

    def refresh_views(self) -> None:
        """Bring every visible widget up to the engine's state (skipped while a write runs)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            with self.batch_update():
                self._refresh_views()
        finally:
            self._lock.release()

    def _refresh_views(self) -> None:
        state = self.session.state
        minute = self.session.now_minute()
        rows = state.msel(minute)
        due = {row.inject for row in rows if row.status is InjectStatus.due}
        self._cue_due(due, rows)
        status = self.status_view(minute, len(due))
        for bar in self.screen.query(StatusBar):
            bar.show(status)
        if self._main is not None and self._main.composed:
            self._main.query_one(StatusBar).show(status)
            table = self._main.query_one(MselTable)
            table.sync([self.msel_line(row) for row in rows])
            if not self._cursor_placed and rows:
                self._cursor_placed = True
                table.select(self._first_open(rows))
            self._main.query_one(DecisionBoard).show(self.board_lines(rows))
            self._sync_log(self._main.query_one(EventLog))
            self._refresh_preview(rows)
        screen = self.screen
        if isinstance(screen, InjectScreen):
            view = self.inject_view(screen.inject_id, rows)
            if view is not None:
                screen.show(view)
        elif screen is self._hotwash and self._hotwash is not None:
            self._hotwash.show(self.hotwash_entries())
        phase = (state.started is not None, state.ended is not None)
        if phase != self._phase:
            self._phase = phase
            self.refresh_bindings()

    @staticmethod
    def _first_open(rows: list[MselRow]) -> str:
        """Where the cursor starts: the first inject due, else the first still to come."""
        for wanted in (InjectStatus.due, InjectStatus.upcoming, InjectStatus.held):
            for row in rows:
                if row.status is wanted and row.kind == "scheduled":
                    return row.inject
        return rows[0].inject

    def _refresh_preview(self, rows: list[MselRow] | None = None) -> None:
        """Show the inject under the cursor in the wide layout's preview pane."""
        main = self._main
        if main is None or not main.composed or not main.wide:
            return
        inject_id = main.query_one(MselTable).selected
        view = self.inject_view(inject_id, rows) if inject_id else None
        if view is not None:
            main.query_one("#preview-card", InjectCard).show(view)

    def on_inject_highlighted(self, message: InjectHighlighted) -> None:
        """The MSEL cursor moved: remember the inject and preview it."""
        self.selected_inject = message.inject_id
        if self._lock.acquire(blocking=False):
            try:
                self._refresh_preview()
            finally:
                self._lock.release()

    def _cue_due(self, due: set[str], rows: list[MselRow]) -> None:
        """Notify and ring once for each inject that has just fallen due."""
        if self._due_seen is None:
            fresh = due
        else:
            fresh = due - self._due_seen
        self._due_seen = due
        if not fresh:
            return
        order = [r.inject for r in rows]
        fresh_ids = sorted(fresh, key=order.index)
        if len(fresh_ids) == 1:
            title = next(r.title for r in rows if r.inject == fresh_ids[0])
            self.notify(f"{fresh_ids[0]}  {one_line(title, 60)}", title="Inject due", severity="warning", timeout=8, markup=False)
        else:
            self.notify(", ".join(fresh_ids), title=f"{len(fresh_ids)} injects due", severity="warning", timeout=8, markup=False)
        if self.ring_bell:
            self.bell()

    def status_view(self, minute: float, due: int) -> StatusView:
        """The status lines from the engine's clock and move."""
        exercise = self.session.exercise
        state = self.session.state
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
            else "press S for STARTEX" if self.mode is Mode.facilitator else "waiting for STARTEX"
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
            wall=wall_text(self.session.now(), self.wall_zone),
            due=due,
            who="" if self.mode is Mode.facilitator else f"evaluator {self.author}",
        )

    def _recipients_text(self, to: tuple[str, ...]) -> str:
        exercise = self.session.exercise
        everyone = [t.id for t in exercise.teams if t.kind != TeamKind.control]
        if list(to) == everyone:
            return "all"
        return " ".join(team_label(exercise, t) for t in to)

    def msel_line(self, row: MselRow) -> MselLine:
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
            to=self._recipients_text(row.to),
            state=STATE_LABELS[row.status],
            style=STATE_STYLES[row.status],
        )

    def board_lines(self, rows: list[MselRow]) -> list[BoardLine]:
        """Decisions still awaited, and those of the open move every team has answered."""
        state = self.session.state
        exercise = self.session.exercise
        move = state.move
        lines = []
        for row in rows:
            if row.status is not InjectStatus.delivered:
                continue
            deciders = state.deciders(row.inject)
            if not deciders:
                continue
            if not row.awaited and (move is None or row.move != move.id):
                continue
            inject = exercise.inject(row.inject)
            prompt = inject.decision.prompt if inject is not None and inject.decision else row.title
            answers = []
            for team in deciders:
                decision = state.decision(row.inject, team)
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
                    )
                )
            lines.append(BoardLine(row.inject, one_line(prompt), tuple(answers)))
        return lines

    def log_line(self, event: EventBase) -> LogLine:
        """One event as the log shows it, after corrections."""
        state = self.session.state
        text = event.summary()
        style = ""
        if event.CORRECTABLE and not isinstance(event, CorrectedEvent):
            if state.is_retracted(event.seq):
                text += "   [retracted]"
                style = "dim strike"
            elif state.corrections_of(event.seq):
                current = state.effective(event.seq)
                text = (current.summary() if current is not None else text) + "   [corrected]"
                style = "italic"
        return LogLine(seq=event.seq, at=offset_text(event.minute), author=event.author, text=text, style=style)

    def _sync_log(self, log: EventLog) -> None:
        state = self.session.state
        events = state.events
        new = events[max(self._log_count, len(events) - log.max_rows) :]
        if len(events) == self._log_count:
            return
        lines = [self.log_line(e) for e in new]
        touched: set[int] = set()
        for event in new:
            if isinstance(event, CorrectedEvent):
                touched.add(event.target)
                touched.add(state.root_of(event.target))
        for seq in sorted(touched):
            target = state.event(seq)
            if target is not None and seq in log.lines:
                lines.append(self.log_line(target))
        log.sync(lines)
        self._log_count = len(events)
        shown = len(log.lines)
        log.border_title = "Log" if shown == len(events) else f"Log · last {shown} of {len(events)} (ctrl+p finds older)"

    def inject_view(self, inject_id: str, rows: list[MselRow] | None = None) -> InjectView | None:
        """Everything about one inject, in words, for the inject screen."""
        exercise = self.session.exercise
        state = self.session.state
        if rows is None:
            rows = state.msel(self.session.now_minute())
        row = next((r for r in rows if r.inject == inject_id), None)
        if row is None:
            return None
        inject = exercise.inject(inject_id)
        adhoc = state.adhoc(inject_id)
        state_text = STATE_LABELS[row.status]
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
        answers = tuple(self._answer(inject, team, decided.get(team)) for team in teams)
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
                answers=answers,
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
                answers=answers,
            )
        return None

    def _answer(self, inject: Inject | None, team: str, decision: DecidedEvent | None) -> AnswerView:
        label = team_label(self.session.exercise, team)
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

    def hotwash_entries(self) -> dict[str, HotwashEntries]:
        """Hot-wash entries and play-time ratings, by objective id (GENERAL for the rest)."""
        from tabletop.app.screens.hotwash import GENERAL, HotwashEntries

        state = self.session.state
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

    # Which commands are offered

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide commands this mode does not offer, STARTEX once play has begun, play control after ENDEX."""
        command = command_for(action)
        if command is None:
            return True
        if self.mode not in command.modes:
            return False
        if command.typed and not self._letters_are_commands():
            return False
        state = self.session.state
        if action == "start":
            return state.started is None
        if command.play and state.ended is not None:
            return False
        return True

    def _letters_are_commands(self) -> bool:
        """Whether a key that types a character may run a console command now.

        Only on the console and inject screens, and never while a text field or
        text pane has focus there: on a form, the hot-wash or the help, every
        character typed is text (or navigation), so a sentence with an `o` or a
        `q` in it cannot open a form or quit."""
        try:
            screen = self.screen
        except Exception:
            return False
        if isinstance(screen, CommandPalette):
            return True  # its search field keeps every character; it lists the commands the console offers
        if not isinstance(screen, (MainScreen, InjectScreen)):
            return False
        return not isinstance(self.focused, (Input, TextArea))

    # Actions: each is one engine call, or a form that makes one

    def _inject_call(self, method: str, verb: str, **extra: Any) -> None:
        inject_id = self.current_inject()
        if inject_id is None:
            self.notify("Pick an inject in the MSEL first.", severity="warning")
            return
        self.request(EngineCall(method, {"inject_id": inject_id, **extra}, done=f"{verb} {inject_id}"))

    def _deliver(self, verb: str, **extra: Any) -> None:
        """Deliver at once the first time; ask first, naming the earlier delivery, when it went out already."""
        from tabletop.app.screens.confirm import RedeliverForm
        from tabletop.confirmations import redelivery_facts

        inject_id = self.current_inject()
        if inject_id is None:
            self.notify("Pick an inject in the MSEL first.", severity="warning")
            return
        if inject_id in self._delivering:
            # a second press before the first delivery is on screen: never a silent second delivery
            self.notify(f"{inject_id} is being delivered now. To send it again, press d once it shows as delivered.",
                        severity="warning", timeout=6, markup=False)
            return
        call = EngineCall("deliver", {"inject_id": inject_id, **extra}, done=f"{verb} {inject_id}")
        facts = redelivery_facts(self.session.state, inject_id)
        if facts is None:
            self._delivering.add(inject_id)
            self.request(call)
        else:
            self.push_screen(RedeliverForm(self.session.exercise, facts, self.wall_zone, call))

    def action_deliver(self) -> None:
        """Deliver the selected inject; a second delivery is asked first."""
        self._deliver("Delivered")

    def action_force_deliver(self) -> None:
        """Deliver the selected inject even though its condition does not hold."""
        self._deliver("Delivered (forced)", force=True)

    def action_hold(self) -> None:
        """Hold the selected inject."""
        self._inject_call("hold", "Held")

    def action_skip(self) -> None:
        """Skip the selected inject."""
        self._inject_call("skip", "Skipped")

    def action_open_inject(self) -> None:
        """Read the selected inject in full."""
        inject_id = self.current_inject()
        if inject_id is not None:
            self.show_inject(inject_id)

    def show_inject(self, inject_id: str) -> None:
        """Open the inject screen on an inject (from the MSEL, the palette or a key)."""
        self.selected_inject = inject_id
        if self._main is not None and self._main.composed:
            self._main.query_one(MselTable).select(inject_id)
        if isinstance(self.screen, InjectScreen):
            self.pop_screen()
        self.push_screen(InjectScreen(inject_id))
        self.call_after_refresh(self.refresh_views)

    def action_contingency(self) -> None:
        """Pick a contingency and deliver it."""
        from tabletop.app.screens.injects import ContingencyPicker

        state = self.session.state
        minute = self.session.now_minute()
        pairs = [
            (inject, STATE_LABELS[state.status(inject.id, minute)])
            for inject in self.session.exercise.contingencies
        ]
        self.push_screen(ContingencyPicker(self.session.exercise, pairs))

    def action_adhoc(self) -> None:
        """Write an ad-hoc inject."""
        from tabletop.app.screens.injects import AdhocForm

        self.push_screen(AdhocForm(self.session.exercise))

    def action_decide(self) -> None:
        """Record a team's decision on the selected inject."""
        from tabletop.app.screens.decision import DecisionForm

        inject_id = self.current_inject()
        inject = self.session.exercise.inject(inject_id) if inject_id else None
        state = self.session.state
        if inject_id is None:
            self.notify("Pick an inject in the MSEL first.", severity="warning")
            return
        if not state.was_delivered(inject_id):
            # refused before the form is filled, not after
            self.notify(f"{inject_id} has not been delivered yet; deliver it before recording decisions.",
                        title="Not done", severity="error", timeout=8, markup=False)
            self.bell()
            return
        if inject is None:
            adhoc = state.adhoc(inject_id)
            if adhoc is None:
                return
            inject = Inject(
                id=adhoc.inject, title=adhoc.title, body=adhoc.body, source=adhoc.source,
                to=list(adhoc.to), channel=adhoc.channel,
            )
        teams = state.deciders(inject_id) or [
            t for t in self.session.exercise.recipients(inject)
            if (team := self.session.exercise.team(t)) is not None and team.kind == TeamKind.player
        ]
        answered, earlier = {}, {}
        for team, decision in state.decisions_on(inject_id).items():
            answered[team] = decision.option or f"“{one_line(decision.text, 24)}”"
            earlier[team] = decision.seq
        self.push_screen(DecisionForm(self.session.exercise, inject, teams, answered, earlier=earlier))

    def action_note(self) -> None:
        """Add a note."""
        from tabletop.app.screens.records import NoteForm

        self.push_screen(NoteForm(self._open_inject()))

    def action_rfi(self) -> None:
        """Open the RFI inbox and answer a team's question."""
        from tabletop.app.screens.rfi import RfiForm

        self.push_screen(RfiForm(self.session.state))

    def action_ruling(self) -> None:
        """Record a white-cell ruling."""
        from tabletop.app.screens.records import RulingForm

        self.push_screen(RulingForm(self.session.exercise, self._open_inject()))

    def action_observe(self) -> None:
        """Record an observation against an objective."""
        from tabletop.app.screens.records import ObservationForm

        self.push_screen(ObservationForm(self.session.exercise, self._open_inject(), self.author))

    def action_focus_log(self) -> None:
        """Move to the log pane."""
        if isinstance(self.screen, MainScreen):
            self.screen.query_one(EventLog).focus()

    def action_correct(self) -> None:
        """Correct the event under the log's cursor (the latest one by default)."""
        if self._main is None or not self._main.composed:
            return
        seq = self._main.query_one(EventLog).selected
        if seq is None:
            self.notify("Nothing has been recorded yet.", severity="warning")
            return
        self.correct_event(seq)

    def correct_event(self, seq: int) -> None:
        """Open the correction form on any event of the session, by seq."""
        from tabletop.app.screens.correction import CorrectionForm

        event = self.session.state.event(seq)
        if event is not None:
            self.push_screen(CorrectionForm(event))

    def action_start(self) -> None:
        """STARTEX at real time."""
        self.request(EngineCall("start", {"rate": 1.0}, done="STARTEX"))

    def action_pause(self) -> None:
        """Pause the clock if it runs, resume it if it is paused."""
        running = self.session.state.clock.running
        self.request(EngineCall("pause" if running else "resume", {}, done="Clock paused" if running else "Clock resumed"))

    def action_rate(self) -> None:
        """Change the clock rate."""
        from tabletop.app.screens.clock import RateForm

        self.push_screen(RateForm(self.session.state.clock.rate))

    def action_jump(self) -> None:
        """Jump the clock."""
        from tabletop.app.screens.clock import JumpForm

        self.push_screen(JumpForm(self.session.now_minute()))

    def _notify_situation(self) -> None:
        """Put the situation the open move was read with in front of the facilitator, variant named."""
        state = self.session.state
        move = state.move
        if move is None:
            return
        index = state.situation_variant(move.id)
        which = "default text" if index is None else f"variant {index + 1}"
        self.notify(state.situation(move.id), title=f"Read to the room: {move.id} situation ({which})",
                    timeout=20, markup=False)

    def action_advance(self) -> None:
        """Ask, naming what is still open, then open the next move.

        With no next move (or no play going on) the engine's refusal is shown
        at once: there is nothing to confirm.
        """
        from tabletop.app.screens.confirm import AdvanceForm
        from tabletop.confirmations import advance_facts

        state = self.session.state
        if state.next_move is None or state.ended or not state.started:
            self.request(EngineCall("advance", {}, done="Next move opened"))
            return
        self.push_screen(AdvanceForm(self.session.exercise, advance_facts(state, self.session.now_minute())))

    def action_endex(self) -> None:
        """Ask, then end the exercise."""
        from tabletop.app.screens.clock import EndexForm

        state = self.session.state
        rows = state.msel(self.session.now_minute())
        left = [r for r in rows if r.kind == "scheduled" and r.status in (InjectStatus.due, InjectStatus.upcoming, InjectStatus.held)]
        awaited = sum(len(teams) for teams in state.awaited().values())
        parts = []
        if left:
            parts.append(f"{len(left)} scheduled inject{'s' if len(left) != 1 else ''} not delivered")
        if awaited:
            parts.append(f"{awaited} decision{'s' if awaited != 1 else ''} still awaited")
        self.push_screen(EndexForm("; ".join(parts)))

    def action_hotwash(self) -> None:
        """Open the hot-wash screen."""
        from tabletop.app.screens.hotwash import HotwashScreen

        if isinstance(self.screen, HotwashScreen):
            return
        self._hotwash = HotwashScreen(self.session.exercise)
        self.push_screen(self._hotwash)
        self.call_after_refresh(self.refresh_views)

    async def action_quit(self) -> None:
        """Leave once every queued write is on disk (a write is never cut short by quitting)."""
        writing = [worker for worker in self.workers if worker.group == "engine"]
        if writing:
            await self.workers.wait_for_complete(writing)
        self.exit()

    def action_help(self) -> None:
        """Show every key."""
        from tabletop.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
