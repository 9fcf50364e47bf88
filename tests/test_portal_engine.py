"""Tests of what a team does from its own link: the engine rules behind the team portal.

Every action is one engine call and one event, refused with `ActionRefused` and
nothing written under the same rules as the console.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tabletop.clock import FakeClock
from tabletop.engine import ActionRefused, Session
from tabletop.events import CorrectedEvent, DecidedEvent, FeedbackEvent, RfiEvent, RfiReplyEvent
from tabletop.state import SessionState
from tests.need_to_know_fixtures import write_secrets_exercise


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    clock = FakeClock()
    live = Session.create(write_secrets_exercise(tmp_path), tmp_path / "portal.session", clock=clock)
    live.start()
    clock.advance(minutes=5)
    for inject in ("I-ALL", "I-USROK", "I-CHINA"):
        live.deliver(inject)
    yield live
    live.close()


def refused(session: Session, action: Callable[[], Any], match: str) -> None:
    """The action is refused with a message matching `match`, and nothing is written."""
    before = session.state.last_seq
    with pytest.raises(ActionRefused, match=match):
        action()
    assert session.state.last_seq == before
    reopened = Session.open(session.path, readonly=True)
    try:
        assert reopened.state.last_seq == before
    finally:
        reopened.close()


def test_a_team_submission_is_a_decision_marked_as_from_the_team(session: Session) -> None:
    event = session.submit_decision("us", "I-USROK", "lead", rationale=" fastest ", dissent="State disagreed")
    assert isinstance(event, DecidedEvent)
    assert (event.source, event.author, event.rationale) == ("team", "team:us", "fastest")
    assert session.state.decision("I-USROK", "us") == event
    assert "(from the team)" in event.summary()
    assert session.decide("rok", "I-USROK", "follow").source == "facilitator"


def test_a_revision_is_a_correction_never_an_overwrite(session: Session) -> None:
    first = session.submit_decision("us", "I-USROK", "lead")
    revision = session.submit_decision("us", "I-USROK", "follow", rationale="changed our mind")
    assert isinstance(revision, CorrectedEvent)
    assert revision.target == first.seq and revision.author == "team:us"
    assert session.state.event(first.seq).option == "lead"  # type: ignore[union-attr]
    standing = session.state.decision("I-USROK", "us")
    assert standing is not None and (standing.option, standing.source) == ("follow", "team")
    refused(session, lambda: session.submit_decision("us", "I-USROK", "follow", rationale="changed our mind"), "nothing changed")


def test_a_team_revises_a_decision_the_facilitator_typed(session: Session) -> None:
    typed = session.decide("us", "I-USROK", "lead")
    revision = session.submit_decision("us", "I-USROK", "follow")
    assert isinstance(revision, CorrectedEvent) and revision.target == typed.seq
    assert session.state.decision("I-USROK", "us").source == "team"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("team", "inject", "option", "match"),
    [
        ("china", "I-USROK", "lead", "no inject 'I-USROK' has been delivered to your team"),
        ("us", "I-CHINA", None, "no inject 'I-CHINA' has been delivered to your team"),
        ("us", "I-LATER", None, "no inject 'I-LATER' has been delivered"),
        ("us", "NOPE", None, "no inject 'NOPE' has been delivered"),
        ("us", "I-USROK", "sink", "option 'sink' is not offered"),
        ("observers", "I-ALL", "close", "was not asked to decide"),
        ("control", "I-ALL", "close", "control cell"),
        ("mars", "I-ALL", "close", "unknown team"),
        ("us", "I-USROK", None, "needs an option or a text"),
    ],
)
def test_submissions_the_console_would_refuse_are_refused(
    session: Session, team: str, inject: str, option: str | None, match: str
) -> None:
    refused(session, lambda: session.submit_decision(team, inject, option), match)


def test_no_submission_after_a_lock_or_once_the_move_ended_or_after_endex(session: Session) -> None:
    session.submit_decision("us", "I-ALL", "close")
    session.lock("I-ALL")
    refused(session, lambda: session.submit_decision("us", "I-ALL", "open"), "locked")
    refused(session, lambda: session.submit_decision("rok", "I-ALL", "open"), "locked")
    refused(session, lambda: session.lock("I-ALL"), "already locked")
    session.decide("rok", "I-ALL", "open")
    session.advance()
    refused(session, lambda: session.submit_decision("us", "I-USROK", "lead"), "move in which I-USROK was delivered has ended")
    session.deliver("M2-01")
    session.end()
    refused(session, lambda: session.submit_decision("us", "I-USROK", "lead"), "ENDEX")


def test_an_rfi_goes_to_control_and_its_answer_to_the_asking_team(session: Session) -> None:
    asked = session.ask("rok", "  Where is the cutter?  ", inject="I-USROK")
    assert isinstance(asked, RfiEvent) and (asked.text, asked.author) == ("Where is the cutter?", "team:rok")
    assert session.state.unanswered_rfis() == [asked]
    reply = session.reply(asked.seq, "40 minutes out.")
    assert isinstance(reply, RfiReplyEvent) and reply.team == "rok" and reply.author == "facilitator"
    assert session.state.unanswered_rfis() == []
    assert session.state.replies_to(asked.seq) == [reply]
    refused(session, lambda: session.ask("rok", "   "), "may not be empty")
    refused(session, lambda: session.ask("rok", "about theirs", inject="I-CHINA"), "no inject 'I-CHINA'")
    refused(session, lambda: session.ask("control", "hello"), "control cell")
    refused(session, lambda: session.reply(1, "not an RFI"), "#1 is not a request for information")
    refused(session, lambda: session.reply(asked.seq, " "), "may not be empty")
    refused(session, lambda: session.ask("rok", "x" * 4001), "at most 4000")


def test_a_team_answers_the_discussion_questions_put_to_it(session: Session) -> None:
    first = session.answer_question("us", "M1", "US-M1-question-Q", "Call Seoul first.")
    second = session.answer_question("us", "M1", "US-M1-question-Q", "Call Seoul and Tokyo.")
    session.answer_question("china", "M1", "OK-M1-question-all-Q", "Wait.")
    assert session.state.team_answers("us") == [second]
    assert first in session.state.events
    refused(session, lambda: session.answer_question("china", "M1", "US-M1-question-Q", "x"), "not put to your team")
    refused(session, lambda: session.answer_question("us", "M2", "S3-M2-question-Q", "x"), "has not opened")
    refused(session, lambda: session.answer_question("us", "M1", "US-M1-question-Q", " "), "may not be empty")


def test_a_discussion_answer_is_refused_once_its_move_has_ended(session: Session) -> None:
    kept = session.answer_question("us", "M1", "US-M1-question-Q", "Call Seoul first.")
    session.advance()
    refused(session, lambda: session.answer_question("us", "M1", "US-M1-question-Q", "Late."), "discussion of M1 ended")
    assert session.state.team_answers("us") == [kept]
    assert session.answer_question("us", "M2", "S3-M2-question-Q", "Wait.").move == "M2"
    session.reopen_move("advanced too early")
    assert session.answer_question("us", "M1", "US-M1-question-Q", "Call Seoul and Tokyo.").move == "M1"


def test_the_feedback_form_opens_at_endex(session: Session) -> None:
    refused(session, lambda: session.give_feedback("us", {"realism": 4}), "opens at ENDEX")
    session.end()
    form = session.give_feedback("us", {"realism": 4, "objectives": "5"}, strengths="Good pace", participant=" Kim ")
    assert isinstance(form, FeedbackEvent)
    assert (form.ratings, form.participant, form.author) == ({"realism": 4, "objectives": 5}, "Kim", "team:us")
    anonymous = session.give_feedback("us", {}, improvements="More time")
    assert session.state.feedback == [form, anonymous]
    refused(session, lambda: session.give_feedback("us", {"realism": 6}), "1 to 5")
    refused(session, lambda: session.give_feedback("us", {"realism": "high"}), "not a number")
    refused(session, lambda: session.give_feedback("us", {"mood": 3}), "unknown feedback question")
    refused(session, lambda: session.give_feedback("us", {}), "the form is empty")
    refused(session, lambda: session.ask("us", "late question"), "ENDEX")
    refused(session, lambda: session.answer_question("us", "M1", "US-M1-question-Q", "late"), "ENDEX")


def test_portal_events_replay_to_the_same_state(session: Session) -> None:
    session.submit_decision("us", "I-USROK", "lead")
    session.submit_decision("us", "I-USROK", "follow")
    session.reply(session.ask("rok", "Why?").seq, "Because.")
    session.lock("I-USROK")
    session.answer_question("us", "M1", "US-M1-question-Q", "Notes.")
    session.end()
    session.give_feedback("rok", {"realism": 3})
    replayed = SessionState.replay(session.exercise, session.state.events)
    assert replayed.snapshot() == session.state.snapshot()
    assert replayed.locked == {"I-USROK"}
    reopened = Session.open(session.path, readonly=True)
    try:
        assert reopened.state.snapshot() == session.state.snapshot()
    finally:
        reopened.close()
