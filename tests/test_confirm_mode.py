"""Submissions that wait for the control cell: a session may be set so the facilitator confirms each.

In that mode a team's submission is a `submitted` event, not a decision; it
counts (a `decided` event, or a correction when it revises a standing one)
only once the facilitator confirms it; a revision before then replaces the
waiting one; the team sees it as waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tabletop.clock import FakeClock
from tabletop.engine import ActionRefused, Session
from tabletop.events import CorrectedEvent, DecidedEvent, SubmittedEvent
from tabletop.need_to_know import team_view
from tabletop.state import SessionState
from tests.engine_fixtures import new_session


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = new_session(tmp_path, clock=FakeClock())
    s.deliver("M1-02")
    s.set_submission_mode(True)
    yield s
    s.close()


def test_a_submission_waits_until_the_facilitator_confirms_it(session: Session) -> None:
    submitted = session.submit_decision("rok", "M1-02", option="direct", rationale="the vessel is closest")
    assert isinstance(submitted, SubmittedEvent)
    assert session.state.decision("M1-02", "rok") is None
    assert "rok" in session.state.awaited()["M1-02"], "a submission waiting for confirmation is not yet an answer"
    view = team_view(session, "rok")
    assert view.confirm_submissions and view.waiting_on("M1-02") is not None and view.decision_on("M1-02") is None
    assert team_view(session, "us").waiting == (), "a team never sees another team's submission"
    confirmed = session.confirm_submission("M1-02", "rok")
    assert isinstance(confirmed, DecidedEvent) and confirmed.source == "team" and confirmed.option == "direct"
    assert session.state.pending_submissions() == []
    assert team_view(session, "rok").decision_on("M1-02").rationale == "the vessel is closest"
    with pytest.raises(ActionRefused, match="no submission from rok on M1-02 waits"):
        session.confirm_submission("M1-02", "rok")


def test_a_revision_replaces_the_waiting_one_and_a_confirmed_revision_is_a_correction(session: Session) -> None:
    session.submit_decision("rok", "M1-02", option="direct")
    session.submit_decision("rok", "M1-02", option="beijing")
    assert [s.option for s in session.state.pending_submissions()] == ["beijing"]
    with pytest.raises(ActionRefused, match="already submitted"):
        session.submit_decision("rok", "M1-02", option="beijing")
    first = session.confirm_submission("M1-02", "rok")
    session.submit_decision("rok", "M1-02", option="alone", rationale="cutters arrived")
    revised = session.confirm_submission("M1-02", "rok")
    assert isinstance(revised, CorrectedEvent) and revised.target == first.seq
    assert session.state.decision("M1-02", "rok").option == "alone"


def test_a_decision_the_facilitator_records_settles_the_waiting_submission(session: Session) -> None:
    session.submit_decision("rok", "M1-02", option="direct")
    session.decide("rok", "M1-02", option="alone", text="as said in the room")
    assert session.state.pending_submissions() == []
    assert team_view(session, "rok").waiting == ()


def test_switching_back_makes_submissions_decisions_at_once(session: Session) -> None:
    with pytest.raises(ActionRefused, match="already wait"):
        session.set_submission_mode(True)
    session.set_submission_mode(False)
    assert isinstance(session.submit_decision("rok", "M1-02", option="direct"), DecidedEvent)


def test_the_mode_and_waiting_submissions_survive_a_reopen(tmp_path: Path) -> None:
    session = new_session(tmp_path, clock=FakeClock())
    session.deliver("M1-02")
    session.set_submission_mode(True)
    session.submit_decision("rok", "M1-02", option="direct")
    live = session.state.snapshot(10)
    replay = SessionState.replay(session.exercise, session.state.events).snapshot(10)
    path = session.path
    session.close()
    reopened = Session.open(path)
    try:
        assert reopened.state.snapshot(10) == live == replay
        assert reopened.state.confirm_submissions
        assert reopened.confirm_submission("M1-02", "rok").option == "direct"
    finally:
        reopened.close()


def test_the_report_says_where_each_decision_came_from(session: Session) -> None:
    from tabletop.report.context import session_context

    session.submit_decision("rok", "M1-02", option="direct")
    session.confirm_submission("M1-02", "rok")
    texts = [e["text"] for e in session_context(session)["timeline"]]
    assert any("for the facilitator to confirm" in t for t in texts)
    assert any("submitted by the team, confirmed by the facilitator" in t for t in texts)
    assert "Team submissions wait for the facilitator's confirmation" in texts
