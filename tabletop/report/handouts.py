"""Participant packets and printable inject cards, printed from the exercise before play.

What a team may hold on paper is decided in one place, :func:`team_handout`,
which asks the need-to-know rule (`tabletop.need_to_know`) for every inject
card, so a packet can never carry a facilitator note, an expected action, an
option's posture or consequence, or another team's private brief. The
facilitator's deck of cards is the union of what the recipients of each
inject may see, so it is built from the same function.

Without `--team`, the output is ONE document: a packet per participant team
(players, then observers, in file order), each starting on a new page, then
the deck of inject cards, one card per inject, in MSEL order.
"""

from __future__ import annotations

from typing import Any

from tabletop.model import ALL, Exercise
from tabletop.need_to_know import NotAParticipant, inject_handout, participant, participants
from tabletop.report.context import Context, scenario_time, team_labels, world_time
from tabletop.report.render import FORMATS, ReportError, render_template

HANDOUT_FORMATS = ("html", "pdf")
"""Formats `render_handouts` writes."""


def team_handout(exercise: Exercise, team_id: str) -> Context:
    """Everything team `team_id` may hold on paper, as plain data: the one need-to-know filter of handouts.

    Its own brief and members, the situation update of every move with the
    discussion questions for the team and for all, and a card for each inject
    addressed to it. Raises ReportError for an unknown team or the control cell.
    """
    try:
        team = participant(exercise, team_id)
    except NotAParticipant as error:
        raise ReportError(str(error)) from None
    moves = []
    for move in exercise.moves:
        questions = [q for key in (ALL, team.id) for q in move.questions.get(key, [])]
        moves.append(
            {
                "id": move.id,
                "title": move.title,
                "situation": move.situation,
                "questions": questions,
                "opens": scenario_time(exercise.move_start(move)),
            }
        )
    cards = []
    for inject in exercise.all_injects():
        if team.id not in exercise.recipients(inject):
            continue
        seen = inject_handout(exercise, inject.id, team.id)
        recipients = [t for t in exercise.recipients(inject) if exercise.team(t) is not None]
        cards.append(
            {
                "id": seen.inject,
                "title": seen.title,
                "body": seen.body,
                "source": seen.source,
                "channel": seen.channel.replace("_", " "),
                "move": seen.move or "",
                "contingency": seen.move is None,
                "time": scenario_time(inject.at),
                "world": world_time(exercise, inject.at),
                "to": team_labels(exercise, recipients),
                "questions": list(seen.questions),
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
        )
    return {
        "team": team.id,
        "label": team.label,
        "name": team.name,
        "kind": team.kind.value,
        "members": list(team.members),
        "brief": team.brief or "",
        "moves": moves,
        "cards": cards,
    }


def handouts_context(exercise: Exercise, team: str | None = None) -> Context:
    """The handout document's context: packets (one, or one per participant) and the cards to print."""
    if team is not None:
        packets = [team_handout(exercise, team)]
        cards = packets[0]["cards"]
    else:
        packets = [team_handout(exercise, t.id) for t in participants(exercise)]
        by_id: dict[str, dict[str, Any]] = {}
        for packet in packets:
            for card in packet["cards"]:
                by_id.setdefault(card["id"], card)
        order = [i.id for i in exercise.all_injects()]
        cards = [by_id[i] for i in order if i in by_id]
    return {
        "title": exercise.title,
        "marking": exercise.marking,
        "disclaimer": exercise.disclaimer or "",
        "summary": exercise.summary,
        "version": exercise.version,
        "world_start": world_time(exercise, 0),
        "timezone": exercise.setting.timezone,
        "location": exercise.setting.location or "",
        "teams": [{"label": t.label, "name": t.name, "kind": t.kind.value} for t in participants(exercise)],
        "packets": packets,
        "cards": cards,
        "for_team": packets[0]["label"] if team is not None else "",
    }


def render_handouts(*, exercise: Exercise, fmt: str = "html", team: str | None = None, paper: str = "a4") -> str | bytes:
    """The handout document as HTML text or PDF bytes."""
    if fmt not in HANDOUT_FORMATS:
        known = ", ".join(f for f in FORMATS if f in HANDOUT_FORMATS)
        raise ReportError(f"unknown handout format {fmt!r} (formats: {known})")
    html = render_template("handouts.html.j2", handouts_context(exercise, team))
    if fmt == "pdf":
        from tabletop.report.pdf import html_to_pdf

        return html_to_pdf(html, paper=paper)
    return html
