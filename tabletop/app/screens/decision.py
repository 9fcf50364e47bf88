"""The decision form: a team's answer to an inject, recorded in seconds.

Team and option are short lists (arrow keys, enter moves on); free text,
rationale and dissent are one line each; enter on the last line saves. Neither
a team nor an option is picked until the facilitator picks one (unless the team
was picked on the board), and an answer for a team that has answered already is
asked about, then recorded as a correction of it.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tabletop.app.formatting import one_line, team_label
from tabletop.app.messages import EngineCall
from tabletop.app.screens.form import FormScreen, PickList, field_row
from tabletop.model import Exercise, Inject

FREE_TEXT = "__free_text__"
"""Option-list id of the 'no listed option, free text only' choice."""


NOTHING_PICKED = "No option is picked: ↓ ↑ to pick one, then enter; or tab to write the team's own words alone."
"""What enter on the option list says while nothing is highlighted."""

NO_TEAM_PICKED = "No team is picked: ↓ ↑ to pick the team that decided, then enter."
"""What enter on the team list says while nothing is highlighted."""


class DecisionForm(FormScreen):
    """Record one team's decision on one inject (option, text, rationale, dissent)."""

    FORM_TITLE = "Record a decision"
    SAVE_LABEL = "Record"

    def __init__(
        self,
        exercise: Exercise,
        inject: Inject,
        teams: list[str],
        answered: Mapping[str, str],
        *,
        team: str | None = None,
        earlier: Mapping[str, int] | None = None,
    ) -> None:
        """`teams` are the teams that may answer; `answered` maps those that have to their answer,
        `earlier` to the seq of that answer (a new one for such a team is a correction of it)."""
        super().__init__()
        self.exercise = exercise
        self.inject = inject
        # the teams still to answer first: ↓ then enter takes the first of them, not a team that has answered
        self.teams = sorted(teams, key=lambda t: t in answered)
        self.answered = dict(answered)
        self.earlier = dict(earlier or {})
        self.initial_team = team
        self._replacing: tuple[str, str | None, str] | None = None
        """The team and answer the facilitator was warned about: saving the same again replaces it."""

    def compose_fields(self) -> ComposeResult:
        """Context line, team list, option list and three one-line fields."""
        prompt = self.inject.decision.prompt if self.inject.decision else "No decision is posed; record what the team said."
        yield Static(f"{self.inject.id} · {one_line(self.inject.title)}", classes="form-context", markup=False)
        yield Static(prompt, classes="form-hint", markup=False)
        team_options = []
        for team_id in self.teams:
            team = self.exercise.team(team_id)
            name = team.name if team is not None else team_id
            line = Text.assemble((f"{team_label(self.exercise, team_id):<6}", "bold"), " ", name)
            if team_id in self.answered:
                line.append(f"   answered: {self.answered[team_id]}", style="dim")
            team_options.append(Option(line, id=team_id))
        yield field_row("Team", PickList(*team_options, id="decision-team", nothing_picked=NO_TEAM_PICKED))
        options = []
        if self.inject.decision is not None:
            width = max(len(o.id) for o in self.inject.decision.options)
            for option in self.inject.decision.options:
                options.append(
                    Option(
                        Text.assemble(
                            (f"{option.id:<{width}}", "bold"), "  ", option.label, (f"  ({option.posture.value})", "dim")
                        ),
                        id=option.id,
                    )
                )
        options.append(Option(Text("(no listed option: free text only)", style="italic"), id=FREE_TEXT))
        # tab past it with none picked records the team's words alone (free text, no option, no posture)
        yield field_row("Option", PickList(*options, id="decision-option", nothing_picked=NOTHING_PICKED))
        yield Static("In each list ↓ ↑ pick and enter confirms and moves on; tab past the options with none "
                     "picked records the team's words alone.", classes="form-hint", markup=False)
        yield field_row("Said", Input(placeholder="what the team will do, in its words", id="decision-text", compact=True))
        yield field_row("Rationale", Input(placeholder="why", id="decision-rationale", compact=True))
        yield field_row("Dissent", Input(placeholder="who disagreed, and how (leave empty if none)", id="decision-dissent", compact=True))

    def on_mount(self) -> None:
        """A team picked on the board (or the only one asked) is settled: highlighted, and the form starts
        on its options (or its words). Otherwise both lists start with nothing picked, so "↓ then enter"
        takes the first line in each; no option is ever picked for the facilitator either, so a team's
        words typed alone are recorded as free text, never as the first option's posture."""
        super().on_mount()
        teams = self.query_one("#decision-team", OptionList)
        options = self.query_one("#decision-option", OptionList)
        settled = self.initial_team if self.initial_team in self.teams else (
            self.teams[0] if len(self.teams) == 1 else None)
        teams.highlighted = self.teams.index(settled) if settled is not None else None
        options.highlighted = None if self.inject.decision is not None else 0  # no options: free text is the only line
        if self.inject.decision is None:
            # nothing to pick: the list only says so, and keys typed there would be lost
            options.can_focus = False
        # a team picked on the board is settled: start on its options (or its words); otherwise on the team list
        if settled is None:
            teams.focus()
        elif self.inject.decision is None:
            self.query_one("#decision-text", Input).focus()
        else:
            options.focus()

    def build_call(self) -> EngineCall | str:
        """`Session.decide(team, inject, option, text, rationale, dissent)`."""
        team_list = self.query_one("#decision-team", OptionList)
        team_option = team_list.highlighted_option
        if team_option is None or team_option.id is None:
            return "Pick the team that decided."
        option_list = self.query_one("#decision-option", OptionList)
        chosen = option_list.highlighted_option
        option = None if chosen is None or chosen.id == FREE_TEXT else chosen.id
        text = self.query_one("#decision-text", Input).value.strip()
        if option is None and not text:
            return "Pick an option or write what the team decided."
        rationale = self.query_one("#decision-rationale", Input).value.strip()
        dissent = self.query_one("#decision-dissent", Input).value.strip()
        label = team_label(self.exercise, team_option.id)
        if team_option.id in self.earlier:
            answer = (team_option.id, option, text)
            if self._replacing != answer:
                self._replacing = answer
                return (f"{label} has already answered: {self.answered.get(team_option.id, '')}. "
                        "Save again to record this answer in its place (the earlier one stays in the record, "
                        "corrected), or pick another team.")
            return EngineCall(
                "correct",
                {
                    "seq": self.earlier[team_option.id],
                    "reason": "the facilitator recorded a new answer for the team",
                    "replacement": {"option": option, "text": text, "rationale": rationale, "dissent": dissent},
                },
                done=f"{label}'s answer on {self.inject.id} replaced: {option or repr(text)}",
            )
        return EngineCall(
            "decide",
            {
                "team": team_option.id,
                "inject": self.inject.id,
                "option": option,
                "text": text,
                "rationale": rationale,
                "dissent": dissent,
            },
            done=f"{label} decided {option or repr(text)} on {self.inject.id}",
        )
