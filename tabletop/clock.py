"""Scenario time, derived from clock events and a passed-in "now"; never counted in ticks.

Scenario minute = base + rate x (now - segment start). Every change of the
clock (STARTEX, pause, resume, rate, jump, a move that opens later, ENDEX) is
an event carrying the scenario minute it happened at, so the clock replays
exactly and a crash loses no time that was recorded. "Now" is a callable
returning a UTC `datetime`, so tests drive time without sleeping.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from tabletop.events import (
    EndedEvent,
    EventBase,
    JumpedEvent,
    MoveAdvancedEvent,
    PausedEvent,
    RateChangedEvent,
    ResumedEvent,
    StartedEvent,
)

Now = Callable[[], datetime]
"""A clock: returns the current time as an aware UTC datetime."""


def system_now() -> datetime:
    """The real wall clock, in UTC."""
    return datetime.now(timezone.utc)


def build_time() -> datetime:
    """When a document is generated: SOURCE_DATE_EPOCH if set (reproducible builds), else now.

    The reproducible-builds convention lets a planner rebuild a report or a
    handout byte for byte, and lets a check compare two renderings of one record.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return system_now()


class FakeClock:
    """A clock for tests and demos: time moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        """The current fake time."""
        return self.now

    def advance(self, *, minutes: float = 0.0, seconds: float = 0.0) -> datetime:
        """Move time forward and return the new now."""
        from datetime import timedelta

        self.now = self.now + timedelta(minutes=minutes, seconds=seconds)
        return self.now


@dataclass(frozen=True)
class ScenarioClock:
    """The clock as the log has set it: where it stood, since when, how fast, and whether it runs."""

    base: float = 0.0
    """Scenario minute at the start of the current segment."""
    since: datetime | None = None
    """Wall time the current segment began (None before STARTEX)."""
    rate: float = 1.0
    """Scenario minutes per wall minute."""
    running: bool = False
    """Whether scenario time is passing."""
    ended: bool = False
    """True after ENDEX: the clock never runs again."""

    def minute_at(self, now: datetime) -> float:
        """Scenario minute at wall time `now`; never earlier than the segment's base.

        A writer whose clock lags another's by a little must not move time backwards,
        so a negative elapsed time counts as zero.
        """
        if not self.running or self.since is None:
            return self.base
        elapsed = (now - self.since).total_seconds() / 60.0
        return self.base + self.rate * max(0.0, elapsed)

    def apply(self, event: EventBase) -> ScenarioClock:
        """The clock after `event`; events that do not touch the clock leave it as is."""
        match event:
            case StartedEvent():
                return ScenarioClock(base=0.0, since=event.at, rate=event.rate, running=True)
            case PausedEvent():
                return replace(self, base=event.minute, since=event.at, running=False)
            case ResumedEvent():
                return replace(self, base=event.minute, since=event.at, running=True)
            case RateChangedEvent():
                return replace(self, base=event.minute, since=event.at, rate=event.rate)
            case JumpedEvent():
                return replace(self, base=event.to, since=event.at)
            case MoveAdvancedEvent() if event.jump_to is not None:
                return replace(self, base=event.jump_to, since=event.at)
            case EndedEvent():
                return replace(self, base=event.minute, since=event.at, running=False, ended=True)
        return self


@dataclass(frozen=True)
class ClockUse:
    """How the clock was actually run over a session: wall minutes at each rate, and paused.

    The report states these instead of the STARTEX rate, which says nothing of a
    session played mostly at 10x after starting at 1x.
    """

    running: tuple[tuple[float, float], ...]
    """(rate, wall minutes the clock ran at it), in the order the rates were first used."""
    paused: float
    """Wall minutes between STARTEX and the end with the clock stopped."""


def clock_use(events: list[EventBase], until: datetime | None = None) -> ClockUse:
    """The clock's use from STARTEX to ENDEX, or to `until` (default: the last event) if play goes on."""
    clock = ScenarioClock()
    by_rate: dict[float, float] = {}
    paused = 0.0
    previous: datetime | None = None
    for event in [*events, None]:
        at = event.at if event is not None else until
        if previous is not None and at is not None and not clock.ended:
            minutes = max(0.0, (at - previous).total_seconds() / 60.0)
            if clock.running:
                by_rate[clock.rate] = by_rate.get(clock.rate, 0.0) + minutes
            else:
                paused += minutes
        if event is None:
            break
        clock = clock.apply(event)
        if clock.since is not None and not clock.ended:
            previous = event.at
    return ClockUse(tuple(by_rate.items()), paused)
