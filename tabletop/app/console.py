"""The narrow face of the console app that its screens and palette providers see.

Screens and providers never import the app module (which imports them): they
read the few things they need through :class:`Console`, a Protocol the app
satisfies, and ask for engine calls with messages
(:class:`~tabletop.app.messages.ActionRequested`). So the app stays the one
owner of session state, and a screen can be read without the app's file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual import events
    from textual.app import App

    from tabletop.app.commands.registry import Mode
    from tabletop.engine import Session


class Console(Protocol):
    """What a screen or a palette provider may ask of the console app."""

    session: Session
    """The engine session on screen (read only: changes go through engine calls)."""
    mode: Mode
    """Who is at the keyboard."""
    author: str
    """Whose name goes on what this console records."""

    def refresh_views(self) -> None:
        """Bring the visible widgets up to the engine's state."""

    def show_inject(self, inject_id: str) -> None:
        """Open the inject screen on an inject."""

    def correct_event(self, seq: int) -> None:
        """Open the correction form on a recorded event."""

    def inject_place(self, inject_id: str) -> str:
        """Where an inject sits, in words ('M1 +00:15' or 'contingency')."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a command is offered now (False hides it)."""

    typing_run: int
    """Number of the run of printable keys the last one belongs to (:mod:`tabletop.app.rhythm`)."""

    def typed_in_run(self, event: events.Key) -> bool:
        """Whether a key came in a run of typing, and so is no command (said once per run)."""


def console(app: App[object]) -> Console:
    """The running app seen as the console (every screen of this package runs inside one)."""
    return cast("Console", app)
