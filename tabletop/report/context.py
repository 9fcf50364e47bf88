"""The after-action report's one context: a session's record turned into plain data.

Every template (HTML, Markdown, a planner's own) reads the same dict, built
here once from the session state. It holds only strings, numbers, booleans,
lists and dicts, so it survives a JSON round trip unchanged and can be handed
to a sandboxed template with nothing callable inside. Corrections are already
applied (the state's records are the corrected ones); the corrections
themselves are listed for the appendix.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tabletop import __version__
from tabletop.clock import build_time, clock_use
from tabletop.conditions import describe as describe_condition
from tabletop.events import (
    AdhocEvent,
    CorrectedEvent,
    DecidedEvent,
    DeliveredEvent,
    EndedEvent,
    EventBase,
    FeedbackEvent,
    HeldEvent,
    HotwashEvent,
    FEEDBACK_QUESTIONS,
    HotwashKind,
    JumpedEvent,
    LockedEvent,
    MoveAdvancedEvent,
    NoteEvent,
    ObservedEvent,
    PausedEvent,
    RateChangedEvent,
    ResumedEvent,
    RfiEvent,
    RfiReplyEvent,
    RuledEvent,
    SkippedEvent,
    StartedEvent,
    SubmissionModeEvent,
    SubmittedEvent,
    TeamAnswerEvent,
    payload_fields,
)
from tabletop.model import RATING_DEFINITIONS, Exercise, Inject, Option, Posture, TeamKind, format_offset
from tabletop.report.charts import Lane, activity_chart
from tabletop.need_to_know import presentation_header
from tabletop.state import InjectStatus, MselRow, SessionState
from tabletop.wording import clock_use_text, counted, minutes_text, presentation_lines, rate_text, zone_name_text


Context = dict[str, Any]
"""The report context: plain JSON-ready data, nothing callable."""

RATING_NAMES = {
    "P": "Performed without challenges",
    "S": "Performed with some challenges",
    "M": "Performed with major challenges",
    "U": "Unable to be performed",
}
"""Short HSEEP names of the ratings, for table headers and legends."""

RATING_ORDER = ("P", "S", "M", "U")
"""Best to worst."""

POSTURE_MATRIX_TEXT = (
    "What each team chose, move by move (each team's latest answer per inject), by how the option acts: "
    "jointly with others, by national means, as a public position, or by deferring. Cells are shaded by the "
    "posture chosen most often (a tie is left unshaded). The words describe; they do not rate a choice."
)
"""What the posture matrix shows, said once for every format of the report."""

POSTURES = tuple(p.value for p in Posture)
"""Posture names in the order the matrix and the chart use."""

FREE_TEXT = "free text"
"""Posture shown for a decision given in the team's own words, with no option."""

CONDENSE_ABOVE = 500
"""Records with more decisions and deliveries than this get the condensed report by default."""

CONDENSED_INJECT_LIMIT = 15
"""At most this many injects are detailed in a condensed report (divergent or ruled-on ones first)."""

DETAILS = ("auto", "full", "condensed")
"""How much the report details: everything, the condensed view of a very large record, or chosen by size."""

IMPROVEMENT_ELEMENTS = "Planning, Organization, Equipment, Training, Exercises"
"""HSEEP capability elements a corrective action is classed under (shown as a legend)."""

STATUS_LABELS = {
    "delivered": "delivered",
    "held": "held",
    "skipped": "skipped",
    "adhoc": "ad hoc",
    "not_played": "not played",
    "pending": "not yet delivered",
    "unused": "not used",
    "inactive": "condition not met",
}
"""How the appendix names what became of a planned inject: 'not played' is for one whose move closed
(or play ended) without it, 'not yet delivered' for a scheduled one still to come while play goes on,
'not used' for a contingency left in reserve (it is fired only when the facilitator chooses, never due)."""


class SessionLike(Protocol):
    """What the report needs of an open session: its exercise and its replayed state."""

    @property
    def exercise(self) -> Exercise:
        """The exercise the session plays."""

    @property
    def state(self) -> SessionState:
        """The fold of every event so far."""


def attachment_items(attachments: Iterable[Any]) -> list[Context]:
    """Attachments as plain data for the printed faces: the file, its caption, whether it is a PDF
    (named, not drawn: a page cannot embed another PDF)."""
    return [{"file": a.file, "caption": a.caption or "", "pdf": a.file.lower().endswith(".pdf")}
            for a in attachments]


def attachment_uris(exercise: Exercise, read: Any) -> dict[str, str]:
    """Every image the exercise attaches as a data: URI, from `read(file)` (bytes or None), so a
    printed page carries its maps and needs nothing beside it. PDFs are left out."""
    from tabletop.attachments import attachment_places, data_uri

    uris: dict[str, str] = {}
    for _, attachment in attachment_places(exercise):
        if attachment.file in uris or attachment.file.lower().endswith(".pdf"):
            continue
        data = read(attachment.file)
        if data is not None:
            uris[attachment.file] = data_uri(attachment.file, data)
    return uris


def session_context(
    session: SessionLike, *, name: str = "", generated_at: datetime | None = None, detail: str = "auto"
) -> Context:
    """The report context of an open session (see :func:`build_context`), with the maps the session
    file keeps as data: URIs so the printed report draws them."""
    context = build_context(session.exercise, session.state, name=name, generated_at=generated_at, detail=detail)
    read = getattr(session, "attachment", None)
    if read is not None:
        context["files"] = attachment_uris(session.exercise, read)
    return context


def build_context(
    exercise: Exercise,
    state: SessionState,
    *,
    name: str = "",
    generated_at: datetime | None = None,
    detail: str = "auto",
) -> Context:
    """Everything the after-action report shows, as plain data.

    `name` is how the session is called on the cover (its file name);
    `generated_at` is stamped on the cover (default: now, UTC). `detail`
    'condensed' (chosen by 'auto' when the record holds more than
    CONDENSE_ABOVE decisions and deliveries) leaves routine decisions and
    deliveries out of the timeline, details only the injects where teams
    diverged or control ruled, and lists only the MSEL rows not delivered as
    planned, so a record of thousands of events still prints in seconds.
    """
    if detail not in DETAILS:
        raise ValueError(f"unknown detail {detail!r} (details: {', '.join(DETAILS)})")
    if detail == "auto":
        size = len(state.decisions) + len(state.deliveries)
        detail = "condensed" if size > CONDENSE_ABOVE else "full"
    return _Builder(exercise, state, name, generated_at or build_time(), detail == "condensed").build()


