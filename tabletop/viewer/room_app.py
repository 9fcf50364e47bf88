"""`RoomApp`: the room screen for the projector laptop, following a live session read-only.

It polls `session.refresh()` (one `PRAGMA data_version` when nothing changed,
as the team view does) twice a second, so a delivery made at the console shows
on the wall within a second; the clock redraws every second from the engine.
"""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tabletop.engine import Session, StoreError
from tabletop.need_to_know import RoomView, room_view
from tabletop.viewer.room import room_clock
from tabletop.viewer.screens.room import RoomScreen


class RoomApp(App[None]):
    """The room's view of a live session; nothing in it can write to the session."""

    TITLE = "tabletop room screen"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit", show=False)]

    def __init__(self, session: Session, *, poll_interval: float = 0.5, tick_interval: float = 1.0) -> None:
        super().__init__()
        self.session = session
        self.poll_interval = poll_interval
        self.tick_interval = tick_interval
        self.view: RoomView = room_view(session)
        self._screen = RoomScreen()

    async def on_mount(self) -> None:
        """Draw, then follow the session file and redraw the clock."""
        await self.push_screen(self._screen)
        self._draw()
        self.set_interval(self.poll_interval, self.poll, name="follow the session file")
        self.set_interval(self.tick_interval, self.tick, name="redraw the clock")

    def poll(self) -> None:
        """Fold what other processes appended and redraw when the room's view changed."""
        try:
            if not self.session.refresh():
                return
        except (StoreError, sqlite3.Error, OSError) as error:
            self.notify(f"Cannot read the session file: {error}", severity="error", timeout=10)
            return
        after = room_view(self.session)
        if after != self.view:
            self.view = after
            self._draw()
        else:
            self._screen.show_clock(room_clock(self.session))

    def tick(self) -> None:
        """Redraw the clock and let a breaking mark fade when its time is up."""
        if self._screen.is_mounted:
            self._draw()

    def _draw(self) -> None:
        if self._screen.is_mounted:
            self._screen.show_clock(room_clock(self.session))
            self._screen.show(self.view, self.session.now())
