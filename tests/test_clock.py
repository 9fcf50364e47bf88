"""Scenario time derived from clock events and a passed-in now."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tabletop.clock import FakeClock, ScenarioClock, system_now
from tabletop.events import (
    EndedEvent,
    JumpedEvent,
    MoveAdvancedEvent,
    NoteEvent,
    PausedEvent,
    RateChangedEvent,
    ResumedEvent,
    StartedEvent,
)

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_before_startex_the_clock_stands_at_zero() -> None:
    clock = ScenarioClock()
    assert clock.minute_at(at(100)) == 0 and not clock.running


def test_running_paused_resumed_and_rate() -> None:
    clock = ScenarioClock().apply(StartedEvent(at=at(0), minute=0, rate=1, move="M1"))
    assert clock.minute_at(at(10)) == pytest.approx(10)
    clock = clock.apply(PausedEvent(at=at(10), minute=clock.minute_at(at(10))))
    assert clock.minute_at(at(40)) == pytest.approx(10)
    clock = clock.apply(ResumedEvent(at=at(40), minute=clock.minute_at(at(40))))
    assert clock.minute_at(at(45)) == pytest.approx(15)
    clock = clock.apply(RateChangedEvent(at=at(45), minute=clock.minute_at(at(45)), rate=4))
    assert clock.minute_at(at(50)) == pytest.approx(35)
    assert clock.rate == 4


def test_jumps_and_moves_set_the_base() -> None:
    clock = ScenarioClock().apply(StartedEvent(at=at(0), minute=0, rate=2, move="M1"))
    clock = clock.apply(JumpedEvent(at=at(1), minute=2, to=30))
    assert clock.minute_at(at(2)) == pytest.approx(32)
    clock = clock.apply(MoveAdvancedEvent(at=at(2), minute=32, move="M2", index=1, jump_to=60))
    assert clock.minute_at(at(3)) == pytest.approx(62)
    unchanged = clock.apply(MoveAdvancedEvent(at=at(3), minute=62, move="M3", index=2))
    assert unchanged == clock


def test_pause_uses_the_recorded_minute() -> None:
    """A reopened pause is recorded at the last event's minute, not at the wall-clock minute."""
    clock = ScenarioClock().apply(StartedEvent(at=at(0), minute=0, rate=1, move="M1"))
    clock = clock.apply(PausedEvent(at=at(90), minute=12, reason="reopened"))
    assert clock.minute_at(at(200)) == 12


def test_ended_clock_never_runs() -> None:
    clock = ScenarioClock().apply(StartedEvent(at=at(0), minute=0, rate=1, move="M1"))
    clock = clock.apply(EndedEvent(at=at(30), minute=30))
    assert clock.ended and not clock.running
    assert clock.minute_at(at(90)) == 30


def test_a_lagging_now_never_moves_time_back() -> None:
    clock = ScenarioClock().apply(StartedEvent(at=at(10), minute=0, rate=1, move="M1"))
    assert clock.minute_at(at(9)) == 0


def test_other_events_leave_the_clock_alone() -> None:
    clock = ScenarioClock().apply(StartedEvent(at=at(0), minute=0, rate=1, move="M1"))
    assert clock.apply(NoteEvent(at=at(5), minute=5, text="x")) is clock


def test_fake_and_system_clocks() -> None:
    fake = FakeClock(T0)
    assert fake() == T0
    assert fake.advance(minutes=2, seconds=30) == at(2.5)
    assert fake() == at(2.5)
    assert system_now().tzinfo is not None


def test_the_report_states_the_rates_the_clock_actually_ran_at(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine_fixtures import new_session

    from tabletop.clock import FakeClock, clock_use
    from tabletop.report.render import render_report

    clock = FakeClock()
    session = new_session(tmp_path, clock=clock, rate=1.0)
    clock.advance(minutes=10)
    session.set_rate(10.0)
    clock.advance(minutes=95)
    session.pause()
    clock.advance(minutes=12)
    session.resume()
    clock.advance(minutes=60)
    session.end()
    use = clock_use(session.state.events)
    assert use.running == ((1.0, 10.0), (10.0, 155.0)) and use.paused == 12.0
    report = render_report(session=session, fmt="md")
    assert isinstance(report, str)
    assert "2 h 57 min of play: 10 min at 1x, 2 h 35 min at 10x; paused 12 min" in report
    assert "of play at 1x" not in report
    session.close()


def test_a_session_still_playing_counts_to_its_last_event(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine_fixtures import new_session

    from tabletop.clock import FakeClock, clock_use

    clock = FakeClock()
    session = new_session(tmp_path, clock=clock, rate=2.0)
    clock.advance(minutes=30)
    session.note("half an hour in")
    assert clock_use(session.state.events).running == ((2.0, 30.0),)
    assert clock_use(session.state.events, until=clock.advance(minutes=15)).running == ((2.0, 45.0),)
    session.close()
