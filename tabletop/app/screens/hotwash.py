"""The hot wash: strengths and areas for improvement, objective by objective.

Run in the room right after ENDEX. Pick an objective on the left (or none,
for general remarks), type a strength or an area for improvement, press
enter: each line is one engine call, written before the field clears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tabletop.app.formatting import one_line
from tabletop.app.messages import ActionDone, ActionRefused, ActionRequested, EngineCall
from tabletop.app.widgets.keybar import KeyBar
from tabletop.app.widgets.status import StatusBar
from tabletop.model import Exercise

GENERAL = "__general__"
"""Option id of 'not tied to an objective'."""


@dataclass(frozen=True)
class HotwashEntries:
    """What has been said about one objective (or in general)."""

    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()
    """Evaluators' ratings recorded during play, e.g. ('S', 'M')."""


class HotwashScreen(Screen[None]):
    """Objectives on the left, what was said on the right, two fields below."""

    CSS_PATH = "hotwash.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back to console"),
        Binding("ctrl+o", "focus_objectives", "Objectives"),
    ]

    def __init__(self, exercise: Exercise) -> None:
        """Objectives come from the exercise; entries are pushed down by the app."""
        super().__init__()
        self.exercise = exercise
        self.entries: dict[str, HotwashEntries] = {}
        self._text = Static("", id="hotwash-text")
        self._objectives = OptionList(
            *[
                Option(Text.assemble((o.id, "bold"), "\n", Text(one_line(o.text, 70), style="dim")), id=o.id)
                for o in exercise.objectives
            ],
            Option(Text("General (no objective)", style="bold"), id=GENERAL),
            id="hotwash-objectives",
        )

    def compose(self) -> ComposeResult:
        """Status, the objective list and entries, and the two fields."""
        yield StatusBar(id="status")
        with Horizontal(id="hotwash-body"):
            self._objectives.border_title = "Objectives"
            yield self._objectives
            with VerticalScroll(id="hotwash-entries", can_focus=False) as entries:
                entries.border_title = "Said so far"
                yield self._text
        with Vertical(id="hotwash-fields"):
            yield Input(placeholder="Strength: what went well (enter records it, then the next; tab: improvement)", id="hotwash-strength", compact=True)
            yield Input(placeholder="Area for improvement (enter records it; shift+tab: strength; ctrl+o: objectives)", id="hotwash-improvement", compact=True)
            yield Static("", id="hotwash-error", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """Highlight the first objective and start in the Strength field, so what is typed first is text.

        Starting on the list lost the spaces of a sentence typed at once: the
        keys reached the list before the focus had moved to the field.
        """
        blink = bool(getattr(self.app, "blink", True))
        for field in self.query(Input):
            field.cursor_blink = blink
            field.select_on_focus = False  # a first letter typed from the list must not be selected away
        self._objectives.highlighted = 0
        self.query_one("#hotwash-strength", Input).focus()

    @property
    def objective(self) -> str | None:
        """The objective highlighted, or None for general remarks."""
        option = self._objectives.highlighted_option
        if option is None or option.id in (None, GENERAL):
            return None
        return option.id

    def show(self, entries: Mapping[str, HotwashEntries]) -> None:
        """Take the entries as the engine has them and redraw the highlighted objective."""
        self.entries = dict(entries)
        self._redraw()

    def _redraw(self) -> None:
        key = self.objective or GENERAL
        entry = self.entries.get(key, HotwashEntries())
        objective = self.exercise.objectives[[o.id for o in self.exercise.objectives].index(key)] if key != GENERAL else None
        parts: list[RenderableType] = []
        if objective is not None:
            parts.append(Text(objective.text, style="bold"))
            if objective.capability:
                parts.append(Text(objective.capability, style="dim italic"))
        else:
            parts.append(Text("General remarks", style="bold"))
        if entry.ratings:
            parts.append(Text("Ratings during play: " + " ".join(entry.ratings), style="dim"))
        parts.append(Text(""))
        for heading, style, mark, lines in (
            ("Strengths", "bold green", "+", entry.strengths),
            ("Areas for improvement", "bold yellow", "-", entry.improvements),
        ):
            parts.append(Text(heading, style=style))
            parts.extend(Text(f"{mark} {line}") for line in lines)
            if not lines:
                parts.append(Text("  none yet", style="dim"))
            parts.append(Text(""))
        if self.exercise.hotwash_questions:
            # the questions the planner wrote for the room, in sight whichever objective is discussed
            parts.append(Text("Questions for the room", style="bold"))
            parts.extend(Text(f"{n}. {question}") for n, question in enumerate(self.exercise.hotwash_questions, 1))
        self._text.update(Group(*parts))

    def on_key(self, event: events.Key) -> None:
        """Typing while the objective list has focus is a strength being written, not lost keys:
        the text goes to the Strength field (the list is still one ctrl+o away)."""
        strength = self.query_one("#hotwash-strength", Input)
        # a space is the list's own key only before anything is typed; within a sentence it is text
        if (self.focused is self._objectives and event.is_printable and event.character
                and (event.character != " " or strength.value)):
            strength.focus()
            strength.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    @on(OptionList.OptionHighlighted, "#hotwash-objectives")
    def _objective_changed(self) -> None:
        self._redraw()

    @on(OptionList.OptionSelected, "#hotwash-objectives")
    def _objective_chosen(self) -> None:
        self.query_one("#hotwash-strength", Input).focus()

    def action_focus_objectives(self) -> None:
        """Back to the objective list."""
        self._objectives.focus()

    @on(Input.Submitted)
    def _record(self, event: Input.Submitted) -> None:
        """Enter in a field records it as one hot-wash entry."""
        event.stop()
        text = event.value.strip()
        if not text:
            return
        kind = "strength" if event.input.id == "hotwash-strength" else "improvement"
        event.input.disabled = True
        self.post_message(
            ActionRequested(
                EngineCall(
                    "hotwash",
                    {"kind": kind, "text": text, "objective": self.objective},
                    done=f"Hot wash {kind} recorded",
                ),
                requester=self,
            )
        )

    def on_action_done(self, message: ActionDone) -> None:
        """The entry is written: clear its field for the next one."""
        field = self._field(message.call)
        field.value = ""
        field.disabled = False
        field.focus()
        self.query_one("#hotwash-error", Static).update("")

    def on_action_refused(self, message: ActionRefused) -> None:
        """Keep the text and say why."""
        field = self._field(message.call)
        field.disabled = False
        field.focus()
        self.query_one("#hotwash-error", Static).update(message.reason)

    def _field(self, call: EngineCall) -> Input:
        kind = call.kwargs.get("kind")
        return self.query_one("#hotwash-strength" if kind == "strength" else "#hotwash-improvement", Input)
