"""A way back for every play mistake: withdrawn deliveries, holds and skips taken back, a move advance undone.

Each is a new `corrected` event pointing at the record; the record stays, the
state folds as if the mistake had been taken back, and a fresh replay of the
log agrees with the live state.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tabletop.clock import FakeClock
from tabletop.engine import ActionRefused, Session
from tabletop.events import CorrectedEvent, DeliveredEvent
from tabletop.need_to_know import room_view, team_view
from tabletop.state import InjectStatus, SessionState
from tests.engine_fixtures import new_session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = new_session(tmp_path, clock=clock)
    yield s
    s.close()


def replayed(session: Session) -> SessionState:
    """The state a fresh open of the file folds, to compare with the live one."""
    return SessionState.replay(session.exercise, session.state.events)


def test_withdrawing_a_delivery_from_every_team(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=20)
    sent = session.deliver("M1-02")
    correction = session.withdraw("M1-02", "sent before its time")
    assert isinstance(correction, CorrectedEvent) and correction.target == sent.seq and correction.replacement is None
    state = session.state
    assert not state.was_delivered("M1-02")
    assert state.status("M1-02", session.now_minute()) is InjectStatus.due
    assert "M1-02" not in state.awaited()
    assert state.event(sent.seq) == sent, "the delivery stays in the record"
    view = team_view(session, "rok")
    seen = next(i for i in view.injects if i.inject == "M1-02")
    assert seen.withdrawn == "sent before its time"
    again = session.deliver("M1-02")
    assert isinstance(again, DeliveredEvent) and not again.redelivery
    assert next(i for i in team_view(session, "rok").injects if i.inject == "M1-02").withdrawn is None
    assert replayed(session).snapshot(10) == session.state.snapshot(10)


def test_withdrawing_a_delivery_from_the_wrong_team_only(session: Session) -> None:
    session.deliver("M1-01")
    session.withdraw("M1-01", "China's table was not meant to have it yet", teams=["china"])
    state = session.state
    assert state.was_delivered("M1-01")
    assert "china" not in state.deliveries[-1].to and "rok" in state.deliveries[-1].to
    china = next(i for i in team_view(session, "china").injects if i.inject == "M1-01")
    assert china.withdrawn is not None
    rok = next(i for i in team_view(session, "rok").injects if i.inject == "M1-01")
    assert rok.withdrawn is None
    assert next(i for i in room_view(session).injects if i.inject == "M1-01").withdrawn is not None
    assert replayed(session).snapshot(10) == session.state.snapshot(10)


def test_a_withdrawal_cannot_add_teams_or_withdraw_twice(session: Session) -> None:
    sent = session.deliver("M1-02")
    with pytest.raises(ActionRefused, match="was not delivered to japan"):
        session.correct(sent.seq, "typo", {"to": ["rok", "japan"]})
    with pytest.raises(ActionRefused, match="did not reach japan"):
        session.withdraw("M1-02", "wrong", teams=["japan"])
    with pytest.raises(ActionRefused, match="only the teams"):
        session.correct(sent.seq, "typo", {"inject": "M1-03"})
    session.withdraw("M1-02", "by mistake")
    with pytest.raises(ActionRefused, match="nothing to withdraw"):
        session.withdraw("M1-02", "again")


def test_a_decision_stops_being_awaited_from_a_team_the_inject_was_withdrawn_from(session: Session) -> None:
    session.deliver("M1-03")
    assert session.state.awaited()["M1-03"] == ["japan", "china"]
    session.withdraw("M1-03", "only Japan should have it", teams=["china"])
    assert session.state.awaited()["M1-03"] == ["japan"]
    with pytest.raises(ActionRefused, match="no inject .M1-03. has been delivered to your team"):
        session.submit_decision("china", "M1-03", option="share")


def test_an_adhoc_inject_can_be_withdrawn_and_the_team_still_sees_what_it_was(session: Session) -> None:
    adhoc = session.adhoc("Port closed", "Incheon port is closed to all traffic.", ["rok", "china"])
    session.withdraw(adhoc.inject, "meant for the ROK only", teams=["china"])
    china = next(i for i in team_view(session, "china").injects if i.inject == adhoc.inject)
    assert china.withdrawn == "meant for the ROK only" and china.title == "Port closed"
    session.withdraw(adhoc.inject, "not needed after all")
    rok = next(i for i in team_view(session, "rok").injects if i.inject == adhoc.inject)
    assert rok.withdrawn == "not needed after all" and rok.body.startswith("Incheon")
    assert replayed(session).snapshot(10) == session.state.snapshot(10)


def test_taking_back_a_hold_and_a_skip(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=20)
    session.hold("M1-02", "waiting for the ROK table")
    session.take_back("M1-02", "held the wrong row")
    assert session.state.status("M1-02", session.now_minute()) is InjectStatus.due
    session.skip("M1-02", "no time")
    session.take_back("M1-02", "skipped by mistake")
    assert session.state.status("M1-02", session.now_minute()) is InjectStatus.due
    session.deliver("M1-02")
    with pytest.raises(ActionRefused, match="not held or skipped"):
        session.take_back("M1-02", "again")
    assert replayed(session).snapshot(30) == session.state.snapshot(30)


def test_a_hold_cannot_be_taken_back_once_the_inject_was_delivered_since(session: Session) -> None:
    held = session.hold("M1-02", "later")
    session.deliver("M1-02")
    with pytest.raises(ActionRefused, match="delivered since"):
        session.correct(held.seq, "never mind")
    session.correct(held.seq, "reason was wrong", {"reason": "the ROK asked for a pause"})
    with pytest.raises(ActionRefused, match="only its reason"):
        session.correct(held.seq, "wrong inject", {"inject": "M1-03"})


def test_undoing_a_move_advance_reopens_the_move_and_keeps_the_clock(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=10)
    advanced = session.advance()
    minute = session.now_minute()
    assert session.state.move is not None and session.state.move.id == "M2"
    session.reopen_move("pressed m by mistake")
    state = session.state
    assert state.move is not None and state.move.id == "M1"
    assert state.event(advanced.seq) == advanced
    assert session.now_minute() == pytest.approx(minute), "a jump of the clock is not taken back"
    assert [m for m, _ in state.move_openings] == ["M1"]
    assert "M2" not in state.situations
    again = session.advance()
    assert again.move == "M2" and again.jump_to is None
    assert replayed(session).snapshot(200) == session.state.snapshot(200)


def test_a_move_advance_cannot_be_undone_after_deliveries_in_it_or_after_endex(session: Session) -> None:
    with pytest.raises(ActionRefused, match="no move has been advanced"):
        session.reopen_move("nothing to undo")
    session.advance()
    session.deliver("M2-01")
    with pytest.raises(ActionRefused, match="M2-01 was delivered in M2; withdraw them first"):
        session.reopen_move("oops")
    session.withdraw("M2-01", "not yet")
    session.reopen_move("oops")
    assert session.state.move is not None and session.state.move.id == "M1"
    session.advance()
    session.end()
    with pytest.raises(ActionRefused, match="after ENDEX"):
        session.reopen_move("too late")


def test_submissions_reopen_with_the_move(session: Session) -> None:
    session.deliver("M1-02")
    session.advance()
    with pytest.raises(ActionRefused, match="move in which M1-02 was delivered has ended"):
        session.submit_decision("rok", "M1-02", option="direct")
    session.reopen_move("advanced by mistake")
    assert isinstance(session.submit_decision("rok", "M1-02", option="direct"), object)
    assert session.state.decision("M1-02", "rok") is not None


def test_the_way_back_survives_a_reopen_of_the_file(tmp_path: Path, clock: FakeClock) -> None:
    session = new_session(tmp_path, clock=clock)
    session.deliver("M1-01")
    session.withdraw("M1-01", "wrong teams", teams=["china", "japan"])
    session.hold("M1-03", "later")
    session.take_back("M1-03", "no")
    session.advance()
    session.reopen_move("mistake")
    live = session.state.snapshot(30)
    path = session.path
    session.close()
    reopened = Session.open(path, clock=clock)
    try:
        assert reopened.state.snapshot(30) == live
    finally:
        reopened.close()


def test_the_report_keeps_what_was_taken_back_and_says_how(session: Session) -> None:
    from tabletop.report.context import session_context

    sent = session.deliver("M1-01")
    session.withdraw("M1-01", "the Chinese table was not meant to have it", teams=["china"])
    session.deliver("M1-03")
    session.withdraw("M1-03", "sent early")
    held = session.hold("M1-02", "later")
    session.take_back("M1-02", "held the wrong row")
    advanced = session.advance()
    session.reopen_move("pressed m by mistake")
    context = session_context(session)
    actions = {c["target"]: (c["action"], c["after"]) for c in context["corrections"]}
    assert actions[sent.seq][0] == "withdrawn from china"
    assert actions[held.seq] == ("taken back", "(taken back)")
    assert actions[advanced.seq] == ("undone", "(undone)")
    on_timeline = {e["seq"]: e for e in context["timeline"]}
    assert on_timeline[advanced.seq]["corrected"] and on_timeline[held.seq]["corrected"]


def test_a_decision_on_a_skipped_or_held_inject_is_refused_with_the_way_forward(session: Session) -> None:
    session.skip("M1-03", "no time")
    session.hold("M1-04", "wait")
    with pytest.raises(ActionRefused, match=r"M1-03 was skipped, never delivered; take the skip back \(x on its log line\)"):
        session.decide("japan", "M1-03", option="share")
    assert session.undelivered_reason("M1-04") == "M1-04 is held, not delivered yet; deliver it (d) before recording decisions"
    session.take_back("M1-03", "skipped by mistake")
    session.deliver("M1-03")
    assert session.undelivered_reason("M1-03") is None


def test_an_inject_withdrawn_and_sent_again_reads_as_one_delivery_to_the_team(session: Session, clock: FakeClock) -> None:
    session.deliver("M1-02")
    session.withdraw("M1-02", "the cursor was one row off")
    clock.advance(minutes=12)
    again = session.deliver("M1-02")
    seen = next(i for i in team_view(session, "rok").injects if i.inject == "M1-02")
    assert seen.withdrawn is None
    assert seen.deliveries == 1, "the withdrawn mistake is not a second delivery"
    assert seen.first_minute == again.minute == seen.minute
    clock.advance(minutes=3)
    session.withdraw("M1-02", "not for this move after all")
    gone = next(i for i in team_view(session, "rok").injects if i.inject == "M1-02")
    assert gone.withdrawn == "not for this move after all", "with no delivery standing it reads as withdrawn"


def test_a_record_is_not_offered_to_move_to_an_inject_withdrawn_from_every_team(session: Session) -> None:
    from tabletop.corrections import NONE, plan_for

    session.deliver("M1-01")
    session.deliver("M1-02")
    on_withdrawn = session.note("the coast guard called back", inject="M1-02")
    elsewhere = session.note("the room asked for a map", inject="M1-01")
    session.withdraw("M1-02", "sent before its time")
    offered = {f.name: f for f in plan_for(session.state, elsewhere).fields}["inject"]
    assert [value for value, _ in offered.choices] == ["M1-01", NONE]
    own = {f.name: f for f in plan_for(session.state, on_withdrawn).fields}["inject"]
    first = own.choices[0]
    assert own.value == "M1-02" and first[0] == "M1-02" and first[1].endswith("(withdrawn)")
