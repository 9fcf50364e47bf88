"""Forms that put injects in play: an ad-hoc inject, a contingency from reserve."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Select, SelectionList, Static, TextArea
from textual.widgets.option_list import Option

from tabletop.app.formatting import one_line, teams_text
from tabletop.app.widgets.ticks import TickList
from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen, field_row
from tabletop.model import Channel, Exercise, Inject, TeamKind


class AdhocForm(FormScreen):
    """Write an unplanned inject and deliver it at once."""

    FORM_TITLE = "Ad-hoc inject"
    SAVE_LABEL = "Deliver"

    def __init__(self, exercise: Exercise) -> None:
        """The recipients are picked among the exercise's teams."""
        super().__init__()
        self.exercise = exercise

    def compose_fields(self) -> ComposeResult:
        """Title, body, recipients, channel and source."""
        yield field_row("Title", Input(placeholder="headline read to the room", id="adhoc-title", compact=True))
        yield field_row("Body", TextArea(id="adhoc-body", soft_wrap=True, compact=True))
        recipients: TickList[str] = TickList(
            *[(Text(f"{t.label:<6} {t.name}"), t.id, False) for t in self.exercise.teams if t.kind != TeamKind.control],
            id="adhoc-to",
        )
        yield field_row("To (space ticks)", recipients)
        yield Static(self._goes_to([]), id="adhoc-goes-to", classes="form-ticked", markup=False)
        channel: Select[str] = Select(
            [(c.value.replace("_", " "), c.value) for c in Channel],
            value=Channel.briefing.value,
            allow_blank=False,
            id="adhoc-channel",
            compact=True,
        )
        yield field_row("Channel", channel)
        yield field_row("Source", Input(value="Control", id="adhoc-source", compact=True))

    def on_mount(self) -> None:
        """Start on the title."""
        super().on_mount()
        self.query_one("#adhoc-title", Input).focus()

    def _goes_to(self, teams: list[str]) -> str:
        """The recipients in words, as the delivery will name them, so a wrong tick shows before saving."""
        return f"Goes to: {teams_text(self.exercise, teams)}" if teams else "Goes to: nobody yet (tick with space)"

    @on(SelectionList.SelectedChanged, "#adhoc-to")
    def _recipients_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        """Say in words whom the inject will reach, after every tick."""
        order = [t.id for t in self.exercise.teams]
        teams = sorted(event.selection_list.selected, key=order.index)
        self.query_one("#adhoc-goes-to", Static).update(self._goes_to(teams))

    def build_call(self) -> EngineCall | str:
        """`Session.adhoc(title, body, to, channel, source)`."""
        title = self.query_one("#adhoc-title", Input).value.strip()
        body = self.query_one("#adhoc-body", TextArea).text.strip()
        to = list(self.query_one("#adhoc-to", SelectionList).selected)
        if not title:
            return "Give the inject a title."
        if not body:
            return "Write the body the teams will receive."
        if not to:
            return "Tick at least one team to deliver it to."
        channel = self.query_one("#adhoc-channel", Select).value
        source = self.query_one("#adhoc-source", Input).value.strip() or "Control"
        return EngineCall(
            "adhoc",
            {"title": title, "body": body, "to": to, "channel": channel, "source": source},
            done=f"Ad-hoc inject delivered to {teams_text(self.exercise, to)}",
        )


class ContingencyPicker(FormScreen):
    """Pick a contingency inject kept in reserve and deliver it."""

    FORM_TITLE = "Deliver a contingency"
    SAVE_LABEL = "Deliver"

    def __init__(self, exercise: Exercise, contingencies: list[tuple[Inject, str]]) -> None:
        """`contingencies` pairs each reserve inject with its state label."""
        super().__init__()
        self.exercise = exercise
        self.contingencies = contingencies
        self._notes = Static("", id="contingency-notes", classes="form-hint", markup=False)

    def compose_fields(self) -> ComposeResult:
        """The reserve injects, with recipients and state."""
        if not self.contingencies:
            yield Static("This exercise keeps no contingency injects.", classes="form-hint")
        yield OptionList(
            *[
                Option(
                    Text.assemble(
                        (f"{inject.id:<10}", "bold"),
                        " ",
                        one_line(inject.title, 48),
                        (f"  → {teams_text(self.exercise, self.exercise.recipients(inject))}", "dim"),
                        (f"  [{state}]", "dim italic"),
                    ),
                    id=inject.id,
                )
                for inject, state in self.contingencies
            ],
            id="contingency-list",
        )
        yield self._notes

    def on_mount(self) -> None:
        """Focus the list."""
        super().on_mount()
        options = self.query_one("#contingency-list", OptionList)
        if self.contingencies:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionHighlighted, "#contingency-list")
    def _show_notes(self, event: OptionList.OptionHighlighted) -> None:
        inject = self.exercise.inject(event.option_id or "")
        notes = inject.notes if inject is not None and inject.notes else ""
        self._notes.update(one_line(notes, 300))

    @on(OptionList.OptionSelected, "#contingency-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        event.prevent_default()
        self.action_submit()

    def build_call(self) -> EngineCall | str:
        """`Session.deliver(inject_id)` for the highlighted contingency."""
        chosen = self.query_one("#contingency-list", OptionList).highlighted_option
        if chosen is None or chosen.id is None:
            return "There is no contingency to deliver."
        return EngineCall("deliver", {"inject_id": chosen.id}, done=f"Delivered contingency {chosen.id}")


class ReasonForm(FormScreen):
    """Hold or skip an inject, with the reason the record and the report will give (it may stay empty)."""

    METHOD = "hold"
    """The engine call: 'hold' or 'skip'."""
    SAYS = "It stays in the MSEL as held until you deliver or skip it."
    """What the action does, in a sentence."""

    def __init__(self, inject: str, title: str) -> None:
        """`inject` and `title` say which inject."""
        super().__init__()
        self.inject_id = inject
        self.title = title

    def compose_fields(self) -> ComposeResult:
        """Which inject, and one line of reason."""
        yield Static(f"{self.inject_id} · {one_line(self.title)}", classes="form-context", markup=False)
        yield Static(f"{self.SAYS} x on its log line takes it back. Enter saves; the reason may stay empty.",
                     classes="form-hint", markup=False)
        yield field_row("Reason", Input(placeholder="why, for the record (optional)", id="reason-text", compact=True))

    def on_mount(self) -> None:
        """Start typing the reason at once."""
        super().on_mount()
        self.query_one("#reason-text", Input).focus()

    def build_call(self) -> EngineCall | str:
        """`Session.hold` or `Session.skip` with the reason."""
        reason = self.query_one("#reason-text", Input).value.strip()
        return EngineCall(self.METHOD, {"inject_id": self.inject_id, "reason": reason},
                          done=f"{self.SAVE_LABEL.replace('Hold', 'Held').replace('Skip', 'Skipped')} {self.inject_id}")


class HoldForm(ReasonForm):
    """Hold an inject back, with a reason."""

    FORM_TITLE = "Hold an inject"
    SAVE_LABEL = "Hold"


class SkipForm(ReasonForm):
    """Skip an inject, with a reason."""

    FORM_TITLE = "Skip an inject"
    SAVE_LABEL = "Skip"
    METHOD = "skip"
    SAYS = "It will not be played."
