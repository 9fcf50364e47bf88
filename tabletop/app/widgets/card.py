"""The inject card: everything about one inject, for the facilitator's eyes.

Body, source, channel, recipients, expected actions, discussion questions,
facilitator notes, the decision with its options, and every team's recorded
answer side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tabletop.prose import prose


@dataclass(frozen=True)
class OptionView:
    """An option of the decision, as the card lists it."""

    id: str
    label: str
    posture: str
    consequence: str = ""


@dataclass(frozen=True)
class AnswerView:
    """One team's recorded decision, as the card shows it."""

    team: str
    """Short label of the team."""
    option: str = ""
    """Option id and label, or '' for free text only."""
    text: str = ""
    rationale: str = ""
    dissent: str = ""
    when: str = ""
    """Scenario time and seq, e.g. '+01:25 #41'."""
    answered: bool = True
    """False for a deciding team that has not answered yet."""
    waiting: bool = False
    """True for what the team sent from its own screen, waiting for the facilitator's y to count."""


@dataclass(frozen=True)
class InjectView:
    """One inject in words, ready to print."""

    id: str
    title: str
    state: str
    at: str
    move: str
    source: str
    channel: str
    to: str
    body: str
    kind: str = "scheduled"
    condition: str = ""
    objectives: tuple[str, ...] = ()
    expected: tuple[tuple[str, str], ...] = ()
    questions: tuple[str, ...] = ()
    notes: str = ""
    prompt: str = ""
    options: tuple[OptionView, ...] = ()
    answers: tuple[AnswerView, ...] = field(default_factory=tuple)
    header: tuple[tuple[str, str], ...] = ()
    """The channel presentation as the teams see it: (label, text), e.g. ('Classification', 'SECRET')."""
    attachments: tuple[str, ...] = ()
    """Attached maps and documents, named ('The NLL (maps/nll.svg)')."""


def _section(title: str) -> Rule:
    return Rule(Text(title, style="bold"), align="left", style="dim")


def _pairs(rows: tuple[tuple[str, str], ...]) -> RenderableType:
    """Label and text in two columns, indented: a cable's header, the teams' expected actions."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, text in rows:
        table.add_row(Text(label), Text(text))
    return Padding(table, (0, 0, 1, 2))


def render_card(view: InjectView) -> RenderableType:
    """The whole card as one Rich renderable."""
    parts: list[RenderableType] = []
    head = Text()
    head.append(f"{view.id}  ", style="bold")
    head.append(view.title, style="bold underline")
    parts.append(head)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column()
    facts.add_row("State", Text(view.state, style="bold"))
    # Typed text goes in as Text, never as a str: Rich would read "[/]" or "[@click=...]" as markup.
    facts.add_row("When", Text(f"{view.at}" + (f"  (move {view.move})" if view.move else "")
                               + ("" if view.kind == "scheduled" else f"  [{view.kind}]")))
    facts.add_row("From", Text(view.source))
    facts.add_row("Channel", Text(view.channel))
    facts.add_row("To", Text(view.to))
    if view.condition:
        facts.add_row("Fires if", Text(view.condition))
    if view.objectives:
        facts.add_row("Objectives", Text(", ".join(view.objectives)))
    parts.append(Padding(facts, (1, 0, 1, 0)))
    parts.append(_section("As the teams receive it"))
    if view.header:
        parts.append(_pairs(view.header))
    parts.append(Padding(prose(view.body), (0, 0, 1, 2)))  # the planner's line breaks undone: wrapped once
    for attachment in view.attachments:
        parts.append(Padding(Text(f"Attached: {attachment}", style="italic"), (0, 0, 1, 2)))
    if view.expected:
        parts.append(_section("Expected actions"))
        parts.append(_pairs(view.expected))
    if view.questions:
        parts.append(_section("Discussion questions"))
        parts.append(Padding(Group(*[Text(f"• {q}") for q in view.questions]), (0, 0, 1, 2)))
    if view.notes:
        parts.append(_section("Facilitator notes"))
        parts.append(Padding(Text(view.notes.rstrip(), style="italic"), (0, 0, 1, 2)))
    if view.prompt:
        parts.append(_section("Decision"))
        parts.append(Padding(Text(view.prompt, style="bold"), (0, 0, 0, 2)))
        options = Table.grid(padding=(0, 2))
        options.add_column(style="bold", no_wrap=True)
        options.add_column(ratio=1)
        options.add_column(style="dim", no_wrap=True)
        for option in view.options:
            label = Text(option.label)
            if option.consequence:
                label.append(f"\n→ {option.consequence}", style="italic dim")
            options.add_row(Text(option.id), label, Text(option.posture))
        parts.append(Padding(options, (0, 0, 1, 2)))
    if view.answers:
        parts.append(_section("Decisions recorded"))
        parts.append(Padding(render_answers(view.answers), (0, 0, 1, 0)))
    return Group(*parts)


def render_answers(answers: tuple[AnswerView, ...]) -> Table:
    """Every team's answer in its own column, side by side."""
    table = Table(expand=True, show_lines=False, header_style="bold", box=None, padding=(0, 1))
    table.add_column("", style="dim", no_wrap=True, width=9)
    for answer in answers:
        table.add_column(answer.team, ratio=1, overflow="fold")
    def row(label: str, values: list[Text | str]) -> None:
        """One line of the comparison: a label, then each team's value."""
        table.add_row(label, *values)

    row("Option", [Text(a.option or ("free text" if a.answered else "…awaited"), style="bold" if a.answered else "yellow") for a in answers])
    if any(a.waiting for a in answers):
        row("Status", [Text("sent by the team: y on the board confirms it", style="yellow") if a.waiting else Text("")
                       for a in answers])
    row("Said", [Text(a.text) for a in answers])
    row("Why", [Text(a.rationale) for a in answers])
    row("Dissent", [Text(a.dissent) for a in answers])
    row("When", [Text(a.when, style="dim") for a in answers])
    return table


class InjectCard(Static):
    """A Static that prints an :class:`InjectView`."""

    def __init__(self, *, id: str | None = None) -> None:
        """Starts empty until the app hands it a view."""
        super().__init__("", id=id)
        self.view: InjectView | None = None

    def show(self, view: InjectView) -> None:
        """Reprint when the view changed."""
        if view == self.view:
            return
        self.view = view
        self.update(render_card(view))
