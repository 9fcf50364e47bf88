"""Keys that come in a run are typing, not commands.

A facilitator who types a sentence while the console, not a form, has the
keyboard (a form that did not open, a key that opened another) sends a run
of letters closer together than any hand presses commands: one `t` in
"Cutters" opened the clock-rate form, and "hand over" opened a hold that the
next ctrl+s saved. On the console's own screens a printable key that follows
the one before within `typing_gap` seconds does nothing but say so, once per
run; a form opened by the first key of such a run takes the rest of it into
its field and asks for a second, deliberate save.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.app import App

TYPING_GAP = 0.1
"""Seconds between two printable keys under which the second is typing (the console's own default).
Typing runs faster than this; a person pressing two commands, each with a look at the screen, never does."""

TYPED_NOT_COMMAND = ("Typed text reached the console, not a form: nothing done. A command key acts when "
                     "pressed on its own.")
"""What the console says, once per run, when the letters of a run are not taken as commands."""


class ConsoleRhythm:
    """Times printable keys as they arrive, for the screens to tell a command from a run of typing."""

    typing_gap: float = 0.0
    """Seconds under which a printable key following another is typing; 0 tells nothing apart
    (Pilot tests press keys faster than any hand)."""
    typing_run: int = 0
    """Number of the run of printable keys the last one belongs to."""
    _last_typed: float = float("-inf")
    _run_keys: deque[float]
    """Arrival times of the recent keys that came within the gap of the one before."""
    _told_run: int = -1

    async def on_event(self: ConsoleRhythm, event: events.Event) -> None:
        """Time a printable key as it arrives, before it reaches any screen."""
        if (self.typing_gap > 0 and isinstance(event, events.Key) and not event.is_forwarded
                and event.is_printable):
            self._time_key(event)
        await super().on_event(event)  # type: ignore[misc]

    def _time_key(self, event: events.Key) -> None:
        if not hasattr(self, "_run_keys"):
            self._run_keys = deque(maxlen=256)
        in_run = event.time - self._last_typed < self.typing_gap
        self._last_typed = event.time
        if not in_run:
            self.typing_run += 1
            return
        self._run_keys.append(event.time)
        app: App[object] = self  # type: ignore[assignment]
        from tabletop.app.screens.form import FormScreen

        screen = app.screen_stack[-1] if app.screen_stack else None
        if isinstance(screen, FormScreen) and screen.opening_run == self.typing_run:
            screen.typed_as_it_opened()

    def typed_in_run(self, event: events.Key) -> bool:
        """Whether the key came in a run of typing; says so once per run, and then it is no command."""
        if not hasattr(self, "_run_keys") or event.time not in self._run_keys:
            return False
        if self._told_run != self.typing_run:
            self._told_run = self.typing_run
            app: App[object] = self  # type: ignore[assignment]
            app.notify(TYPED_NOT_COMMAND, timeout=5, markup=False)
        return True

