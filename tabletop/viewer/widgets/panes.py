"""The reading panes of the team view: one inject, the situation, the brief, the team's own record.

Each pane is a `Static` that draws one part of a `TeamView` (the need-to-know
rule's answer) as Rich text; none of them reads the session, so none can show
more than the rule returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tabletop.need_to_know import InjectSeen, OwnDecision, TeamView
from tabletop.prose import hanging, prose
from tabletop.viewer.formatting import attachment_text, channel_text, closed_lines, offset_text, when_text


@dataclass(frozen=True)
class Submission:
    """Where the team's own decision on one inject stands, as the app read it from the session."""

    recorded: str = ""
    """'' (nothing yet), 'received', 'confirmed' (sent, then confirmed by the control cell), 'revised'
    (after a correction), 'facilitator' (entered by control) or 'waiting' (sent, for the control cell
    to confirm before it counts)."""
    closed: str = ""
    """Why no more submissions are taken ('' while they are): `TeamView.closed_on`, the rule the engine refuses by."""

    @property
    def text(self) -> str:
        """The status in a line, as the inject pane, the record and the decision form show it."""
        recorded = {
            "": "Nothing submitted yet",
            "received": "Received",
            "confirmed": "Received and confirmed by the control cell",
            "revised": "Received and revised",
            "facilitator": "Recorded by the facilitator",
            "waiting": "Sent; it counts once the control cell confirms it",
        }[self.recorded]
        if self.closed:
            return f"{recorded}; {self.closed}."
        return f"{recorded}; open to revision." if self.recorded else f"{recorded}."


def _section(title: str) -> Rule:
    return Rule(Text(title, style="bold"), align="left", style="dim")


def _body(text: str) -> Padding:
    return Padding(prose(text), (0, 0, 0, 2))


def _bullets(items: tuple[str, ...]) -> Group:
    return Group(*(hanging("•", item, 2) for item in items))


def _decision_text(decision: OwnDecision) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=9, style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    if decision.option:
        grid.add_row("  Chose", Text(f"{decision.option}: {decision.option_label or ''}"))
    else:
        grid.add_row("  Chose", Text("free text", style="italic"))
    for label, value in (("Said", decision.text), ("Why", decision.rationale), ("Dissent", decision.dissent)):
        if value:
            grid.add_row(f"  {label}", Text(value))
    return grid


def render_inject(
    view: TeamView, inject: InjectSeen, submission: Submission | None = None, actions: bool = False
) -> RenderableType:
    """One received inject, as the team reads it; with `actions`, which key submits the decision."""
    head = Text()
    head.append(f"{inject.inject}  ", style="bold")
    head.append(inject.title, style="bold underline" + (" strike" if inject.withdrawn else ""))
    if inject.withdrawn:
        head.append(f"\nWITHDRAWN by the control cell: {inject.withdrawn}. Set it aside; it no longer stands.",
                    style="bold red")
    meta = Text(style="dim")
    meta.append(when_text(inject))
    meta.append(f"\nFrom {inject.source}, by {channel_text(inject.channel)}")
    if inject.adhoc:
        meta.append(" (written by control during play)")
    parts: list[RenderableType] = [head, meta, Text(), prose(inject.body), *_attached(inject.attachments)]
    if inject.questions:
        parts += [Text(), _section("Discussion questions"), _bullets(inject.questions)]
    if inject.decision is not None:
        title = "Decision for your team" if inject.decision.asked else "Decision put to the deciding teams"
        parts += [Text(), _section(title), Padding(Text(inject.decision.prompt, style="bold"), (0, 0, 0, 2))]
        parts.append(_bullets(tuple(f"{o.id}: {o.label}" for o in inject.decision.options)))
        own = view.decision_on(inject.inject)
        if own is not None:
            parts += [Text("Your recorded decision", style="bold"), _decision_text(own)]
        waiting = view.waiting_on(inject.inject)
        if waiting is not None:
            parts += [Text("Your submission, waiting for the control cell", style="bold"), _decision_text(waiting)]
            own = own or waiting
        if inject.decision.asked and submission is not None:
            parts.append(Text(f"Status: {submission.text}", style="italic"))
        if inject.decision.asked and actions and (submission is None or not submission.closed):
            parts.append(Text("Press d to revise it." if own is not None else "Press d to submit your decision.", style="bold"))
        elif own is None and inject.inject in view.awaited:
            parts.append(Text("Your decision is awaited: tell the facilitator.", style="italic"))
    return Group(*parts)


