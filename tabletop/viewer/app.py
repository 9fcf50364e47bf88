"""`TeamViewApp`: the read-only Textual view one team watches during play.

It holds a session opened read-only and asks the need-to-know rule what the
team may see; it follows the facilitator by polling `session.refresh()` (one
`PRAGMA data_version` when nothing changed) and redraws only when the team's
view changed. The intervals redraw; they never count scenario time, which the
engine derives from the clock events.

Which injects the reader has opened is this app's memory, not the session's:
everything received is unread until highlighted, and an inject delivered again
is unread again.
"""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tabletop.engine import Session, StoreError
from tabletop.need_to_know import TeamView, in_world, participant, team_view
from tabletop.viewer.formatting import in_world_text, offset_text
from tabletop.viewer.messages import InjectOpened, MarkAllRead, NextUnread
from tabletop.viewer.screens.team import TeamScreen


class TeamViewApp(App[None]):
    """One team's view of a live session; nothing in it can write to the session."""

    TITLE = "tabletop team view"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(
        self,
        session: Session,
        team: str,
        *,
        poll_interval: float = 1.0,
        tick_interval: float = 1.0,
        bell: bool = True,
    ) -> None:
        """`team` must have a participant view (`NotAParticipant` otherwise); the intervals only redraw."""
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
        self._screen = TeamScreen()
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
            self._screen.show(self.view, self.unread)

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
