"""The AAR shows what teams sent from their links: decision sources, RFIs and answers, discussion answers, feedback."""

from __future__ import annotations

from pathlib import Path

from tabletop.engine import Session
from tabletop.report.context import session_context
from tabletop.report.render import render_report
from tests.need_to_know_fixtures import play_portal_session


def test_the_report_shows_decision_sources_rfis_answers_and_feedback(tmp_path: Path) -> None:
    with Session.open(play_portal_session(tmp_path), readonly=True) as session:
        context = session_context(session)
        html = render_report(session=session, fmt="html")
        md = render_report(session=session, fmt="md")
    portal = context["portal"]
    assert [(r["text"], [a["text"] for a in r["answers"]]) for r in portal["rfis"]] == [
        ("US-rfi-Q", ["US-rfi-reply-Q"]),
        ("ROK-rfi-Q", []),
    ]
    assert {a["text"] for a in portal["answers"]} == {"US-answer-Q", "CHINA-answer-Q"}
    assert portal["forms"] == 2
    realism = next(r for r in portal["ratings"] if "realistic" in r["question"])
    assert (realism["count"], realism["average"]) == (2, "3.0")
    decisions = [e for e in context["timeline"] if e["kind"] == "decision"]
    assert any("ROK-portal-revised-Q" in e["text"] and "(submitted by the team)" in e["text"] for e in decisions)
    assert any(e["kind"] == "RFI answer" and "US-rfi-reply-Q" in e["text"] for e in context["timeline"])
    for text in (html, md):
        for marker in ("US-rfi-Q", "US-rfi-reply-Q", "ROK-rfi-Q", "US-answer-Q", "CHINA-answer-Q",
                       "US-feedback-strength-Q", "ROK-feedback-improve-Q", "US-feedback-name-Q"):
            assert marker in text, marker
        assert "the team, from its link" in text and "the facilitator" in text
