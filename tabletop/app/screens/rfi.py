"""The RFI inbox: teams' requests for information, unanswered first, and the answer to one.

Answering is one engine call (`Session.reply`), written before the form
closes; the answer reaches the asking team's view only.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tabletop.app.formatting import one_line, team_label
from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen, field_row
from tabletop.model import Exercise
from tabletop.state import SessionState


class RfiForm(FormScreen):
    """Pick a team's question (unanswered ones first, marked) and write the answer."""

    FORM_TITLE = "RFI inbox"
    SAVE_LABEL = "Send answer"

    def __init__(self, exercise: Exercise, state: SessionState) -> None:
        """`state` gives the RFIs and the answers sent so far; `exercise` the teams' labels."""
        super().__init__()
        self.exercise = exercise
        self.state = state

    def compose_fields(self) -> ComposeResult:
        """The inbox as a list, then one line for the answer."""
        unanswered = {r.seq for r in self.state.unanswered_rfis()}
        rfis = sorted(self.state.rfis, key=lambda r: (r.seq not in unanswered, -r.seq))
        if not rfis:
            yield Static("No team has asked anything yet.", classes="form-context", markup=False)
        options = []
        for rfi in rfis:
            mark = ("NEW ", "bold reverse") if rfi.seq in unanswered else ("✓   ", "green")
            about = f" on {rfi.inject}" if rfi.inject else ""
            line = Text.assemble(mark, (f"#{rfi.seq} {team_label(self.exercise, rfi.team)}{about}: ", "bold"),
                                 one_line(rfi.text))
            replies = self.state.replies_to(rfi.seq)
            if replies:
                line.append(f"\n    answered: {one_line(replies[-1].text, 70)}", style="dim")
            options.append(Option(line, id=str(rfi.seq)))
        yield field_row("Question", OptionList(*options, id="rfi-pick"))
        yield field_row("Answer", Input(placeholder="the answer goes to that team only", id="rfi-answer", compact=True))

    def on_mount(self) -> None:
        """The first question waiting for an answer is picked and the answer line takes the keys:
        a facilitator who opens the inbox to answer starts typing at once (↑ ↓ in the list pick another)."""
        super().on_mount()
        picked = self.query_one("#rfi-pick", OptionList)
        if picked.option_count:
            picked.highlighted = 0
            self.query_one("#rfi-answer", Input).focus()

    def build_call(self) -> EngineCall | str:
        """`Session.reply(rfi, text)`."""
        picked = self.query_one("#rfi-pick", OptionList)
        if picked.highlighted is None:
            return "Pick the question to answer."
        option = picked.get_option_at_index(picked.highlighted)
        text = self.query_one("#rfi-answer", Input).value.strip()
        if not text:
            return "Write the answer first."
        return EngineCall("reply", {"rfi": int(option.id or 0), "text": text}, done=f"Answer sent for RFI #{option.id}")
