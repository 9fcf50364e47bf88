"""The decisions board: for each open decision, which teams have answered.

The engine says which teams owe an answer (`awaited`) and which have given
one; this pane lays that out so the facilitator sees at a glance whom to
chase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import Static


@dataclass(frozen=True)
class Answer:
    """One team's place on the board for one inject."""

    team: str
    """Short label of the team."""
    answered: bool
    """Whether the team has recorded a decision."""
    choice: str = ""
    """The option id when it has, or the start of its own words in quotes."""


@dataclass(frozen=True)
class BoardLine:
    """One inject's decision and its answers."""

    inject: str
    """Inject id."""
    prompt: str
    """The question put to the teams, shortened."""
    answers: tuple[Answer, ...]
    """Per deciding team, in the exercise's order."""

    @property
    def complete(self) -> bool:
        """Every deciding team has answered."""
        return all(a.answered for a in self.answers)


class DecisionBoard(Static):
    """Open decisions first, then the ones every team has answered."""

    def __init__(self, *, id: str | None = None) -> None:
        """Starts empty; the app pushes lines down."""
        super().__init__("", id=id)
        self.lines: tuple[BoardLine, ...] | None = None

    def show(self, lines: Sequence[BoardLine]) -> None:
        """Redraw when the answers changed."""
        frozen = tuple(lines)
        if frozen == self.lines:
            return
        self.lines = frozen
        open_count = sum(1 for line in frozen if not line.complete)
        self.border_subtitle = f"{open_count} open" if frozen else ""
        self.update(self._render_lines(frozen))

    def _render_lines(self, lines: tuple[BoardLine, ...]) -> RenderableType:
        if not lines:
            return Text("No decision has been put to the teams yet.", style="dim italic")
        parts: list[RenderableType] = []
        for line in sorted(lines, key=lambda l: l.complete):
            head = Text()
            head.append(line.inject, style="bold" if not line.complete else "dim bold")
            head.append(" ")
            head.append(line.prompt, style="" if not line.complete else "dim")
            head.no_wrap = True
            head.overflow = "ellipsis"
            parts.append(head)
            answers = Text("  ")
            for answer in line.answers:
                if answer.answered:
                    answers.append(f"✓ {answer.team}", style="green" if not line.complete else "dim green")
                    if answer.choice:
                        answers.append(f" {answer.choice}", style="dim")
                else:
                    answers.append(f"· {answer.team} waiting", style="bold yellow")
                answers.append("  ")
            parts.append(answers)
        return Group(*parts)
