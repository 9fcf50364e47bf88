"""Questions asked before a room-wide or irreversible key: next move, a second delivery, leaving.

Built like the ENDEX question: a form whose only field is the text saying what
will happen and what is still open, with Cancel focused so a stray enter
writes nothing. The facts come from :mod:`tabletop.confirmations`; this module
only words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Static

from tabletop.app.formatting import offset_text, teams_text, wall_text
from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen
from tabletop.confirmations import EARLY_GRACE, AdvanceFacts, EarlyFacts, RedeliveryFacts
from tabletop.model import Exercise
from tabletop.wording import evaluate_command, minutes_text, resume_command

MAX_IDS = 12
"""Inject ids named in one line before the rest is counted, so the buttons stay on screen."""


def ids_text(ids: Sequence[str]) -> str:
    """Inject ids for a question, the first few named and the rest counted."""
    shown = ", ".join(ids[:MAX_IDS])
    return shown if len(ids) <= MAX_IDS else f"{shown} and {len(ids) - MAX_IDS} more"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def awaited_line(exercise: Exercise, awaited: Mapping[str, Sequence[str]]) -> str:
    """'3 decisions still awaited: M1-02 (US); M1-03 (JPN, PRC)', the first few injects named."""
    owed = sum(len(teams) for teams in awaited.values())
    named = "; ".join(f"{inject} ({teams_text(exercise, list(teams))})" for inject, teams in list(awaited.items())[:MAX_IDS])
    more = f" and {len(awaited) - MAX_IDS} more injects" if len(awaited) > MAX_IDS else ""
    return f"{_plural(owed, 'decision')} still awaited: {named}{more}"


def advance_lines(exercise: Exercise, facts: AdvanceFacts) -> list[str]:
    """What the move-advance question says, one line each."""
    lines: list[str] = []
    if facts.undelivered:
        lines.append(f"{_plural(len(facts.undelivered), 'inject')} of {facts.move} not delivered: {ids_text(facts.undelivered)}")
    else:
        lines.append(f"Every scheduled inject of {facts.move} has been delivered, held or skipped.")
    if facts.held:
        lines.append(f"{_plural(len(facts.held), 'inject')} on hold: {ids_text(facts.held)}")
    if facts.awaited:
        lines.append(awaited_line(exercise, facts.awaited))
    if facts.jump_to is not None:
        lines.append(f"The clock jumps from {offset_text(facts.now_minute)} to {offset_text(facts.jump_to)}, the start of {facts.next_move}.")
    else:
        lines.append(f"The clock stays at {offset_text(facts.now_minute)}; {facts.next_move} has already begun by the schedule.")
    if facts.jump_to is not None:
        lines.append("If this is a mistake, x on the log line undoes the advance while nothing is delivered in "
                     f"{facts.next_move}; the clock cannot go back.")
    else:
        lines.append("If this is a mistake, x on the log line undoes the advance while nothing is delivered in "
                     f"{facts.next_move}.")
    return lines


def redelivery_lines(exercise: Exercise, facts: RedeliveryFacts, zone: tzinfo | None) -> list[str]:
    """What the second-delivery question says, one line each."""
    when = f"{wall_text(facts.at, zone)} (scenario {offset_text(facts.minute)})"
    lines = [f"{facts.inject} was delivered to {teams_text(exercise, list(facts.to))} at {when}."]
    if facts.times > 1:
        lines.append(f"It has been delivered {facts.times} times so far.")
    lines.append("Delivering it again sends it once more to every recipient; the earlier delivery stays in the record. "
                 "A delivery sent by mistake can be withdrawn (x on its log line); the teams then see it as withdrawn.")
    return lines


class ConfirmForm(FormScreen):
    """A question with the facts under it; Cancel is focused and writes nothing."""

    def __init__(self, question: str, lines: list[str], call: EngineCall | None) -> None:
        """`call` is the engine call made only when the facilitator confirms (None: a subclass acts itself)."""
        super().__init__()
        self.question = question
        self.lines = lines
        self.call = call

    def compose_fields(self) -> ComposeResult:
        """The question and what it leaves open."""
        yield Static(self.question, classes="form-context", markup=False)
        yield Static("\n".join(self.lines), classes="form-hint", markup=False, id="confirm-facts")

    def on_mount(self) -> None:
        """Focus Cancel, so a stray enter does not act."""
        super().on_mount()
        self.query_one("#form-cancel").focus()

    def build_call(self) -> EngineCall | str:
        """The call named when the question was asked."""
        if self.call is None:
            raise NotImplementedError("a question without an engine call answers in action_submit")
        return self.call

    def action_cancel(self) -> None:
        """Close writing nothing, and say so: Cancel has the focus, so an enter meant for the
        other button must not look as if it was taken."""
        if not self.pending:
            self.app.notify(f"Nothing done: {self.save_label.lower()} was not confirmed (ctrl+s confirms).",
                            timeout=4, markup=False)
        super().action_cancel()


class AdvanceForm(ConfirmForm):
    """Confirm opening the next move."""

    FORM_TITLE = "Next move"
    SAVE_LABEL = "Open the next move"

    def __init__(self, exercise: Exercise, facts: AdvanceFacts) -> None:
        """`facts` is what is still open in the current move."""
        super().__init__(
            f"Close {facts.move} and open {facts.next_move}?",
            advance_lines(exercise, facts),
            EngineCall("advance", {}, done=f"Move {facts.next_move} opened"),
        )


class RedeliverForm(ConfirmForm):
    """Confirm delivering an inject that was already delivered."""

    FORM_TITLE = "Deliver again"
    SAVE_LABEL = "Deliver again"

    def __init__(self, exercise: Exercise, facts: RedeliveryFacts, zone: tzinfo | None, call: EngineCall) -> None:
        """`call` is the delivery to make (forced or not) when confirmed."""
        super().__init__(f"Deliver {facts.inject} again?", redelivery_lines(exercise, facts, zone), call)


class EarlyDeliveryForm(ConfirmForm):
    """Confirm delivering an inject before it is due: a cursor one row off must not send the room
    a message minutes, or a move, ahead of the plan."""

    FORM_TITLE = "Deliver early"
    SAVE_LABEL = "Deliver now"

    def __init__(self, exercise: Exercise, facts: EarlyFacts, call: EngineCall) -> None:
        """`call` is the delivery to make when confirmed."""
        if facts.planned_move is not None:
            question = f"Deliver {facts.inject} now? It belongs to {facts.planned_move}, which is not open yet."
            when = f"The room is in {facts.open_move}; {facts.inject} is planned for {facts.planned_move} at {offset_text(facts.planned)}."
        else:
            ahead = minutes_text(int(facts.planned) - int(facts.now_minute))  # as the two times read
            question = f"Deliver {facts.inject} now, {ahead} before it is due?"
            when = f"{facts.inject} {facts.title} is planned for {offset_text(facts.planned)}; it is {offset_text(facts.now_minute)} now."
        lines = [when, f"It goes to {teams_text(exercise, facts.to) or 'nobody'}.", WITHDRAW_HINT]
        if facts.planned_move is None:  # why this one asks and one a minute from its time did not
            lines.append(EARLY_HINT)
        super().__init__(question, lines, call)


EARLY_HINT = (f"Within {minutes_text(EARLY_GRACE)} (scenario time) of its time an inject counts as due "
              "and goes without this question.")
"""Why one inject asked and the next did not: the grace before an inject's time (`EARLY_GRACE`)."""

