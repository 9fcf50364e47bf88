"""The inject screen: one inject in full, over the live status line.

It is a plain screen, not a modal, so the console's keys still apply to the
inject shown: deliver, hold, skip, record a decision, note, rule, observe.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen

from tabletop.app.console import console
from tabletop.app.widgets.card import InjectCard, InjectView
from tabletop.app.widgets.keybar import KeyBar
from tabletop.app.widgets.status import StatusBar


class InjectScreen(Screen[None]):
    """Everything about one inject, with every team's decision side by side."""

    CSS_PATH = "inject.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, inject_id: str) -> None:
        """`inject_id` is the inject shown; the app keeps it current."""
        super().__init__()
        self.inject_id = inject_id
        self._scroll = VerticalScroll(id="card-scroll")
        self._card = InjectCard(id="card")

    def compose(self) -> ComposeResult:
        """Status line, the card in a scrolling pane, the footer."""
        yield StatusBar(id="status")
        with self._scroll:
            self._scroll.border_title = f"Inject {self.inject_id}"
            self._scroll.border_subtitle = "esc back"
            yield self._card
        yield KeyBar(id="keys")

    def on_key(self, event: events.Key) -> None:
        """A letter that comes in a run of typing is text that missed its form, not a command."""
        if console(self.app).typed_in_run(event):
            event.stop()
            event.prevent_default()

    def show(self, view: InjectView) -> None:
        """Print the inject as the engine has it now."""
        self._scroll.border_title = f"Inject {view.id}"
        self._card.show(view)
