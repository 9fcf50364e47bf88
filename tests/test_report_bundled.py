"""A bundled exercise played end to end through the engine, then reported in every format."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.report.context import session_context
from tabletop.report.render import render_report
from tabletop.resources import exercises_dir


def play_through(exercise_path: Path, session_path: Path) -> Session:
    """Play every move: deliver each live inject at its time, every asked team decides, evaluators rate, hot wash, ENDEX."""
    clock = FakeClock(datetime(2030, 5, 4, 8, 30, tzinfo=timezone.utc))
    session = Session.create(exercise_path, session_path, clock=clock)
    exercise = session.exercise
    session.start(rate=2.0)
    turn = 0
    for index, move in enumerate(exercise.moves):
        if index:
            session.advance()
        for inject in sorted(move.injects, key=lambda i: i.at or 0):
            if inject.at is not None and inject.at > session.now_minute():
                clock.advance(minutes=(inject.at - session.now_minute()) / 2.0)
            if not session.state.is_live(inject.id):
                session.skip(inject.id, "its condition did not hold")
                continue
            session.deliver(inject.id)
            clock.advance(minutes=2)
            if inject.decision is not None:
                for team in exercise.deciders(inject):
                    option = inject.decision.options[turn % len(inject.decision.options)]
                    turn += 1
                    session.decide(team, inject.id, option=option.id,
                                   rationale=f"{team.upper()} weighed {option.label.lower()} against the alternatives.",
                                   dissent="One member argued for waiting." if turn % 3 == 0 else "")
                session.rule(f"Control plays the consequences of the choices on {inject.id}.", inject=inject.id)
        for objective in exercise.objectives[index::len(exercise.moves)]:
            session.observe(objective.id, "PSMU"[turn % 4], f"During {move.title}, the teams worked on: {objective.text}")
    for contingency in exercise.contingencies[:1]:
        if session.state.is_live(contingency.id):
            session.deliver(contingency.id)
    session.end()
    session.hotwash("strength", "Teams used the hotline early and kept each other informed.",
                    objective=exercise.objectives[0].id if exercise.objectives else None)
    session.hotwash("improvement", "Nobody owned the shared picture of the situation.",
                    objective=exercise.objectives[-1].id if exercise.objectives else None,
                    team=exercise.player_teams[0].id)
    return session


def test_disaster_relief_played_end_to_end(tmp_path: Path) -> None:
    session = play_through(exercises_dir() / "disaster-relief.yaml", tmp_path / "dr.tabletop")
    try:
        context = session_context(session)
        html = render_report(context=context, fmt="html")
        md = render_report(context=context, fmt="md")
        pdf = render_report(context=context, fmt="pdf")
    finally:
        session.close()
    summary = context["summary"]
    assert context["session"]["finished"]
    assert summary["delivered"] + summary["skipped"] == summary["scheduled"]
    assert summary["decisions"] > 20 and summary["awaited"] == []
    assert all(o["observations"] for o in context["objectives"])
    assert len(context["improvement_plan"]) == 1
    assert isinstance(html, str) and isinstance(md, str) and isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join("".join(p.extract_text().split()) for p in reader.pages).replace("\x00", "")
    assert "Posturematrix" in text and "Improvementplan" in text and "DR-01" in text
    assert len(reader.pages) > 20