WITHDRAW_HINT = "If this is a mistake, x on its log line withdraws it; the teams then see it as withdrawn."
"""How a delivery asked about is taken back, said in each question before one."""


class ForcedDeliveryForm(ConfirmForm):
    """Confirm Deliver anyway: the inject tells a story the room's decisions have not made true."""

    FORM_TITLE = "Deliver anyway"
    SAVE_LABEL = "Deliver anyway"

    def __init__(self, exercise: Exercise, inject: str, title: str, unmet: str, to: Sequence[str],
                 early: EarlyFacts | None, call: EngineCall) -> None:
        """`unmet` is the inject's condition in words; `early` says how far ahead of its time it would go."""
        lines = [f"{inject} {title} is written for a path the room has not taken: it plays only if {unmet}, "
                 "and that has not happened.",
                 f"It goes to {teams_text(exercise, to) or 'nobody'}."]
        if early is not None:
            ahead = minutes_text(int(early.planned) - int(early.now_minute))
            lines.insert(1, f"It is also {ahead} ahead of its time ({offset_text(early.planned)}).")
        lines.append(WITHDRAW_HINT)
        super().__init__(f"Deliver {inject} although its condition does not hold?", lines, call)


class SubmissionModeForm(ConfirmForm):
    """Confirm switching how teams' submissions count: it changes the rule for every team at once."""

    FORM_TITLE = "Team submissions"
    SAVE_LABEL = "Switch"

    def __init__(self, confirm: bool, waiting: int, call: EngineCall) -> None:
        """`confirm` is the mode switched to; `waiting` counts the submissions that wait now."""
        if confirm:
            question = "Make every team's submissions wait for your confirmation?"
            lines = ["From now on a decision a team sends from its own screen counts only once you confirm it "
                     "with y on the decisions board.",
                     "Decisions already recorded stay as they are."]
        else:
            question = "Let every team's submissions count as decisions at once?"
            lines = ["From now on a decision a team sends counts as soon as it arrives, without your confirmation."]
            if waiting:
                lines.append(f"{waiting} submission{'s' if waiting != 1 else ''} waiting for your confirmation now "
                             "stay waiting: confirm them with y.")
        lines.append("Y switches back at any time.")
        super().__init__(question, lines, call)


class QuitForm(ConfirmForm):
    """Confirm leaving the console: q sits among the play keys, and leaving mid-move in front of the room
    should be meant. Nothing is written either way; the answer goes back to the app."""

    FORM_TITLE = "Leave the console"
    SAVE_LABEL = "Leave"

    def __init__(self, path: Path, clock_running: bool, evaluator: str | None = None, unanswered: int = 0) -> None:
        """`path` is the session file; `clock_running` says whether the scenario clock runs now;
        `evaluator` names the evaluator whose console this is (None: the facilitator's); `unanswered`
        counts the teams' questions nobody has answered yet."""
        again = resume_command(path) if evaluator is None else evaluate_command(path, evaluator)
        lines = [f"Everything recorded is saved in {path}.", f"Resume with: {again}"]
        if unanswered and evaluator is None:
            said = "1 question from a team still waits" if unanswered == 1 else f"{unanswered} questions from teams still wait"
            lines.append(f"{said} for an answer (i opens the inbox).")
        if clock_running and evaluator is None:
            lines.append("The scenario clock is running: leaving pauses it where it is, and reopened it waits "
                         "for you (p runs it again).")
        super().__init__("Leave the console?", lines, None)

    def action_submit(self) -> None:
        """Leave: no engine call, the app quits once its writes are on disk."""
        self.dismiss(True)
