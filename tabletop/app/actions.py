"""What each console key does: one engine call, or the form that makes one.

A mixin of the console app, kept in its own module so the app's file holds
only the ownership of the session (the queue, the refreshes, what is offered)
and this one the commands of the registry, each as the `action_<name>` Textual
runs for its binding. Forms and screens are imported where they are opened:
the first screen needs none of them, and their widgets cost start-up time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tabletop.app.commands.registry import Mode
from tabletop.app.formatting import one_line, team_label
from tabletop.app.messages import EngineCall
from tabletop.app.screens.inject import InjectScreen
from tabletop.app.screens.main import MainScreen
from tabletop.app.views import state_label
from tabletop.app.widgets.log import EventLog
from tabletop.app.widgets.msel import MselTable
from tabletop.model import Inject, TeamKind
from tabletop.state import InjectStatus

if TYPE_CHECKING:
    from datetime import tzinfo

    from textual.app import App

    from tabletop.app.queue import EngineQueue
    from tabletop.app.screens.hotwash import HotwashScreen
    from tabletop.engine import Session


if TYPE_CHECKING:
    _AppBase = App[None]
else:
    _AppBase = object  # a second App subclass would cost Textual's class set-up at import, for nothing


class ConsoleActions(_AppBase):
    """The `action_*` methods of the console, over the session the app owns.

    A mixin of `ConsoleApp`, its one user, which provides the attributes and
    methods declared here for the type checker.
    """

    if TYPE_CHECKING:
        session: Session
        author: str
        wall_zone: tzinfo | None
        selected_inject: str | None
        queue: EngineQueue
        _main: MainScreen | None
        _hotwash: HotwashScreen | None

        def current_inject(self) -> str | None: ...
        def no_inject_reason(self) -> str: ...
        def _open_inject(self) -> Inject | None: ...
        def request(self, call: EngineCall) -> None: ...
        def refresh_views(self) -> None: ...

    def _inject_call(self, method: str, verb: str, **extra: Any) -> None:
        inject_id = self.current_inject()
        if inject_id is None:
            self.notify(self.no_inject_reason(), severity="warning", markup=False)
            return
        self.request(EngineCall(method, {"inject_id": inject_id, **extra}, done=f"{verb} {inject_id}"))

    def _hold_or_skip(self, method: str) -> None:
        """Ask the reason in a one-line form, after checking the engine would accept it (never after typing)."""
        from tabletop.app.screens.injects import HoldForm, SkipForm

        inject_id = self.current_inject()
        if inject_id is None:
            self.notify(self.no_inject_reason(), severity="warning", markup=False)
            return
        refused = self.session.refusal("held" if method == "hold" else "skipped", inject_id)
        if refused is not None:
            self.notify(refused, title="Not done", severity="error", timeout=8, markup=False)
            self.bell()
            return
        inject = self.session.exercise.inject(inject_id)
        form = HoldForm if method == "hold" else SkipForm
        self.push_screen(form(inject_id, inject.title if inject is not None else ""))

    def action_hold(self) -> None:
        """Hold the selected inject, with a reason."""
        self._hold_or_skip("hold")

    def action_skip(self) -> None:
        """Skip the selected inject, with a reason."""
        self._hold_or_skip("skip")

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
            (inject, state_label(state.status(inject.id, minute), contingency=True))
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
            self.notify(self.no_inject_reason(), severity="warning", markup=False)
            return
        undelivered = self.session.undelivered_reason(inject_id)
        if undelivered is not None:
            # refused before the form is filled, not after, in the engine's words
            self.notify(undelivered + ".", title="Not done", severity="error", timeout=8, markup=False)
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
        on_board = self._board_selection()
        team = on_board[1] if on_board is not None and on_board[0] == inject_id else None
        self.push_screen(DecisionForm(self.session.exercise, inject, teams, answered, team=team, earlier=earlier))

    def _board_selection(self) -> tuple[str, str] | None:
        """(inject, team) highlighted on the decisions board, when the board has the focus."""
        from tabletop.app.widgets.board import DecisionBoard

        if not isinstance(self.screen, MainScreen):
            return None
        board = self.screen.query_one(DecisionBoard)
        return board.selected if board.has_focus else None

    def action_confirm_submission(self) -> None:
        """Confirm the team's submission highlighted on the board; elsewhere, show the first one waiting."""
        from tabletop.app.widgets.board import DecisionBoard

        if not isinstance(self.screen, MainScreen):
            return
        board = self.screen.query_one(DecisionBoard)
        chosen = self._board_selection()
        if chosen is not None and self.session.state.pending_submission(*chosen) is not None:
            inject, team = chosen
            self.request(EngineCall("confirm_submission", {"inject": inject, "team": team},
                                    done=f"Confirmed {team_label(self.session.exercise, team)}'s decision on {inject}"))
            return
        waiting = board.first_waiting()
        if waiting is None:
            self.notify("No team submission waits for confirmation.", timeout=4)
            return
        board.focus()
        board.select_team(*waiting)
        self.notify("Read the highlighted submission, then y again records it as the team's decision.", timeout=6)

    def action_submission_mode(self) -> None:
        """Switch between submissions counting at once and the facilitator confirming each; it changes
        how every team's answers count, so it asks first (Y sits beside y)."""
        from tabletop.app.screens.confirm import SubmissionModeForm

        confirm = not self.session.state.confirm_submissions
        waiting = len(self.session.state.pending_submissions()) if not confirm else 0
        self.push_screen(SubmissionModeForm(confirm, waiting, EngineCall(
            "set_submission_mode", {"confirm": confirm},
            done="Team submissions now wait for your confirmation (y)" if confirm
            else "Team submissions now count as decisions at once",
        )))

    def action_note(self) -> None:
        """Add a note."""
        from tabletop.app.screens.records import NoteForm

        self.push_screen(NoteForm(self._open_inject()))

    def action_rfi(self) -> None:
        """Open the RFI inbox and answer a team's question."""
        from tabletop.app.screens.rfi import RfiForm

        self.push_screen(RfiForm(self.session.exercise, self.session.state))

    def action_ruling(self) -> None:
        """Record a white-cell ruling."""
        from tabletop.app.screens.records import RulingForm

        self.push_screen(RulingForm(self.session.exercise, self._open_inject()))

    def action_observe(self) -> None:
        """Record an observation against an objective."""
        from tabletop.app.screens.records import ObservationForm

        self.push_screen(ObservationForm(self.session.exercise, self._open_inject(), self.author))

    def action_focus_log(self) -> None:
        """Move to the log pane, on its newest line (the one just recorded is the one most often corrected)."""
        if isinstance(self.screen, MainScreen):
            log = self.screen.query_one(EventLog)
            log.focus()
            if log.row_count:
                log.move_cursor(row=log.row_count - 1, animate=False)

    def action_correct(self) -> None:
        """Correct the event under the log's cursor (the latest one by default)."""
        if self._main is None or not self._main.composed:
            return
        seq = self._main.query_one(EventLog).selected
        if seq is None:
            self.notify("Nothing has been recorded yet.", severity="warning")
            return
        self.correct_event(seq)

    def show_record(self, seq: int) -> None:
        """Show one record of the log in full; x there opens the correction form on it."""
        from tabletop.app.screens.record import RecordScreen
        from tabletop.app.views import record_rows

        shown = record_rows(self.session.state, seq, self.wall_zone)
        if shown is None:
            return
        title, rows, correctable = shown

        def then(correct: bool | None) -> None:
            if correct:
                self.correct_event(seq)

        self.push_screen(RecordScreen(title, rows, correctable and self.mode is Mode.facilitator), then)

    def correct_event(self, seq: int) -> None:
        """Open the correction form on any event of the session, by seq."""
        from tabletop.app.screens.correction import CorrectionForm
        from tabletop.corrections import plan_for

        state = self.session.state
        event = state.event(seq)
        if event is None:
            return
        if not event.CORRECTABLE:
            self.notify(f"#{seq} ({event.summary()}) is part of how the clock ran and cannot be taken back; "
                        "add a note to the record instead.", severity="warning", timeout=8)
            return
        self.push_screen(CorrectionForm(event, plan_for(state, event), state.root_of(seq)))

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
        """Tell the facilitator the open move's situation is to be read, and which text play chose.

        No excerpt: situations open with a dateline, and the text to read is one key away.
        """
        state = self.session.state
        move = state.move
        if move is None:
            return
        index = state.situation_variant(move.id)
        count = len(move.situation_variants)
        which = "its default text" if index is None else f"variant {index + 1} of {count}, chosen by play so far"
        self.notify(f"Press v for the text to read to the room ({which}).",
                    title=f"Move {move.id} open: {move.title}", timeout=8, markup=False)

    def action_situation(self) -> None:
        """Read the open move's situation again, as it was read to the room."""
        from tabletop.app.screens.situation import SituationScreen
        from tabletop.model import ALL

        state = self.session.state
        move = state.move
        if move is None:
            self.notify("No move is open yet: the first opens at STARTEX.", timeout=4)
            return
        index = state.situation_variant(move.id)
        which = "default text" if index is None else f"variant {index + 1}"
        self.clear_notifications()  # the text is read aloud from this screen: nothing may sit over it
        self.push_screen(SituationScreen(f"{move.id} {move.title}", which, state.situation(move.id),
                                         list(move.questions.get(ALL, []))))

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
        from tabletop.app.screens.confirm import awaited_line, ids_text

        state = self.session.state
        rows = state.msel(self.session.now_minute())
        left = [r.inject for r in rows if r.kind == "scheduled"
                and r.status in (InjectStatus.due, InjectStatus.upcoming, InjectStatus.held, InjectStatus.passed)]
        awaited = state.awaited()
        parts = []
        if left:
            parts.append(f"{len(left)} scheduled inject{'s' if len(left) != 1 else ''} not delivered: {ids_text(left)}")
        if awaited:
            parts.append(awaited_line(self.session.exercise, awaited))
        self.push_screen(EndexForm("; ".join(parts)))

    def action_hotwash(self) -> None:
        """Open the hot-wash screen."""
        from tabletop.app.screens.hotwash import HotwashScreen

        if isinstance(self.screen, HotwashScreen):
            return
        self._hotwash = HotwashScreen(self.session.exercise)
        self.push_screen(self._hotwash)
        self.call_after_refresh(self.refresh_views)

    def action_quit(self) -> None:
        """Ask first, naming where the session is saved and how to come back; then leave."""
        from tabletop.app.screens.confirm import QuitForm

        if isinstance(self.screen, QuitForm):
            return

        async def answered(leave: bool | None) -> None:
            if leave:
                await self.leave()

        evaluator = self.author if self.mode is Mode.evaluator else None
        state = self.session.state
        self.push_screen(QuitForm(self.session.path, state.clock.running, evaluator, len(state.unanswered_rfis())),
                         answered)

    async def leave(self) -> None:
        """Leave once every queued write is on disk (a write is never cut short by quitting). The facilitator's
        console pauses a running clock first, as the quit question says: time away is not play."""
        writing = [worker for worker in self.workers if worker.group == "engine"]
        if writing:
            await self.workers.wait_for_complete(writing)
        if self.mode is Mode.facilitator and self.session.state.clock.running:
            from tabletop.engine import CLOSED, ActionRefused, StoreError

            try:
                with self._lock:
                    self.session.pause(CLOSED)
            except (ActionRefused, StoreError):
                pass  # ENDEX, or a file that cannot be written: the reopen's own recovery pauses it then
        self.exit()

    def action_help(self) -> None:
        """Show every key."""
        from tabletop.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
