"""The base of every console form: save only when the event is written.

A form builds one :class:`~tabletop.app.messages.EngineCall`, posts it up to
the app and waits. It closes only when the app answers that the event is
durably appended; if the engine refuses, the form stays open with the reason
and everything typed, so nothing confirmed is lost and nothing is lost twice.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import events, on
from textual._context import NoActiveAppError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.actions import SkipAction
from textual.widgets import Button, Input, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option

from tabletop.app.messages import ActionDone, ActionRefused, ActionRequested, EngineCall


class FormScreen(ModalScreen[Any]):
    """A modal form that turns what was typed into one engine call."""

    CSS_PATH = "form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
        Binding("enter", "enter_now", show=False, priority=True),
        Binding("down", "list_step(1)", show=False, priority=True),
        Binding("up", "list_step(-1)", show=False, priority=True),
        Binding("space", "tick_now", show=False, priority=True),
    ]

    FORM_TITLE: ClassVar[str] = "Form"
    """Shown in the form's border."""
    SAVE_LABEL: ClassVar[str] = "Save"
    """Label of the save button."""

    pending: reactive[bool] = reactive(False)
    """True while the engine call is being written; the form cannot be sent twice."""

    _last_text: Input | TextArea | None = None
    """The text field last given the focus: where a letter typed on a button belongs."""

    opening_run: int = -1
    """The run of typed keys the key that opened the form belongs to (:mod:`tabletop.app.rhythm`)."""

    _typed_as_opened = False
    """Keys of that same run reached the form: the sentence was meant for another one."""

    def __init__(self) -> None:
        """Note which run of typing, if any, the key that opens the form belongs to."""
        super().__init__()
        try:
            self.opening_run = getattr(self.app, "typing_run", -1)
        except NoActiveAppError:  # built before any app runs (a test, a snapshot): no key opened it
            self.opening_run = -1

    def compose(self) -> ComposeResult:
        """The form frame: fields, an error line and the buttons."""
        with Vertical(id="form") as frame:
            frame.border_title = self.FORM_TITLE
            frame.border_subtitle = f"ctrl+s {self.save_label.lower()} · esc cancel"
            yield from self.compose_fields()
            yield Static("", id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(self.save_label, variant="primary", id="form-save", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)

    @property
    def save_label(self) -> str:
        """What the save button and ctrl+s do, in words: the class's label unless this form knows better."""
        return self.SAVE_LABEL

    def compose_fields(self) -> ComposeResult:
        """The fields of the form; subclasses yield their widgets here."""
        yield from ()

    def build_call(self) -> EngineCall | str:
        """The engine call the fields describe, or a message saying what is missing."""
        raise NotImplementedError

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Remember the text field being typed in."""
        if isinstance(event.widget, (Input, TextArea)):
            self._last_text = event.widget

    def on_key(self, event: events.Key) -> None:
        """A letter typed while a button has the focus (after a tab too many), or before any field has it
        (keys that came with the one that opened the form), is text meant for a field: it goes to the
        field last typed in, or the first one, so a sentence is never silently lost.
        A space stays the button's own key."""
        if not (self.focused is None or isinstance(self.focused, Button)) or not event.is_printable \
                or not event.character:
            return
        if event.character == " ":
            return
        field = self._last_text
        if field is None or not field.is_attached:
            field = next((w for w in self.query("Input, TextArea") if isinstance(w, (Input, TextArea))), None)
        if field is None:
            return
        field.focus()
        if isinstance(field, Input):
            field.insert_text_at_cursor(event.character)
        else:
            field.insert(event.character)
        event.stop()
        event.prevent_default()

    def on_mount(self) -> None:
        """Stop cursor blink when the app asks (snapshots); coming back to a field never selects its text,
        so a key typed there adds to what was written instead of replacing it."""
        blink = bool(getattr(self.app, "blink", True))
        for widget in self.query(Input):
            widget.cursor_blink = blink
            widget.select_on_focus = False
        for area in self.query(TextArea):
            area.cursor_blink = blink

    def show_error(self, message: str) -> None:
        """Say what is wrong under the fields, without closing the form."""
        self.query_one("#form-error", Static).update(message)
        self.query_one("#form-error").set_class(bool(message), "-shown")
        if message:  # on a short terminal the message may be below the fold: bring it into view
            self.call_after_refresh(self.query_one("#form-error").scroll_visible, animate=False)

    def watch_pending(self, pending: bool) -> None:
        """Grey out the save button while the call is in flight."""
        self.query_one("#form-save", Button).disabled = pending
        if pending:
            self.query_one("#form-error", Static).update("Saving…")

    def typed_as_it_opened(self) -> None:
        """Keys typed in one run with the key that opened the form reached it: the facilitator was
        typing a sentence, not choosing this form. The first save only says so."""
        if not self._typed_as_opened:
            self._typed_as_opened = True
            self.call_after_refresh(self.show_error, TYPED_AS_OPENED.format(form=self.FORM_TITLE))

    def action_submit(self) -> None:
        """Validate, then ask the app to run the call; the form waits for the answer. A form that
        opened in the middle of typed text saves only when asked a second time."""
        if self.pending:
            return
        if self._typed_as_opened:
            self._typed_as_opened = False
            self.show_error(TYPED_AS_OPENED.format(form=self.FORM_TITLE))
            return
        result = self.build_call()
        if isinstance(result, str):
            self.show_error(result)
            return
        self.show_error("")
        self.pending = True
        self.post_message(ActionRequested(result, requester=self))

    def action_cancel(self) -> None:
        """Close without writing anything."""
        if not self.pending:
            self.dismiss(None)

    def on_action_done(self, message: ActionDone) -> None:
        """The event is on disk: close and hand it back."""
        self.dismiss(message.event)

    def on_action_refused(self, message: ActionRefused) -> None:
        """Keep everything typed and say why the engine refused."""
        self.pending = False
        self.show_error(message.reason)

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    async def action_enter_now(self) -> None:
        """Enter in a field or a list, acted on before the next key is handed out.

        Handled at priority, as Tab is: the focus moves at once, so keys that come in the same burst
        (a fast typist, a laggy link) land in the next field, not in the one just left. The keys
        already handed to the field are let through first, so a save reads every letter typed and
        enter confirms the option the arrows reached. Buttons and text areas keep their own enter.
        """
        focused = self.focused
        if not isinstance(focused, (Input, OptionList)) or isinstance(focused, SelectionList):
            raise SkipAction()
        await drained(focused)
        if isinstance(focused, Input):
            self.field_entered(focused)
            return
        picked = focused.highlighted is not None or (isinstance(focused, PickList) and focused.optional)
        focused.action_select()
        if picked:
            self.focus_next()

    def action_list_step(self, step: int) -> None:
        """↓ ↑ in a list, moved at once and in the order pressed.

        A list's own arrow keys take a detour through the app before they act, so in a burst an
        enter pressed after them would confirm the option they had not reached yet.
        """
        focused = self.focused
        if not isinstance(focused, OptionList):
            raise SkipAction()
        if step > 0:
            focused.action_cursor_down()
        else:
            focused.action_cursor_up()

    def action_tick_now(self) -> None:
        """Space in a tick list, toggled at once, in order with the arrows (in a text field it is a space)."""
        focused = self.focused
        if not isinstance(focused, SelectionList):
            raise SkipAction()
        focused.action_select()

    def field_entered(self, field: Input) -> None:
        """Enter in a text field moves to the next field; on the last one it saves."""
        inputs = list(self.query(Input))
        if inputs and field is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    @on(OptionList.OptionHighlighted)
    def _picked_now(self, event: OptionList.OptionHighlighted) -> None:
        """A line is highlighted in a list that said nothing was picked: that word has done its work."""
        chosen = event.option_list
        if isinstance(chosen, PickList) and str(self.query_one("#form-error", Static).content) == chosen.nothing_picked:
            self.show_error("")

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        """A choice confirmed in a list (enter already moved on; a mouse click moves on here)."""
        event.stop()
        if self.focused is event.option_list:
            self.focus_next()


TYPED_AS_OPENED = ("“{form}” opened on a key typed in a sentence, and the rest of it came here. "
                   "Check this is what you meant: ctrl+s again saves, esc cancels.")
"""What a form opened in the middle of typed text says, and says again at the first save."""


class PickList(OptionList):
    """A list of a form that may open with nothing picked; enter then says how to pick a line.

    Every list of every form starts the same way, so the habit "↓ then enter" takes the first
    line in each: a team list that opened on its second line while the option list opened on
    none once put the wrong team beside the right option. An `optional` list (nothing picked
    is an answer, as "no team in particular") lets enter move on instead.
    """

    def __init__(self, *options: Option, nothing_picked: str, optional: bool = False, **kwargs: Any) -> None:
        """`nothing_picked` is what enter says while no line is highlighted (unless `optional`)."""
        super().__init__(*options, **kwargs)
        self.nothing_picked = nothing_picked
        self.optional = optional

    def action_select(self) -> None:
        """Confirm the highlighted line; with none, say how to pick one (an optional list just moves on)."""
        if self.highlighted is None:
            if not self.optional:
                show = getattr(self.screen, "show_error", None)
                if show is not None:
                    show(self.nothing_picked)
            return
        super().action_select()


async def drained(widget: Widget, *, turns: int = 200) -> None:
    """Wait until `widget` has handled the keys already handed to it (a few event-loop turns at most)."""
    for _ in range(turns):
        if not widget.message_queue_size:
            break
        await asyncio.sleep(0)
    await asyncio.sleep(0)  # the last key taken from the queue is being handled: let it finish


def field_row(label: str, field: Widget) -> Horizontal:
    """A label on the left and its field on the right, one row per field."""
    return Horizontal(Static(label, classes="form-label"), field, classes="form-row")
