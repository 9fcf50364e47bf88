"""Forms for the scenario clock: a new rate, a jump, and the ENDEX confirmation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from tabletop.app.formatting import offset_text, rate_text
from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen, field_row
from tabletop.model import parse_offset


class RateForm(FormScreen):
    """Set how many scenario minutes pass per wall minute."""

    FORM_TITLE = "Clock rate"
    SAVE_LABEL = "Set rate"

    def __init__(self, current: float) -> None:
        """`current` is the rate now, shown as the starting value."""
        super().__init__()
        self.current = current

    def compose_fields(self) -> ComposeResult:
        """One number."""
        yield Static(f"Scenario minutes per wall minute, now {rate_text(self.current)}: 1 is real time, 4 plays an hour in 15 minutes.", classes="form-hint")
        # empty, with the current rate as the placeholder: digits typed in a burst are the whole new rate,
        # never appended to the old one (a fast '4 backspace 1 0' once gave 41x)
        # digits and one decimal point only; Textual's type="number" pattern backtracks without end on a long
        # string of digits followed by a character it refuses
        yield field_row("Rate", Input(placeholder=f"now {self.current:g}", id="rate-value", compact=True,
                                      restrict=r"\d*\.?\d*"))

    def on_mount(self) -> None:
        """Focus the number."""
        super().on_mount()
        self.query_one("#rate-value", Input).focus()

    def build_call(self) -> EngineCall | str:
        """`Session.set_rate(rate)`."""
        text = self.query_one("#rate-value", Input).value.strip()
        if not text:
            return f"Write the new rate, e.g. 2 or 0.5 (now {rate_text(self.current)})."
        try:
            rate = float(text)
        except ValueError:
            return f"{text!r} is not a number; write e.g. 2 or 0.5."
        if rate <= 0:
            return "The rate must be more than 0; pause the clock to stop it."
        return EngineCall("set_rate", {"rate": rate}, done=f"Clock rate {rate_text(rate)}")


class JumpForm(FormScreen):
    """Move the scenario clock to a given time after STARTEX."""

    FORM_TITLE = "Jump the clock"
    SAVE_LABEL = "Jump"

    def __init__(self, current_minute: float) -> None:
        """`current_minute` is the scenario time now."""
        super().__init__()
        self.current_minute = current_minute

    def compose_fields(self) -> ComposeResult:
        """One scenario time."""
        yield Static(f"Scenario time now {offset_text(self.current_minute)}.", classes="form-hint")
        yield field_row("Jump to", Input(placeholder="+01:30, +1d 02:00 or minutes", id="jump-to", compact=True))

    def on_mount(self) -> None:
        """Focus the time."""
        super().on_mount()
        self.query_one("#jump-to", Input).focus()

    def build_call(self) -> EngineCall | str:
        """`Session.jump(minute)`."""
        text = self.query_one("#jump-to", Input).value.strip()
        if not text:
            return "Write the scenario time to jump to, e.g. +01:30."
        try:
            minute = parse_offset(text)
        except ValueError as error:
            return str(error)
        if not isinstance(minute, int) or minute < 0:
            return f"{text!r} is not a scenario time; write e.g. +01:30."
        return EngineCall("jump", {"minute": minute}, done=f"Clock jumped to {offset_text(minute)}")


class EndexForm(FormScreen):
    """Confirm ENDEX: play stops for good and the hot wash begins."""

    FORM_TITLE = "ENDEX"
    SAVE_LABEL = "End the exercise"

    def __init__(self, summary: str) -> None:
        """`summary` says what is still open (undelivered injects, missing decisions)."""
        super().__init__()
        self.summary = summary

    def compose_fields(self) -> ComposeResult:
        """The question and what is left open."""
        yield Static("End the exercise now? The clock stops for good; W then opens the hot wash.",
                     classes="form-context")
        if self.summary:
            yield Static(self.summary, classes="form-hint", markup=False)

    def on_mount(self) -> None:
        """Focus Cancel, so a stray enter does not end the exercise."""
        super().on_mount()
        self.query_one("#form-cancel").focus()

    def build_call(self) -> EngineCall | str:
        """`Session.end()`."""
        # the hot wash is opened by its key, as every screen is: opened by itself, it took the W typed for it
        return EngineCall("end", {}, done="ENDEX: the clock has stopped. W opens the hot wash.")
