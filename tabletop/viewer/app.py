"""`TeamViewApp`: the Textual view one team watches during play, and from which it acts.

It holds the session (a writer, so the team can submit its decisions, ask
the control cell, keep discussion answers and give feedback; read-only when
the file cannot be written) and asks the need-to-know rule what the team may
see; it follows the facilitator by polling `session.refresh()` (one
`PRAGMA data_version` when nothing changed) and redraws only when the team's
view changed. The intervals redraw; they never count scenario time, which the
engine derives from the clock events.

Each form sends one message up; the app makes the one engine call it stands
for (`submit_decision`, `ask`, `answer_question`, `give_feedback`, as the
browser portal does), then closes the form, or shows the engine's refusal in
it with nothing written.

Which injects the reader has opened is this app's memory, not the session's:
everything received is unread until highlighted, and an inject delivered again
is unread again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from textual.app import App

from tabletop.engine import ActionRefused, Session, StoreError
from tabletop.need_to_know import TeamView, in_world, participant, team_view
from tabletop.viewer.formatting import in_world_text, offset_text
from tabletop.viewer.messages import (
    DecisionSubmitted,
    DiscussionAnswered,
    FeedbackGiven,
    InjectOpened,
    MarkAllRead,
    NextUnread,
    QuestionAsked,
    TeamAction,
)
from tabletop.viewer.screens.forms import TeamForm
from tabletop.viewer.screens.team import TeamScreen
from tabletop.viewer.widgets.panes import Submission


def submissions(session: Session, view: TeamView) -> dict[str, Submission]:
    """Where the team's own decision stands on each inject that puts one to it.

    Read from the session's state for the team's own injects only: whether its
    standing decision was revised (corrected) or entered by the facilitator, or
    its latest submission waits for the control cell, and why submissions are
    closed (the need-to-know rule `submission_closed`, by which the engine refuses them).
    """
    state = session.state
    out: dict[str, Submission] = {}
    for inject in view.injects:
        if inject.decision is None or not inject.decision.asked:
            continue
        standing = state.decision(inject.inject, view.team)
        recorded = ""
        if standing is not None:
            if standing.source != "team":
                recorded = "facilitator"
            elif state.corrections_of(standing.seq):
                recorded = "revised"
            else:
                # a submission the control cell confirmed is written by the facilitator's console
                recorded = "received" if standing.author.startswith("team:") else "confirmed"
        if view.waiting_on(inject.inject) is not None:
            recorded = "waiting"
        out[inject.inject] = Submission(recorded, view.closed_on(inject.inject) or "")
    return out


class TeamViewApp(App[None]):
    """One team's view of a live session, and its four actions when the session is open for writing."""

    TITLE = "tabletop team view"

    def __init__(
        self,
        session: Session,
        team: str,
        *,
        poll_interval: float = 1.0,
        tick_interval: float = 1.0,
        bell: bool = True,
        readonly_reason: str = "",
    ) -> None:
        """`team` must have a participant view (`NotAParticipant` otherwise); the intervals only redraw.

        A session opened read-only gives a view without actions; `readonly_reason` says why
        (the file could not be opened for writing) on the screen.
        """
        super().__init__()
        participant(session.exercise, team)
        self.session = session
        self.team = team
        self.poll_interval = poll_interval
        self.tick_interval = tick_interval
        self.ring_bell = bell
        self.view: TeamView = team_view(session, team)
        self.read: set[int] = set()
        """Numbers of the deliveries (to this team) the reader has opened."""
        reason = readonly_reason or "this session was opened to read only"
        self._screen = TeamScreen(readonly=reason if session.readonly else "")
        self.sub_title = session.exercise.title

    async def on_mount(self) -> None:
        """Draw the view, then follow the session file and redraw the clock."""
        await self.push_screen(self._screen)
        self._draw()
        self.redraw_clock()
        self.set_interval(self.poll_interval, self.poll, name="follow the session file")
        self.set_interval(self.tick_interval, self.redraw_clock, name="redraw the clock")

    @property
    def unread(self) -> set[str]:
        """Ids of injects whose latest delivery the reader has not opened."""
        return {i.inject for i in self.view.injects if i.delivery not in self.read}

    def poll(self) -> None:
        """Fold what other processes appended; redraw and announce new injects if the team's view changed."""
        try:
            if not self.session.refresh():
                return
        except (StoreError, sqlite3.Error, OSError) as error:
            self.notify(f"Cannot read the session file: {error}", severity="error", timeout=10)
            return
        self._follow()

    def _follow(self) -> None:
        """Take the team's view as the session now stands; redraw and announce what arrived."""
        before = self.view
        after = team_view(self.session, self.team)
        if after == before:
            return
        self.view = after
        known = {i.delivery for i in before.injects}
        arrived = [i for i in after.injects if i.delivery not in known]
        self._draw()
        for inject in arrived:
            self.notify(inject.title, title=f"New inject {inject.inject}", timeout=8)
        if arrived and self.ring_bell:
            self.bell()
        if len(after.moves) > len(before.moves) and after.current_move is not None:
            move = after.current_move
            self.notify(move.title, title=f"Move {move.id} opened", timeout=8)

    def _draw(self) -> None:
        if self._screen.is_mounted:
            self._screen.show(self.view, self.unread, submissions(self.session, self.view))

    def redraw_clock(self) -> None:
        """Redraw the scenario clock in the heading (time comes from the engine, never from ticks)."""
        if not self._screen.is_mounted:
            return
        state = self.session.state
        if state.started is None:
            self._screen.show_clock("")
            return
        minute = self.session.now_minute()
        moment = in_world(self.session.exercise.setting, minute)
        paused = "" if state.clock.running or state.ended else "  (paused)"
        self._screen.show_clock(f"{offset_text(minute)}  {in_world_text(moment)}{paused}")

    # The reader

    def on_inject_opened(self, message: InjectOpened) -> None:
        """An inject highlighted in the inbox is read."""
        inject = next((i for i in self.view.injects if i.inject == message.inject_id), None)
        if inject is not None and inject.delivery is not None and inject.delivery not in self.read:
            self.read.add(inject.delivery)
            self._draw()

    def on_next_unread(self, message: NextUnread) -> None:
        """Open the newest inject not read yet."""
        unread = self.unread
        newest = next((i for i in self.view.newest_first if i.inject in unread), None)
        if newest is None:
            self.notify("Nothing unread.", timeout=3)
            return
        self._screen.open_inject(newest.inject)

    def on_mark_all_read(self, message: MarkAllRead) -> None:
        """Count everything received so far as read."""
        self.read.update(i.delivery for i in self.view.injects if i.delivery is not None)
        self._draw()

    # The team's actions: one message from a form, one engine call, one event

    def _record(self, message: TeamAction, action: Callable[[Session], Any], done: str | Callable[[Any], str]) -> None:
        message.stop()
        form = message.form
        assert isinstance(form, TeamForm)
        try:
            event = action(self.session)
        except ActionRefused as refusal:
            form.refuse(f"Refused: {refusal}. Nothing was recorded.")
            return
        except (StoreError, sqlite3.Error, OSError) as error:
            form.refuse(f"Not recorded: the session file cannot be written ({error}).")
            return
        form.dismiss(None)
        self.notify(done if isinstance(done, str) else done(event), title="Received", timeout=6)
        self._follow()
        self._draw()

    def on_decision_submitted(self, message: DecisionSubmitted) -> None:
        """Submit or revise the team's decision (a revision is recorded as a correction)."""
        self._record(
            message,
            lambda s: s.submit_decision(
                self.team, message.inject, message.option, message.text, message.rationale, message.dissent
            ),
            lambda event: f"Your decision on {message.inject} went to the control cell; it counts once they confirm it."
            if event.type == "submitted" else f"Your decision on {message.inject} is recorded.",
        )

    def on_question_asked(self, message: QuestionAsked) -> None:
        """Send the team's question to the control cell."""
        self._record(message, lambda s: s.ask(self.team, message.text, message.inject), "Your question went to control.")

    def on_discussion_answered(self, message: DiscussionAnswered) -> None:
        """Keep the team's answer to a discussion question."""
        self._record(
            message,
            lambda s: s.answer_question(self.team, message.move, message.question, message.text),
            "Your answer is kept.",
        )

    def on_feedback_given(self, message: FeedbackGiven) -> None:
        """Record one participant's feedback form."""
        self._record(
            message,
            lambda s: s.give_feedback(
                self.team, message.ratings, message.strengths, message.improvements, message.comments, message.participant
            ),
            "Thank you: your feedback form is recorded.",
        )