def _attached(attachments: tuple[object, ...]) -> list[RenderableType]:
    """Attachments named, one line each: a terminal cannot draw a map."""
    return [Padding(Text(attachment_text(a), style="italic"), (0, 0, 0, 2)) for a in attachments]


class InjectPane(Static):
    """The inject highlighted in the inbox, in full."""

    def show(
        self, view: TeamView, inject: InjectSeen | None, submission: Submission | None = None, actions: bool = False
    ) -> None:
        """Draw the inject, or say that nothing has arrived."""
        if inject is None:
            message = "Nothing has been delivered to your team yet." if view.started else "Waiting for STARTEX."
            self.update(Text(message, style="italic"))
            return
        self.update(render_inject(view, inject, submission, actions))


class SituationPane(Static):
    """Every move opened so far: its situation update and its discussion questions."""

    def show(self, view: TeamView) -> None:
        """Draw the moves, latest last, as they were read to the room."""
        if not view.moves:
            self.update(Text("No move has opened yet.", style="italic"))
            return
        parts: list[RenderableType] = []
        for move in view.moves:
            parts.append(_section(f"{move.id}  {move.title}  (opened {offset_text(move.minute)})"))
            parts.append(_body(move.situation))
            parts.extend(_attached(move.attachments))
            if move.questions:
                parts += [Text("  Discussion questions", style="bold"), _bullets(move.questions)]
            parts.append(Text())
        self.update(Group(*parts))


class BriefPane(Static):
    """The team's own private brief, and who sits at its table."""

    def show(self, view: TeamView) -> None:
        """Draw the brief and the seats."""
        parts: list[RenderableType] = [_section("The exercise"), _body(view.summary), Text()]
        parts.append(_section(f"Private brief for {view.team_name}"))
        if view.members:
            parts.append(Padding(Text("Seated: " + ", ".join(view.members), style="dim"), (0, 0, 0, 2)))
        parts.append(_body(view.brief or "No private brief was written for your team."))
        parts.extend(_attached(view.brief_attachments))
        self.update(Group(*parts))


class RecordPane(Static):
    """What the team itself has on record: decisions and their status, questions to control, answers, forms."""

    def show(self, view: TeamView, submissions: Mapping[str, Submission] | None = None) -> None:
        """Draw each part, the team's own only (the view holds nothing else)."""
        submissions = submissions or {}
        parts: list[RenderableType] = [_section("Decisions")]
        if view.awaited:
            parts.append(Text("  Awaited from your team: " + ", ".join(view.awaited), style="bold"))
        for line in closed_lines(view):
            parts.append(Text(f"  Closed without your decision: {line}.", style="italic"))
        if not view.decisions and not view.waiting:
            parts.append(Text("  No decision of your team has been recorded yet.", style="italic"))
        shown = [*view.decisions, *(w for w in view.waiting if view.decision_on(w.inject) is None)]
        for decision in shown:
            parts.append(Text(f"  {decision.inject}  {decision.inject_title}  ({offset_text(decision.minute)})", style="bold"))
            parts.append(_decision_text(decision))
            waiting = view.waiting_on(decision.inject)
            if waiting is not None and waiting is not decision:
                parts.append(Text("  Sent since, waiting for the control cell:", style="bold"))
                parts.append(_decision_text(waiting))
            submission = submissions.get(decision.inject)
            if submission is not None:
                parts.append(Text(f"  Status: {submission.text}", style="italic"))
        parts += [Text(), _section("Questions to control")]
        if not view.rfis:
            parts.append(Text("  Your team has not asked control anything.", style="italic"))
        for rfi in view.rfis:
            about = f" on {rfi.inject}" if rfi.inject else ""
            parts.append(Text(f"  #{rfi.seq}{about} ({offset_text(rfi.minute)}): {rfi.text}"))
            if rfi.answers:
                parts.extend(Padding(Text(f"Control answered: {answer}"), (0, 0, 0, 4)) for answer in rfi.answers)
            else:
                parts.append(Padding(Text("Not answered yet.", style="italic"), (0, 0, 0, 4)))
        parts += [Text(), _section("Discussion answers")]
        if not view.answers:
            parts.append(Text("  No discussion answer kept yet.", style="italic"))
        for answer in view.answers:
            parts.append(Text(f"  {answer.move}: {answer.question}", style="bold"))
            parts.append(Padding(Text(answer.text), (0, 0, 0, 4)))
        if view.ended or view.feedback:
            parts += [Text(), _section("Feedback forms")]
            count = len(view.feedback)
            parts.append(Text(f"  Sent from your team: {count}." if count else "  None sent yet.", style="italic"))
        self.update(Group(*parts))
