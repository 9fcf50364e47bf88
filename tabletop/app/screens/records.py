"""Forms for the record: facilitator notes, white-cell rulings, observations.

Each one is one engine call (`note`, `rule`, `observe`) written before the
form closes.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tabletop.app.formatting import one_line, team_label
from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen, PickList, field_row
from tabletop.model import RATING_DEFINITIONS, Exercise, Inject, Rating, TeamKind

NO_TEAM = "__no_team__"
"""Option id meaning 'the ruling concerns no team in particular'."""


NO_INJECT = "__no_inject__"
"""Option id meaning 'the record is about no inject in particular'."""


def _about(inject: Inject | None) -> Widget:
    """What the record will be tied to, shown and changeable: the inject offered first, or none.

    The inject is the one being read, or the delivered one under the MSEL cursor;
    the facilitator sees it before saving and can pick "no inject" instead.
    """
    if inject is None:
        return Static("Not tied to an inject: records tie to the inject being read, or the delivered one "
                      "under the MSEL cursor.", classes="form-hint", markup=False)
    about = OptionList(
        Option(Text.assemble((inject.id, "bold"), " · ", one_line(inject.title)), id=inject.id),
        Option(Text("(no inject in particular)", style="italic"), id=NO_INJECT),
        id="record-about",
    )
    return field_row("About", about)


class _AboutMixin:
    """Reads the About list of a record form."""

    inject: Inject | None

    def _mount_about(self) -> None:
        """Offer the inject first, highlighted, so the record is tied to it unless the facilitator says not."""
        if self.inject is not None:
            self.query_one("#record-about", OptionList).highlighted = 0  # type: ignore[attr-defined]

    def about_id(self) -> str | None:
        """The inject id the record is tied to, or None."""
        if self.inject is None:
            return None
        chosen = self.query_one("#record-about", OptionList).highlighted_option  # type: ignore[attr-defined]
        return None if chosen is None or chosen.id == NO_INJECT else chosen.id


class NoteForm(_AboutMixin, FormScreen):
    """A facilitator note, tied to the inject being read when there is one."""

    FORM_TITLE = "Note"

    def __init__(self, inject: Inject | None) -> None:
        """`inject` is the inject the note is about, or None."""
        super().__init__()
        self.inject = inject

    def compose_fields(self) -> ComposeResult:
        """What the note is about and one line of text."""
        yield _about(self.inject)
        yield field_row("Note", Input(placeholder="what happened, what was said", id="note-text", compact=True))

    def on_mount(self) -> None:
        """Start typing at once."""
        super().on_mount()
        self._mount_about()
        self.query_one("#note-text", Input).focus()

    def build_call(self) -> EngineCall | str:
        """`Session.note(text, inject)`."""
        text = self.query_one("#note-text", Input).value.strip()
        if not text:
            return "Write the note first."
        return EngineCall(
            "note",
            {"text": text, "inject": self.about_id()},
            done="Note recorded",
        )


class RulingForm(_AboutMixin, FormScreen):
    """A white-cell ruling: what control adjudicated, why, and for which team."""

    FORM_TITLE = "White-cell ruling"

    def __init__(self, exercise: Exercise, inject: Inject | None) -> None:
        """`inject` is the inject the ruling is about, or None."""
        super().__init__()
        self.exercise = exercise
        self.inject = inject

    def compose_fields(self) -> ComposeResult:
        """Ruling, rationale and the team it concerns."""
        yield _about(self.inject)
        yield field_row("Ruling", Input(placeholder="what control rules", id="ruling-text", compact=True))
        yield field_row("Rationale", Input(placeholder="why", id="ruling-rationale", compact=True))
        options = [Option(Text.assemble((f"{team.label:<6}", "bold"), " ", team.name), id=team.id)
                   for team in self.exercise.teams if team.kind == TeamKind.player]
        options.append(Option(Text("(no team in particular)", style="italic"), id=NO_TEAM))
        # as in the decision form, the list opens with nothing picked, so ↓ then enter takes the first team;
        # nothing picked is an answer here: the ruling concerns no team in particular
        yield field_row("Team", PickList(*options, id="ruling-team", nothing_picked="", optional=True))
        yield Static("Pick no team for a ruling about no team in particular. Rulings go in the record and the "
                     "report; team views do not show them.", classes="form-hint", markup=False)

    def on_mount(self) -> None:
        """Start typing the ruling at once."""
        super().on_mount()
        self._mount_about()
        self.query_one("#ruling-team", OptionList).highlighted = None
        self.query_one("#ruling-text", Input).focus()

    def field_entered(self, field: Input) -> None:
        """Enter on the rationale goes to the team list; the ruling is saved from there or with ctrl+s."""
        if field.id == "ruling-rationale":
            self.query_one("#ruling-team", OptionList).focus()
        else:
            super().field_entered(field)

    def build_call(self) -> EngineCall | str:
        """`Session.rule(text, rationale, inject, team)`."""
        text = self.query_one("#ruling-text", Input).value.strip()
        if not text:
            return "Write the ruling first."
        chosen = self.query_one("#ruling-team", OptionList).highlighted_option
        team = None if chosen is None or chosen.id == NO_TEAM else chosen.id
        return EngineCall(
            "rule",
            {
                "text": text,
                "rationale": self.query_one("#ruling-rationale", Input).value.strip(),
                "inject": self.about_id(),
                "team": team,
            },
            done="Ruling recorded" + (f" for {team_label(self.exercise, team)}" if team else ""),
        )


def _objective_line(objective_id: str, text: str, width: int = 0) -> Text:
    """An objective on one line, cut with an ellipsis to `width` cells (0: not cut)."""
    return Text.assemble((f"{objective_id:<8}", "bold"), " ", one_line(text, max(width - 9, 0) if width else 0))


FIRST_WIDTH = 64
"""Cells an objective line is cut to before the list has a width of its own (an 80-column form)."""


class ObservationForm(_AboutMixin, FormScreen):
    """An evaluator's observation: objective, P/S/M/U rating and what was seen."""

    FORM_TITLE = "Observation"

    def __init__(self, exercise: Exercise, inject: Inject | None, author: str) -> None:
        """`author` is the evaluator the observation is written as."""
        super().__init__()
        self.exercise = exercise
        self.inject = inject
        self.author = author

    def compose_fields(self) -> ComposeResult:
        """Objective list, rating list with the HSEEP wording, and the text."""
        yield _about(self.inject)
        named = self.inject.objectives if self.inject is not None else []
        # named, not picked: as in every form's lists, nothing is picked until ↓ ↑ pick it
        yield Static(f"Recorded as {self.author}" + (f" · this inject names {', '.join(named)}" if named else ""),
                     classes="form-hint", markup=False)
        yield field_row("Objective", OptionList(
            # one line each: wrapped, eight objectives overflow the list, and it opens scrolled to the
            # inject's objective with the first ones out of sight; cut where the list ends (_fit_objectives)
            *[Option(_objective_line(o.id, o.text, FIRST_WIDTH), id=o.id) for o in self.exercise.objectives],
            id="observe-objective",
        ))
        yield field_row("Rating", OptionList(
            *[
                Option(Text.assemble((r.value, "bold"), "  ", RATING_DEFINITIONS[r.value].split(":")[0]), id=r.value)
                for r in Rating
            ],
            id="observe-rating",
        ))
        yield field_row("Observed", Input(placeholder="who did what, with what effect", id="observe-text", compact=True))

    def on_mount(self) -> None:
        """Both lists open with nothing picked, as every form's lists do, so ↓ then enter takes the first
        line: a list opening on the inject's objective made that habit rate the one below it. The hint
        names the inject's objectives. A rating or an objective the evaluator never chose is never saved."""
        super().on_mount()
        self._mount_about()
        objectives = self.query_one("#observe-objective", OptionList)
        objectives.highlighted = None
        self.query_one("#observe-rating", OptionList).highlighted = None
        objectives.focus()
        self.call_after_refresh(self._fit_objectives)

    def on_resize(self) -> None:
        """A wider terminal shows more of each objective, a narrower one cuts it sooner."""
        self._fit_objectives()

    def _fit_objectives(self) -> None:
        """Cut each objective to the width its list has now, on one line."""
        objectives = self.query_one("#observe-objective", OptionList)
        width = objectives.scrollable_content_region.width
        if width <= 0:
            return
        for objective in self.exercise.objectives:
            objectives.replace_option_prompt(objective.id, _objective_line(objective.id, objective.text, width))

    def build_call(self) -> EngineCall | str:
        """`Session.observe(objective, rating, text, inject)`."""
        objective = self.query_one("#observe-objective", OptionList).highlighted_option
        if objective is None or objective.id is None:
            return "The exercise has no objective to observe against." if not self.exercise.objectives else "Pick an objective."
        rating = self.query_one("#observe-rating", OptionList).highlighted_option
        if rating is None or rating.id is None:
            return "Pick a rating."
        text = self.query_one("#observe-text", Input).value.strip()
        if not text:
            return "Write what you observed."
        return EngineCall(
            "observe",
            {
                "objective": objective.id,
                "rating": rating.id,
                "text": text,
                "inject": self.about_id(),
            },
            done=f"Observation on {objective.id} rated {rating.id}",
        )
