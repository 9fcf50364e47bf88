"""The console tells the facilitator which situation text a move opened with."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

from textual.notifications import Notify

from tabletop.app import ConsoleApp
from tabletop.clock import FakeClock
from tabletop.engine import Session

FIXTURE = Path(__file__).parent / "fixtures" / "harbour-workshop.yaml"


async def test_opening_a_move_shows_the_variant_its_decisions_chose(tmp_path: Path) -> None:
    session = Session.create(FIXTURE, tmp_path / "w.session", clock=FakeClock())
    session.start()
    session.deliver("M1-01")
    session.decide("north", "M1-01", option="each-own")
    notes: list[tuple[str, str]] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            notes.append((message.notification.title, message.notification.message))

    app = ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False,
                     poll_interval=3600.0, tick_interval=3600.0)
    async with app.run_test(notifications=True, message_hook=hook) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("ctrl+s")  # the next move is asked first
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
    read = [message for title, message in notes if title.startswith("Move M2 open: ")]
    assert len(read) == 1, notes
    assert "Press v for the text to read to the room (variant 2 of " in read[0], "which text, and where it is"
    assert "SECRET-VARIANT" not in read[0], "a short notice: the text itself is on the situation screen"
    session.close()


async def test_v_reads_the_open_moves_situation_again(tmp_path: Path) -> None:
    from datetime import timezone

    from textual.widgets import Static

    from tabletop.app import ConsoleApp
    from tabletop.app.screens.main import MainScreen
    from tabletop.app.screens.situation import SituationScreen
    from tabletop.clock import FakeClock
    from tests.engine_fixtures import new_session

    with new_session(tmp_path, clock=FakeClock()) as session:
        app = ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0, tick_interval=3600.0)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, SituationScreen)
            text = str(app.screen.query_one("#situation-text", Static).content)
            assert text == session.state.situation("M1") and "storm front" in text
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
