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
