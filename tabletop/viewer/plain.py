"""The team view as plain text: for printing, for screen readers, for scripts.

The same content as the terminal view, in the same order, rendered from the
same `TeamView`; it shows nothing the need-to-know rule did not return.
"""

from __future__ import annotations

import textwrap

from tabletop.need_to_know import InjectSeen, TeamView
from tabletop.viewer.formatting import (
    attachment_text,
    channel_text,
    closed_lines,
    offset_text,
    play_text,
    reflow,
    team_heading,
    when_text,
)

WIDTH = 78
"""Lines are wrapped to this width so the text prints on any page."""


def render_plain(view: TeamView, *, width: int = WIDTH) -> str:
    """The whole team view as text, newest inject first."""
    out: list[str] = []
    out.append(view.marking)
    out.append(f"{view.exercise_title} - team view for {team_heading(view)}")
    out.append(play_text(view))
    if view.awaited:
        out.append("Your decision is awaited on: " + ", ".join(view.awaited))
    for line in closed_lines(view):
        out.append(f"Closed without your decision: {line}")
    out.append("")

    out.extend(_heading("The exercise"))
    out.extend(_wrapped(view.summary, width, ""))
    out.append("")

    out.extend(_heading("Your brief"))
    if view.members:
        out.append("Seated: " + ", ".join(view.members))
    out.extend(_wrapped(view.brief or "No private brief was written for your team.", width, ""))
    for attachment in view.brief_attachments:
        out.extend(_wrapped(attachment_text(attachment), width, "  "))
    out.append("")

    out.extend(_heading("Situation"))
    if not view.moves:
        out.append("No move has opened yet.")
    for move in view.moves:
        out.append(f"{move.id}  {move.title}  (opened {offset_text(move.minute)})")
        out.extend(_wrapped(move.situation, width, "  "))
        for attachment in move.attachments:
            out.extend(_wrapped(attachment_text(attachment), width, "  "))
        if move.questions:
            out.append("  Discussion questions:")
            for question in move.questions:
                out.extend(_wrapped(question, width, "    - ", "      "))
        out.append("")
    if view.moves:
        out.pop()
    out.append("")

    out.extend(_heading(f"Injects received ({len(view.injects)}), newest first"))
    if not view.injects:
        out.append("Nothing has been delivered to your team yet.")
    for inject in view.newest_first:
        out.extend(_inject(view, inject, width))
        out.append("")
    if view.injects:
        out.pop()
    out.append("")

    out.extend(_heading("Your decisions"))
    if not view.decisions:
        out.append("No decision of your team has been recorded yet.")
    for decision in view.decisions:
        choice = f"{decision.option}: {decision.option_label}" if decision.option else "free text"
        out.append(f"{decision.inject}  {decision.inject_title}  ({offset_text(decision.minute)})")
        out.extend(_wrapped(f"Chose: {choice}", width, "  "))
        if decision.text:
            out.extend(_wrapped(f"Said: {decision.text}", width, "  "))
        if decision.rationale:
            out.extend(_wrapped(f"Why: {decision.rationale}", width, "  "))
        if decision.dissent:
            out.extend(_wrapped(f"Dissent: {decision.dissent}", width, "  "))
    out.append("")
    out.append(view.marking)
    return "\n".join(_fit(line, width) for line in out) + "\n"


def _fit(line: str, width: int) -> str:
    """A line longer than the page, wrapped under its own indentation."""
    if len(line) <= width:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return "\n".join(textwrap.wrap(line, width=width, subsequent_indent=indent + "  ")) or line


def _inject(view: TeamView, inject: InjectSeen, width: int) -> list[str]:
    lines = [f"[{inject.inject}] {inject.title}"]
    if inject.withdrawn:
        lines.extend(_wrapped(f"WITHDRAWN by the control cell: {inject.withdrawn}. Set it aside.", width, "  "))
    lines.append(f"  {when_text(inject)}")
    kind = ", ad hoc" if inject.adhoc else ""
    lines.append(f"  From: {inject.source}  Channel: {channel_text(inject.channel)}{kind}")
    lines.extend(_wrapped(inject.body, width, "  "))
    for attachment in inject.attachments:
        lines.extend(_wrapped(attachment_text(attachment), width, "  "))
    if inject.questions:
        lines.append("  Discussion questions:")
        for question in inject.questions:
            lines.extend(_wrapped(question, width, "    - ", "      "))
    if inject.decision is not None:
        asked = "Decision asked of your team" if inject.decision.asked else "Decision put to the deciding teams"
        lines.extend(_wrapped(f"{asked}: {inject.decision.prompt}", width, "  "))
        for option in inject.decision.options:
            lines.extend(_wrapped(f"{option.id}: {option.label}", width, "    - ", "      "))
        own = view.decision_on(inject.inject)
        if own is not None:
            choice = f"{own.option}: {own.option_label}" if own.option else own.text
            lines.extend(_wrapped(f"Your decision: {choice}", width, "  "))
        elif inject.inject in view.awaited:
            lines.append("  Your decision: awaited")
        elif inject.inject in dict(view.closed_unanswered):
            lines.extend(_wrapped(f"Your decision: none; closed: {view.closed_on(inject.inject)}", width, "  "))
    return lines


def _heading(title: str) -> list[str]:
    return [title.upper(), "=" * len(title)]


def _wrapped(text: str, width: int, first: str, rest: str | None = None) -> list[str]:
    """Wrap each paragraph of `text`, keeping the planner's line breaks."""
    rest = first if rest is None else rest
    lines: list[str] = []
    prefix = first
    for paragraph in reflow(text).splitlines() or [""]:
        wrapped = textwrap.wrap(paragraph, width=width, initial_indent=prefix, subsequent_indent=rest) or [prefix.rstrip()]
        lines.extend(wrapped)
        prefix = rest
    return lines