# Formatting shared by the builder and by other report modules


@functools.lru_cache(maxsize=8192)
def scenario_time(minute: float | None) -> str:
    """Scenario time as the planner writes it, `+01:20`; empty when unknown (cached: reports ask for the same minutes often)."""
    if minute is None:
        return ""
    return format_offset(int(minute + 1e-6))


def wall_time(at: datetime | None, *, date: bool = False) -> str:
    """A wall-clock instant in UTC, `09:41:07` or `2030-01-01 09:41 UTC`."""
    if at is None:
        return ""
    utc = at.astimezone(timezone.utc)
    if date:
        return utc.strftime("%Y-%m-%d %H:%M UTC")
    return f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"


def world_time(exercise: Exercise, minute: float | None) -> str:
    """The in-story date and time at a scenario minute, in the scenario's time zone."""
    if minute is None:
        return ""
    start = exercise.setting.start
    when = start + timedelta(minutes=float(minute))
    try:
        when = when.astimezone(ZoneInfo(exercise.setting.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        pass
    return when.strftime("%d %b %H:%M")


class _Builder:
    """Walks the state once per part of the report; kept as one object so lookups are shared."""

    def __init__(self, exercise: Exercise, state: SessionState, name: str, generated_at: datetime, condensed: bool) -> None:
        self.condensed = condensed
        self.ex = exercise
        self.state = state
        self.name = name
        self.generated_at = generated_at
        self.players = [t for t in exercise.teams if t.kind == TeamKind.player]
        self.end_minute = self._end_minute()
        self.rows: list[MselRow] = state.msel(self.end_minute)
        self.decisions: list[DecidedEvent] = state.decisions
        self.rulings: list[RuledEvent] = state.rulings
        self.notes: list[NoteEvent] = state.notes
        self.observations: list[ObservedEvent] = state.observations
        self.hotwash: list[HotwashEvent] = state.hotwash
        self.adhoc: dict[str, AdhocEvent] = {a.inject: a for a in state.adhoc_injects}
        self.by_inject_rulings: dict[str, list[RuledEvent]] = {}
        for ruling in self.rulings:
            if ruling.inject:
                self.by_inject_rulings.setdefault(ruling.inject, []).append(ruling)
        self.by_inject_notes: dict[str, list[NoteEvent]] = {}
        for note in self.notes:
            if note.inject:
                self.by_inject_notes.setdefault(note.inject, []).append(note)
        self.move_of: dict[str, str | None] = {row.inject: row.move for row in self.rows}
        self.injects: dict[str, Inject] = {i.id: i for i in exercise.all_injects()}
        self.labels: dict[str, str] = {t.id: t.label for t in exercise.teams}
        self.options: dict[tuple[str, str], Option] = {
            (i.id, o.id): o for i in self.injects.values() if i.decision is not None for o in i.decision.options
        }
        self.worlds: dict[float, str] = {}
        self.holds: dict[str, HeldEvent] = {e.inject: e for e in state.records("held")}  # type: ignore[attr-defined]
        """Per inject: its last hold standing (a hold taken back is not one)."""
        self.deliveries_of: dict[str, list[Any]] = {}
        for delivery in state.deliveries:
            self.deliveries_of.setdefault(delivery.inject, []).append(delivery)

    def _end_minute(self) -> float:
        if self.state.ended is not None:
            return self.state.ended.minute
        return max((e.minute for e in self.state.events), default=0.0)

    # Small views

    def label(self, team_id: str) -> str:
        """A team's short name (see :func:`tabletop.wording.team_label`), from the builder's index."""
        return self.labels.get(team_id, team_id)

    def label_list(self, team_ids: Iterable[str]) -> list[str]:
        """Short names of several teams, in order."""
        labels = self.labels
        return [labels.get(t, t) for t in team_ids]

    def world(self, minute: float | None) -> str:
        """:func:`world_time` of the builder's exercise, computed once per minute."""
        if minute is None:
            return ""
        text = self.worlds.get(minute)
        if text is None:
            text = self.worlds[minute] = world_time(self.ex, minute)
        return text

    def posture_of(self, decision: DecidedEvent) -> str:
        if decision.option:
            option = self.options.get((decision.inject, decision.option))
            if option is not None:
                return option.posture.value
        return FREE_TEXT

    def option_label(self, decision: DecidedEvent) -> str:
        if decision.option:
            option = self.options.get((decision.inject, decision.option))
            if option is not None:
                return option.label
        return decision.option or ""

    def revision_of(self, decision: DecidedEvent) -> CorrectedEvent | None:
        """The correction the standing decision reads as (a team's revision, a facilitator's fix), if any."""
        replacing = [c for c in self.state.corrections_of(decision.seq) if c.replacement is not None]
        return replacing[-1] if replacing else None

    def decision_view(self, decision: DecidedEvent) -> dict[str, Any]:
        """A decision as it stands, with when it was recorded so: a revised one at its revision, and when first."""
        revision = self.revision_of(decision)
        standing = revision if revision is not None else decision
        scenario, wall = scenario_time(standing.minute), wall_time(standing.at)
        first_scenario, first_wall = scenario_time(decision.minute), wall_time(decision.at)
        recorded = f"{scenario} ({wall} UTC)"
        if revision is not None:
            original = self.state.event(decision.seq)
            first_team = getattr(original, "team", decision.team)
            moved = first_team != decision.team
            first_as = f" under {self.label(first_team)}" if moved else ""
            what = "corrected to this team" if moved else "revised"
            recorded += f", {what}; first recorded{first_as} {first_scenario} ({first_wall} UTC)"
        return {
            "seq": decision.seq,
            "team": decision.team,
            "team_label": self.label(decision.team),
            "inject": decision.inject,
            "option": decision.option or "",
            "option_label": self.option_label(decision),
            "posture": self.posture_of(decision),
            "text": decision.text,
            "rationale": decision.rationale,
            "dissent": decision.dissent,
            "scenario": scenario,
            "wall": wall,
            "revised": revision is not None,
            "first_scenario": first_scenario,
            "first_wall": first_wall,
            "recorded": recorded,
            "author": decision.author,
            "source": "team" if decision.source == "team" else "facilitator",
            "entered_by": entered_by(decision, standing.author),
        }

    def said(self, decision: DecidedEvent) -> str:
        """A decision in one phrase: the option's label, then the team's own words."""
        parts = [p for p in (self.option_label(decision), decision.text) if p]
        return " — ".join(parts)

    def ruling_view(self, ruling: RuledEvent) -> dict[str, Any]:
        return {
            "seq": ruling.seq,
            "text": ruling.text,
            "rationale": ruling.rationale,
            "inject": ruling.inject or "",
            "team": ruling.team or "",
            "team_label": self.label(ruling.team) if ruling.team else "",
            "scenario": scenario_time(ruling.minute),
            "wall": wall_time(ruling.at),
        }

    def note_view(self, note: NoteEvent) -> dict[str, Any]:
        return {
            "seq": note.seq,
            "text": note.text,
            "inject": note.inject or "",
            "scenario": scenario_time(note.minute),
            "wall": wall_time(note.at),
            "author": note.author,
        }

    def observation_view(self, obs: ObservedEvent) -> dict[str, Any]:
        return {
            "seq": obs.seq,
            "evaluator": obs.evaluator,
            "objective": obs.objective,
            "rating": obs.rating.value,
            "text": obs.text,
            "inject": obs.inject or "",
            "scenario": scenario_time(obs.minute),
            "wall": wall_time(obs.at),
        }

    @staticmethod
    def status_key(row: MselRow) -> str:
        if row.kind == "adhoc":
            return "adhoc"
        if row.status is InjectStatus.delivered:
            return "delivered"
        if row.status is InjectStatus.held:
            return "held"
        if row.status is InjectStatus.skipped:
            return "skipped"
        if row.status is InjectStatus.inactive:
            return "inactive"
        if row.kind == "contingency":
            return "unused"
        if row.status in (InjectStatus.upcoming, InjectStatus.due):
            return "pending"  # its move is still open (or yet to come) in a session that has not ended
        return "not_played"

    # Parts of the report

    def build(self) -> Context:
        summary = self.summary()
        context: Context = {
            "generator": f"tabletop {__version__}",
            "generated": wall_time(self.generated_at, date=True),
            "generated_iso": self.generated_at.isoformat(timespec="seconds"),
            "marking": self.ex.marking,
            "disclaimer": self.ex.disclaimer or "",
            "title": self.ex.title,
            "session": self.session_facts(),
            "exercise": self.exercise_facts(),
            "teams": self.teams(),
            "objectives": self.objectives(),
            "rating_definitions": [
                {"code": code, "name": RATING_NAMES[code], "text": RATING_DEFINITIONS[code]} for code in RATING_ORDER
            ],
            "summary": summary,
            "timeline": self.timeline(),
            "chart_svg": self.chart(),
            "moves": self.moves(summary["convergence"]),
            "posture_matrix": self.posture_matrix(),
            "posture_matrix_text": POSTURE_MATRIX_TEXT,
            "postures": list(POSTURES),
            "hotwash": self.hotwash_view(),
            "portal": self.portal_view(),
            "improvement_plan": self.improvement_plan(),
            "improvement_elements": IMPROVEMENT_ELEMENTS,
            "msel": self.msel(),
            "corrections": self.corrections(),
            "attachments": self.attachments(),
            "files": {},
            "condensed": self.condensed,
            "injects_omitted": self.omitted,
        }
        if self.condensed:
            context["msel_total"] = len(self.rows)
            context["msel"] = [row for row in context["msel"] if row["status"] != "delivered"]
        else:
            context["msel_total"] = len(context["msel"])
        return context

    def session_facts(self) -> dict[str, Any]:
        state = self.state
        started = state.started
        ended = state.ended
        last = state.events[-1] if state.events else None
        wall_span = clock = ""
        if started is not None:
            until = ended.at if ended is not None else (last.at if last is not None else started.at)
            wall_span = minutes_text((until - started.at).total_seconds() // 60)
            use = clock_use(state.events)
            clock = clock_use_text(use.running, use.paused)
        return {
            "name": self.name,
            "started": started is not None,
            "finished": ended is not None,
            "startex": wall_time(started.at, date=True) if started else "",
            "endex": wall_time(ended.at, date=True) if ended else "",
            "last_event": wall_time(last.at, date=True) if last else "",
            "wall_span": wall_span,
            "scenario_end": scenario_time(self.end_minute) if started else "",
            "world_start": self.world(0),
            "world_end": self.world(self.end_minute) if started else "",
            "rate": f"{started.rate:g}" if started else "",
            "clock_use": clock,
            "events": len(state.events),
            "moves_opened": [m for m, _ in state.move_openings],
        }

    def exercise_facts(self) -> dict[str, Any]:
        ex = self.ex
        return {
            "id": ex.id,
            "title": ex.title,
            "version": ex.version,
            "summary": ex.summary,
            "scope": ex.scope or "",
            "sponsor": ex.sponsor or "",
            "point_of_contact": ex.point_of_contact or "",
            "authors": list(ex.authors),
            "location": ex.setting.location or "",
            "timezone": zone_name_text(ex.setting.timezone),
            "world_start": ex.setting.start.isoformat(),
            "planned_duration": scenario_time(ex.duration).lstrip("+"),
            "moves": len(ex.moves),
            "injects": sum(len(m.injects) for m in ex.moves),
            "contingencies": len(ex.contingencies),
        }

    def teams(self) -> list[dict[str, Any]]:
        decided = Counter(d.team for d in self.decisions)
        received = Counter(t for d in self.state.deliveries for t in d.to)
        return [
            {
                "id": t.id,
                "label": t.label,
                "name": t.name,
                "kind": t.kind.value,
                "members": list(t.members),
                "decisions": decided.get(t.id, 0),
                "received": received.get(t.id, 0),
            }
            for t in self.ex.teams
        ]

    def objectives(self) -> list[dict[str, Any]]:
        by_objective: dict[str, list[ObservedEvent]] = {}
        for obs in self.observations:
            by_objective.setdefault(obs.objective, []).append(obs)
        out = []
        for objective in self.ex.objectives:
            observed = by_objective.get(objective.id, [])
            counts = Counter(o.rating.value for o in observed)
            out.append(
                {
                    "id": objective.id,
                    "text": objective.text,
                    "capability": objective.capability or "",
                    "observations": [self.observation_view(o) for o in observed],
                    "counts": {code: counts.get(code, 0) for code in RATING_ORDER},
                    "rating": _overall_rating(counts),
                    "injects": [i.id for i in self.injects.values() if objective.id in i.objectives],
                }
            )
        return out

    def summary(self) -> dict[str, Any]:
        counts = Counter(self.status_key(row) for row in self.rows)
        # an inject held and later delivered counts among the delivered, and is said to have been held
        held_ever = {e.inject for e in self.state.records("held")}  # type: ignore[attr-defined]
        counts["held_then_delivered"] = sum(
            1 for row in self.rows if row.inject in held_ever and self.status_key(row) == "delivered")
        scheduled = [row for row in self.rows if row.kind == "scheduled"]
        delivered_scheduled = sum(1 for row in scheduled if self.status_key(row) == "delivered")
        contingencies_used = sum(1 for row in self.rows if row.kind == "contingency" and self.status_key(row) == "delivered")
        per_team = Counter(d.team for d in self.decisions)
        latest: dict[str, dict[str, DecidedEvent]] = {}
        for decision in self.decisions:
            latest.setdefault(decision.inject, {})[decision.team] = decision
        asked: Counter[str] = Counter()
        asked_on: set[tuple[str, str]] = set()
        for row in self.rows:
            if row.delivered_minute is None:
                continue
            inject = self.injects.get(row.inject)
            if inject is not None:
                for team in self.ex.deciders(inject):
                    asked[team] += 1
                    asked_on.add((row.inject, team))
        by_team = [
            {
                "team": t.id,
                "label": t.label,
                "name": t.name,
                "decisions": per_team.get(t.id, 0),
                "asked": asked.get(t.id, 0),
                # of the decisions put to the team: words recorded on an inject that put none are not an answer
                "answered": sum(1 for inject, answers in latest.items() if t.id in answers and (inject, t.id) in asked_on),
                "postures": {p: 0 for p in (*POSTURES, FREE_TEXT)},
            }
            for t in self.players
        ]
        index = {row["team"]: row for row in by_team}
        for answers in latest.values():
            for team, decision in answers.items():
                if team in index:
                    index[team]["postures"][self.posture_of(decision)] += 1
        convergence = self.convergence(latest)
        awaited = self.state.awaited()
        return {
            "scheduled": len(scheduled),
            "delivered": delivered_scheduled,
            "held": counts.get("held", 0),
            "held_then_delivered": counts.get("held_then_delivered", 0),
            "skipped": counts.get("skipped", 0),
            "not_played": sum(1 for row in scheduled if self.status_key(row) in ("not_played", "inactive")),
            "pending": sum(1 for row in scheduled if self.status_key(row) == "pending"),
            "adhoc": counts.get("adhoc", 0),
            "contingencies_used": contingencies_used,
            "deliveries": len(self.state.deliveries),
            "decisions": len(self.decisions),
            "observations": len(self.observations),
            "rulings": len(self.rulings),
            "notes": len(self.notes),
            "corrections": len(self.state.corrections),
            "by_team": by_team,
            "convergence": convergence,
            "convergence_table": convergence[:CONDENSED_INJECT_LIMIT] if self.condensed else convergence,
            "convergence_omitted": max(0, len(convergence) - CONDENSED_INJECT_LIMIT) if self.condensed else 0,
            "awaited": [
                {"inject": inject, "teams": self.label_list(teams)} for inject, teams in awaited.items()
            ],
            "findings": self.findings(by_team, convergence, awaited, delivered_scheduled, len(scheduled), counts),
        }

    def convergence(self, latest: dict[str, dict[str, DecidedEvent]]) -> list[dict[str, Any]]:
        out = []
        for row in self.rows:
            answers = latest.get(row.inject, {})
            if len(answers) < 2:
                continue
            options = {d.option or f"text:{d.text}" for d in answers.values()}
            postures = {self.posture_of(d) for d in answers.values()}
            if len(options) == 1 and not next(iter(options)).startswith("text:"):
                verdict = "converged"
            elif len(postures) == 1 and FREE_TEXT not in postures:
                verdict = "same posture"
            else:
                verdict = "diverged"
            out.append(
                {
                    "inject": row.inject,
                    "title": row.title,
                    "move": row.move or "",
                    "verdict": verdict,
                    "choices": [
                        {
                            "team_label": self.label(team),
                            "said": self.said(d),
                            "posture": self.posture_of(d),
                        }
                        for team, d in answers.items()
                    ],
                }
            )
        return out

    def findings(
        self,
        by_team: list[dict[str, Any]],
        convergence: list[dict[str, Any]],
        awaited: dict[str, list[str]],
        delivered: int,
        scheduled: int,
        counts: Counter[str],
    ) -> list[str]:
        out: list[str] = []
        if self.state.started is None:
            return ["Play has not started: the session holds no STARTEX, so there is nothing to report yet."]
        extra = []
        if counts.get("held"):
            extra.append(f"{counts['held']} still held at the end")
        if counts.get("held_then_delivered"):
            extra.append(f"{counts['held_then_delivered']} delivered after a hold")
        if counts.get("skipped"):
            extra.append(f"{counts['skipped']} skipped")
        if counts.get("adhoc"):
            extra.append(counted(counts["adhoc"], "ad-hoc inject") + " written during play")
        line = f"{delivered:,} of {counted(scheduled, 'scheduled inject')} delivered"
        out.append(line + (f" ({', '.join(extra)})." if extra else "."))
        if by_team:
            parts = [f"{row['label']} {row['decisions']:,}" for row in by_team]
            out.append(f"{counted(len(self.decisions), 'decision')} recorded: " + ", ".join(parts) + ".")
        if convergence:
            same = [c for c in convergence if c["verdict"] != "diverged"]
            split = [c for c in convergence if c["verdict"] == "diverged"]
            agreed = [c for c in same if c["verdict"] == "converged"]
            alike = [c for c in same if c["verdict"] == "same posture"]
            text = f"Teams answered {counted(len(convergence), 'inject')} together: chose the same option on {len(agreed):,}"
            if alike:
                text += f", different options of the same posture on {len(alike):,}"
            if split:
                names = ", ".join(f"{c['inject']} ({c['title']})" for c in split[:5])
                more = f" and {len(split) - 5:,} more" if len(split) > 5 else ""
                text += f", diverged on {len(split):,}: {names}{more}"
            out.append(text + ".")
        if self.decisions:
            by_posture = Counter(self.posture_of(d) for d in self.decisions)
            out.append(
                "Choices by how they act: "
                + ", ".join(f"{posture} {by_posture[posture]:,}" for posture in (*POSTURES, FREE_TEXT) if by_posture[posture])
                + "."
            )
        if awaited:
            total = sum(len(teams) for teams in awaited.values())
            out.append(f"{counted(total, 'decision')} still awaited on {counted(len(awaited), 'delivered inject')}.")
        rated = [(o.objective, o.rating.value) for o in self.observations]
        if rated:
            worst: dict[str, str] = {}
            for objective, rating in rated:
                if RATING_ORDER.index(rating) > RATING_ORDER.index(worst.get(objective, "P")):
                    worst[objective] = rating
                worst.setdefault(objective, rating)
            low = sorted(o for o, r in worst.items() if r in ("M", "U"))
            if low:
                out.append("Objectives with major challenges or not performed: " + ", ".join(low) + ".")
        if self.state.ended is None:
            out.append("The session has not reached ENDEX: this report shows play so far.")
        return out

    def timeline(self) -> list[dict[str, Any]]:
        out = []
        routine = (DecidedEvent, DeliveredEvent) if self.condensed else ()
        for original in self.state.events:
            if isinstance(original, (CorrectedEvent, *routine)):
                continue
            event = self.state.effective(original.seq) if original.CORRECTABLE else original
            if event is None and original.type in _PLAY_KINDS:  # type: ignore[attr-defined]
                event = original  # it happened in the room; the corrections appendix says how it was taken back
            if event is None:
                continue
            kind, text, teams = self.describe(event)
            corrections = self.state.corrections_of(event.seq) if original.CORRECTABLE else []
            out.append(
                {
                    "seq": event.seq,
                    "wall": wall_time(event.at),
                    "scenario": scenario_time(event.minute),
                    "world": self.world(event.minute),
                    "kind": kind,
                    "text": text,
                    "teams": teams,
                    "author": event.author,
                    "corrected": bool(corrections),
                    "mark": _correction_action(original, corrections[-1]) if corrections else "",
                }
            )
        return out

    def describe(self, event: EventBase) -> tuple[str, str, str]:
        """Kind, a line of text and the teams concerned, for the timeline."""
        ex = self.ex
        match event:
            case StartedEvent():
                return "STARTEX", f"Play begins at {rate_text(event.rate)}; move {event.move} opens.", ""
            case MoveAdvancedEvent():
                move = next((m for m in ex.moves if m.id == event.move), None)
                title = f" — {move.title}" if move else ""
                return "move", f"Move {event.move}{title} opens.", ""
            case DeliveredEvent():
                title = self.title_of(event.inject)
                again = " (again)" if event.redelivery else ""
                return "inject", f"{event.inject} {title}{again}", ", ".join(self.label_list(event.to))
            case AdhocEvent():
                return "ad hoc", f"{event.inject} {event.title}", ", ".join(self.label_list(event.to))
            case HeldEvent():
                return "held", f"{event.inject} {self.title_of(event.inject)}" + _reason(event.reason), ""
            case SkippedEvent():
                return "skipped", f"{event.inject} {self.title_of(event.inject)}" + _reason(event.reason), ""
            case DecidedEvent():
                said = self.said(event) or "(no text)"
                by = ""
                if event.source == "team":
                    revision = self.revision_of(event)
                    by = (" (submitted by the team)" if _sent_by_team(event, revision.author if revision else None)
                          else " (submitted by the team, confirmed by the facilitator)")
                return "decision", f"{event.inject}: {said}{by}", self.label(event.team)
            case SubmittedEvent():
                said = self.said(event) or "(no text)"  # type: ignore[arg-type]
                return ("submission", f"{event.inject}: {said} (sent by the team, for the facilitator to confirm)",
                        self.label(event.team))
            case SubmissionModeEvent():
                return "submissions", ("Team submissions wait for the facilitator's confirmation" if event.confirm
                                       else "Team submissions count as decisions at once"), ""
            case RfiEvent():
                about = f" (on {event.inject})" if event.inject else ""
                return "RFI", f"#{event.seq}{about}: {event.text}", self.label(event.team)
            case RfiReplyEvent():
                return "RFI answer", f"to #{event.rfi}: {event.text}", self.label(event.team)
            case LockedEvent():
                return "locked", f"{event.inject} closed to team submissions", ""
            case RuledEvent():
                return "ruling", event.text, self.label(event.team) if event.team else ""
            case NoteEvent():
                return "note", event.text, ""
            case ObservedEvent():
                return "observation", f"{event.objective} rated {event.rating.value}: {event.text}", ""
            case PausedEvent():
                return "clock", "Clock paused" + _reason(event.reason), ""
            case ResumedEvent():
                return "clock", "Clock resumed", ""
            case RateChangedEvent():
                return "clock", f"Clock rate set to {rate_text(event.rate)}", ""
            case JumpedEvent():
                return "clock", f"Clock jumped to {scenario_time(event.to)}", ""
            case EndedEvent():
                return "ENDEX", "Play ends.", ""
            case HotwashEvent():
                kind = "strength" if event.kind is HotwashKind.strength else "area for improvement"
                return "hot wash", f"{kind}: {event.text}", self.label(event.team) if event.team else ""
            case TeamAnswerEvent():
                return "discussion answer", f"{event.move}: {event.question}", self.label(event.team)
            case FeedbackEvent():
                who = f" from {event.participant}" if event.participant else ""
                return "feedback", f"Feedback form{who}", self.label(event.team)
            case CorrectedEvent():
                return "correction", f"of #{event.target}: {event.reason}", ""
        return event.type.replace("_", " "), event.summary(self.label), ""  # type: ignore[attr-defined]

    def portal_view(self) -> dict[str, Any]:
        """What the teams sent from their links: RFIs and their answers, discussion answers, feedback forms."""
        state = self.state
        rfis = [
            {
                "seq": r.seq,
                "team_label": self.label(r.team),
                "inject": r.inject or "",
                "text": r.text,
                "scenario": scenario_time(r.minute),
                "answers": [{"text": a.text, "scenario": scenario_time(a.minute)} for a in state.replies_to(r.seq)],
            }
            for r in state.rfis
        ]
        answers = [
            {"team_label": self.label(a.team), "move": a.move, "question": a.question, "text": a.text}
            for a in state.team_answers()
        ]
        forms = state.feedback
        ratings = []
        for key, text in FEEDBACK_QUESTIONS.items():
            given = [f.ratings[key] for f in forms if key in f.ratings]
            ratings.append(
                {"question": text, "count": len(given), "average": f"{sum(given) / len(given):.1f}" if given else "—"}
            )
        free = [
            {"team_label": self.label(f.team), "participant": f.participant, "kind": kind, "text": text}
            for f in forms
            for kind, text in (("strength", f.strengths), ("improvement", f.improvements), ("comment", f.comments))
            if text
        ]
        return {"rfis": rfis, "answers": answers, "forms": len(forms), "ratings": ratings, "free_text": free}

    def title_of(self, inject_id: str) -> str:
        inject = self.injects.get(inject_id)
        if inject is not None:
            return inject.title
        adhoc = self.adhoc.get(inject_id)
        return adhoc.title if adhoc is not None else ""

    def chart(self) -> str:
        lanes = []
        for team in self.players:
            lanes.append(
                Lane(
                    label=team.label,
                    deliveries=[d.minute for d in self.state.deliveries if team.id in d.to],
                    decisions=[(d.minute, self.posture_of(d)) for d in self.decisions if d.team == team.id],
                )
            )
        return activity_chart(lanes, end_minute=self.end_minute, postures=(*POSTURES, FREE_TEXT))

    def _variant_note(self, move: Any) -> str:
        """Why the move opened with the text it did, for the AAR reader; empty for the default text."""
        index = self.state.situation_variant(move.id)
        if index is None:
            return ""
        return "Opened with the variant for: " + describe_condition(move.situation_variants[index].when)

    def inject_view(self, row: MselRow) -> dict[str, Any]:
        ex = self.ex
        inject: Inject | None = self.injects.get(row.inject)
        adhoc = self.adhoc.get(row.inject)
        deliveries = self.deliveries_of.get(row.inject, [])
        answers = self.state.decisions_on(row.inject)
        deciders = ex.deciders(inject) if inject is not None else []
        columns = list(deciders) + [t for t in answers if t not in deciders]
        decision = None
        if inject is not None and inject.decision is not None:
            decision = {
                "prompt": inject.decision.prompt,
                "options": [
                    {"id": o.id, "label": o.label, "posture": o.posture.value} for o in inject.decision.options
                ],
            }
        side_by_side = []
        for team in columns:
            answer = answers.get(team)
            view = self.decision_view(answer) if answer is not None else None
            side_by_side.append({"team": team, "team_label": self.label(team), "answer": view})
        expected = []
        if inject is not None:
            for team, text in inject.expected.items():
                answer = answers.get(team)
                rulings = [r.text for r in self.by_inject_rulings.get(row.inject, []) if r.team == team]
                if answer is not None:
                    done = self.said(answer) or "(decision recorded without text)"
                elif rulings:
                    done = "Ruling: " + "; ".join(rulings)
                else:
                    done = ""
                expected.append({"team": team, "team_label": self.label(team), "expected": text, "done": done})
        status = self.status_key(row)
        return {
            "id": row.inject,
            "title": row.title,
            "kind": row.kind,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "reason": row.reason,
            "scheduled": scenario_time(row.at) if row.kind != "adhoc" else "",
            "source": inject.source if inject is not None else (adhoc.source if adhoc else ""),
            "channel": (inject.channel.value if inject is not None else (adhoc.channel.value if adhoc else "")).replace("_", " "),
            "to": self.label_list(row.to),
            "body": inject.body if inject is not None else (adhoc.body if adhoc else ""),
            "header": [{"label": k, "text": v} for k, v in presentation_lines(presentation_header(inject))]
            if inject is not None else [],
            "attachments": attachment_items(inject.attachments) if inject is not None else [],
            "questions": list(inject.questions) if inject is not None else [],
            "objectives": list(inject.objectives) if inject is not None else [],
            "condition": row.condition or "",
            "deliveries": [
                {
                    "scenario": scenario_time(d.minute),
                    "world": self.world(d.minute),
                    "wall": wall_time(d.at),
                    "to": self.label_list(d.to),
                    "again": d.redelivery,
                }
                for d in deliveries
            ],
            "decision": decision,
            "answers": side_by_side,
            "expected": expected,
            "rulings": [self.ruling_view(r) for r in self.by_inject_rulings.get(row.inject, [])],
            "notes": [self.note_view(n) for n in self.by_inject_notes.get(row.inject, [])],
        }

    def moves(self, convergence: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows_by_move: dict[str | None, list[MselRow]] = {}
        keep: set[str] | None = None
        if self.condensed:
            notable = [c["inject"] for c in convergence if c["verdict"] == "diverged"]
            ruled = [i for i in self.by_inject_rulings if i not in set(notable)]
            keep = set((ruled + notable)[:CONDENSED_INJECT_LIMIT])
        self.omitted = 0
        for row in self.rows:
            if row.kind == "contingency" and row.delivered_minute is None:
                continue
            if keep is not None and row.inject not in keep:
                self.omitted += 1
                continue
            rows_by_move.setdefault(row.move, []).append(row)
        openings = {move_id: event for move_id, event in self.state.move_openings}
        general = self.general_records_by_move()
        out = []
        for move in self.ex.moves:
            opened = openings.get(move.id)
            out.append(
                {
                    "id": move.id,
                    "title": move.title,
                    "situation": self.state.situation(move.id),
                    "situation_variant": self._variant_note(move),
                    "planned": scenario_time(self.ex.move_start(move)),
                    "opened": scenario_time(_opened_minute(opened)) if opened is not None else "",
                    "opened_wall": wall_time(opened.at) if opened is not None else "",
                    "questions": [
                        {"to": "All teams" if key == "all" else self.label(key), "items": list(items)}
                        for key, items in move.questions.items()
                    ],
                    "injects": [self.inject_view(row) for row in rows_by_move.get(move.id, [])],
                    "notes": [self.note_view(n) for n in general.get(move.id, ([], []))[0]],
                    "rulings": [self.ruling_view(r) for r in general.get(move.id, ([], []))[1]],
                }
            )
        loose = [row for key, rows in rows_by_move.items() if key not in {m.id for m in self.ex.moves} for row in rows]
        if loose:
            out.append(
                {
                    "id": "",
                    "title": "Contingency and ad-hoc injects outside any move",
                    "situation": "",
                    "situation_variant": "",
                    "planned": "",
                    "opened": "",
                    "opened_wall": "",
                    "questions": [],
                    "injects": [self.inject_view(row) for row in loose],
                    "notes": [],
                    "rulings": [],
                }
            )
        return out

    def general_records_by_move(self) -> dict[str, tuple[list[NoteEvent], list[RuledEvent]]]:
        """Notes and rulings tied to no inject, under the move that was open when they were written
        (the last move opened before them), so a remark about a move is read with that move."""
        openings = sorted(((event.seq, move_id) for move_id, event in self.state.move_openings))
        out: dict[str, tuple[list[NoteEvent], list[RuledEvent]]] = {}

        def move_at(seq: int) -> str | None:
            opened = [move_id for opened_seq, move_id in openings if opened_seq < seq]
            return opened[-1] if opened else None

        for note in self.notes:
            if not note.inject and (move_id := move_at(note.seq)) is not None:
                out.setdefault(move_id, ([], []))[0].append(note)
        for ruling in self.rulings:
            if not ruling.inject and (move_id := move_at(ruling.seq)) is not None:
                out.setdefault(move_id, ([], []))[1].append(ruling)
        return out

    def posture_matrix(self) -> dict[str, Any]:
        move_ids = [m.id for m in self.ex.moves]
        cells: dict[tuple[str, str], Counter[str]] = {}
        latest: dict[tuple[str, str], DecidedEvent] = {}
        for decision in self.decisions:
            latest[(decision.inject, decision.team)] = decision
        loose = False
        for (inject_id, team), decision in latest.items():
            move = self.move_of.get(inject_id)
            if move is None and inject_id in self.adhoc:
                move = self.adhoc[inject_id].move
            key = move if move in move_ids else ""
            loose = loose or key == ""
            cells.setdefault((team, key), Counter())[self.posture_of(decision)] += 1
        columns = [{"id": m.id, "title": m.title} for m in self.ex.moves]
        if loose:
            columns.append({"id": "", "title": "Outside moves"})
        rows = []
        totals: Counter[str] = Counter()
        for team in self.players:
            row_cells = []
            for column in columns:
                counter = cells.get((team.id, column["id"]), Counter())
                totals.update(counter)
                row_cells.append(
                    {
                        "counts": [{"posture": p, "count": counter[p]} for p in (*POSTURES, FREE_TEXT) if counter[p]],
                        "dominant": _dominant(counter),
                        "total": sum(counter.values()),
                    }
                )
            rows.append({"team": team.id, "label": team.label, "name": team.name, "cells": row_cells})
        total = sum(totals.values())
        return {
            "columns": columns,
            "rows": rows,
            "totals": [
                {"posture": p, "count": totals[p], "share": f"{100 * totals[p] / total:.0f}%" if total else "0%"}
                for p in (*POSTURES, FREE_TEXT)
            ],
            "total": total,
        }

    def hotwash_view(self) -> dict[str, Any]:
        def view(entry: HotwashEvent) -> dict[str, Any]:
            objective = self.ex_objective(entry.objective)
            return {
                "seq": entry.seq,
                "text": entry.text,
                "objective": entry.objective or "",
                "capability": (objective.capability or "") if objective is not None else "",
                "team": entry.team or "",
                "team_label": self.label(entry.team) if entry.team else "",
            }

        return {
            "strengths": [view(e) for e in self.hotwash if e.kind is HotwashKind.strength],
            "improvements": [view(e) for e in self.hotwash if e.kind is HotwashKind.improvement],
        }

    def ex_objective(self, objective_id: str | None) -> Any:
        if not objective_id:
            return None
        return next((o for o in self.ex.objectives if o.id == objective_id), None)

    def improvement_plan(self) -> list[dict[str, Any]]:
        rows = []
        for entry in self.hotwash:
            if entry.kind is not HotwashKind.improvement:
                continue
            objective = self.ex_objective(entry.objective)
            team = self.ex.team(entry.team) if entry.team else None
            rows.append(
                {
                    "capability": (objective.capability or objective.id) if objective is not None else "",
                    "objective": entry.objective or "",
                    "issue": entry.text,
                    "corrective_action": "",
                    "element": "",
                    "organization": team.name if team is not None else (entry.team or ""),
                    "point_of_contact": "",
                    "start": "",
                    "completion": "",
                }
            )
        return rows

    def msel(self) -> list[dict[str, Any]]:
        out = []
        for number, row in enumerate(self.rows, start=1):
            status = self.status_key(row)
            delta = ""
            if row.kind != "adhoc" and row.at is not None and row.delivered_minute is not None:
                late = int(round(row.delivered_minute - row.at))
                delta = "on time" if late == 0 else (f"+{minutes_text(late)}" if late > 0 else f"-{minutes_text(-late)}")
            out.append(
                {
                    "number": number,
                    "id": row.inject,
                    "kind": row.kind,
                    "move": row.move or "",
                    "planned": scenario_time(row.at) if row.kind != "adhoc" else "",
                    "title": row.title,
                    "to": self.label_list(row.to),
                    "channel": row.channel.replace("_", " "),
                    "status": status,
                    "status_label": STATUS_LABELS[status],
                    "played": scenario_time(row.delivered_minute),
                    "delta": delta,
                    "reason": row.reason,
                    "held_first": self.held_first(row, status),
                    "condition": row.condition or "",
                }
            )
        return out

    def held_first(self, row: MselRow, status: str) -> str:
        """'held first (why)' for an inject held and then delivered or skipped, whose status no longer
        says it was held; empty for one still held (its status and reason say so) or never held."""
        hold = self.holds.get(row.inject)
        if hold is None or status == "held":
            return ""
        return "held first" + _reason(hold.reason)

    def attachments(self) -> list[Context]:
        """Every map and document the exercise attaches, with where it was attached (Appendix D)."""
        from tabletop.attachments import attachment_places

        out = []
        for path, attachment in attachment_places(self.ex):
            match path:
                case ("teams", t, *_):
                    where = f"brief of {self.ex.teams[t].label}"  # type: ignore[index]
                case ("moves", mv, "attachments", _):
                    where = f"situation of move {self.ex.moves[mv].id}"  # type: ignore[index]
                case ("moves", mv, "injects", i, *_):
                    where = f"inject {self.ex.moves[mv].injects[i].id}"  # type: ignore[index]
                case ("contingencies", c, *_):
                    where = f"contingency {self.ex.contingencies[c].id}"  # type: ignore[index]
                case _:
                    where = ""
            out.append({"where": where, **attachment_items([attachment])[0]})
        return out

    def corrections(self) -> list[dict[str, Any]]:
        out = []
        for correction in self.state.corrections:
            root = self.state.root_of(correction.seq)
            target = self.state.event(correction.target)
            original = self.state.event(root)
            now = self.state.effective(root)
            before = original.summary(self.label) if original is not None else ""
            after = now.summary(self.label) if now is not None else f"({_correction_action(original, correction)})"
            if original is not None and now is not None:
                # a change the record's line does not show (a dissent, a rationale) is named on both sides
                unseen = _unsummarised_changes(original, now, self.label)
                if unseen:
                    before += "; " + "; ".join(_field_text(key, getattr(original, key), self.label) for key in unseen)
                    after += "; " + "; ".join(_field_text(key, getattr(now, key), self.label) for key in unseen)
            out.append(
                {
                    "seq": correction.seq,
                    "scenario": scenario_time(correction.minute),
                    "wall": wall_time(correction.at),
                    "author": correction.author,
                    "target": correction.target,
                    "target_kind": self.describe(target)[0] if target is not None else "",
                    "action": _correction_action(original, correction),
                    "reason": correction.reason,
                    "before": before,
                    "after": after,
                    "withdrawn": self.state.effective(correction.seq) is None,
                }
            )
        return out


_PLAY_KINDS = frozenset({"delivered", "adhoc", "held", "skipped", "move_advanced"})
"""Kinds that are steps of play: taken back, they stay on the timeline, marked as corrected."""


def entered_by(decision: DecidedEvent, by: str | None = None) -> str:
    """Who entered a decision, in words true of every face a team acts from (its browser link or the
    terminal view: the record does not say which), and of a submission the facilitator confirmed.

    `by` is the author of the record the decision stands as (the correction that revised it last),
    when it was revised: a team's revision confirmed by the facilitator is written by the facilitator
    on a decision the team first sent itself, and the other way round.
    """
    if decision.source != "team":
        return "the facilitator"
    if _sent_by_team(decision, by):
        return "the team itself, from its own screen"
    return "the team, confirmed by the facilitator"


def _sent_by_team(decision: DecidedEvent, by: str | None) -> bool:
    """Whether the team's decision, as it stands, was written by the team itself (not a submission
    the facilitator confirmed); `by` is the author of its latest revision, if any."""
    return (by if by is not None else decision.author).startswith("team:")


def _unsummarised_changes(original: EventBase, now: EventBase, name: Any) -> list[str]:
    """Fields a correction changed that the record's one-line summary does not show: changing that
    field alone would leave the line as it was (a decision's line names its option, not its dissent)."""
    if type(original) is not type(now):
        return []
    line = original.summary(name)
    return [
        key for key in payload_fields(type(original))
        if getattr(original, key) != getattr(now, key)
        and original.model_copy(update={key: getattr(now, key)}).summary(name) == line
    ]


def _field_text(key: str, value: Any, name: Any) -> str:
    """One field of a record in words, for the corrections appendix: 'dissent: Navy wanted to wait'."""
    field = key.replace("_", " ")
    if isinstance(value, Enum):
        value = value.value
    if value in (None, "", [], {}):
        return f"no {field}"
    if isinstance(value, (list, tuple)):
        value = ", ".join(name(v) for v in value)
    elif isinstance(value, dict):
        value = ", ".join(f"{k} {v}" for k, v in value.items())
    elif key == "team":
        value = name(value)
    return f"{field}: {value}"


def _correction_action(original: EventBase | None, correction: CorrectedEvent) -> str:
    """What a correction did, in the words of its record's kind: a delivery is withdrawn, a move advance undone."""
    kind = getattr(original, "type", "")
    if correction.replacement is None:
        return {"delivered": "withdrawn", "adhoc": "withdrawn", "held": "taken back", "skipped": "taken back",
                "move_advanced": "undone"}.get(kind, "retracted")
    if kind in ("delivered", "adhoc") and "to" in correction.replacement and original is not None:
        gone = [t for t in getattr(original, "to", []) if t not in correction.replacement.get("to", [])]
        if gone:
            return "withdrawn from " + ", ".join(gone)
    return "corrected"


def _opened_minute(event: EventBase) -> float:
    if isinstance(event, MoveAdvancedEvent) and event.jump_to is not None:
        return event.jump_to
    return event.minute


def _reason(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _dominant(counter: Counter[str]) -> str:
    """The posture chosen most often in a cell; a tie shades nothing (no posture outranks another)."""
    if not counter:
        return ""
    ranked = counter.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return ""
    return ranked[0][0]


def _overall_rating(counts: Counter[str]) -> str:
    """The rating most observations gave; ties go to the more severe one. Empty when unobserved."""
    if not counts:
        return ""
    return max(RATING_ORDER, key=lambda code: (counts.get(code, 0), RATING_ORDER.index(code)))
