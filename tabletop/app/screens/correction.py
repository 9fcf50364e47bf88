"""The correction form: take back or change a recorded event, with a reason, from lists and in words.

The log is never edited: the engine appends a `corrected` event pointing at
the record. What the form offers for each kind of record (teams, options,
objectives and ratings as lists; a delivery's teams as ticks; a move advance
or a hold only to be taken back, saying what that does) comes from
:mod:`tabletop.corrections`, so the rules stay where a plain test reaches them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen, field_row
from tabletop.app.widgets.ticks import TickList
from tabletop.corrections import NONE, CorrectionPlan, replacement_of
from tabletop.events import CorrectedEvent, EventBase

_NONE_ID = "-none-"
"""Option id standing for the empty choice (an OptionList id cannot be empty)."""


class CorrectionForm(FormScreen):
    """Change a record's fields, or take it back; either way with a reason the log keeps."""

    FORM_TITLE = "Correct a record"
    SAVE_LABEL = "Save the change"
    BINDINGS: ClassVar[list[BindingType]] = [
        *FormScreen.BINDINGS,
        Binding("ctrl+r", "retract", "Take back"),
    ]

    def __init__(self, event: EventBase, plan: CorrectionPlan, root: int) -> None:
        """`event` is the record picked in the log, `root` the record a change applies to."""
        super().__init__()
        self.event = event
        self.plan = plan
        self.root = root
        self.retracting = False

    @property
    def save_label(self) -> str:
        """A record with nothing to change (a move advance, a hold) can only be taken back: ctrl+s says so."""
        return self.SAVE_LABEL if self.plan.fields else self.plan.take_back

    def compose_fields(self) -> ComposeResult:
        """The record in words, the reason, then one field per thing that may change."""
        yield Static(f"#{self.event.seq}  {self.plan.heading}", classes="form-context", markup=False)
        yield field_row("Reason", Input(placeholder="why the record was wrong", id="correct-reason", compact=True))
        for field in self.plan.fields:
            if field.kind == "choice":
                options = [Option(words, id=value or _NONE_ID) for value, words in field.choices]
                widget: Any = OptionList(*options, id=f"field-{field.name}", classes="correction-choice")
            elif field.kind == "teams":
                ticked = set(field.value)
                widget = TickList[str](
                    *(Selection(words, value, value in ticked) for value, words in field.choices),
                    id=f"field-{field.name}", classes="correction-teams",
                )
            elif field.kind == "lines":
                widget = TextArea(str(field.value or ""), id=f"field-{field.name}", soft_wrap=True, compact=True)
            else:
                widget = Input(str(field.value or ""), id=f"field-{field.name}", compact=True)
            yield field_row(field.label, widget)
        keys = "ctrl+s saves the change; ctrl+r" if self.plan.fields else "ctrl+s (or ctrl+r)"
        yield Static(f"{keys}: {self.plan.take_back}. {self.plan.take_back_says}",
                     classes="form-hint", markup=False)

    def on_mount(self) -> None:
        """Each list starts on the record's own value; typing starts in the reason."""
        super().on_mount()
        for field in self.plan.fields:
            if field.kind == "choice":
                values = [value for value, _ in field.choices]
                lists = self.query_one(f"#field-{field.name}", OptionList)
                lists.highlighted = values.index(field.value) if field.value in values else None
        self.query_one("#correct-reason", Input).focus()

    def values(self) -> dict[str, Any]:
        """What each field holds now."""
        out: dict[str, Any] = {}
        for field in self.plan.fields:
            if field.kind == "choice":
                chosen = self.query_one(f"#field-{field.name}", OptionList).highlighted_option
                out[field.name] = NONE if chosen is None or chosen.id == _NONE_ID else chosen.id
            elif field.kind == "teams":
                out[field.name] = list(self.query_one(f"#field-{field.name}", SelectionList).selected)
            elif field.kind == "lines":
                out[field.name] = self.query_one(f"#field-{field.name}", TextArea).text.strip()
            else:
                out[field.name] = self.query_one(f"#field-{field.name}", Input).value.strip()
        return out

    def action_retract(self) -> None:
        """Submit as taking the record back (no replacement)."""
        self.retracting = True
        try:
            self.action_submit()
        finally:
            self.retracting = False

    def _take_back(self, reason: str) -> EngineCall:
        target = self.event.seq if isinstance(self.event, CorrectedEvent) else self.root
        return EngineCall("correct", {"seq": target, "reason": reason, "replacement": None},
                          done=f"{self.plan.take_back}: #{target}")

    def build_call(self) -> EngineCall | str:
        """`Session.correct(seq, reason, changes)`; no changes (ctrl+r) takes the record back."""
        reason = self.query_one("#correct-reason", Input).value.strip()
        if not reason:
            return "Say why the record is wrong; the reason stays in the log."
        if self.retracting or not self.plan.fields:
            return self._take_back(reason)
        values = self.values()
        teams = next((f for f in self.plan.fields if f.kind == "teams"), None)
        if teams is not None and not values.get(teams.name):
            return self._take_back(reason)
        changed = replacement_of(self.plan, self.event, values)
        if not changed:
            return f"Nothing was changed: change a field to save, or ctrl+r: {self.plan.take_back.lower()}."
        return EngineCall("correct", {"seq": self.root, "reason": reason, "replacement": changed},
                          done=f"Corrected #{self.root}")
