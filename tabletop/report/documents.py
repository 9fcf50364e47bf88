"""The exercise documents printed before play: read-ahead, facilitator guide, EEGs, feedback form, cards.

Each document is one plain context built from the exercise alone and one
bundled template per format (`templates/docs/KIND.html.j2`, `KIND.md.j2`),
rendered with the report's environment, so they carry the same marking and
disclaimer as the AAR. Who may read a document decides what goes into its
context, here, and nowhere else: the Situation Manual is built from the
STARTEX packet of :mod:`tabletop.report.handouts` and the public parts of the
exercise, so a later move, a conditional inject, a note or another team's
brief cannot reach it through a template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tabletop.conditions import describe
from tabletop.model import (
    ALL,
    RATING_DEFINITIONS,
    AgendaKind,
    AllCondition,
    AnyCondition,
    ChoseCondition,
    Exercise,
    Inject,
    NotCondition,
    format_clock,
)
from tabletop.need_to_know import NotAParticipant, participant, participants
from tabletop.report.branch_map import branch_map
from tabletop.report.context import Context, attachment_uris, scenario_time, world_time
from tabletop.wording import minutes_text, team_labels, zone_name_text
from tabletop.report.handouts import inject_cards, team_handout
from tabletop.report.render import ReportError, render_template

KINDS = ("sitman", "facilitator", "evaluator", "feedback", "cards")
"""Documents `render_document` prints."""

TITLES = {
    "sitman": "Situation Manual",
    "facilitator": "Facilitator Guide",
    "evaluator": "Controller and Evaluator Handbook",
    "feedback": "Participant Feedback Form",
    "cards": "Inject Cards",
}
"""The name of each document on its cover."""

AUDIENCE = {
    "sitman": "Participants",
    "facilitator": "Facilitators and the control cell only",
    "evaluator": "Controllers and evaluators only",
    "feedback": "Participants, after the hot wash",
    "cards": "Control cell only: hand each card out when its inject is delivered",
}
"""Who may hold each document, printed under its title."""

DOC_FORMATS = ("html", "md", "pdf")
"""Formats every document is printed in."""

TEAM_KINDS = ("sitman", "cards")
"""Documents that can be printed for one team."""


def _common(exercise: Exercise, kind: str) -> Context:
    return {
        "kind": kind,
        "doc_title": TITLES[kind],
        "audience": AUDIENCE[kind],
        "title": exercise.title,
        "version": exercise.version,
        "marking": exercise.marking,
        "disclaimer": exercise.disclaimer or "",
        "summary": exercise.summary,
        "sponsor": exercise.sponsor or "",
        "point_of_contact": exercise.point_of_contact or "",
        "world_start": world_time(exercise, 0),
        "timezone": zone_name_text(exercise.setting.timezone),
        "location": exercise.setting.location or "",
        "duration": minutes_text(exercise.duration),
        "for_team": "",
    }


def agenda_rows(exercise: Exercise, *, scripts: bool) -> list[Context]:
    """The agenda in wall-clock times; the facilitator's script only when `scripts` is set."""
    if exercise.agenda is None:
        return []
    rows = []
    clock = exercise.agenda.start
    for item in exercise.agenda.items:
        row = {
            "start": format_clock(clock),
            "start_minute": clock,
            "end": format_clock(clock + item.minutes),
            "minutes": item.minutes,
            "title": item.title,
            "kind": "break" if item.kind == AgendaKind.break_ else item.kind.value,
            "move": item.move or "",
        }
        if scripts:
            row["script"] = item.script or ""
        rows.append(row)
        clock += item.minutes
    return rows


def sitman_context(exercise: Exercise, team: str | None = None) -> Context:
    """The read-ahead: what participants know at STARTEX, for one team or for every participant team.

    Ground rules, background, glossary, references, objectives (without their
    evaluation criteria), the agenda without scripts, and the first move as
    every participant hears it. For one team, its STARTEX packet instead (its
    own brief, its members, and its questions on the first move); without a
    team no private brief is in it, since the copy goes to every table.
    Nothing else of the exercise.
    """
    try:
        teams = [participant(exercise, team)] if team is not None else participants(exercise)
    except NotAParticipant as error:
        raise ReportError(str(error)) from None
    context = _common(exercise, "sitman")
    context.update(
        {
            "for_team": teams[0].name if team is not None else "",
            "background": exercise.background or "",
            "ground_rules": list(exercise.ground_rules),
            "glossary": [{"term": g.term, "meaning": g.meaning} for g in exercise.glossary],
            "references": [{"title": r.title, "url": r.url or "", "note": r.note or ""} for r in exercise.references],
            "objectives": [{"id": o.id, "text": o.text, "capability": o.capability or ""} for o in exercise.objectives],
            "agenda": agenda_rows(exercise, scripts=False),
            "teams": [{"label": t.label, "name": t.name, "kind": t.kind.value} for t in participants(exercise)],
            "packets": [team_handout(exercise, t.id) for t in teams] if team is not None else [_public_packet(exercise)],
        }
    )
    return context


