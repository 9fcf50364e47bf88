"""The team's forms: decide on an inject, ask the control cell, answer a discussion question, give feedback.

Each form is a modal screen, so that typing in it never reaches a key of the
view behind it. A form holds no rule: it gathers what the team typed into one
message for the app, which makes the one engine call; the app then dismisses
the form, or hands it the engine's refusal to show, everything typed still in
place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Select, Static, TextArea

from tabletop.need_to_know import InjectSeen, MoveSeen, OwnAnswer, OwnDecision
from tabletop.viewer.messages import DecisionSubmitted, DiscussionAnswered, FeedbackGiven, QuestionAsked, TeamAction

OWN_ANSWER = "None of these: our own answer, written below"
"""The last choice of a decision form, for an answer in the team's own words."""


def _area(widget_id: str, text: str = "") -> TextArea:
    """A plain text box: no code editing, tab moves on to the next field."""
    area = TextArea(text, id=widget_id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
    return area


class OptionButton(RadioButton):
    """A radio button whose label wraps: an option of a decision is read in full, never cut off."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the label needs at this width."""
        return max(1, len(self.render().wrap(max(1, width))))


class OptionSet(RadioSet):
    """The options of a decision: ↑ and ↓ start from the option the team chose before and stop at
    the ends. Textual's set starts from nowhere and wraps, so ↑ on a reopened form jumped to the
    last line ('our own answer') and enter sent a different decision from the one meant."""

    def on_mount(self) -> None:
        """Put the keyboard's place on the option already chosen."""
        if self.pressed_index >= 0:
            self._selected = self.pressed_index

    def _step(self, direction: int) -> None:
        buttons = [b for b in self.query(RadioButton) if not b.disabled]
        if not buttons:
            return
        here = self._selected if self._selected is not None else (self.pressed_index if self.pressed_index >= 0 else None)
        if here is None:
            self._selected = 0 if direction > 0 else len(buttons) - 1
            return
        self._selected = min(max(here + direction, 0), len(buttons) - 1)

    def action_previous_button(self) -> None:
        """One option up; the first stays the first."""
        self._step(-1)

    def action_next_button(self) -> None:
        """One option down; the last stays the last."""
        self._step(1)


class TeamForm(ModalScreen[None]):
    """What every form of the team has: a title, its fields, a refusal line, Send and Cancel."""

    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send"),
        Binding("escape", "cancel", "Cancel"),
        # priority: the focus moves before the keys typed after Tab are handed out (a burst belongs to the next field)
        Binding("tab", "app.focus_next", "Next field", priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]
    SEND = "Send"
    """Label of the send button."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.form_title = title
        """Heading of the form."""

    def compose(self) -> ComposeResult:
        """The frame; subclasses give the fields."""
        with Vertical(id="form"):
            yield Static(Text(self.form_title, style="bold"), id="form-title")
            yield from self.header()
            with VerticalScroll(id="form-fields", can_focus=False):
                yield from self.fields()
            yield Static(id="form-refusal")
            with Horizontal(id="form-buttons"):
                yield Button(self.SEND, id="send", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def header(self) -> ComposeResult:
        """What stays in sight above the fields while the team types (the question put, say)."""
        return iter(())

    def fields(self) -> ComposeResult:
        """The form's own fields."""
        return iter(())

    def on_mount(self) -> None:
        """Start at the top of the fields, whichever one took the focus."""
        self.call_after_refresh(self.query_one("#form-fields", VerticalScroll).scroll_home, animate=False)

    def message(self) -> TeamAction:
        """What the team typed, as the message the app records."""
        raise NotImplementedError

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Send or Cancel."""
        event.stop()
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_send(self) -> None:
        """Hand what was typed to the app, which records it or says why not."""
        self.query_one("#form-refusal", Static).update("")
        self.remove_class("refused")
        self.post_message(self.message())

    def action_cancel(self) -> None:
        """Close the form; nothing is recorded."""
        self.dismiss(None)

    def refuse(self, text: str) -> None:
        """Show why nothing was recorded; what was typed stays."""
        self.query_one("#form-refusal", Static).update(Text(text))
        self.add_class("refused")

    @property
    def refusal(self) -> str:
        """The refusal shown, '' when none."""
        return str(self.query_one("#form-refusal", Static).content) if self.has_class("refused") else ""

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", TextArea).text


class DecisionForm(TeamForm):
    """The team's decision on one inject: an option or its own words, why, and any dissent."""

    SEND = "Submit our decision"

    def __init__(self, inject: InjectSeen, standing: OwnDecision | None, status: str) -> None:
        assert inject.decision is not None
        super().__init__(f"Decision on {inject.inject}: {inject.title}")
        self.inject = inject
        """The inject decided on."""
        self.standing = standing
        """The team's latest submission (waiting for control) or decision, offered for revision."""
        self.status = status
        """Where the team's submission stands, in words."""
        if standing is not None:
            self.SEND = "Revise our decision"

    def header(self) -> ComposeResult:
        """The question put to the team, and where its submission stands."""
        assert self.inject.decision is not None
        yield Static(Text(self.inject.decision.prompt, style="bold"), id="prompt")
        if self.status:
            yield Static(Text(self.status, style="italic"), id="status")

    def fields(self) -> ComposeResult:
        """The options, three text boxes."""
        chosen = self.standing.option if self.standing is not None else None
        own = self.standing is not None and self.standing.option is None
        with OptionSet(id="option"):
            for index, option in enumerate(self.inject.decision.options):
                yield OptionButton(option.label, value=option.id == chosen, id=f"option-{index}")
            yield OptionButton(OWN_ANSWER, value=own, id="option-own")
        standing = self.standing
        yield Label("Our answer in our words (with an option: what we add to it)")
        yield _area("text", standing.text if standing else "")
        yield Label("Rationale: why")
        yield _area("rationale", standing.rationale if standing else "")
        yield Label("Dissent inside the team (optional)")
        yield _area("dissent", standing.dissent if standing else "")

    def message(self) -> DecisionSubmitted:
        """The chosen option (None for the team's own words) and the three texts."""
        assert self.inject.decision is not None
        index = self.query_one(RadioSet).pressed_index
        options = self.inject.decision.options
        option = options[index].id if 0 <= index < len(options) else None
        return DecisionSubmitted(
            self, self.inject.inject, option, self._text("text"), self._text("rationale"), self._text("dissent")
        )


class AskForm(TeamForm):
    """A request for information to the control cell, about one inject or none."""

    SEND = "Send to control"

    def __init__(self, injects: Sequence[InjectSeen]) -> None:
        super().__init__("Ask the control cell")
        self.injects = tuple(injects)
        """Injects the team received, newest first: what a question may be about."""

    def fields(self) -> ComposeResult:
        """Which inject, and the question."""
        yield Static(Text("Only control reads it; the answer comes back to your team alone.", style="italic"))
        yield Label("About inject (optional)")
        choices = [(f"{i.inject}: {i.title}", i.inject) for i in self.injects]
        yield Select(choices, prompt="Not about one inject", allow_blank=True, id="about")
        yield Label("Question")
        yield _area("question")

    def message(self) -> QuestionAsked:
        """The question, and the inject it is about if one is chosen."""
        value = self.query_one(Select).value
        return QuestionAsked(self, self._text("question"), value if isinstance(value, str) else None)


class DiscussionForm(TeamForm):
    """The team's answer to one of the open move's discussion questions; each question keeps its own draft."""

    SEND = "Keep our answer"

    def __init__(self, move: MoveSeen, answers: Sequence[OwnAnswer]) -> None:
        super().__init__(f"Discussion, {move.id}: {move.title}")
        self.move = move
        """The open move, whose questions are answered."""
        self.drafts: dict[int, str] = {
            index: next((a.text for a in answers if a.move == move.id and a.question == q), "")
            for index, q in enumerate(move.questions)
        }
        """Text per question index: the standing answer, then what was typed."""
        self._current = 0

    def fields(self) -> ComposeResult:
        """Which question, and the answer."""
        yield Label("Question")
        yield Select([(q, i) for i, q in enumerate(self.move.questions)], allow_blank=False, value=0, id="question")
        yield Label("Our answer (sending it again replaces the one kept)")
        yield _area("answer", self.drafts.get(0, ""))

    def on_select_changed(self, event: Select.Changed) -> None:
        """Keep the draft of the question left; show the one chosen."""
        event.stop()
        if not isinstance(event.value, int) or event.value == self._current:
            return
        area = self.query_one("#answer", TextArea)
        self.drafts[self._current] = area.text
        self._current = event.value
        area.text = self.drafts.get(event.value, "")

    def message(self) -> DiscussionAnswered:
        """The question chosen and the answer typed."""
        return DiscussionAnswered(self, self.move.id, self.move.questions[self._current], self._text("answer"))


class FeedbackForm(TeamForm):
    """One participant's feedback form, as at ENDEX on paper: four ratings and three comments."""

    SEND = "Send the form"

    def __init__(self, questions: Mapping[str, str]) -> None:
        super().__init__("Participant feedback form")
        self.questions = dict(questions)
        """Rating questions by id."""

    def fields(self) -> ComposeResult:
        """Name, a row of 1-5 per question, three text boxes."""
        yield Label("Your name (optional)")
        yield Input(id="participant", max_length=200)
        for key, text in self.questions.items():
            yield Label(f"{text}  (1 = strongly disagree, 5 = strongly agree)")
            with RadioSet(id=f"rating-{key}", classes="rating"):
                for n in range(1, 6):
                    yield RadioButton(str(n))
        yield Label("Strengths")
        yield _area("strengths")
        yield Label("What to improve")
        yield _area("improvements")
        yield Label("Other comments")
        yield _area("comments")

    def message(self) -> FeedbackGiven:
        """The ratings given (questions left unrated left out) and the texts."""
        ratings = {}
        for key in self.questions:
            index = self.query_one(f"#rating-{key}", RadioSet).pressed_index
            if index >= 0:
                ratings[key] = index + 1
        return FeedbackGiven(
            self,
            self.query_one("#participant", Input).value,
            ratings,
            self._text("strengths"),
            self._text("improvements"),
            self._text("comments"),
        )
