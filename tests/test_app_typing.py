"""Typing is never a command: every printable character, typed into every
focusable widget of every console form and screen, writes nothing but what
that form itself writes, and never opens another screen or quits.

Seen before this rule: a sentence with an `o` typed on the hot-wash's read-only
pane opened the observation form; a `q` in a sentence could quit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from engine_fixtures import new_session
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from tabletop.app import ConsoleApp
from tabletop.app.screens.clock import EndexForm, JumpForm, RateForm
from tabletop.app.screens.correction import CorrectionForm
from tabletop.app.screens.decision import DecisionForm
from tabletop.app.screens.help import HelpScreen
from tabletop.app.screens.hotwash import HotwashScreen
from tabletop.app.screens.situation import SituationScreen
from tabletop.app.screens.injects import AdhocForm, ContingencyPicker, HoldForm, SkipForm
from tabletop.app.screens.main import MainScreen
from tabletop.app.screens.records import NoteForm, ObservationForm, RulingForm
from tabletop.app.widgets.msel import MselTable
from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.events import (
    AdhocEvent,
    CorrectedEvent,
    DecidedEvent,
    DeliveredEvent,
    EndedEvent,
    EventBase,
    HeldEvent,
    HotwashEvent,
    JumpedEvent,
    NoteEvent,
    ObservedEvent,
    RateChangedEvent,
    RuledEvent,
    SkippedEvent,
)

START = datetime(2030, 4, 10, 21, 0, tzinfo=timezone.utc)
PRINTABLE = [chr(code) for code in range(32, 127)]
"""Every printable ASCII character, space included."""

# key that opens the screen, its class, and the only events it may write
# (a focused button or check box pressed by a space is the form's own doing).
SCREENS: list[tuple[str, type[Screen[object]], tuple[type[EventBase], ...]]] = [
    ("r", DecisionForm, (DecidedEvent, CorrectedEvent)),
    ("a", AdhocForm, (AdhocEvent,)),
    ("h", HoldForm, (HeldEvent,)),
    ("s", SkipForm, (SkippedEvent,)),
    ("c", ContingencyPicker, (DeliveredEvent,)),
    ("n", NoteForm, (NoteEvent,)),
    ("w", RulingForm, (RuledEvent,)),
    ("o", ObservationForm, (ObservedEvent,)),
    ("x", CorrectionForm, (CorrectedEvent,)),
    ("t", RateForm, (RateChangedEvent,)),
    ("j", JumpForm, (JumpedEvent,)),
    ("E", EndexForm, (EndedEvent,)),
    ("W", HotwashScreen, (HotwashEvent,)),
    ("question_mark", HelpScreen, ()),
    ("v", SituationScreen, ()),
]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A started session with one delivered inject, so every form can open."""
    clock = FakeClock(START)
    opened = new_session(tmp_path, clock=clock)
    clock.advance(minutes=5)
    opened.deliver("M1-02")
    yield opened
    opened.close()


def logged(path: Path) -> list[EventBase]:
    """Every event in the session file, read by a fresh reader."""
    with Session.open(path, readonly=True) as reader:
        return list(reader.state.events)


async def settle(app: ConsoleApp, pilot: Pilot[None]) -> None:
    """Let queued appends finish and the messages they post be handled."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_screen(app: ConsoleApp, pilot: Pilot[None], key: str, kind: type[Screen[object]]) -> Screen[object]:
    """Back to the console with M1-02 under the cursor, then the key that opens `kind`."""
    while not isinstance(app.screen, MainScreen):
        app.pop_screen()
        await pilot.pause()
    table = app.screen.query_one(MselTable)
    table.focus()
    table.select("M1-03" if key in ("h", "s") else "M1-02")  # M1-02 is delivered: it cannot be held
    await pilot.pause()
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, kind), f"{key!r} opened {type(app.screen).__name__}, not {kind.__name__}"
    return app.screen


def focusables(screen: Screen[object]) -> list[Widget]:
    """Every widget of the screen that can take the focus."""
    return [w for w in screen.query("*") if w.focusable]


@pytest.mark.parametrize(("key", "kind", "own"), SCREENS, ids=[kind.__name__ for _, kind, _ in SCREENS])
async def test_every_character_typed_anywhere_is_text_not_a_command(
    session: Session, key: str, kind: type[Screen[object]], own: tuple[type[EventBase], ...]
) -> None:
    before = len(logged(session.path))
    app = ConsoleApp(
        session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0, tick_interval=3600.0
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await open_screen(app, pilot, key, kind)
        count = len(focusables(screen))
        assert count > 0
        for index in range(count):
            if app.screen is not screen:
                screen = await open_screen(app, pilot, key, kind)
            widget = focusables(screen)[index]
            widget.focus()
            await pilot.pause()
            for char in PRINTABLE:
                await pilot.press(char)
                await pilot.pause()
                # A form may close itself (a space on its Save button), never open another screen.
                assert isinstance(app.screen, (kind, MainScreen)), (
                    f"typing {char!r} in {widget!r} opened {type(app.screen).__name__}"
                )
                if app.screen is not screen:
                    break
            await settle(app, pilot)
            assert app.is_running, f"typing in {widget!r} quit the console"
            written = logged(session.path)[before:]
            stray = [e for e in written if not isinstance(e, own)]
            assert not stray, f"typing in {widget!r} of {kind.__name__} wrote {stray}"
