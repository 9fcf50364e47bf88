"""The decisions board: for each open decision, which teams have answered, and a place to act from.

The engine says which teams owe an answer (`awaited`), which have given one
and which have sent one from their link that waits for the facilitator; this
pane lays that out so the facilitator sees at a glance whom to chase. Each
team's line can be highlighted: `r` there records that team's answer to that
inject, and `y` confirms a submission that waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

SEPARATOR = "\t"
"""Joins inject id and team id in a team line's option id (neither id may contain a tab)."""


@dataclass(frozen=True)
class Answer:
    """One team's place on the board for one inject."""

    team: str
    """Short label of the team."""
    answered: bool
    """Whether the team has recorded a decision."""
    choice: str = ""
    """The option id when it has, or the start of its own words in quotes."""
    team_id: str = ""
    """The team's id, which the keys act on."""
    submitted: str = ""
    """What the team sent from its link that waits for the facilitator's confirmation, if anything."""


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
        """Every deciding team has answered and nothing waits for confirmation."""
        return all(a.answered and not a.submitted for a in self.answers)


EVERY_ONE_ANSWERED = ("Every decision put to the teams so far is answered; this move's appear here as their "
                      "injects go out (enter on an inject in the MSEL shows its answers).")
"""What the board says when it is empty after decisions were put: earlier moves' answers leave it."""


class DecisionBoard(OptionList):
    """Open decisions first, then the ones every team has answered; one line per team to act on."""

    def __init__(self, *, id: str | None = None) -> None:
        """Starts empty; the app pushes lines down."""
        super().__init__(id=id)
        self.lines: tuple[BoardLine, ...] | None = None
        self._earlier = False

    def show(self, lines: Sequence[BoardLine], *, earlier: bool = False) -> None:
        """Redraw when the answers changed, keeping the highlight on the same team's line; when that
        team has just answered, the highlight moves on to the first team still waiting, so the
        next `r` is for the next answer and the open lines stay in sight. `earlier` says decisions
        were put before and are all answered, so an empty board says that, not that none was put."""
        frozen = tuple(lines)
        if frozen == self.lines and (frozen or earlier == self._earlier):
            return
        self._earlier = earlier
        before = self.lines
        self.lines = frozen
        open_count = sum(1 for line in frozen if not line.complete)
        waiting = sum(1 for line in frozen for a in line.answers if a.submitted)
        parts = [f"{open_count} open"] if frozen else []
        if waiting:
            parts.append(f"{waiting} to confirm (y)")
        self.border_subtitle = " · ".join(parts)
        kept = self.selected
        if not frozen:
            empty = (EVERY_ONE_ANSWERED if earlier else "No decision has been put to the teams yet.")
            self.set_options([Option(Text(empty, style="dim italic"), disabled=True)])
            return
        options: list[Option] = []  # set at once: one layout pass, not one per line
        for line in sorted(frozen, key=lambda l: l.complete):
            head = Text()
            head.append(line.inject, style="bold" if not line.complete else "dim bold")
            head.append(" ")
            head.append(line.prompt, style="" if not line.complete else "dim")
            head.no_wrap = True
            head.overflow = "ellipsis"
            options.append(Option(head, id=f"{line.inject}", disabled=True))
            for answer in line.answers:
                options.append(Option(_answer_text(answer, line.complete), id=f"{line.inject}{SEPARATOR}{answer.team_id}"))
        self.set_options(options)
        if kept is not None:
            if _answered(frozen, *kept) and not _answered(before or (), *kept):
                kept = self.first_unanswered() or kept
            self.select_team(*kept)

    def first_unanswered(self) -> tuple[str, str] | None:
        """(inject, team) of the first team line still waiting for an answer, in the board's order."""
        for line in sorted(self.lines or (), key=lambda l: l.complete):
            for answer in line.answers:
                if not answer.answered or answer.submitted:
                    return line.inject, answer.team_id
        return None

    def on_focus(self) -> None:
        """Arriving on the board highlights a team line at once (the first waiting one, else the first),
        so `r` never acts on another pane's inject unseen."""
        if self.selected is None:
            target = self.first_waiting() or next(
                ((line.inject, a.team_id) for line in sorted(self.lines or (), key=lambda l: l.complete)
                 for a in line.answers), None)
            if target is not None:
                self.select_team(*target)

    @property
    def selected(self) -> tuple[str, str] | None:
        """(inject id, team id) of the highlighted team line, if one is highlighted."""
        option = self.highlighted_option
        if option is None or option.id is None or SEPARATOR not in option.id:
            return None
        inject, team = option.id.split(SEPARATOR, 1)
        return inject, team

    def select_team(self, inject: str, team: str) -> bool:
        """Highlight a team's line on an inject; False when the board does not show it."""
        try:
            self.highlighted = self.get_option_index(f"{inject}{SEPARATOR}{team}")
        except Exception:  # noqa: BLE001 - OptionDoesNotExist: the line is no longer on the board
            return False
        return True

    def first_waiting(self) -> tuple[str, str] | None:
        """(inject, team) of the first submission waiting for confirmation, in the board's order."""
        for line in sorted(self.lines or (), key=lambda l: l.complete):
            for answer in line.answers:
                if answer.submitted:
                    return line.inject, answer.team_id
        return None

    @property
    def text(self) -> str:
        """Every line as plain text, as the facilitator reads it."""
        return "\n".join(str(self.get_option_at_index(i).prompt) for i in range(self.option_count))


def _answered(lines: Sequence[BoardLine], inject: str, team: str) -> bool:
    """Whether `team` has a confirmed answer to `inject` on these board lines."""
    for line in lines:
        if line.inject == inject:
            return any(a.team_id == team and a.answered and not a.submitted for a in line.answers)
    return False


def _answer_text(answer: Answer, complete: bool) -> Text:
    line = Text("  ")
    if answer.answered:
        line.append(f"✓ {answer.team}", style="green" if not complete else "dim green")
        if answer.choice:
            line.append(f" {answer.choice}", style="dim")
    else:
        line.append(f"· {answer.team} waiting", style="bold yellow")
    if answer.submitted:
        line.append(f"  ? sent {answer.submitted}, to confirm (y)", style="bold magenta")
    return line
