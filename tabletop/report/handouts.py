"""Participant packets and printable inject cards, printed from the exercise before play.

What a team may hold on paper is decided in one place, :func:`team_handout`,
which asks the need-to-know rule (`tabletop.need_to_know`) for every inject
card, so a packet can never carry a facilitator note, an expected action, an
option's posture or consequence, or another team's private brief. The
facilitator's deck of cards is the union of what the recipients of each
inject may see, so it is built from the same function.

A packet holds only what its team knows at STARTEX (its brief and the first
move), never a later move or a card of an inject that may never fire. Without
`--team`, the output is ONE document: a packet per participant team (players,
then observers, in file order), each starting on a new page, then the control
cell's deck of inject cards, one card per inject, in MSEL order, to hand out
at delivery.
"""

from __future__ import annotations

from collections.abc import Callable

from tabletop.conditions import situation_for
from tabletop.model import ALL, Exercise, Inject, Move, TeamKind
from tabletop.need_to_know import NotAParticipant, inject_handout, participant, participants
from tabletop.report.context import Context, attachment_items, attachment_uris, scenario_time, world_time
from tabletop.wording import presentation_lines, zone_name_text
from tabletop.wording import team_labels
from tabletop.report.render import FORMATS, ReportError, render_template

HANDOUT_FORMATS = ("html", "pdf")
"""Formats `render_handouts` writes."""


class _NoFacts:
    """The facts at STARTEX: nothing delivered, nothing decided."""

    def was_delivered(self, inject_id: str) -> bool:
        """Nothing has been delivered before play."""
        return False

    def choices(self, inject_id: str) -> dict[str, str | None]:
        """Nothing has been decided before play."""
        return {}


def opening_situation(move: Move) -> str:
    """The situation a move opens with when nothing has been played yet (the first move at STARTEX)."""
    return situation_for(move, _NoFacts())[0]


def team_handout(exercise: Exercise, team_id: str) -> Context:
    """Everything team `team_id` may hold on paper before play, as plain data: the one filter of packets.

    Only what the team knows at STARTEX: its own brief and members, and the
    first move's situation with the discussion questions for the team and for
    all. Later moves open with text that depends on play, and an inject card is
    handed over when the inject is delivered (some never are), so neither is
    in a packet. Raises ReportError for an unknown team or the control cell.
    """
    try:
        team = participant(exercise, team_id)
    except NotAParticipant as error:
        raise ReportError(str(error)) from None
    first = exercise.moves[0]
    questions = [q for key in (ALL, team.id) for q in first.questions.get(key, [])]
    moves = [
        {
            "id": first.id,
            "title": first.title,
            "situation": opening_situation(first),
            "attachments": attachment_items(first.attachments),
            "questions": questions,
            "opens": scenario_time(exercise.move_start(first)),
        }
    ]
    return {
        "team": team.id,
        "label": team.label,
        "name": team.name,
        "kind": team.kind.value,
        "members": list(team.members),
        "brief": team.brief or "",
        "brief_attachments": attachment_items(team.brief_attachments),
        "moves": moves,
    }


def inject_card(exercise: Exercise, inject: Inject) -> Context:
    """The card of one inject as its recipients may read it, for the control cell to hand out at delivery.

    Built from the need-to-know view of the first participant recipient (every
    recipient sees the same participant fields), so a card never carries a note,
    an expected action, a posture or a consequence.
    """
    readers = [t for t in exercise.recipients(inject) if exercise.team(t) is not None
               and exercise.team(t).kind != TeamKind.control]  # type: ignore[union-attr]
    if not readers:
        raise ReportError(f"inject {inject.id!r} is addressed to no participant team")
    seen = inject_handout(exercise, inject.id, readers[0])
    recipients = [t for t in exercise.recipients(inject) if exercise.team(t) is not None]
    return {
        "id": seen.inject,
        "title": seen.title,
        "body": seen.body,
        "source": seen.source,
        "channel": seen.channel.replace("_", " "),
        "move": seen.move or "",
        "contingency": seen.move is None,
        "conditional": inject.condition is not None,
        "time": scenario_time(inject.at),
        "world": world_time(exercise, inject.at),
        "to": team_labels(exercise, recipients),
        "questions": list(seen.questions),
        "attachments": attachment_items(seen.attachments),
        "header": [{"label": k, "text": v} for k, v in presentation_lines(seen.header)],
        "decision": (
            {
                "prompt": seen.decision.prompt,
                "options": [{"id": o.id, "label": o.label} for o in seen.decision.options],
                "deciders": team_labels(exercise, exercise.deciders(inject)),
            }
            if seen.decision is not None
            else None
        ),
    }


def inject_cards(exercise: Exercise, team: str | None = None) -> list[Context]:
    """The control cell's deck, in MSEL order: every inject (or those addressed to `team`)."""
    return [
        inject_card(exercise, inject)
        for inject in exercise.all_injects()
        if (team is None or team in exercise.recipients(inject))
        and any(exercise.team(t) is not None and exercise.team(t).kind != TeamKind.control  # type: ignore[union-attr]
                for t in exercise.recipients(inject))
    ]


def handouts_context(exercise: Exercise, team: str | None = None) -> Context:
    """The handout document's context: packets (one, or one per participant) and, for control, the cards.

    With a team, the document is that team's packet alone: the deck of cards is
    the control cell's and is never printed into a team's hands.
    """
    if team is not None:
        packets = [team_handout(exercise, team)]
        cards: list[Context] = []
    else:
        packets = [team_handout(exercise, t.id) for t in participants(exercise)]
        cards = inject_cards(exercise)
    return {
        "title": exercise.title,
        "marking": exercise.marking,
        "disclaimer": exercise.disclaimer or "",
        "summary": exercise.summary,
        "version": exercise.version,
        "world_start": world_time(exercise, 0),
        "timezone": zone_name_text(exercise.setting.timezone),
        "location": exercise.setting.location or "",
        "teams": [{"label": t.label, "name": t.name, "kind": t.kind.value} for t in participants(exercise)],
        "packets": packets,
        "cards": cards,
        "for_team": packets[0]["label"] if team is not None else "",
    }


def render_handouts(*, exercise: Exercise, fmt: str = "html", team: str | None = None, paper: str = "a4",
                    files: Callable[[str], bytes | None] | None = None) -> str | bytes:
    """The handout document as HTML text or PDF bytes; `files` reads an attached file (its maps are
    drawn on the page; without it they are named)."""
    if fmt not in HANDOUT_FORMATS:
        known = ", ".join(f for f in FORMATS if f in HANDOUT_FORMATS)
        raise ReportError(f"unknown handout format {fmt!r} (formats: {known})")
    context = handouts_context(exercise, team)
    context["files"] = attachment_uris(exercise, files) if files is not None else {}
    html = render_template("handouts.html.j2", context)
    if fmt == "pdf":
        from tabletop.report.pdf import html_to_pdf

        return html_to_pdf(html, paper=paper)
    return html
