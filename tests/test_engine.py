"""The session engine: actions, refusals, branching, the clock, corrections, several writers, replay."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabletop.clock import FakeClock
from tabletop.engine import REOPENED, ActionRefused, Session, StoreError
from tabletop.events import (
    AdhocEvent,
    CorrectedEvent,
    DeliveredEvent,
    MoveAdvancedEvent,
    NoteEvent,
    PausedEvent,
)
from tabletop.loader import ExerciseError
from tabletop.state import InjectStatus, SessionState
from tests.engine_fixtures import PLAYERS, exercise_yaml, new_session, write_exercise

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = new_session(tmp_path, clock=clock)
    yield s
    s.close()


def count(session: Session) -> int:
    """Events in the file, read by a separate reader."""
    with Session.open(session.path, readonly=True) as reader:
        return reader.state.last_seq


def refused(session: Session, action, *args, match: str, **kwargs) -> None:
    """The action is refused with a message matching `match`, and nothing is written."""
    before = count(session)
    with pytest.raises(ActionRefused, match=match):
        action(*args, **kwargs)
    assert count(session) == before
    assert session.state.last_seq == before


# Creating and opening


def test_create_keeps_a_copy_of_the_exercise(tmp_path: Path, clock: FakeClock) -> None:
    source = write_exercise(tmp_path)
    with Session.create(source, tmp_path / "s.session", clock=clock) as s:
        s.start()
    source.unlink()
    with Session.open(tmp_path / "s.session", clock=clock) as s:
        assert s.exercise.id == "strait-drill"
        assert s.state.started is not None


def test_create_refuses_a_bad_exercise_and_an_existing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(exercise_yaml().replace("id: strait-drill", "id: [oops]"))
    with pytest.raises(ExerciseError):
        Session.create(bad, tmp_path / "s.session")
    assert not (tmp_path / "s.session").exists()
    new_session(tmp_path).close()
    with pytest.raises(StoreError, match="already exists"):
        Session.create(write_exercise(tmp_path), tmp_path / "drill.session")


def test_open_refuses_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such session file"):
        Session.open(tmp_path / "nope.session")
    junk = tmp_path / "junk.session"
    junk.write_bytes(b"not a database at all, just text" * 100)
    with pytest.raises(StoreError, match="not a tabletop session"):
        Session.open(junk)


def test_before_start_only_start_is_allowed(tmp_path: Path, clock: FakeClock) -> None:
    with new_session(tmp_path, clock=clock, start=False) as s:
        for action, args in [(s.deliver, ("M1-01",)), (s.note, ("x",)), (s.pause, ()), (s.end, ()),
                             (s.advance, ()), (s.hotwash, ("strength", "x"))]:
            refused(s, action, *args, match="not started")
        refused(s, s.start, 0, match="above 0")
        refused(s, s.start, float("nan"), match="above 0")
        started = s.start(rate=2)
        assert started.rate == 2 and started.move == "M1" and started.minute == 0
        refused(s, s.start, match="already started")


# Delivering, holding, skipping


def test_due_and_delivery(session: Session, clock: FakeClock) -> None:
    assert session.due() == []
    clock.advance(minutes=6)
    assert [i.id for i in session.due()] == ["M1-01"]
    event = session.deliver("M1-01")
    assert isinstance(event, DeliveredEvent)
    assert event.to == ["us", "japan", "rok", "china", "observers"]
    assert event.minute == pytest.approx(6)
    assert session.status("M1-01") is InjectStatus.delivered
    again = session.deliver("M1-01")
    assert again.redelivery
    assert len(session.state.deliveries) == 2


def test_deliver_early_and_contingencies_by_id(session: Session) -> None:
    assert session.status("M1-03") is InjectStatus.upcoming
    session.deliver("M1-03")
    assert session.status("M1-03") is InjectStatus.delivered
    assert session.status("C-1") is InjectStatus.upcoming
    session.deliver("C-1")
    assert session.state.deliveries[-1].to == ("china", "rok")


def test_hold_then_deliver_or_skip(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=20)
    session.hold("M1-02", reason="teams still on M1-01")
    assert session.status("M1-02") is InjectStatus.held
    assert "M1-02" not in [i.id for i in session.due()]
    refused(session, session.hold, "M1-02", match="already held")
    session.deliver("M1-02")
    refused(session, session.hold, "M1-02", match="already been delivered")
    refused(session, session.skip, "M1-02", match="already been delivered")
    session.hold("M1-01")
    session.skip("M1-01", reason="time")
    assert session.status("M1-01") is InjectStatus.skipped
    refused(session, session.skip, "M1-01", match="already been skipped")
    row = next(r for r in session.msel() if r.inject == "M1-01")
    assert row.reason == "time"


def test_unknown_inject_suggests_a_close_id(session: Session) -> None:
    refused(session, session.deliver, "M1-0l", match="unknown inject 'M1-0l'; did you mean")


# Ad-hoc injects


def test_adhoc_inject_is_delivered_at_once_with_its_own_text(session: Session) -> None:
    event = session.adhoc("Ferry in distress", "A ferry reports engine failure.", ["rok", "china"], channel="radio")
    assert isinstance(event, AdhocEvent) and event.inject == "ADHOC-1" and event.move == "M1"
    second = session.adhoc("Press call", "A reporter calls.", "all")
    assert second.inject == "ADHOC-2"
    assert second.to == ["us", "japan", "rok", "china", "observers"]
    received = session.state.delivered_to("china")
    assert [r.inject for r in received] == ["ADHOC-1", "ADHOC-2"]
    assert received[0].body == "A ferry reports engine failure." and received[0].adhoc
    assert session.state.delivered_to("us")[0].inject == "ADHOC-2"
    redelivered = session.deliver("ADHOC-1")
    assert redelivered.redelivery and redelivered.to == ["rok", "china"]
    refused(session, session.hold, "ADHOC-1", match="ad-hoc")
    refused(session, session.adhoc, "T", "B", ["atlantis"], match="unknown team")
    refused(session, session.adhoc, "", "B", ["us"], match="title")
    refused(session, session.adhoc, "T", "B", [], match="recipient")
    refused(session, session.adhoc, "T", "B", ["us"], channel="pigeon", match="unknown channel")


# Decisions and branching


def test_decisions_and_awaited(session: Session) -> None:
    refused(session, session.decide, "rok", "M1-02", option="direct", match="not been delivered")
    session.deliver("M1-02")
    assert session.awaited() == {"M1-02": ["rok", "us"]}
    refused(session, session.decide, "atlantis", "M1-02", option="direct", match="unknown team")
    refused(session, session.decide, "china", "M1-02", option="direct", match="not asked")
    refused(session, session.decide, "rok", "M1-02", option="surrender", match="not offered")
    refused(session, session.decide, "rok", "M1-02", match="option or a text")
    refused(session, session.decide, "rok", "M1-99", option="direct", match="unknown inject")
    session.decide("rok", "M1-02", option="direct", rationale="fastest", dissent="navy wanted to wait")
    assert session.awaited() == {"M1-02": ["us"]}
    session.decide("us", "M1-02", text="Offer air search from the nearest base")
    assert session.awaited() == {}
    session.decide("rok", "M1-02", option="alone")
    assert session.state.decision("M1-02", "rok").option == "alone"
    assert len(session.state.decisions) == 3


def test_free_text_decision_on_an_inject_without_options(session: Session) -> None:
    session.deliver("M1-01")
    session.decide("japan", "M1-01", text="Recall the fishing fleet")
    refused(session, session.decide, "japan", "M1-01", option="x", match="offers no options")
    refused(session, session.decide, "observers", "M1-01", text="x", match="deciding team")


def test_conditional_inject_goes_live_on_a_choice(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=45)
    assert session.status("M1-04") is InjectStatus.inactive
    assert "M1-04" not in [i.id for i in session.due()]
    refused(session, session.deliver, "M1-04", match="condition does not hold")
    session.deliver("M1-02")
    session.decide("rok", "M1-02", option="direct")
    assert session.status("M1-04") is InjectStatus.due
    assert "M1-04" in session.state.live_conditionals()
    session.deliver("M1-04")
    session.advance()
    clock.advance(minutes=40)
    assert session.status("M2-03") is InjectStatus.due
    assert session.status("M2-02") is InjectStatus.inactive


def test_conditional_inject_stays_inactive_on_another_choice(session: Session, clock: FakeClock) -> None:
    session.deliver("M1-02")
    session.decide("rok", "M1-02", option="beijing")
    session.decide("us", "M1-02", option="direct")
    clock.advance(minutes=45)
    assert session.status("M1-04") is InjectStatus.inactive
    session.advance()
    clock.advance(minutes=40)
    assert session.status("M2-02") is InjectStatus.due
    assert session.status("M2-03") is InjectStatus.inactive
    forced = session.deliver("M2-03", force=True)
    assert forced.inject == "M2-03"


def test_contingency_is_never_due_even_when_its_condition_holds(session: Session, clock: FakeClock) -> None:
    assert session.status("C-2") is InjectStatus.inactive
    session.deliver("M1-03")
    session.decide("japan", "M1-03", option="share")
    clock.advance(minutes=300)
    assert session.status("C-2") is InjectStatus.upcoming
    assert all(i.id not in ("C-1", "C-2") for i in session.due())


def test_branch_follows_a_corrected_decision(session: Session) -> None:
    session.deliver("M1-02")
    decided = session.decide("rok", "M1-02", option="direct")
    assert "M1-04" in session.state.live_conditionals()
    session.correct(decided.seq, "the team said alone", {"option": "alone"})
    assert "M1-04" not in session.state.live_conditionals()


# Moves and the clock


def test_advance_opens_the_next_move_and_jumps_the_clock(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=10)
    event = session.advance()
    assert isinstance(event, MoveAdvancedEvent)
    assert event.move == "M2" and event.jump_to == 60
    assert session.now_minute() == pytest.approx(60)
    assert session.state.move.id == "M2"
    clock.advance(minutes=2)
    assert session.now_minute() == pytest.approx(62)
    refused(session, session.advance, match="last move")


def test_advance_after_the_move_start_does_not_jump_back(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=75)
    event = session.advance()
    assert event.jump_to is None
    assert session.now_minute() == pytest.approx(75)


def test_clock_pause_rate_jump(session: Session, clock: FakeClock) -> None:
    clock.advance(minutes=10)
    assert session.now_minute() == pytest.approx(10)
    session.pause()
    refused(session, session.pause, match="already paused")
    clock.advance(minutes=30)
    assert session.now_minute() == pytest.approx(10)
    session.resume()
    refused(session, session.resume, match="already running")
    clock.advance(minutes=5)
    assert session.now_minute() == pytest.approx(15)
    session.set_rate(4)
    refused(session, session.set_rate, 4, match="already runs at 4x")
    refused(session, session.set_rate, 0, match="above 0")
    refused(session, session.set_rate, -2, match="above 0")
    refused(session, session.set_rate, "fast", match="not a clock rate")
    clock.advance(minutes=5)
    assert session.now_minute() == pytest.approx(35)
    session.jump(50)
    assert session.now_minute() == pytest.approx(50)
    refused(session, session.jump, 40, match="only moves forward")
    session.pause()
    session.jump(55)
    clock.advance(minutes=10)
    assert session.now_minute() == pytest.approx(55)
    assert not session.state.clock.running


def test_end_stops_play_but_not_the_record(session: Session, clock: FakeClock) -> None:
    session.deliver("M1-02")
    clock.advance(minutes=20)
    session.end()
    clock.advance(minutes=20)
    assert session.now_minute() == pytest.approx(20)
    assert session.due() == []
    for action, args in [(session.deliver, ("M1-01",)),
                         (session.pause, ()), (session.resume, ()), (session.jump, (90,)), (session.advance, ()),
                         (session.adhoc, ("t", "b", ["us"])), (session.end, ()), (session.hold, ("M1-03",))]:
        refused(session, action, *args, match="already ended")
    session.note("wrap-up")
    late = session.decide("rok", "M1-02", "direct", rationale="answered during the closing")
    assert late.minute == pytest.approx(20)  # recorded at the stopped clock, after ENDEX
    session.observe("OBJ-1", "S", "slow to share positions")
    session.rule("ROK led the rescue")
    session.hotwash("strength", "Hotlines answered", objective="OBJ-2")
    session.hotwash("improvement", "Late sharing", team="japan")
    assert [h.kind.value for h in session.state.hotwash] == ["strength", "improvement"]


def test_notes_rulings_observations_validate_their_references(session: Session) -> None:
    refused(session, session.note, "  ", match="empty")
    refused(session, session.note, "x", inject="M9", match="unknown inject")
    refused(session, session.rule, "x", team="atlantis", match="unknown team")
    refused(session, session.observe, "OBJ-9", "P", "x", match="unknown objective")
    refused(session, session.observe, "OBJ-1", "Q", "x", match="not one of P, S, M, U")
    refused(session, session.hotwash, "meh", "x", match="strength")
    observed = session.observe("OBJ-1", "p", "Clear handover", inject="M1-01", evaluator="Dr Kim")
    assert observed.evaluator == "Dr Kim" and observed.rating.value == "P"
    assert session.observe("OBJ-2", "M", "x").evaluator == "facilitator"


# Corrections


def test_correction_replaces_a_record(session: Session) -> None:
    note = session.note("Japan asked for the position")
    fix = session.correct(note.seq, "it was China", {"text": "China asked for the position"})
    assert isinstance(fix, CorrectedEvent) and fix.target == note.seq
    assert [n.text for n in session.state.notes] == ["China asked for the position"]
    assert session.state.notes[0].seq == note.seq
    assert session.state.event(note.seq).text == "Japan asked for the position"
    refused(session, session.correct, note.seq, "again", {"text": "China asked for the position"}, match="changes nothing")


def test_correction_retracts_a_record(session: Session) -> None:
    note = session.note("wrong session")
    session.correct(note.seq, "typed in the wrong file")
    assert session.state.notes == []
    assert session.state.is_retracted(note.seq)
    refused(session, session.correct, note.seq, "twice", match="already retracted")


def test_correcting_a_correction(session: Session) -> None:
    session.deliver("M1-02")
    decided = session.decide("rok", "M1-02", option="direct")
    first = session.correct(decided.seq, "misheard", {"option": "beijing"})
    assert session.state.decision("M1-02", "rok").option == "beijing"
    second = session.correct(first.seq, "misheard again", {"option": "alone"})
    assert session.state.decision("M1-02", "rok").option == "alone"
    session.correct(second.seq, "first fix was right after all")
    assert session.state.decision("M1-02", "rok").option == "beijing"
    session.correct(first.seq, "the original was right")
    assert session.state.decision("M1-02", "rok").option == "direct"
    retraction = session.correct(decided.seq, "rok never decided")
    assert session.state.decision("M1-02", "rok") is None
    assert session.awaited() == {"M1-02": ["rok", "us"]}
    session.correct(retraction.seq, "they did decide")
    assert session.state.decision("M1-02", "rok").option == "direct"


def test_correction_refusals(session: Session) -> None:
    session.deliver("M1-02")
    decided = session.decide("rok", "M1-02", option="direct")
    refused(session, session.correct, 999, "x", match="no event #999")
    refused(session, session.correct, 1, "x", match="cannot be corrected")
    refused(session, session.correct, decided.seq, "  ", {"option": "alone"}, match="needs a reason")
    refused(session, session.correct, decided.seq, "x", {"colour": "red"}, match="no field 'colour'")
    refused(session, session.correct, decided.seq, "x", {"option": "surrender"}, match="not offered")
    refused(session, session.correct, decided.seq, "x", {"team": "china"}, match="not asked")
    refused(session, session.correct, decided.seq, "x", NoteEvent(at=session.now(), minute=0, text="x"),
            match="must be one too")
    adhoc = session.adhoc("Ferry", "A ferry.", ["rok"])
    refused(session, session.correct, adhoc.seq, "x", {"to": ["us"]}, match="was not delivered to us")
    refused(session, session.correct, adhoc.seq, "x", {"inject": "M1-01"}, match="keeps its id")
    session.correct(adhoc.seq, "typo", {"body": "A ferry reports engine failure."})
    assert session.state.delivered_to("rok")[-1].body == "A ferry reports engine failure."


def test_correction_with_a_whole_event(session: Session) -> None:
    session.deliver("M1-02")
    decided = session.decide("rok", "M1-02", option="direct")
    replacement = decided.model_copy(update={"option": "alone", "rationale": "cutters are close"})
    session.correct(decided.seq, "recorded too fast", replacement)
    current = session.state.decision("M1-02", "rok")
    assert (current.option, current.rationale) == ("alone", "cutters are close")


# Several writers, readers, reopening


def test_writer_validates_against_what_another_writer_just_wrote(tmp_path: Path, clock: FakeClock) -> None:
    with new_session(tmp_path, clock=clock) as facilitator, \
            Session.open(facilitator.path, clock=clock, author="evaluator") as evaluator:
        facilitator.deliver("M1-02")
        decided = evaluator.decide("rok", "M1-02", option="direct")
        assert decided.seq == 3
        facilitator.end()
        with pytest.raises(ActionRefused, match="already ended"):
            evaluator.deliver("M1-03")
        evaluator.observe("OBJ-1", "S", "after ENDEX")
        new = facilitator.refresh()
        assert [e.type for e in new] == ["decided", "observed"]
        assert facilitator.state.snapshot() == evaluator.state.snapshot()


def test_reader_follows_new_events_cheaply(session: Session) -> None:
    with Session.open(session.path, readonly=True) as reader:
        assert reader.refresh() == []
        assert reader.refresh() == []
        session.note("one")
        session.note("two")
        assert [e.text for e in reader.refresh()] == ["one", "two"]
        assert reader.refresh() == []
        with pytest.raises(ActionRefused, match="read-only"):
            reader.note("x")


def test_actions_and_refresh_from_several_threads(session: Session) -> None:
    def write(name: str) -> None:
        for i in range(40):
            session.note(f"{name} {i}")

    def poll() -> None:
        for _ in range(40):
            session.refresh()

    threads = [threading.Thread(target=write, args=(n,)) for n in ("a", "b")] + [threading.Thread(target=poll)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.seq for e in session.state.events] == list(range(1, 82))
    with Session.open(session.path, readonly=True) as again:
        assert again.state.snapshot() == session.state.snapshot()


def test_an_empty_author_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    with new_session(tmp_path, clock=clock) as s, Session.open(s.path, clock=clock, author=" ") as nobody:
        refused(nobody, nobody.note, "x", match="author")


def test_reopening_gives_the_identical_state(session: Session, clock: FakeClock) -> None:
    session.deliver("M1-02")
    session.decide("rok", "M1-02", option="direct", rationale="fast")
    session.adhoc("Ferry", "A ferry.", ["rok"])
    session.pause()
    with Session.open(session.path, readonly=True, clock=clock) as again:
        assert again.state.snapshot() == session.state.snapshot()
    replayed = SessionState.replay(session.exercise, session.state.events)
    assert replayed.snapshot() == session.state.snapshot()


def _crash_a_writer(path: Path) -> None:
    """Open the session as a writer in another process and die without closing it."""
    code = (
        "import os, sys; from tabletop.engine import Session; "
        f"s = Session.open({str(path)!r}); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_reopening_after_a_crash_pauses_at_the_last_recorded_minute(tmp_path: Path, clock: FakeClock) -> None:
    with new_session(tmp_path, clock=clock) as s:
        clock.advance(minutes=12)
        s.note("last thing recorded")
        path = s.path
    _crash_a_writer(path)
    clock.advance(minutes=30)
    with Session.open(path, readonly=True, clock=clock) as reader:
        assert reader.state.clock.running
        assert reader.state.last_seq == 2
    with Session.open(path, clock=clock) as s:
        last = s.state.events[-1]
        assert isinstance(last, PausedEvent) and last.reason == REOPENED
        assert last.minute == pytest.approx(12)
        assert s.now_minute() == pytest.approx(12)
    with Session.open(path, clock=clock) as s:
        assert s.state.last_seq == 3


def test_a_clean_close_or_a_live_writer_does_not_pause(tmp_path: Path, clock: FakeClock) -> None:
    with new_session(tmp_path, clock=clock) as s:
        path = s.path
    clock.advance(minutes=5)
    with Session.open(path, clock=clock) as facilitator:
        assert facilitator.state.clock.running and facilitator.state.last_seq == 1
        facilitator.heartbeat()  # a console beats as it opens: it runs the clock
        _crash_a_writer(path)
        with Session.open(path, clock=clock, author="evaluator") as evaluator:
            assert evaluator.state.clock.running and evaluator.state.last_seq == 1
        assert facilitator.now_minute() == pytest.approx(5)


# Replay equivalence under any sequence of actions

TEAMS = st.sampled_from([*PLAYERS, "control", "observers", "atlantis"])
INJECTS = st.sampled_from(["M1-01", "M1-02", "M1-03", "M1-04", "M2-01", "M2-02", "M2-03", "C-1", "C-2",
                           "ADHOC-1", "ADHOC-2", "NOPE"])
OPTIONS = st.sampled_from([None, "direct", "beijing", "alone", "share", "hold", "nearest", "own", "escalate", "x"])
TEXT = st.sampled_from(["", "yes", "Hail the vessel", "  "])

ACTIONS = st.one_of(
    st.tuples(st.just("start"), st.sampled_from([1.0, 2.0, 4.0, 0.0])),
    st.tuples(st.just("deliver"), INJECTS, st.booleans()),
    st.tuples(st.just("hold"), INJECTS),
    st.tuples(st.just("skip"), INJECTS),
    st.tuples(st.just("adhoc"), TEXT, st.lists(TEAMS, max_size=3)),
    st.tuples(st.just("decide"), TEAMS, INJECTS, OPTIONS, TEXT),
    st.tuples(st.just("note"), TEXT, st.sampled_from([None, "M1-02"])),
    st.tuples(st.just("observe"), st.sampled_from(["OBJ-1", "OBJ-2", "OBJ-9"]), st.sampled_from("PSMUX"), TEXT),
    st.tuples(st.just("rule"), TEXT, st.sampled_from([None, "rok", "atlantis"])),
    st.tuples(st.just("pause")),
    st.tuples(st.just("resume")),
    st.tuples(st.just("rate"), st.sampled_from([0.5, 1.0, 2.0, 4.0, -1.0])),
    st.tuples(st.just("jump"), st.integers(min_value=0, max_value=150)),
    st.tuples(st.just("advance")),
    st.tuples(st.just("end")),
    st.tuples(st.just("hotwash"), st.sampled_from(["strength", "improvement", "other"]), TEXT),
    st.tuples(st.just("correct"), st.integers(min_value=0, max_value=30), st.sampled_from([None, "text", "option"]),
              TEXT | OPTIONS),
)


def _perform(s: Session, action: tuple) -> None:
    name, *args = action
    match name:
        case "start":
            s.start(rate=args[0])
        case "deliver":
            s.deliver(args[0], force=args[1])
        case "hold":
            s.hold(args[0], reason="later")
        case "skip":
            s.skip(args[0])
        case "adhoc":
            s.adhoc(args[0] or "Untitled", "Body", args[1])
        case "decide":
            s.decide(args[0], args[1], option=args[2], text=args[3])
        case "note":
            s.note(args[0], inject=args[1])
        case "observe":
            s.observe(args[0], args[1], args[2] or "seen")
        case "rule":
            s.rule(args[0] or "ruled", team=args[1])
        case "pause":
            s.pause()
        case "resume":
            s.resume()
        case "rate":
            s.set_rate(args[0])
        case "jump":
            s.jump(args[0])
        case "advance":
            s.advance()
        case "end":
            s.end()
        case "hotwash":
            s.hotwash(args[0], args[1] or "said")
        case "correct":
            seq, field, value = args
            s.correct(seq, "fix", None if field is None else {field: value})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(ACTIONS, st.floats(min_value=0, max_value=20)), max_size=30))
def test_any_sequence_of_actions_replays_to_the_same_state(steps: list[tuple[tuple, float]]) -> None:
    clock = FakeClock()
    with tempfile.TemporaryDirectory() as folder:
        with Session.create_from_text(exercise_yaml(), "drill.yaml", Path(folder) / "s.session", clock=clock) as s:
            written = 0
            for action, minutes in steps:
                clock.advance(minutes=minutes)
                before = s.state.last_seq
                try:
                    _perform(s, action)
                except ActionRefused:
                    assert s.state.last_seq == before
                else:
                    assert s.state.last_seq == before + 1
                    written += 1
            assert s.state.last_seq == written
            live = s.state.snapshot()
            assert SessionState.replay(s.exercise, s.state.events).snapshot() == live
            with Session.open(s.path, readonly=True, clock=clock) as again:
                assert again.state.snapshot() == live
                assert again.state.snapshot(s.now_minute()) == s.state.snapshot(s.now_minute())


def test_a_reopen_pauses_where_the_crashed_writer_was_last_alive(tmp_path: Path, clock: FakeClock) -> None:
    with new_session(tmp_path, clock=clock) as s:
        path = s.path
    code = (
        "import os; from datetime import datetime, timedelta, timezone; from tabletop.engine import Session; "
        "from tabletop.clock import FakeClock; "
        f"c = FakeClock(datetime.fromisoformat({clock().isoformat()!r})); s = Session.open({str(path)!r}, clock=c); "
        "c.advance(minutes=20); s.heartbeat(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    clock.advance(minutes=45)
    with Session.open(path, clock=clock) as s:
        last = s.state.events[-1]
        assert isinstance(last, PausedEvent) and last.reason == REOPENED
        assert last.minute == pytest.approx(20)  # not 0 (the last event), not 45 (the reopen)
        assert s.now_minute() == pytest.approx(20)


def test_a_live_team_writer_does_not_stop_the_reopen_from_pausing(tmp_path: Path, clock: FakeClock) -> None:
    """A team's view or the portal holds a writer open but never beats: the crashed console's clock still pauses."""
    with new_session(tmp_path, clock=clock) as s:
        path = s.path
    team = Session.open(path, clock=clock, author="team:rok")  # a live writer in this process that never beats
    code = (
        "import os; from datetime import datetime; from tabletop.engine import Session; "
        "from tabletop.clock import FakeClock; "
        f"c = FakeClock(datetime.fromisoformat({clock().isoformat()!r})); s = Session.open({str(path)!r}, clock=c); "
        "c.advance(minutes=20); s.heartbeat(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    try:
        clock.advance(minutes=45)
        code = (
            "from datetime import datetime; from tabletop.engine import Session; from tabletop.clock import FakeClock; "
            f"s = Session.open({str(path)!r}, clock=FakeClock(datetime.fromisoformat({clock().isoformat()!r}))); "
            "e = s.state.events[-1]; print(e.type, e.minute)"
        )
        reopened = subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, capture_output=True, text=True)
        kind, minute = reopened.stdout.split()
        assert kind == "paused" and float(minute) == pytest.approx(20)
    finally:
        team.close()


def test_heartbeats_reach_files_written_before_them(tmp_path: Path, clock: FakeClock) -> None:
    import sqlite3

    with new_session(tmp_path, clock=clock) as s:
        path = s.path
    db = sqlite3.connect(path)
    db.executescript("BEGIN; CREATE TABLE w2 AS SELECT id, host, pid, started, opened_at FROM writers; "
                     "DROP TABLE writers; ALTER TABLE w2 RENAME TO writers; COMMIT;")
    db.close()
    with Session.open(path, clock=clock) as s:
        s.heartbeat()
    db = sqlite3.connect(path)
    assert "alive_at" in {row[1] for row in db.execute("PRAGMA table_info(writers)")}
    db.close()
