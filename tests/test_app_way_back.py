"""The console's way back: a delivery withdrawn, a move advance undone, a hold taken back, a decision
corrected from lists, each from the log line with x, each a correction in the file, never an erasure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pytest
from engine_fixtures import new_session
from test_app_actions import START, logged, settle, type_text
from test_app_typing import PRINTABLE
from textual.widgets import Button, OptionList, SelectionList, Static

from tabletop.app import ConsoleApp
from tabletop.app.screens.correction import CorrectionForm
from tabletop.app.screens.main import MainScreen
from tabletop.app.widgets.log import EventLog
from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.events import CorrectedEvent
from tabletop.need_to_know import team_view


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    clock = FakeClock(START)
    opened = new_session(tmp_path, clock=clock)
    clock.advance(minutes=5)
    yield opened
    opened.close()


def console(session: Session) -> ConsoleApp:
    return ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0, tick_interval=3600.0)


async def correct_line(app: ConsoleApp, pilot, seq: int) -> CorrectionForm:  # type: ignore[no-untyped-def]
    """Pick the log line of `seq` and press x, as a facilitator would."""
    await pilot.press("l")
    await pilot.pause()
    log = app.screen.query_one(EventLog)
    while log.selected != seq:
        await pilot.press("up")
        await pilot.pause()
    await pilot.press("x")
    await pilot.pause()
    assert isinstance(app.screen, CorrectionForm)
    return app.screen


async def test_a_delivery_is_withdrawn_from_one_team_by_unticking_it(session: Session) -> None:
    sent = session.deliver("M1-02")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = await correct_line(app, pilot, sent.seq)
        text = " ".join(str(s.content) for s in form.query(Static))
        assert "delivered at +00:05 to" in text and "Withdraw from every team" in text
        await type_text(pilot, "the US table was not meant to have it")
        ticks = form.query_one("#field-to", SelectionList)
        ticks.deselect("us")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    correction = logged(session.path)[-1]
    assert isinstance(correction, CorrectedEvent) and correction.target == sent.seq
    assert correction.replacement is not None and correction.replacement["to"] == ["rok"]
    with Session.open(session.path, readonly=True) as fresh:
        us = next(i for i in team_view(fresh, "us").injects if i.inject == "M1-02")
        assert us.withdrawn == "the US table was not meant to have it"


async def test_a_move_advance_is_undone_and_the_form_says_the_clock_stays(session: Session) -> None:
    advanced = session.advance()
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = await correct_line(app, pilot, advanced.seq)
        text = " ".join(str(s.content) for s in form.query(Static))
        assert "Move M2" in text and "Undo the advance" in text and "time cannot go back" in text
        assert "jump_to" not in text
        # nothing to change, only to take back: the button and ctrl+s say what they do
        assert str(form.query_one("#form-save", Button).label) == "Undo the advance"
        assert form.query_one("#form").border_subtitle == "ctrl+s undo the advance · esc cancel"
        assert "save" not in text.lower()
        await type_text(pilot, "pressed m by mistake")
        await pilot.press("ctrl+s")  # nothing to change: saving takes it back
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.session.state.move is not None and app.session.state.move.id == "M1"
    assert logged(session.path)[-1].replacement is None  # type: ignore[attr-defined]


async def test_a_hold_is_taken_back_with_ctrl_r(session: Session) -> None:
    held = session.hold("M1-03", "waiting")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await correct_line(app, pilot, held.seq)
        await type_text(pilot, "held the wrong row")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    with Session.open(session.path, readonly=True) as fresh:
        assert "M1-03" not in fresh.state.last_action


async def test_a_decision_is_corrected_by_picking_the_option_from_a_list(session: Session) -> None:
    session.deliver("M1-02")
    decided = session.decide("rok", "M1-02", option="direct")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = await correct_line(app, pilot, decided.seq)
        options = form.query_one("#field-option", OptionList)
        assert options.highlighted_option is not None and options.highlighted_option.id == "direct"
        assert any("Wait for ROK cutters" in str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        await type_text(pilot, "misheard the ROK table")
        options.focus()
        await pilot.press("down", "down")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    correction = logged(session.path)[-1]
    assert isinstance(correction, CorrectedEvent) and correction.replacement is not None
    assert correction.replacement["option"] == "alone"


async def test_a_clock_event_is_refused_before_any_form_opens(session: Session) -> None:
    paused = session.pause()
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        log = app.screen.query_one(EventLog)
        assert log.selected == paused.seq
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert logged(session.path)[-1] == paused


async def test_rate_digits_typed_in_a_burst_are_the_whole_new_rate(session: Session) -> None:
    from tabletop.events import RateChangedEvent

    from textual.widgets import Input

    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        field = app.screen.query_one("#rate-value", Input)
        assert field.value == "" and field.placeholder == "now 1", "nothing typed can be appended to the old rate"
        await pilot.press("4", "backspace", "1", "0", "enter")
        await settle(app, pilot)
    changed = logged(session.path)[-1]
    assert isinstance(changed, RateChangedEvent) and changed.rate == 10


async def test_an_ad_hoc_inject_is_corrected_with_its_whole_body_in_view(session: Session) -> None:
    from textual.widgets import TextArea

    body = "Incheon port closes at noon.\nFerries to Baengnyeong are stopped.\nCall the harbour master."
    written = session.adhoc("Port closed", body, ["rok", "us"])
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = await correct_line(app, pilot, written.seq)
        area = form.query_one("#field-body", TextArea)
        assert area.text == body, "every line of the body is there to correct, not only the first"
        await type_text(pilot, "the harbour master line was wrong")
        area.replace("Call the port authority.", (2, 0), area.document.end)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    correction = logged(session.path)[-1]
    assert isinstance(correction, CorrectedEvent) and correction.replacement is not None
    assert correction.replacement["body"] == "Incheon port closes at noon.\nFerries to Baengnyeong are stopped.\nCall the port authority."
    assert correction.replacement["title"] == "Port closed"


async def test_enter_on_a_log_line_shows_the_whole_record_and_x_there_opens_its_correction(session: Session) -> None:
    from tabletop.app.screens.record import RecordScreen

    session.deliver("M1-02")
    rationale = "The cutters are two hours out and the Chinese vessel is ten minutes from the boat, so we hail it"
    decided = session.decide("rok", "M1-02", option="direct", rationale=rationale, dissent="Defence wants Beijing told first")
    wrong = session.correct(decided.seq, "recorded under the wrong team", {"team": "us"})
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        log = app.screen.query_one(EventLog)
        assert log.selected == wrong.seq
        assert "to team US" in log.lines[wrong.seq].text, "the correction says what changed, the team"
        await pilot.press("up")
        await pilot.pause()
        assert log.selected == decided.seq
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        text = rendered_table(app.screen.query_one("#record-fields", Static).content, 76)
        assert rationale in text and "Defence wants Beijing told first" in text, "whole, not cut to a row"
        assert f"#{wrong.seq}" in text and "recorded under the wrong team" in text
        assert "Team US" in text and "First written team ROK" in text, "the record as it stands, and as first written"
        for char in [c for c in PRINTABLE if c != "x"]:  # reading a record: no key but its own x is a command
            await pilot.press(char)
            await pilot.pause()
            assert isinstance(app.screen, RecordScreen), f"{char!r} left the record"
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, CorrectionForm)
        await pilot.press("escape")
        await settle(app, pilot)
    assert len(logged(session.path)) == before, "reading and closing wrote nothing"


def rendered_table(renderable: object, width: int) -> str:
    """What a rich renderable prints at `width` columns, as plain text."""
    import io

    from rich.console import Console

    out = Console(file=io.StringIO(), width=width, color_system=None)
    out.print(renderable)
    return " ".join(out.file.getvalue().split())  # type: ignore[attr-defined]
