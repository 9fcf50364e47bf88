"""The open move's situation, read again: the text read to the room when the move opened.

The console shows it as a notification when a move opens; this screen brings
it back at any time (the room asks "what was the situation again?"), with
the variant its decisions chose named and the move's discussion questions.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tabletop.wording import reflow


class SituationScreen(ModalScreen[None]):
    """A move's situation as it was read, over the console; esc closes it (a letter typed here is no command)."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
    ]

    def __init__(self, title: str, which: str, situation: str, questions: list[str]) -> None:
        """`which` names the text read ('default text', 'variant 2'); `questions` are the move's own."""
        super().__init__()
        self.heading = title
        self.which = which
        self.situation = situation
        self.questions = questions

    def compose(self) -> ComposeResult:
        """The text, then the questions put to all teams."""
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = self.heading
            panel.border_subtitle = "esc close"
            yield Static(f"As read to the room ({self.which}):", id="help-intro", markup=False)
            yield Static(reflow(self.situation), id="situation-text", markup=False)
            if self.questions:
                lines = "\n".join(f"{n}. {q}" for n, q in enumerate(self.questions, 1))
                yield Static(f"\nQuestions for discussion:\n{lines}", id="situation-questions", markup=False)
