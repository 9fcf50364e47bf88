"""Tests of the need-to-know rule: what one team may see of a session, and nothing more."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.need_to_know import (
    NotAParticipant,
    TeamView,
    inject_handout,
    participant,
    participants,
    team_view,
)
from tabletop.state import SessionState
from tests.engine_fixtures import new_session
from tests.need_to_know_fixtures import (
    ALL_MARKERS,
    PARTICIPANTS,
    posture_words_in,
    hidden_from,
    markers_in,
    play_portal_session,
    play_secrets_session,
    portal_hidden_from,
    portal_markers_in,
    portal_visible_to,
    visible_to,
    write_secrets_exercise,
)


@pytest.fixture
def secrets_path(tmp_path: Path) -> Path:
    return play_secrets_session(tmp_path)


@pytest.fixture
def secrets(secrets_path: Path) -> Session:
    session = Session.open(secrets_path, readonly=True)
    yield session
    session.close()


def everything_in(view: TeamView) -> str:
    """All the data of a view as one text: its JSON and its repr."""
    return json.dumps(view.as_dict(), ensure_ascii=False) + repr(view)


def test_markers_are_distinct() -> None:
    markers = list(ALL_MARKERS)
    assert len(markers) > 80
    for marker in markers:
        others = [m for m in markers if m != marker and marker in m]
        assert not others, f"{marker} is part of {others}"


@pytest.mark.parametrize("team", PARTICIPANTS)
def test_a_team_sees_its_share_and_not_one_secret(secrets: Session, team: str) -> None:
    text = everything_in(team_view(secrets, team))
    seen = markers_in(text)
    assert seen & hidden_from(team) == set()
    assert visible_to(team) - seen == set()
    assert posture_words_in(text) == []


@pytest.mark.parametrize("team", PARTICIPANTS)
def test_the_rule_reads_a_replayed_state_the_same_way(secrets: Session, team: str) -> None:
    replayed = SessionState.replay(secrets.exercise, secrets.state.events)
    assert team_view(replayed, team) == team_view(secrets, team)


@pytest.fixture
def portal(tmp_path: Path) -> Session:
    session = Session.open(play_portal_session(tmp_path), readonly=True)
    yield session
    session.close()


@pytest.mark.parametrize("team", PARTICIPANTS)
def test_a_team_sees_only_its_own_portal_traffic(portal: Session, team: str) -> None:
    text = everything_in(team_view(portal, team))
    seen = portal_markers_in(text)
    assert seen & portal_hidden_from(team) == set()
    assert portal_visible_to(team) - seen == set()
    assert posture_words_in(text) == []


def test_the_portal_view_reads_a_replayed_state_the_same_way(portal: Session) -> None:
    replayed = SessionState.replay(portal.exercise, portal.state.events)
    for team in PARTICIPANTS:
        assert team_view(replayed, team) == team_view(portal, team)


def test_a_team_view_says_which_decisions_the_team_entered(portal: Session) -> None:
    rok = team_view(portal, "rok")
    assert {d.inject: d.source for d in rok.decisions} == {"I-USROK": "facilitator", "I-ALL": "team"}
    assert rok.locked == ("I-ALL",)
    assert [r.answers for r in team_view(portal, "us").rfis] == [("US-rfi-reply-Q",)]
    assert [r.answers for r in rok.rfis] == [()]


def test_the_control_cell_has_no_participant_view(secrets: Session) -> None:
    with pytest.raises(NotAParticipant, match="control cell.*facilitator console"):
        team_view(secrets, "control")
    assert [t.id for t in participants(secrets.exercise)] == list(PARTICIPANTS)


def test_an_unknown_team_is_named_with_a_suggestion(secrets: Session) -> None:
    with pytest.raises(NotAParticipant) as error:
        team_view(secrets, "usa")
    message = str(error.value)
    assert "unknown team 'usa'" in message
    assert "did you mean 'us'" in message
    assert "control" not in message.split("teams with a view:")[1]


def test_undelivered_held_and_skipped_injects_are_absent(secrets: Session) -> None:
    for team in PARTICIPANTS:
        ids = {i.inject for i in team_view(secrets, team).injects}
        assert not ids & {"I-HELD", "I-SKIPPED", "I-LATER", "M2-01", "C-UNUSED"}
    assert {i.inject for i in team_view(secrets, "rok").injects} == {"I-ALL", "I-USROK", "C-ROK", "ADHOC-1"}
    assert {i.inject for i in team_view(secrets, "observers").injects} == {"I-ALL", "I-OBS", "ADHOC-2"}


def test_injects_come_newest_first_and_a_repeat_moves_an_inject_up(secrets: Session) -> None:
    view = team_view(secrets, "us")
    newest = view.newest_first
    assert newest[0].inject == "I-ALL"
    assert newest[0].deliveries == 2
    assert newest[0].first_minute == pytest.approx(5.0)
    assert [(i.inject, i.delivery) for i in newest] == [("I-ALL", 4), ("ADHOC-2", 3), ("I-USROK", 2)]
    assert newest[0].in_world is not None and newest[0].in_world.utcoffset().total_seconds() == 9 * 3600


def test_the_decision_prompt_says_whether_the_team_must_answer(secrets: Session) -> None:
    by_team = {team: {i.inject: i for i in team_view(secrets, team).injects} for team in PARTICIPANTS}
    assert by_team["us"]["I-ALL"].decision.asked is True
    assert by_team["observers"]["I-ALL"].decision.asked is False
    labels = [o.label for o in by_team["rok"]["I-USROK"].decision.options]
    assert labels == ["USROK-lead-Q", "USROK-follow-Q"]
    fields = {f.name for f in dataclasses.fields(by_team["rok"]["I-USROK"].decision.options[0])}
    assert fields == {"id", "label"}


def test_own_decisions_stand_as_corrected_and_retracted_ones_are_gone(secrets: Session) -> None:
    us = team_view(secrets, "us")
    assert [d.inject for d in us.decisions] == ["I-USROK", "I-ALL"]
    assert us.decision_on("I-ALL").rationale == "US-corrected-rationale-Q"
    assert us.decision_on("I-USROK").option_label == "USROK-lead-Q"
    rok = team_view(secrets, "rok")
    assert rok.decision_on("I-ALL") is None
    assert "I-ALL" in rok.awaited
    assert team_view(secrets, "observers").decisions == ()


def test_move_questions_are_for_everyone_and_for_the_team(secrets: Session) -> None:
    (move,) = team_view(secrets, "us").moves
    assert move.questions == ("OK-M1-question-all-Q", "US-M1-question-Q")
    (move,) = team_view(secrets, "china").moves
    assert move.questions == ("OK-M1-question-all-Q",)


def test_a_move_shows_once_it_opens(tmp_path: Path) -> None:
    clock = FakeClock()
    with Session.create(write_secrets_exercise(tmp_path), tmp_path / "s", clock=clock) as session:
        before = team_view(session, "us")
        assert before.moves == () and not before.started and before.brief == "US-brief-Q Your private brief."
        session.start()
        session.advance()
        view = team_view(session, "us")
        assert [m.id for m in view.moves] == ["M1", "M2"]
        assert view.moves[1].minute == pytest.approx(60.0)
        assert view.current_move is not None and view.current_move.id == "M2"


def test_a_corrected_adhoc_inject_reads_as_corrected(tmp_path: Path) -> None:
    with new_session(tmp_path) as session:
        event = session.adhoc("Ferry delayed", "The ferry is two hours late.", ["japan"])
        session.correct(event.seq, "wrong delay", {"body": "The ferry is three hours late."})
        (inject,) = team_view(session, "japan").injects
        assert inject.adhoc and inject.body == "The ferry is three hours late."
        assert team_view(session, "us").injects == ()


def test_a_decision_moved_to_another_team_leaves_the_first_view(tmp_path: Path) -> None:
    with new_session(tmp_path) as session:
        session.deliver("M1-02")
        decided = session.decide("us", "M1-02", option="direct", rationale="first")
        assert team_view(session, "us").decision_on("M1-02") is not None
        session.correct(decided.seq, "it was ROK", {"team": "rok"})
        assert team_view(session, "us").decision_on("M1-02") is None
        assert team_view(session, "rok").decision_on("M1-02").rationale == "first"


def test_a_reader_follows_what_a_writer_appends(tmp_path: Path) -> None:
    with new_session(tmp_path) as writer, Session.open(writer.path, readonly=True) as reader:
        assert team_view(reader, "rok").injects == ()
        writer.deliver("M1-02")
        reader.refresh()
        view = team_view(reader, "rok")
        assert [i.inject for i in view.injects] == ["M1-02"]


def test_the_view_is_frozen_data(secrets: Session) -> None:
    view = team_view(secrets, "us")
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.brief = "changed"  # type: ignore[misc]
    assert isinstance(view.injects, tuple)
    json.dumps(view.as_dict())


def test_a_handout_printed_in_advance_has_only_participant_fields(secrets: Session) -> None:
    handout = inject_handout(secrets.exercise, "I-LATER", "observers")
    assert handout.body == "S3-later-body-Q" and handout.delivery is None and handout.deliveries == 0
    text = repr(inject_handout(secrets.exercise, "I-USROK", "us"))
    assert "consequence" not in text and "S3-" not in text and "public" not in text
    with pytest.raises(KeyError, match="not addressed to china"):
        inject_handout(secrets.exercise, "I-USROK", "china")
    with pytest.raises(KeyError, match="unknown inject"):
        inject_handout(secrets.exercise, "NOPE", "us")
    with pytest.raises(NotAParticipant):
        inject_handout(secrets.exercise, "I-ALL", "control")


def test_participant_returns_the_team(secrets: Session) -> None:
    assert participant(secrets.exercise, "observers").kind.value == "observer"


def test_the_rule_does_not_import_textual() -> None:
    code = "import sys, tabletop.need_to_know; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_what_happens_elsewhere_leaves_a_teams_view_unchanged(tmp_path: Path) -> None:
    with new_session(tmp_path) as session:
        session.deliver("M1-01")
        before = team_view(session, "japan")
        session.deliver("M1-02")
        session.decide("rok", "M1-02", option="direct", rationale="ours")
        session.note("the ROK team argued for ten minutes")
        session.observe("OBJ-1", "M", "slow to share the position", evaluator="E. Kim")
        session.rule("the Chinese vessel keeps its course", team="rok")
        assert team_view(session, "japan") == before


# What a team may still send: one rule, by which the engine refuses and the views offer

CLOSINGS = {
    "open": (lambda s: None, None),
    "the move ended": (lambda s: s.advance(), "the move in which M1-02 was delivered has ended"),
    "locked": (lambda s: s.lock("M1-02"), "M1-02 is locked"),
    "withdrawn": (lambda s: s.withdraw("M1-02", "wrong table", ["rok"]), "no inject 'M1-02' has been delivered"),
    "after ENDEX": (lambda s: s.end(), "ENDEX"),
    "the move reopened": (lambda s: s.reopen_move("advanced by mistake") if s.advance() else None, None),
}
"""What the facilitator does after delivering M1-02 to ROK, and the engine's refusal of ROK's decision then."""


@pytest.mark.parametrize("case", sorted(CLOSINGS))
def test_the_view_offers_a_decision_exactly_where_the_engine_takes_one(tmp_path: Path, case: str) -> None:
    from tabletop.engine import ActionRefused
    from tabletop.need_to_know import submission_closed

    act, refusal = CLOSINGS[case]
    with new_session(tmp_path) as session:
        session.deliver("M1-02")
        act(session)
        view = team_view(session, "rok")
        rule = submission_closed(session.state, "rok", "M1-02")
        try:
            session.submit_decision("rok", "M1-02", option="direct")
        except ActionRefused as refused:
            said: str | None = str(refused)
        else:
            said = None
    if refusal is None:
        assert said is None and rule is None and view.closed_on("M1-02") is None
        assert "M1-02" in view.awaited or view.ended
        return
    assert said is not None and refusal in said
    assert rule is not None and said == rule.refusal, "the engine refuses with the rule's own words"
    assert view.closed_on("M1-02") == rule.note
    assert "M1-02" not in view.awaited


def test_a_decision_closed_with_its_move_is_closed_not_awaited(tmp_path: Path) -> None:
    with new_session(tmp_path) as session:
        session.deliver("M1-02")
        session.deliver("M1-03")
        session.submit_decision("us", "M1-02", option="beijing")
        assert team_view(session, "rok").awaited == ("M1-02",)
        session.advance()
        rok = team_view(session, "rok")
        assert rok.awaited == () and session.state.awaited()["M1-02"] == ["rok"], "the console still awaits it"
        why = "the move it came in has ended; the control cell can still record a decision"
        assert rok.closed == (("M1-02", why),) and rok.closed_unanswered == (("M1-02", why),)
        us = team_view(session, "us")
        assert us.closed_on("M1-02") == why and us.closed_unanswered == (), "answered: closed, but owed by nobody"
        assert team_view(session, "observers").closed == (), "nothing is put to the observers"
        session.deliver("M2-01")
        assert team_view(session, "rok").closed_on("M2-01") is None and "M2-01" in team_view(session, "rok").awaited
        session.decide("rok", "M1-02", option="alone")
        assert team_view(session, "rok").closed_unanswered == ()


def test_discussion_answers_are_taken_for_the_open_move_only(tmp_path: Path) -> None:
    from tabletop.engine import ActionRefused
    from tabletop.need_to_know import discussion_closed

    clock = FakeClock()
    with Session.create(write_secrets_exercise(tmp_path), tmp_path / "s", clock=clock) as session:
        assert team_view(session, "us").discussion is None
        session.start()
        assert team_view(session, "us").open_discussion.id == "M1"
        session.answer_question("us", "M1", "US-M1-question-Q", "Call Seoul.")
        session.advance()
        view = team_view(session, "us")
        assert view.discussion == "M2" and view.open_discussion.questions == ("S3-M2-question-Q",)
        closed = discussion_closed(session.state, "M1")
        assert closed is not None
        with pytest.raises(ActionRefused) as refused:
            session.answer_question("us", "M1", "US-M1-question-Q", "Call Tokyo too.")
        assert str(refused.value) == closed.refusal and "ended with the move" in closed.refusal
        assert [a.text for a in team_view(session, "us").answers] == ["Call Seoul."], "the answer kept stands"
        session.answer_question("us", "M2", "S3-M2-question-Q", "Wait for the capitals.")
        session.end()
        assert team_view(session, "us").discussion is None