def _public_packet(exercise: Exercise) -> Context:
    """The first move as every participant hears it: no brief, no members, only the questions put to all."""
    first = exercise.moves[0]
    packet = team_handout(exercise, participants(exercise)[0].id)
    packet.update({"team": "", "label": "", "name": "Every participant team", "members": [], "brief": "",
                   "brief_attachments": []})
    packet["moves"] = [{**packet["moves"][0], "questions": list(first.questions.get(ALL, []))}]
    return packet


def _opened_by(exercise: Exercise) -> dict[tuple[str, str], list[str]]:
    """(inject, option) to what a choice of it makes live: conditional injects and situation variants."""
    opened: dict[tuple[str, str], list[str]] = {}

    def walk(condition: Any, what: str) -> None:
        for part in _atoms(condition):
            if isinstance(part, ChoseCondition):
                opened.setdefault((part.chose.inject, part.chose.option), []).append(what)

    for inject in exercise.all_injects():
        if inject.condition is not None:
            walk(inject.condition, f"inject {inject.id}")
    for move in exercise.moves:
        for index, variant in enumerate(move.situation_variants):
            walk(variant.when, f"move {move.id} situation variant {index + 1}")
    return opened


def _atoms(condition: Any) -> list[Any]:
    """The leaves of a condition (chose, decided, delivered), through all, any and not."""
    match condition:
        case AllCondition(all=parts) | AnyCondition(any=parts):
            return [a for part in parts for a in _atoms(part)]
        case NotCondition(not_=inner):
            return _atoms(inner)
    return [condition]


def _inject_for_control(exercise: Exercise, inject: Inject, opened: dict[tuple[str, str], list[str]]) -> Context:
    decision = None
    if inject.decision is not None:
        decision = {
            "prompt": inject.decision.prompt,
            "deciders": team_labels(exercise, exercise.deciders(inject)),
            "options": [
                {
                    "id": o.id,
                    "label": o.label,
                    "posture": o.posture.value,
                    "consequence": o.consequence or "",
                    "opens": opened.get((inject.id, o.id), []),
                }
                for o in inject.decision.options
            ],
        }
    return {
        "id": inject.id,
        "time": scenario_time(inject.at),
        "world": world_time(exercise, inject.at),
        "title": inject.title,
        "source": inject.source,
        "channel": inject.channel.value.replace("_", " "),
        "to": team_labels(exercise, exercise.recipients(inject)),
        "body": inject.body,
        "condition": describe(inject.condition) if inject.condition is not None else "",
        "notes": inject.notes or "",
        "expected": [{"team": team_labels(exercise, [t])[0], "text": text} for t, text in inject.expected.items()],
        "questions": list(inject.questions),
        "objectives": list(inject.objectives),
        "decision": decision,
    }


def _wall(exercise: Exercise, slot: Context | None, move: Any, inject: Inject) -> str:
    """The wall-clock time an inject falls due in its agenda slot, played at scenario speed."""
    if slot is None or inject.at is None or exercise.agenda is None:
        return ""
    return format_clock(slot["start_minute"] + inject.at - exercise.move_start(move))


def facilitator_context(exercise: Exercise) -> Context:
    """The facilitator guide: agenda with scripts, each move with its openings, injects, branches, contingencies."""
    opened = _opened_by(exercise)
    slots = {row["move"]: row for row in agenda_rows(exercise, scripts=True) if row["move"]}
    moves = []
    for move in exercise.moves:
        slot = slots.get(move.id)
        moves.append(
            {
                "id": move.id,
                "title": move.title,
                "opens": scenario_time(exercise.move_start(move)),
                "slot": f"{slot['start']}–{slot['end']}" if slot else "",
                "script": slot["script"] if slot else "",
                "situation": move.situation,
                "variants": [{"when": describe(v.when), "text": v.text} for v in move.situation_variants],
                "questions": [
                    {"to": "All teams" if key == "all" else team_labels(exercise, [key])[0], "items": list(items)}
                    for key, items in move.questions.items()
                ],
                "injects": [
                    {**_inject_for_control(exercise, i, opened), "wall": _wall(exercise, slot, move, i)}
                    for i in move.injects
                ],
            }
        )
    context = _common(exercise, "facilitator")
    context.update(
        {
            "agenda": agenda_rows(exercise, scripts=True),
            "ground_rules": list(exercise.ground_rules),
            "teams": [{"label": t.label, "name": t.name, "kind": t.kind.value, "brief": t.brief or ""}
                      for t in exercise.teams],
            "moves": moves,
            "contingencies": [_inject_for_control(exercise, i, opened) for i in exercise.contingencies],
            "hotwash_questions": list(exercise.hotwash_questions),
            "branch_map": branch_map(exercise),
        }
    )
    return context


