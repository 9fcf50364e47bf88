"""The facilitator console: one Textual app over one engine `Session`.

The app is the one owner of session state. Keys and forms become
:class:`~tabletop.app.messages.EngineCall` objects; the
:class:`~tabletop.app.queue.EngineQueue` runs them in order on a single worker
thread (one engine call, one event, one durable append) and posts the outcome
back as a message; the app then refreshes its widgets from the engine's state,
in words built by :mod:`tabletop.app.views`. What each key does is in
:mod:`tabletop.app.actions`; screens and palette providers reach the app only
through :class:`~tabletop.app.console.Console` and messages. The console holds
no rule of the exercise: what is due, who has answered and what is allowed all
come from the engine.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
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
from textual.widgets import Input

from tabletop.app import views
from tabletop.app.actions import ConsoleActions
from tabletop.app.delivering import ConsoleDelivering
from tabletop.app.cues import ConsoleCues
from tabletop.app.rhythm import ConsoleRhythm
from tabletop.app.commands import (
    FOCUS_BINDINGS,
    CommandsProvider,
    EventsProvider,
    InjectsProvider,
    Mode,
    bindings,
    command_for,
)
from tabletop.app.formatting import offset_text
from tabletop.app.messages import ActionDone, ActionRefused, ActionRequested, EngineCall, InjectHighlighted, SessionChanged
from tabletop.app.queue import EngineQueue
from tabletop.app.screens.form import FormScreen
from tabletop.app.screens.inject import InjectScreen
from tabletop.app.screens.main import MainScreen
from tabletop.app.widgets.board import BoardLine, DecisionBoard
from tabletop.app.widgets.card import InjectCard, InjectView
from tabletop.app.widgets.log import EventLog, LogLine
from tabletop.app.widgets.msel import MselLine, MselTable
from tabletop.app.widgets.status import StatusBar, StatusView
from tabletop.engine import Session
from tabletop.events import CorrectedEvent, EventBase
from tabletop.model import Inject
from tabletop.state import InjectStatus, MselRow
from tabletop.store import StoreError

if TYPE_CHECKING:
    from tabletop.app.screens.hotwash import HotwashEntries, HotwashScreen

# The forms, the hot-wash and the help screens are imported where they are
# opened (in tabletop.app.actions), not here: the console's first screen does
# not need them, and their widgets (text areas, selects, option lists) make a
# noticeable part of the start-up time.


def _types_text(widget: object) -> bool:
    """Whether `widget` is a field that takes typed characters (an Input or a TextArea).

    TextArea is looked up only once a form has imported it: no TextArea can
    exist before, and importing it here would cost the first screen its module.
    """
    if isinstance(widget, Input):
        return True
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


class ConsoleApp(ConsoleRhythm, ConsoleCues, ConsoleDelivering, ConsoleActions, App[None]):
    """The facilitator (or evaluator) console over one session."""

    TITLE = "tabletop"
    CSS_PATH = [Path(__file__).with_name("app.tcss"), Path(__file__).parent / "screens" / "main.tcss"]
    """The console screen is the default screen, whose own CSS_PATH Textual does not read: its styles load here."""
    BINDINGS: ClassVar[list[BindingType]] = bindings() + FOCUS_BINDINGS  # type: ignore[assignment]
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
        opening_notice: str | None = None,
        typing_gap: float = 0.0,
    ) -> None:
        """`wall_zone` is the zone wall time is shown in (default: the machine's);
        `blink` False stops cursor blink (snapshots); intervals only redraw, never count time,
        except the heartbeat, which tells the file every `heartbeat_interval` seconds that the
        console is alive (a reopen after a crash pauses the clock there);
        `after_first_frame` runs once the console is on screen (`tabletop run` settles
        start-up's memory there); `opening_notice` is shown then, for the few seconds a
        facilitator looks at a new screen (`tabletop run` says where the session is written);
        keys closer together than `typing_gap` seconds are typing, never commands (:mod:`rhythm`)."""
        super().__init__()
        self.typing_gap = typing_gap
        self.after_first_frame = after_first_frame
        self.opening_notice = opening_notice
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
        """The engine lock: held by each engine call, and tried by every reader on the main thread."""
        self.queue = EngineQueue(self, session, self._lock)
        """Engine calls waiting to be written, in order."""
        self._log_count = 0
        self._due_seen: set[str] | None = None
        self._rfis_seen: set[int] | None = None
        self._main: MainScreen | None = None
        self._hotwash: HotwashScreen | None = None
        self._cursor_placed = False
        self._phase: tuple[bool, bool, bool] | None = None
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
        if self.opening_notice:
            self.notify(self.opening_notice, title="Session file", timeout=12, markup=False)
        self._heartbeat()  # at once: from now on a reopen elsewhere knows a console runs the clock
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

    def action_focus_next_now(self) -> None:
        """Focus the next field at once (a priority binding runs before later keys are forwarded)."""
        self.screen.focus_next()

    def action_focus_previous_now(self) -> None:
        """Focus the previous field at once."""
        self.screen.focus_previous()

    def current_inject(self) -> str | None:
        """The inject the keys act on: the one being read, else the board's or the MSEL cursor's.

        None while the log has the focus: a key pressed there must not act on an MSEL row the
        facilitator is not looking at (the log's own keys, x and enter, act on its line).
        """
        if isinstance(self.screen, InjectScreen):
            return self.screen.inject_id
        if self._log_has_focus():
            return None
        if self._main is not None and self._main.composed:
            board = self._main.query_one(DecisionBoard)
            if board.has_focus and board.selected is not None:
                return board.selected[0]
            selected = self._main.query_one(MselTable).selected
            if selected is not None:
                return selected
        return self.selected_inject

    def _log_has_focus(self) -> bool:
        """Whether the main screen's log pane has the focus (inject keys then act on no MSEL row)."""
        return self._main is not None and self._main.composed and self._main.query_one(EventLog).has_focus

    def no_inject_reason(self) -> str:
        """Why an inject key did nothing, and what to do instead."""
        if self._log_has_focus():
            return "The log has the focus: press tab to go back to the MSEL and pick the inject there."
        return "Pick an inject in the MSEL first."

    def _open_inject(self) -> Inject | None:
        """The inject a note, ruling or observation is offered to be about: the one being read,
        else the delivered one under the MSEL cursor (the form shows it and offers "none" too)."""
        if isinstance(self.screen, InjectScreen):
            return self.session.exercise.inject(self.screen.inject_id)
        if isinstance(self.screen, MainScreen):
            selected = self.screen.query_one(MselTable).selected
            if selected is not None and self.session.state.was_delivered(selected):
                return self.session.exercise.inject(selected)
        return None

    def inject_place(self, inject_id: str) -> str:
        """Where an inject sits, in words, for the palette: 'M1 +00:15' or 'contingency'."""
        move = self.session.exercise.move_of(inject_id)
        inject = self.session.exercise.inject(inject_id)
        if move is None or inject is None:
            return "contingency"
        at = inject.at if inject.at is not None else self.session.exercise.move_start(move)
        return f"{move.id} {offset_text(at)}"

    # Engine calls: queued, run in order on one worker thread (tabletop.app.queue)

    def request(self, call: EngineCall, requester: MessagePump | None = None) -> None:
        """Queue one engine call; its outcome comes back as a message."""
        self.queue.request(call, requester)

    def on_action_requested(self, message: ActionRequested) -> None:
        """A form or pane asks for an engine call."""
        message.stop()
        self.request(message.call, message.requester)

    def on_action_done(self, message: ActionDone) -> None:
        """The event is written: refresh, tell the user, then let the form close."""
        self.queue.settled(message.call)
        self.refresh_views()
        if message.call.done:
            self.notify(message.call.done, timeout=3, markup=False)
        if message.call.method in ("advance", "start"):
            self._notify_situation()
        if message.requester is not None:
            message.requester.post_message(ActionDone(message.call, message.event))

    def on_action_refused(self, message: ActionRefused) -> None:
        """Nothing was written: say why (in the form when one is waiting)."""
        self.queue.settled(message.call)
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
        self._cue_rfis()
        status = self.status_view(minute, len(due))
        for bar in self.screen.query(StatusBar):
            bar.show(status)
        if self._main is not None and self._main.composed:
            self._main.query_one(StatusBar).show(status)
            table = self._main.query_one(MselTable)
            table.sync([self.msel_line(row) for row in rows])
            if not self._cursor_placed and rows:
                self._cursor_placed = True
                table.select(views.first_open(rows))
            lines = self.board_lines(rows)
            state = self.session.state  # an empty board says whether decisions were put before
            earlier = not lines and any(state.deciders(d.inject) for d in state.deliveries)
            self._main.query_one(DecisionBoard).show(lines, earlier=earlier)
            self._sync_log(self._main.query_one(EventLog))
            self._refresh_preview(rows)
        screen = self.screen
        if isinstance(screen, InjectScreen):
            view = self.inject_view(screen.inject_id, rows)
            if view is not None:
                screen.show(view)
        elif screen is self._hotwash and self._hotwash is not None:
            self._hotwash.show(self.hotwash_entries())
        phase = (state.started is not None, state.ended is not None,
                 state.confirm_submissions or bool(state.pending_submissions()))
        if phase != self._phase:
            self._phase = phase
            self.refresh_bindings()

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

    def status_view(self, minute: float, due: int) -> StatusView:
        """The status lines from the engine's clock and move."""
        return views.status_view(self.session, minute, due, mode=self.mode, author=self.author, wall_zone=self.wall_zone)

    def msel_line(self, row: MselRow) -> MselLine:
        """One MSEL row in words."""
        return views.msel_line(self.session.exercise, row)

    def board_lines(self, rows: list[MselRow]) -> list[BoardLine]:
        """Decisions still awaited, and those of the open move every team has answered."""
        return views.board_lines(self.session.exercise, self.session.state, rows)

    def log_line(self, event: EventBase) -> LogLine:
        """One event as the log shows it, after corrections."""
        return views.log_line(self.session.state, event)

    def inject_view(self, inject_id: str, rows: list[MselRow] | None = None) -> InjectView | None:
        """Everything about one inject, in words, for the inject screen."""
        return views.inject_view(self.session, inject_id, rows)

    def hotwash_entries(self) -> dict[str, HotwashEntries]:
        """Hot-wash entries and play-time ratings, by objective id (GENERAL for the rest)."""
        return views.hotwash_entries(self.session.state)

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

    # Which commands are offered

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide commands this mode does not offer, STARTEX once play has begun, play control after ENDEX;
        no palette over a form, whose commands would act behind the form still open."""
        if action == "command_palette":
            return not isinstance(self.screen, FormScreen)
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
        if action == "confirm_submission":  # only where the control cell confirms, or something still waits
            return state.confirm_submissions or bool(state.pending_submissions())
        if command.play and state.ended is not None:
            return False
        return True

    def _letters_are_commands(self) -> bool:
        """Whether a key that types a character may run a console command now: only on the console and
        inject screens, and never while a text field or text pane has focus there. On a form, the hot wash
        or the help, every character typed is text (or navigation): an `o` or a `q` opens or quits nothing."""
        try:
            screen = self.screen
        except Exception:
            return False
        if isinstance(screen, CommandPalette):
            return True  # its search field keeps every character; it lists the commands the console offers
        if not isinstance(screen, (MainScreen, InjectScreen)):
            return False
        return not _types_text(self.focused)
