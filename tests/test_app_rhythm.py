"""Keys that come in a run are typing, not commands: a sentence typed at the console opens nothing,
and a form opened by the first letter of one saves only when asked again. Asserted on the session file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pytest
from engine_fixtures import new_session
from test_app_actions import START, logged, notice_recorder, rendered, select, settle
from textual import events
from textual.widgets import Input, Static

from tabletop.app import ConsoleApp
from tabletop.app.rhythm import TYPED_NOT_COMMAND, ConsoleRhythm
from tabletop.app.screens.form import TYPED_AS_OPENED
from tabletop.app.screens.injects import HoldForm
from tabletop.app.screens.main import MainScreen
from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.events import HeldEvent

RUN_GAP = 5.0
"""A gap no Pilot press comes near, so every key a test presses in a row is one run, however slow the machine."""


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    clock = FakeClock(START)
    opened = new_session(tmp_path, clock=clock)
    clock.advance(minutes=5)
    yield opened
    opened.close()


def console(session: Session, hook: object = None) -> ConsoleApp:
    return ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0,
                      tick_interval=3600.0, typing_gap=RUN_GAP)


def test_a_key_is_in_a_run_only_when_it_follows_the_one_before_within_the_gap() -> None:
    class Timed(ConsoleRhythm):
        typing_gap = 0.1
        screen_stack: list[object] = []

    rhythm = Timed()
    runs = []
    for at in (10.0, 10.5, 10.55, 10.6, 11.0):
        key = events.Key("h", "h")
        key.time = at
        rhythm._time_key(key)
        runs.append((rhythm.typing_run, key.time in rhythm._run_keys))
    assert runs == [(1, False), (2, False), (2, True), (2, True), (3, False)]


async def test_a_sentence_typed_at_the_console_opens_nothing_and_says_so_once(session: Session) -> None:
    before = len(logged(session.path))
    notes, hook = notice_recorder()
    app = console(session)
    async with app.run_test(size=(120, 40), notifications=True, message_hook=hook) as pilot:
        await pilot.pause()
        await pilot.press("C", "u", "t", "t", "e", "r", "s", "space", "t", "o", "space", "h", "e", "l", "p")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen), "the t of 'Cutters' opened the clock-rate form"
    assert notes.count(TYPED_NOT_COMMAND) == 1
    assert len(logged(session.path)) == before


async def test_a_form_opened_by_the_first_letter_of_a_sentence_keeps_it_and_asks_a_second_save(session: Session) -> None:
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-03")
        await pilot.press("h", "a", "n", "d", "space", "o", "v", "e", "r")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, HoldForm)
        assert form.query_one(Input).value == "and over", "the rest of the sentence is kept, not lost"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and len(logged(session.path)) == before, "no hold saved on the first ctrl+s"
        assert rendered(form.query_one("#form-error", Static).content).strip() == TYPED_AS_OPENED.format(
            form=form.FORM_TITLE)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    held = logged(session.path)[-1]
    assert isinstance(held, HeldEvent) and held.inject == "M1-03" and held.reason == "and over"