def evaluator_context(exercise: Exercise) -> Context:
    """The controller/evaluator handbook: one Exercise Evaluation Guide per objective."""
    guides = []
    for objective in exercise.objectives:
        injects = [i for i in exercise.all_injects() if objective.id in i.objectives]
        guides.append(
            {
                "id": objective.id,
                "text": objective.text,
                "capability": objective.capability or "",
                "critical_tasks": list(objective.criteria.critical_tasks) if objective.criteria else [],
                "look_for": list(objective.criteria.look_for) if objective.criteria else [],
                "injects": [
                    {"id": i.id, "time": scenario_time(i.at) or "contingency", "title": i.title,
                     "expected": [{"team": team_labels(exercise, [t])[0], "text": x} for t, x in i.expected.items()]}
                    for i in injects
                ],
            }
        )
    context = _common(exercise, "evaluator")
    context.update(
        {
            "guides": guides,
            "ratings": [{"code": code, "text": text} for code, text in RATING_DEFINITIONS.items()],
            "agenda": agenda_rows(exercise, scripts=False),
        }
    )
    return context


FEEDBACK_STATEMENTS = (
    "The exercise was well structured and organised.",
    "The scenario was plausible and realistic.",
    "The facilitator kept the discussion focused and on time.",
    "The documents I received before the exercise prepared me for it.",
    "Participating helped me understand my organisation's role in this kind of incident.",
    "I know what my organisation should change after this exercise.",
)
"""Statements participants rate from 1 (strongly disagree) to 5 (strongly agree), after HSEEP's form."""


def feedback_context(exercise: Exercise) -> Context:
    """The participant feedback form: ratings per objective and overall, the hot-wash questions, open questions."""
    context = _common(exercise, "feedback")
    context.update(
        {
            "teams": [{"label": t.label, "name": t.name} for t in participants(exercise)],
            "objectives": [{"id": o.id, "text": o.text} for o in exercise.objectives],
            "statements": list(FEEDBACK_STATEMENTS),
            "hotwash_questions": list(exercise.hotwash_questions),
        }
    )
    return context


def cards_context(exercise: Exercise, team: str | None = None) -> Context:
    """The control cell's deck: an index with each inject's condition, then one card per inject."""
    if team is not None:
        try:
            participant(exercise, team)
        except NotAParticipant as error:
            raise ReportError(str(error)) from None
    cards = inject_cards(exercise, team)
    conditions = {
        i.id: describe(i.condition) if i.condition is not None else "" for i in exercise.all_injects()
    }
    context = _common(exercise, "cards")
    context.update(
        {
            "for_team": participant(exercise, team).name if team is not None else "",
            "cards": cards,
            "index": [
                {"id": c["id"], "time": c["time"] or "when control decides", "to": c["to"], "title": c["title"],
                 "condition": conditions.get(c["id"], "")}
                for c in cards
            ],
        }
    )
    return context


def document_context(exercise: Exercise, kind: str, team: str | None = None) -> Context:
    """The context of one document; ReportError for an unknown kind or a team the document cannot take."""
    if kind not in KINDS:
        raise ReportError(f"unknown document {kind!r} (documents: {', '.join(KINDS)})")
    if team is not None and kind not in TEAM_KINDS:
        raise ReportError(f"the {TITLES[kind].lower()} is one document for the whole exercise; "
                          f"--team works with: {', '.join(TEAM_KINDS)}")
    if kind == "sitman":
        return sitman_context(exercise, team)
    if kind == "cards":
        return cards_context(exercise, team)
    return {"facilitator": facilitator_context, "evaluator": evaluator_context,
            "feedback": feedback_context}[kind](exercise)


def render_document(*, exercise: Exercise, kind: str, fmt: str = "html", team: str | None = None,
                    paper: str = "a4", files: Callable[[str], bytes | None] | None = None) -> str | bytes:
    """One document as HTML or Markdown text, or PDF bytes printed from the HTML; `files` reads an
    attached file, so its maps are drawn on the page (without it, and in Markdown, they are named)."""
    if fmt not in DOC_FORMATS:
        raise ReportError(f"unknown document format {fmt!r} (formats: {', '.join(DOC_FORMATS)})")
    context = document_context(exercise, kind, team)
    context["files"] = attachment_uris(exercise, files) if files is not None and fmt != "md" else {}
    if fmt == "md":
        return render_template(f"docs/{kind}.md.j2", context)
    html = render_template(f"docs/{kind}.html.j2", context)
    if fmt == "pdf":
        from tabletop.report.pdf import html_to_pdf

        return html_to_pdf(html, paper=paper)
    return html
