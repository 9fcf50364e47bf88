"""The correction form: retract or replace a recorded event, with a reason.

The log is never edited: the engine appends a `corrected` event pointing at
the record. Replacing shows the record's own fields, filled in, so fixing a
typo in a decision is a matter of editing one line.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen, field_row
from tabletop.events import EventBase, payload_fields


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _from_text(text: str, original: Any, optional: bool) -> Any:
    """Turn an edited line back into the type the record held (the engine validates)."""
    if isinstance(original, (list, tuple)):
        return [part.strip() for part in text.split(",") if part.strip()]
    if text == "" and (optional or original is None):
        return None
    if isinstance(original, bool):
        return text.lower() in {"true", "yes", "1"}
    if isinstance(original, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(original, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


class CorrectionForm(FormScreen):
    """Retract a record, or replace it with edited fields; either way with a reason."""

    FORM_TITLE = "Correct a record"
    SAVE_LABEL = "Replace"
    BINDINGS: ClassVar[list[BindingType]] = [
        *FormScreen.BINDINGS,
        Binding("ctrl+r", "retract", "Retract"),
    ]

    def __init__(self, event: EventBase) -> None:
        """`event` is the record picked in the log."""
        super().__init__()
        self.event = event
        self.fields = [name for name in payload_fields(type(event)) if name != "type"]
        self.retracting = False

    def compose_fields(self) -> ComposeResult:
        """The record, the reason, then one line per field of the record."""
        yield Static(f"#{self.event.seq}  {self.event.summary()}", classes="form-context", markup=False)
        if not type(self.event).CORRECTABLE:
            yield Static(
                "This kind of record is part of how play ran (clock, deliveries); "
                "the engine may refuse to correct it. Add a note instead.",
                classes="form-hint",
            )
        yield field_row("Reason", Input(placeholder="why the record was wrong", id="correct-reason", compact=True))
        yield Static("ctrl+s replaces the record with the fields below; ctrl+r retracts it.", classes="form-hint")
        model_fields = type(self.event).model_fields
        for name in self.fields:
            field = Input(_as_text(getattr(self.event, name)), id=f"field-{name}", compact=True)
            field.tooltip = model_fields[name].description or ""
            yield field_row(name, field)

    def on_mount(self) -> None:
        """Start with the reason."""
        super().on_mount()
        self.query_one("#correct-reason", Input).focus()

    def action_retract(self) -> None:
        """Submit as a retraction (no replacement)."""
        self.retracting = True
        try:
            self.action_submit()
        finally:
            self.retracting = False

    def replacement(self) -> dict[str, Any]:
        """The record's payload with the edited fields."""
        payload = self.event.payload()
        payload.pop("type", None)
        model_fields = type(self.event).model_fields
        for name in self.fields:
            text = self.query_one(f"#field-{name}", Input).value.strip()
            original = getattr(self.event, name)
            optional = not model_fields[name].is_required() and model_fields[name].default is None
            payload[name] = _from_text(text, original, optional)
        return payload

    def build_call(self) -> EngineCall | str:
        """`Session.correct(seq, reason, replacement)`; replacement None retracts."""
        reason = self.query_one("#correct-reason", Input).value.strip()
        if not reason:
            return "Say why the record is wrong; the reason stays in the log."
        if self.retracting:
            return EngineCall(
                "correct",
                {"seq": self.event.seq, "reason": reason, "replacement": None},
                done=f"Retracted #{self.event.seq}",
            )
        replacement = self.replacement()
        before = {k: v for k, v in self.event.payload().items() if k != "type"}
        if replacement == before:
            return "Nothing was changed: edit a field to replace the record, or ctrl+r to retract it."
        return EngineCall(
            "correct",
            {"seq": self.event.seq, "reason": reason, "replacement": replacement},
            done=f"Corrected #{self.event.seq}",
        )
