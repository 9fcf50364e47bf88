"""The console asks before the next move and before a second delivery, and names what is open.

Each test presses keys as a facilitator would and reads the session file back:
cancelling writes nothing, confirming writes exactly the one event.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pytest
from engine_fixtures import new_session
from test_app_actions import START, logged, rendered, select, settle
from textual.widgets import Static

from tabletop.app import ConsoleApp
from tabletop.app.screens.confirm import AdvanceForm, RedeliverForm
from tabletop.app.screens.main import MainScreen
from tabletop.clock import FakeClock
from tabletop.confirmations import advance_facts, redelivery_facts
from tabletop.engine import Session
from tabletop.events import DeliveredEvent, MoveAdvancedEvent


@pytest.fixture
def clock() -> FakeClock:
    """Wall time that moves only when a test says so."""
    return FakeClock(START)


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    """A started session, M1-02 delivered (a decision owed), M1-03 held, five minutes in."""
    opened = new_session(tmp_path, clock=clock)
    clock.advance(minutes=5)
    opened.deliver("M1-02")
    opened.hold("M1-03", "waiting for the aircraft")
    yield opened
    opened.close()


def console(session: Session) -> ConsoleApp:
    """The console with its intervals out of the way."""
    return ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0, tick_interval=3600.0)


def test_advance_facts_name_what_is_open_in_the_move(session: Session) -> None:
    facts = advance_facts(session.state, session.now_minute())
    assert (facts.move, facts.next_move) == ("M1", "M2")
    assert facts.undelivered == ("M1-01", "M1-03")  # M1-04 is conditional and its condition does not hold
    assert facts.held == ("M1-03",)
    assert set(facts.awaited) == {"M1-02"} and facts.awaited["M1-02"]
    assert facts.now_minute == pytest.approx(5.0)
    assert facts.jump_to == 60.0


def test_redelivery_facts_only_for_a_delivered_inject(session: Session, clock: FakeClock) -> None:
    assert redelivery_facts(session.state, "M1-01") is None
    facts = redelivery_facts(session.state, "M1-02")
    assert facts is not None
    assert facts.to == ("rok", "us") and facts.at == START.replace(minute=5) and facts.times == 1
    clock.advance(minutes=1)
    session.deliver("M1-02")
    again = redelivery_facts(session.state, "M1-02")
    assert again is not None and again.times == 2 and again.at == facts.at


async def test_next_move_asks_and_cancel_writes_nothing(session: Session) -> None:
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, AdvanceForm)
        text = rendered(app.screen.query_one("#confirm-facts", Static).content)
        assert "M1-01, M1-03" in text and "not delivered" in text
        assert "on hold: M1-03" in text
        assert "M1-02" in text and "awaited" in text
        assert "+00:05 to +01:00" in text
        assert "undoes the advance" in text and "the clock cannot go back" in text
        await pilot.press("enter")  # Cancel has the focus
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert len(logged(session.path)) == before


async def test_next_move_confirmed_writes_the_move_advance(session: Session) -> None:
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    events = logged(session.path)[before:]
    assert len(events) == 1
    advanced = events[0]
    assert isinstance(advanced, MoveAdvancedEvent) and advanced.move == "M2" and advanced.jump_to == 60.0


async def test_a_first_delivery_asks_nothing(session: Session) -> None:
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-01")
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    events = logged(session.path)[before:]
    assert len(events) == 1
    assert isinstance(events[0], DeliveredEvent) and events[0].inject == "M1-01" and not events[0].redelivery


async def test_delivering_again_asks_naming_the_first_delivery(session: Session) -> None:
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, RedeliverForm)
        text = rendered(app.screen.query_one("#confirm-facts", Static).content)
        label_rok = session.exercise.team("rok").label
        assert f"M1-02 was delivered to {label_rok}" in text
        assert "21:05:00" in text and "+00:05" in text
        await pilot.press("enter")  # Cancel has the focus
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(logged(session.path)) == before
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    events = logged(session.path)[before:]
    assert len(events) == 1
    again = events[0]
    assert isinstance(again, DeliveredEvent) and again.inject == "M1-02" and again.redelivery


async def test_a_late_decision_can_be_recorded_after_endex(session: Session) -> None:
    from tabletop.app.screens.decision import DecisionForm
    from tabletop.events import DecidedEvent
    from tabletop.need_to_know import team_view

    assert team_view(session, "rok").awaited == ("M1-02",)
    session.end()
    assert team_view(session, "rok").awaited == ()  # nothing is asked of a team after ENDEX
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        if not isinstance(app.screen, MainScreen):
            await pilot.press("escape")
            await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, DecisionForm)
        await pilot.press("down", "enter", "down", "enter")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    events = logged(session.path)[before:]
    assert len(events) == 1 and isinstance(events[0], DecidedEvent) and events[0].inject == "M1-02"


def test_a_conditional_delivery_refusal_names_the_console_key(session: Session) -> None:
    from tabletop.engine import ActionRefused

    with pytest.raises(ActionRefused, match=r"use Deliver anyway \(D on the console, --force on the command line\)"):
        session.deliver("M1-04")


async def test_the_board_quotes_a_free_text_answer_and_says_who_is_waiting(session: Session) -> None:
    from tabletop.app.widgets.board import DecisionBoard

    session.decide("rok", "M1-02", text="Hail the vessel on channel 16 and tell the US")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        line = next(l for l in app.board_lines(session.msel()) if l.inject == "M1-02")
        choices = {a.team: (a.answered, a.choice) for a in line.answers}
        assert choices["ROK"] == (True, "“Hail the vessel on…”") and choices["US"] == (False, "")
        shown = app.screen.query_one(DecisionBoard).text
        assert "✓ ROK “Hail the vessel on…”" in shown and "· US waiting" in shown and " text" not in shown


async def test_typing_only_words_records_free_text_and_a_second_answer_is_asked_first(session: Session) -> None:
    from tabletop.app.screens.decision import DecisionForm
    from tabletop.events import CorrectedEvent, DecidedEvent
    from test_app_actions import type_text

    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, DecisionForm)
        await pilot.press("down", "enter", "tab")  # the team; no option is picked, tab moves on to "Said"
        await type_text(pilot, "Hail the vessel now")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        first = logged(session.path)[-1]
        assert isinstance(first, DecidedEvent) and first.option is None and first.text == "Hail the vessel now"
        before = len(logged(session.path))
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("down", "down")  # the team that answered (ROK), after the one still to answer
        await pilot.press("enter", "down", "enter")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DecisionForm)  # asked first: nothing written
        assert "has already answered" in rendered(app.screen.query_one("#form-error", Static).content)
        assert len(logged(session.path)) == before
        await pilot.press("ctrl+s")  # confirmed: a correction, never a silent second answer
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    events = logged(session.path)[before:]
    assert len(events) == 1 and isinstance(events[0], CorrectedEvent) and events[0].target == first.seq
    assert session.state.decision("M1-02", first.team).option == "direct"


async def test_a_quick_second_press_of_d_never_delivers_twice(session: Session) -> None:
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-01")
        with app._lock:  # noqa: SLF001 - the first delivery waits on a busy engine, as on a slow disk
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
        await settle(app, pilot)
    events = logged(session.path)[before:]
    assert len(events) == 1 and isinstance(events[0], DeliveredEvent) and not events[0].redelivery


async def test_delivering_an_inject_of_a_move_not_open_yet_asks_first(session: Session) -> None:
    from tabletop.app.screens.confirm import EarlyDeliveryForm

    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M2-01")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, EarlyDeliveryForm)
        assert "belongs to M2, which is not open yet" in app.screen.question
        await pilot.press("enter")  # Cancel has the focus
        await settle(app, pilot)
        assert len(logged(session.path)) == before
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    delivered = logged(session.path)[-1]
    assert isinstance(delivered, DeliveredEvent) and delivered.inject == "M2-01"


async def test_delivering_an_inject_before_it_is_due_asks_first_naming_how_early_and_to_whom(session: Session) -> None:
    from tabletop.app.screens.confirm import EarlyDeliveryForm

    before = len(logged(session.path))
    minute = session.now_minute()
    due_first = next(r for r in session.msel() if r.kind == "scheduled" and r.at is not None and r.at > minute + 2
                     and session.state.first_delivery(r.inject) is None)
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, due_first.inject)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, EarlyDeliveryForm)
        early = round(due_first.at - minute)
        assert app.screen.question == f"Deliver {due_first.inject} now, {early} min before it is due?"
        facts = rendered(app.screen.query_one("#confirm-facts", Static).content)
        labels = ", ".join(session.exercise.team(t).label for t in due_first.to)
        assert f"It goes to {labels}." in facts
        assert "Within 1 min (scenario time) of its time an inject counts as due" in facts
        await pilot.press("enter")  # Cancel has the focus: a stray enter sends nothing
        await settle(app, pilot)
        assert len(logged(session.path)) == before
    assert session.state.first_delivery(due_first.inject) is None


async def test_the_due_inject_is_delivered_at_once(session: Session) -> None:
    minute = session.now_minute()
    due = next(r for r in session.msel() if r.kind == "scheduled" and r.at is not None and r.at <= minute
               and session.state.first_delivery(r.inject) is None)
    assert session.state.first_delivery(due.inject) is None
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, due.inject)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    delivered = logged(session.path)[-1]
    assert isinstance(delivered, DeliveredEvent) and delivered.inject == due.inject
