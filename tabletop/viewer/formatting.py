"""How times and labels read in every face of the team view (terminal, text, browser).

Pure functions over values the engine and the need-to-know rule computed; no
Textual, no rule of the exercise.
"""

from __future__ import annotations

from typing import Any

from tabletop.need_to_know import InjectSeen, TeamView
from tabletop.wording import HARD_WRAP, in_world_text, offset_text, reflow  # noqa: F401 - shared with every face


def channel_text(channel: str) -> str:
    """A channel id as words: 'phone_call' reads 'phone call'."""
    return channel.replace("_", " ")


def when_text(inject: InjectSeen) -> str:
    """When an inject arrived: scenario offset and in-world time, and repeats if any."""
    text = offset_text(inject.minute)
    world = in_world_text(inject.in_world)
    if world:
        text = f"{text} ({world})" if text else world
    if inject.deliveries > 1:
        text += f", delivered {inject.deliveries} times, first at {offset_text(inject.first_minute)}"
    return text


def play_text(view: TeamView) -> str:
    """Where play stands, in a line: not started, the open move, or ended."""
    if not view.started:
        return "Play has not started yet (waiting for STARTEX)."
    move = view.current_move
    where = f"move {move.id}: {move.title}" if move is not None else "under way"
    if view.ended:
        return f"Play has ended (ENDEX); last {where}."
    return f"Play under way, {where}."


def closed_lines(view: TeamView) -> list[str]:
    """The decisions closed before the team answered them, one line per reason: 'SCS-05, SCS-09: the move
    it came in has ended; the control cell can still record a decision'. Said where 'awaited' would be."""
    by_why: dict[str, list[str]] = {}
    for inject, why in view.closed_unanswered:
        by_why.setdefault(why, []).append(inject)
    return [f"{', '.join(injects)}: {why}" for why, injects in by_why.items()]


def team_heading(view: TeamView) -> str:
    """'United States (US)', or with ', observers' for an observer cell."""
    label = f"{view.team_name} ({view.team_label})" if view.team_label != view.team_name else view.team_name
    return label + (", observers" if view.kind == "observer" else "")


def attachment_text(attachment: Any) -> str:
    """An attachment named for a terminal, where it cannot be drawn: 'Map: The NLL (maps/nll.svg)'.
    The team link shows it, and the printed packet carries it."""
    kind = "Document" if attachment.file.lower().endswith(".pdf") else "Map or image"
    caption = attachment.caption or attachment.file
    return f"{kind}: {caption} ({attachment.file}; shown on your team link)"
