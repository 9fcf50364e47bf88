"""The facilitator console driven through its keys, checked against the session log.

Each test presses keys as a facilitator would and then opens the session file
with the engine to read what was written: the console must have made exactly
the engine calls the keys promise, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import io

import pytest
from engine_fixtures import new_session
from textual.notifications import Notify
from textual.pilot import Pilot
from rich.console import Console
from textual.widgets import Input, OptionList, Static

from tabletop.app import ConsoleApp, Mode
from tabletop.app.screens.confirm import EarlyDeliveryForm, ForcedDeliveryForm, QuitForm
from tabletop.app.screens.correction import CorrectionForm
from tabletop.app.screens.decision import DecisionForm
from tabletop.app.screens.help import HelpScreen
from tabletop.app.screens.hotwash import HotwashScreen
from tabletop.app.screens.inject import InjectScreen
from tabletop.app.screens.main import MainScreen
from tabletop.app.screens.records import NoteForm, ObservationForm, RulingForm
from tabletop.app.widgets.card import InjectCard
from tabletop.app.widgets.log import EventLog, LogLine
from tabletop.app.widgets.msel import MselTable
from tabletop.clock import FakeClock
from tabletop.engine import ActionRefused as Refused
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
    MoveAdvancedEvent,
    NoteEvent,
    ObservedEvent,
    PausedEvent,
    RateChangedEvent,
    ResumedEvent,
    RuledEvent,
    SkippedEvent,
    StartedEvent,
)

START = datetime(2030, 4, 10, 21, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FakeClock:
    """Wall time that moves only when a test says so."""
    return FakeClock(START)


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    """A started session of the fixture exercise, five minutes into play."""
    opened = new_session(tmp_path, clock=clock)
    clock.advance(minutes=5)
    yield opened
    opened.close()


@pytest.fixture
def yellow_sea(tmp_path: Path) -> Iterator[Session]:
    """A started session of the bundled Yellow Sea exercise, whose MSEL and objectives are long."""
    exercise = Path(__file__).resolve().parent.parent / "exercises" / "yellow-sea-refugees.yaml"
    with Session.create(exercise, tmp_path / "ys.tabletop", clock=FakeClock(START)) as opened:
        opened.start()
        yield opened


def console(session: Session, **options: object) -> ConsoleApp:
    """The console with its intervals out of the way (tests refresh explicitly)."""
    settings: dict[str, object] = {
        "wall_zone": timezone.utc,
        "blink": False,
        "bell": False,
        "poll_interval": 3600.0,
        "tick_interval": 3600.0,
    }
    settings.update(options)
    return ConsoleApp(session, **settings)  # type: ignore[arg-type]


def logged(path: Path) -> list[EventBase]:
    """Every event in the session file, read by a fresh reader."""
    with Session.open(path, readonly=True) as reader:
        return list(reader.state.events)


def last(path: Path) -> EventBase:
    """The last event in the session file."""
    return logged(path)[-1]


async def settle(app: ConsoleApp, pilot: Pilot[None]) -> None:
    """Let queued appends finish and their messages (and the forms they close) be handled."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def select(app: ConsoleApp, pilot: Pilot[None], inject_id: str) -> None:
    """Move the MSEL cursor onto an inject with the arrow keys."""
    table = app.screen.query_one(MselTable)
    table.focus()
    target = table.get_row_index(inject_id)
    while table.cursor_row > target:
        await pilot.press("up")
    while table.cursor_row < target:
        await pilot.press("down")
    assert table.selected == inject_id


async def open_decision_form(app: ConsoleApp, pilot: Pilot[None], inject_id: str) -> DecisionForm:
    """Put the MSEL cursor on the inject and press r, as the facilitator does; the form that opens."""
    await select(app, pilot, inject_id)
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, DecisionForm)
    return app.screen


def notice_recorder() -> tuple[list[str], Callable[[object], None]]:
    """A list the notifications' messages are appended to, and the message hook that fills it."""
    notes: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            notes.append(message.notification.message)

    return notes, hook


def rendered(content: object) -> str:
    """Plain text of what a Static shows, rendered wide enough not to wrap."""
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type text key by key."""
    await pilot.press(*[("space" if c == " " else c) for c in text])


async def pick_from_palette(app: ConsoleApp, pilot: Pilot[None], text: str) -> None:
    """Open the command palette, type `text`, wait for the search and run the first hit."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await type_text(pilot, text)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await settle(app, pilot)


async def test_the_first_frame_already_shows_the_msel(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The console is filled before it is first painted: no empty MSEL flashes by, and the
    cursor starts on the first inject still to deliver."""
    painted_rows: list[int] = []
    render_lines = MselTable.render_lines

    def counting(table: MselTable, crop):  # type: ignore[no-untyped-def]
        painted_rows.append(table.row_count)
        return render_lines(table, crop)

    monkeypatch.setattr(MselTable, "render_lines", counting)
    app = console(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert painted_rows and painted_rows[0] == len(session.state.msel(session.now_minute()))
        assert app.screen.query_one(MselTable).selected == "M1-01"


async def test_after_the_first_frame_the_hook_runs_once_then_the_engine_prepares(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tabletop run` settles start-up's memory once the console is on screen; then the engine
    builds what the first key press would otherwise wait for, in the background."""
    calls: list[object] = []
    monkeypatch.setattr(Session, "prepare", lambda self: calls.append("prepare"))
    app = console(session, after_first_frame=lambda: calls.append(("hook", app.screen.query_one(MselTable).row_count)))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("d")
        await settle(app, pilot)
    assert calls == [("hook", len(session.state.msel(session.now_minute()))), "prepare"]


async def test_startex_from_a_new_session(tmp_path: Path, clock: FakeClock) -> None:
    fresh = new_session(tmp_path, clock=clock, start=False)
    app = console(fresh)
    async with app.run_test() as pilot:
        await pilot.pause()
        offered = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "start" in offered
        await pilot.press("S")
        await settle(app, pilot)
        offered = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "start" not in offered
    fresh.close()
    started = last(fresh.path)
    assert isinstance(started, StartedEvent)
    assert started.rate == 1.0


async def test_deliver_redeliver_hold_and_skip_one_key_each(session: Session) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-01")
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("d")  # already delivered: asked first
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await select(app, pilot, "M1-02")
        await pilot.press("h")
        await pilot.pause()
        await type_text(pilot, "waiting for the ROK table")
        await pilot.press("enter")
        await settle(app, pilot)
        await select(app, pilot, "M1-03")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # the reason may stay empty
        await settle(app, pilot)
        states = {key: line.state for key, line in app.screen.query_one(MselTable).lines.items()}
    events = logged(session.path)[1:]
    assert [type(e) for e in events] == [DeliveredEvent, DeliveredEvent, HeldEvent, SkippedEvent]
    first, again, held, skipped = events
    assert isinstance(first, DeliveredEvent) and first.inject == "M1-01" and not first.redelivery
    assert isinstance(again, DeliveredEvent) and again.redelivery
    assert isinstance(held, HeldEvent) and held.inject == "M1-02" and held.reason == "waiting for the ROK table"
    assert isinstance(skipped, SkippedEvent) and skipped.inject == "M1-03"
    assert states["M1-01"] == "delivered"
    assert states["M1-02"] == "held"
    assert states["M1-03"] == "skipped"


async def test_a_refused_key_writes_nothing_and_says_why(session: Session) -> None:
    notes, hook = notice_recorder()

    app = console(session)
    async with app.run_test(notifications=True, message_hook=hook) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-04")
        await pilot.press("d")
        await settle(app, pilot)
    assert len(logged(session.path)) == 1
    assert any("M1-04 is conditional" in note for note in notes)


async def test_deliver_anyway_forces_a_conditional_inject(session: Session) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-04")
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ForcedDeliveryForm), "its condition does not hold: asked first"
        facts = rendered(app.screen.query_one("#confirm-facts", Static).content)
        assert "plays only if" in facts and "ahead of its time" in facts
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    delivered = last(session.path)
    assert isinstance(delivered, DeliveredEvent) and delivered.inject == "M1-04"


async def test_contingency_is_picked_from_a_list(session: Session) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.screen.query_one(MselTable)
        assert table.lines["C-1"].state == "in reserve", "never due by the clock: not 'upcoming'"
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    delivered = last(session.path)
    assert isinstance(delivered, DeliveredEvent) and delivered.inject == "C-1"
    assert delivered.to == ["china", "rok"]


async def test_adhoc_inject_is_written_in_a_form(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Fuel spill")
        await pilot.press("tab")
        await type_text(pilot, "Oil is leaking from the wreck.")
        await pilot.press("tab")
        goes_to = app.screen.query_one("#adhoc-goes-to", Static)
        assert rendered(goes_to.content).startswith("Goes to: nobody yet")
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()
        assert rendered(goes_to.content).strip() == "Goes to: US, ROK", "whom it reaches, in words, before saving"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "ADHOC-1" in app.screen.query_one(MselTable).lines
    adhoc = last(session.path)
    assert isinstance(adhoc, AdhocEvent)
    assert adhoc.title == "Fuel spill"
    assert adhoc.body == "Oil is leaking from the wreck."
    assert adhoc.to == ["us", "rok"]
    assert adhoc.move == "M1"


async def test_adhoc_form_refuses_to_save_without_recipients(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Fuel spill")
        await pilot.press("tab")
        await type_text(pilot, "Oil.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, MainScreen)
        assert "Tick at least one team" in rendered(app.screen.query_one("#form-error", Static).content)
    assert len(logged(session.path)) == 1


async def test_decision_recorded_for_each_team_and_seen_side_by_side(session: Session) -> None:
    session.deliver("M1-02")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await open_decision_form(app, pilot, "M1-02")
        # Neither list has a line picked yet: ↓ then enter takes the first in each, ROK and 'direct'.
        await pilot.press("down", "enter")
        await pilot.press("down", "enter")  # 'direct'
        await type_text(pilot, "Hail it now")
        await pilot.press("enter")
        await type_text(pilot, "Lives first")
        await pilot.press("enter")
        await type_text(pilot, "Defence ministry objects")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        # The next form starts with nothing picked again, the team still to answer (US) first; 'beijing' is
        # the second option.
        await pilot.press("r")
        await pilot.pause()
        assert [t for t in app.screen.teams] == ["us", "rok"]  # type: ignore[attr-defined]
        await pilot.press("down", "enter", "down", "down", "enter")
        await type_text(pilot, "Embassy")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InjectScreen)
        card = app.screen.query_one(InjectCard)
        assert card.view is not None
        answers = {a.team: a for a in card.view.answers}
    rok, us = [e for e in logged(session.path) if isinstance(e, DecidedEvent)]
    assert (rok.team, rok.option, rok.text, rok.rationale, rok.dissent) == (
        "rok", "direct", "Hail it now", "Lives first", "Defence ministry objects",
    )
    assert (us.team, us.option, us.text) == ("us", "beijing", "Embassy")
    assert list(answers) == ["ROK", "US"]
    assert answers["ROK"].option.startswith("direct") and answers["ROK"].dissent == "Defence ministry objects"
    assert answers["US"].option.startswith("beijing") and answers["US"].text == "Embassy"


async def test_decision_form_stays_open_with_the_engines_reason(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("r")  # not delivered yet: refused before any field is filled
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        session.deliver("M1-02")

        def refuse(*args: object, **kwargs: object) -> None:
            raise Refused("the session file is being repaired")

        monkeypatch.setattr(session, "decide", refuse)
        await pilot.press("r", "down", "enter", "tab")
        await type_text(pilot, "Too early")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DecisionForm)
        assert "the session file is being repaired" in rendered(app.screen.query_one("#form-error", Static).content)
        assert app.screen.query_one("#decision-text", Input).value == "Too early"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert [e.type for e in logged(session.path)] == ["started", "delivered"]  # no decision was written


async def test_note_ruling_and_observation(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Room is quiet")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        await type_text(pilot, "Cutters arrive early")
        await pilot.press("enter")
        await type_text(pilot, "Weather cleared")
        await pilot.press("enter", "down", "down", "down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RulingForm), "Enter on the team list chooses the team, as on every list"
        assert len(logged(session.path)) == 2, "nothing is saved until Save is pressed"
        await pilot.press("enter")  # Save has the focus now
        await settle(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("enter", "enter", "tab", "tab")  # nothing chosen yet: Save refuses
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ObservationForm) and len(logged(session.path)) == 3
        assert "Pick an objective." in rendered(app.screen.query_one("#form-error", Static).content)
        await pilot.press("shift+tab", "shift+tab")
        await pilot.press("down", "down", "enter", "down", "down", "enter")
        await type_text(pilot, "Hotline unanswered")
        await pilot.press("enter")
        await settle(app, pilot)
    note, ruling, observation = logged(session.path)[1:]
    assert isinstance(note, NoteEvent) and note.text == "Room is quiet" and note.inject is None
    assert isinstance(ruling, RuledEvent)
    assert (ruling.text, ruling.rationale, ruling.team) == ("Cutters arrive early", "Weather cleared", "rok")
    assert isinstance(observation, ObservedEvent)
    assert (observation.objective, observation.rating.value, observation.text) == ("OBJ-2", "S", "Hotline unanswered")
    assert observation.evaluator == "facilitator"


async def test_note_written_while_reading_an_inject_is_tied_to_it(session: Session) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InjectScreen)
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "ROK asks for a map")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InjectScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, EarlyDeliveryForm)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    note, delivered = logged(session.path)[1:]
    assert isinstance(note, NoteEvent) and note.inject == "M1-02"
    assert isinstance(delivered, DeliveredEvent) and delivered.inject == "M1-02"


async def test_clock_pause_resume_rate_jump_and_next_move(session: Session, clock: FakeClock) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("p")
        await settle(app, pilot)
        assert app.status_view(session.now_minute(), 0).clock == "paused"
        clock.advance(minutes=10)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "4")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        await type_text(pilot, "+00:45")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    events = logged(session.path)[1:]
    assert [type(e) for e in events] == [PausedEvent, ResumedEvent, RateChangedEvent, JumpedEvent, MoveAdvancedEvent]
    paused, resumed, rate, jumped, advanced = events
    assert paused.minute == pytest.approx(5.0)
    assert resumed.minute == pytest.approx(5.0)
    assert isinstance(rate, RateChangedEvent) and rate.rate == 4.0
    assert isinstance(jumped, JumpedEvent) and jumped.to == 45.0
    assert isinstance(advanced, MoveAdvancedEvent) and advanced.move == "M2"


async def test_jump_form_explains_a_bad_time(session: Session) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        await type_text(pilot, "soon")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "not a scenario time" in rendered(app.screen.query_one("#form-error", Static).content)
    assert len(logged(session.path)) == 1


async def test_correction_retracts_or_replaces_a_record_from_the_log(session: Session) -> None:
    session.note("Wrong team named")
    session.note("US asked for the map")
    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        log = app.screen.query_one(EventLog)
        assert log.has_focus and log.selected == 3
        await pilot.press("up")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, CorrectionForm)
        await type_text(pilot, "Typed by mistake")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "[retracted]" in log.lines[2].text
        await pilot.press("down", "x")
        await pilot.pause()
        await type_text(pilot, "It was ROK")
        await pilot.press("tab")
        field = app.screen.query_one("#field-text", Input)
        field.value = "ROK asked for the map"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "[corrected]" in log.lines[3].text
        assert "ROK asked" in log.lines[3].text
    retract, replace = logged(session.path)[3:]
    assert isinstance(retract, CorrectedEvent)
    assert (retract.target, retract.reason, retract.replacement) == (2, "Typed by mistake", None)
    assert isinstance(replace, CorrectedEvent)
    assert replace.target == 3 and replace.replacement is not None
    assert replace.replacement["text"] == "ROK asked for the map"


async def test_endex_asks_first_then_w_opens_the_hot_wash(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("enter")  # Cancel has the focus: nothing is ended by a stray enter
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert not any(isinstance(e, EndedEvent) for e in logged(session.path))
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen), "the hot wash waits for its key: a W typed for it is no text"
        assert any("W opens the hot wash" in str(n.message) for n in app._notifications)
        await pilot.press("W")
        await settle(app, pilot)
        assert isinstance(app.screen, HotwashScreen)
        assert app.screen.focused is app.screen.query_one("#hotwash-strength", Input), "it opens ready to type"
        await pilot.press("shift+tab", "down", "enter")  # back to the list, OBJ-2, then to the strength field
        await type_text(pilot, "Hotline drill paid off")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("tab")
        await type_text(pilot, "Nobody owned the press line")
        await pilot.press("enter")
        await settle(app, pilot)
        text = rendered(app.screen.query_one("#hotwash-text", Static).content)
    ended, strength, improvement = logged(session.path)[1:]
    assert isinstance(ended, EndedEvent)
    assert isinstance(strength, HotwashEvent)
    assert (strength.kind.value, strength.objective, strength.text) == ("strength", "OBJ-2", "Hotline drill paid off")
    assert isinstance(improvement, HotwashEvent)
    assert (improvement.kind.value, improvement.objective) == ("improvement", "OBJ-2")
    assert "Hotline drill paid off" in text and "Nobody owned the press line" in text


async def test_typing_as_the_hot_wash_opens_writes_the_strength(session: Session) -> None:
    session.end()
    app = console(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.action_hotwash()
        await settle(app, pilot)
        assert isinstance(app.screen, HotwashScreen)
        await type_text(pilot, "Calls went through")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("tab")  # from the Strength field to the improvement field, past no pane
        assert app.screen.focused is app.screen.query_one("#hotwash-improvement", Input)
        app.screen.query_one("#hotwash-objectives").focus()
        await pilot.pause()
        for char in "Fax line dead":  # a burst, as a laggy link delivers it: every key, spaces too, is text
            app.simulate_key(" " if char == " " else char)
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
    strength, burst = logged(session.path)[-2:]
    assert isinstance(strength, HotwashEvent) and strength.text == "Calls went through" and strength.objective == "OBJ-1"
    assert isinstance(burst, HotwashEvent) and burst.text == "Fax line dead"


async def test_an_inject_falling_due_is_cued(session: Session, clock: FakeClock) -> None:
    notes: list[str] = []
    titles: list[str] = []
    bells: list[int] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            notes.append(message.notification.message)
            titles.append(message.notification.title)

    app = console(session, bell=True)
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(notifications=True, message_hook=hook) as pilot:
        await pilot.pause()
        table = app.screen.query_one(MselTable)
        assert table.lines["M1-01"].state == "DUE"
        assert table.lines["M1-02"].state == "upcoming"
        already = len(bells)
        clock.advance(minutes=11)
        app.refresh_views()
        await pilot.pause()
        assert table.lines["M1-02"].state == "DUE"
        assert "on yellow" in table.lines["M1-02"].style
        assert any(n.startswith("M1-02") for n in notes)
        assert "Inject due (2 due in all)" in titles, "M1-01 is still due: the notice counts it too"
        assert len(bells) == already + 1
        app.refresh_views()
        await pilot.pause()
        assert len(bells) == already + 1


async def test_another_terminal_appends_and_the_console_shows_it(session: Session, clock: FakeClock) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        with Session.open(session.path, clock=clock, author="J. Park") as other:
            other.observe("OBJ-1", "P", "Fast relay of the position")
        app.poll_session()
        await pilot.pause()
        await pilot.pause()
        log = app.screen.query_one(EventLog)
        assert "J. Park" in [line.author for line in log.lines.values()]


async def test_quit_and_resume_with_everything_where_it_was(session: Session, clock: FakeClock) -> None:
    app = console(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-01")
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitForm), "q asks before leaving"
        facts = str(app.screen.query_one("#confirm-facts", Static).content)
        assert str(session.path) in facts and "tabletop run --session" in facts
        assert "leaving pauses it" in facts
        await pilot.press("enter")  # Cancel has the focus: a stray enter stays
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("q", "ctrl+s")
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0 or app.return_code is None
    path = session.path
    paused = logged(path)[-1]
    assert isinstance(paused, PausedEvent) and paused.reason == "console closed", "time away is not play"
    session.close()
    clock.advance(minutes=30)
    with Session.open(path, clock=clock) as reopened:
        assert not reopened.state.clock.running and reopened.now_minute() == paused.minute, "it waited"
        again = console(reopened)
        async with again.run_test() as pilot:
            await pilot.pause()
            table = again.screen.query_one(MselTable)
            assert table.lines["M1-01"].state == "delivered"
            assert len(again.screen.query_one(EventLog).lines) == 3


async def test_evaluator_mode_offers_observations_and_no_play_control(session: Session, clock: FakeClock) -> None:
    with Session.open(session.path, clock=clock, author="J. Park") as evaluator:
        app = console(evaluator, mode=Mode.evaluator)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            shown = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
            assert "observe" in shown
            assert not shown & {"deliver", "hold", "skip", "decide", "pause", "advance", "endex", "start", "adhoc"}
            await select(app, pilot, "M1-01")
            await pilot.press("d", "h", "s", "p", "m", "E")
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen)
            await pilot.press("o")
            await pilot.pause()
            await pilot.press("down", "enter", "down", "down", "down", "enter")  # nothing is chosen for the evaluator
            await type_text(pilot, "Slow to share")
            await pilot.press("enter")
            await settle(app, pilot)
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, QuitForm)
            facts = str(app.screen.query_one("#confirm-facts", Static).content)
            assert f"evaluate {session.path} --evaluator 'J. Park'" in facts, "the evaluator's own way back"
            assert "run --session" not in facts, "never the facilitator's console on a live session"
    events = logged(session.path)[1:]
    assert len(events) == 1
    observation = events[0]
    assert isinstance(observation, ObservedEvent)
    assert (observation.evaluator, observation.author, observation.rating.value) == ("J. Park", "J. Park", "M")


async def test_help_screen_lists_every_key_of_the_mode(session: Session) -> None:
    from tabletop.app.commands import commands_for

    app = console(session)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = rendered(app.screen.query_one("#help-keys", Static).content)
        for command in commands_for(Mode.facilitator):
            assert command.help in text
        intro = rendered(app.screen.query_one("#help-intro", Static).content)
        assert str(session.path) in intro and f"tabletop run --session {session.path}" in intro
        assert "FILE" not in intro
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_palette_finds_commands_and_injects(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pick_from_palette(app, pilot, "capsized")
        assert isinstance(app.screen, InjectScreen)
        assert app.screen.inject_id == "M1-02"
        await pilot.press("escape")
        await pilot.pause()
        await pick_from_palette(app, pilot, "Contingency")
        assert type(app.screen).__name__ == "ContingencyPicker"


async def test_log_keeps_the_latest_events_and_the_palette_finds_older_ones(session: Session) -> None:
    for n in range(460):
        session.note(f"Note number {n}")
    app = console(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        log = app.screen.query_one(EventLog)
        assert log.row_count <= log.max_rows
        assert max(log.lines) == 461 and 2 not in log.lines
        assert "last" in str(log.border_title)
        await pick_from_palette(app, pilot, "Note number 0")
        assert isinstance(app.screen, CorrectionForm)
        assert app.screen.event.seq == 2


async def test_the_mouse_works_too(session: Session) -> None:
    from tabletop.app.widgets.keybar import KeyBar

    app = console(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(MselTable)
        await pilot.click(MselTable, offset=(20, 2 + table.get_row_index("M1-03")))
        await pilot.pause()
        assert table.selected == "M1-03"
        keys = app.screen.query_one(KeyBar)
        text = str(keys.content)
        await pilot.click(KeyBar, offset=(1 + text.index("Deliver"), 0))
        await pilot.pause()
        assert isinstance(app.screen, EarlyDeliveryForm), "M1-03 is not due yet"
        await pilot.click("#form-save")
        await settle(app, pilot)
    delivered = last(session.path)
    assert isinstance(delivered, DeliveredEvent) and delivered.inject == "M1-03"


@pytest.mark.parametrize("width", [80, 120])
async def test_the_key_bar_shows_whole_keys_and_counts_the_rest(session: Session, width: int) -> None:
    from tabletop.app.widgets.keybar import KeyBar

    app = console(session)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        every = bar.keys(app.screen)
        text = str(bar.content)
    assert len(text) <= width - 2  # within the bar's padding
    shown = [description for _key, _display, description, _action in every if f" {description}" in text]
    assert shown == [description for *_, description, _action in every[:len(shown)]], "the first keys, in order"
    assert text.endswith(f"+{len(every) - len(shown)} more: ?"), "how many are left out, and the key listing them"
    assert text.startswith("? Help")


async def test_a_decision_on_an_adhoc_inject(session: Session) -> None:
    session.adhoc("Fuel spill", "Oil is leaking from the wreck.", ["rok", "us"])
    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await open_decision_form(app, pilot, "ADHOC-1")
        await pilot.press("down", "enter")  # ROK; with no options to pick, the team's words come next
        assert app.focused is app.screen.query_one("#decision-text", Input)
        await type_text(pilot, "Send a cutter")
        await pilot.press("tab")
        await type_text(pilot, "Closest ship")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    decided = last(session.path)
    assert isinstance(decided, DecidedEvent)
    assert (decided.team, decided.inject, decided.option, decided.text) == ("rok", "ADHOC-1", None, "Send a cutter")
    assert decided.rationale == "Closest ship", "what was typed after tab is the rationale, as the form shows"


async def test_wide_terminal_previews_the_inject_under_the_cursor(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        card = app.screen.query_one("#preview-card", InjectCard)
        await select(app, pilot, "M1-02")
        await pilot.pause()
        assert card.view is not None and card.view.id == "M1-02"
        await pilot.press("down")
        await pilot.pause()
        assert card.view.id == "M1-03"
    async with console(session).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not pilot.app.screen.query_one("#preview").display


async def test_text_that_looks_like_markup_is_shown_as_typed(tmp_path: Path, clock: FakeClock) -> None:
    from engine_fixtures import EXERCISE_YAML

    from tabletop.app.widgets.card import render_card

    text = EXERCISE_YAML.replace("title: Storm warning", "title: \"Storm [/] warning [b]now\"").replace(
        "{id: us, name: United States, short: US}", "{id: us, name: \"[red]United States\", short: US}"
    )
    exercise = tmp_path / "markup.yaml"
    exercise.write_text(text, encoding="utf-8")
    opened = Session.create(exercise, tmp_path / "markup.tabletop", clock=clock)
    opened.start()
    clock.advance(minutes=6)
    notes, hook = notice_recorder()

    app = console(opened)
    async with app.run_test(size=(100, 30), notifications=True, message_hook=hook) as pilot:
        await pilot.pause()
        assert any("Storm [/] warning [b]now" in note for note in notes)
        await pick_from_palette(app, pilot, "Storm")
        assert isinstance(app.screen, InjectScreen)
        view = app.screen.query_one(InjectCard).view
        assert view is not None and view.title == "Storm [/] warning [b]now"
        assert "Storm [/] warning [b]now" in rendered(render_card(view))
        await pilot.press("d", "escape", "a")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "AdhocForm"
    opened.close()
    delivered = last(opened.path)
    assert isinstance(delivered, DeliveredEvent) and delivered.inject == "M1-01"


def log_lines(last: int) -> list[LogLine]:
    """The log's lines for events 1 to `last`, as the app would push them down."""
    return [LogLine(seq=n, at="+00:01", author="facilitator", text=f"event {n}") for n in range(1, last + 1)]


async def test_a_full_log_drops_its_oldest_rows_and_keeps_the_cursor_on_its_event() -> None:
    from textual.app import App, ComposeResult

    from tabletop.app.widgets.log import TRIM

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield EventLog(id="log", max_rows=100)

    async with Host().run_test(size=(80, 20)) as pilot:
        log = pilot.app.query_one(EventLog)
        log.sync(log_lines(100))
        await pilot.pause()
        log.move_cursor(row=log.get_row_index("60"), animate=False)
        log.sync(log_lines(101))
        await pilot.pause()
        kept = list(range(1 + TRIM, 102))
        assert log.row_count == len(kept) and sorted(log.lines) == kept
        assert [int(log.coordinate_to_cell_key((row, 0)).row_key.value) for row in range(log.row_count)] == kept
        assert log.selected == 60
        log.move_cursor(row=log.row_count - 1, animate=False)
        log.sync(log_lines(150))
        await pilot.pause()
        assert log.selected == 150 and log.row_count <= 100


async def test_the_log_shows_the_newest_line_unless_the_facilitator_is_reading_back_through_it() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="elsewhere")
            yield EventLog(id="log", max_rows=100)

    async with Host().run_test(size=(80, 12)) as pilot:
        log = pilot.app.query_one(EventLog)
        log.sync(log_lines(30))
        log.focus()
        await pilot.pause()
        log.move_cursor(row=log.get_row_index("10"), animate=False)
        log.sync(log_lines(31))
        await pilot.pause()
        assert log.selected == 10, "reading back: the cursor stays on the line being read"
        pilot.app.query_one("#elsewhere", Input).focus()
        await pilot.pause()
        log.sync(log_lines(32))
        await pilot.pause()
        assert log.selected == 32, "away from the log, the newest line is shown"
        assert log.scroll_y >= log.max_scroll_y


async def test_both_lists_of_the_decision_form_open_alike_so_down_enter_takes_the_first_of_each(session: Session) -> None:
    from tabletop.app.screens.decision import NO_TEAM_PICKED

    session.deliver("M1-02")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = await open_decision_form(app, pilot, "M1-02")
        teams = form.query_one("#decision-team", OptionList)
        options = form.query_one("#decision-option", OptionList)
        assert (teams.highlighted, options.highlighted) == (None, None), "two teams wait: neither list picks for you"
        assert app.focused is teams
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is teams, "enter with no team picked does not move on"
        assert rendered(form.query_one("#form-error", Static).content).strip() == NO_TEAM_PICKED
        await pilot.press("down", "enter", "down", "enter")
        await pilot.pause()
        assert rendered(form.query_one("#form-error", Static).content).strip() == ""
        await type_text(pilot, "Hail it")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    decided = last(session.path)
    assert isinstance(decided, DecidedEvent)
    assert (decided.team, decided.option) == ("rok", "direct"), "the first team and the first option"


async def test_the_ruling_team_list_opens_like_the_decision_form_and_none_picked_means_no_team(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        for keys, team in ((("down", "enter"), session.exercise.teams[0].id), ((), None)):
            await pilot.press("w")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, RulingForm)
            assert form.query_one("#ruling-team", OptionList).highlighted is None
            await type_text(pilot, "Cutters arrive early")
            await pilot.press("enter", "enter")  # past the rationale to the team list
            assert app.focused is form.query_one("#ruling-team", OptionList)
            await pilot.press(*keys)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen)
            ruled = last(session.path)
            assert isinstance(ruled, RuledEvent) and ruled.team == team


async def test_no_palette_over_a_form_so_nothing_acts_behind_it(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "JumpForm"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "JumpForm", "the palette would run console commands behind the form"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"


async def test_the_endex_question_names_the_injects_not_delivered(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        text = " ".join(rendered(w.content) for w in app.screen.query(Static))
    count, named = text.split(" scheduled injects not delivered: ")
    ids = named.split("\n")[0].split(", ")
    assert int(count.split()[-1]) == len(ids) > 1
    scheduled = [r.inject for r in session.state.msel(session.now_minute()) if r.kind == "scheduled"]
    assert all(i in scheduled and session.state.first_delivery(i) is None for i in ids)


async def test_notices_wait_while_a_form_is_open(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        app.notify("Zebrafinch", timeout=30)
        await pilot.pause()
        await pilot.pause()
        assert "Zebrafinch" not in app.export_screenshot(), "a notice drawn over a form hides its fields"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert "Zebrafinch" in app.export_screenshot(), "the notice is seen once the form is closed"


async def test_enter_on_the_option_list_with_nothing_picked_says_how_and_stays(session: Session) -> None:
    from tabletop.app.screens.decision import NOTHING_PICKED

    session.deliver("M1-02")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("r", "down", "enter")  # the team
        await pilot.pause()
        options = app.screen.query_one("#decision-option")
        assert app.focused is options
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is options, "enter with nothing picked does not move on"
        assert rendered(app.screen.query_one("#form-error", Static).content).strip() == NOTHING_PICKED
        await pilot.press("down")
        await pilot.pause()
        assert rendered(app.screen.query_one("#form-error", Static).content).strip() == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#decision-text", Input)


async def test_a_record_made_on_a_delivered_row_offers_that_inject_and_can_be_untied(session: Session) -> None:
    session.deliver("M1-02")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("n")
        await pilot.pause()
        about = app.screen.query_one("#record-about", OptionList)
        assert about.highlighted_option is not None and about.highlighted_option.id == "M1-02"
        await type_text(pilot, "ROK asks for the map")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#record-about", OptionList).highlighted = 1  # "(no inject in particular)"
        app.screen.query_one("#note-text", Input).focus()
        await type_text(pilot, "Room breaks for coffee")
        await pilot.press("enter")
        await settle(app, pilot)
        await select(app, pilot, "M1-03")  # not delivered: nothing is offered
        await pilot.press("n")
        await pilot.pause()
        assert not app.screen.query("#record-about")
    tied, untied = logged(session.path)[-2:]
    assert isinstance(tied, NoteEvent) and (tied.text, tied.inject) == ("ROK asks for the map", "M1-02")
    assert isinstance(untied, NoteEvent) and (untied.text, untied.inject) == ("Room breaks for coffee", None)


async def test_keys_that_arrive_in_one_burst_after_tab_go_to_the_next_field(session: Session) -> None:
    from textual.widgets import TextArea

    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        for key in ["F", "u", "e", "l", "tab", "O", "i", "l", "shift+tab", "!"]:  # all queued before any is handled
            app.simulate_key(key)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#adhoc-title", Input).value == "Fuel!"
        assert app.screen.query_one("#adhoc-body", TextArea).text == "Oil"


async def test_keys_that_arrive_in_one_burst_after_enter_go_to_the_next_field(session: Session) -> None:
    from textual.widgets import TextArea

    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        for key in ["F", "u", "e", "l", "enter", "O", "i", "l"]:  # all queued before any is handled
            app.simulate_key(key)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#adhoc-title", Input).value == "Fuel"
        assert app.screen.query_one("#adhoc-body", TextArea).text == "Oil"


async def test_a_burst_after_enter_on_a_list_moves_in_the_next_list_and_fills_the_next_field(session: Session) -> None:
    session.deliver("M1-02")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-02")
        await pilot.press("r")
        await pilot.pause()
        for key in ["down", "enter", "down", "enter", "H", "i", "enter", "W", "h", "y"]:  # team, option, said, rationale
            app.simulate_key(key)
        await pilot.pause()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DecisionForm)
        team = form.query_one("#decision-team", OptionList)
        assert team.highlighted is not None and team.get_option_at_index(team.highlighted).id == "rok"
        option = form.query_one("#decision-option", OptionList)
        assert option.highlighted is not None and option.get_option_at_index(option.highlighted).id == "direct"
        assert form.query_one("#decision-text", Input).value == "Hi"
        assert form.query_one("#decision-rationale", Input).value == "Why"
    assert not any(isinstance(e, DecidedEvent) for e in logged(session.path))


async def test_an_inject_key_pressed_in_the_log_acts_on_no_msel_row_and_says_where_to_go(session: Session) -> None:
    from tabletop.app.widgets.log import EventLog

    notes, hook = notice_recorder()

    app = console(session)
    async with app.run_test(size=(120, 40), notifications=True, message_hook=hook) as pilot:
        await pilot.pause()
        await select(app, pilot, "M1-01")
        app.screen.query_one(EventLog).focus()
        await pilot.pause()
        await pilot.press("d", "h", "s")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
    assert len(logged(session.path)) == 1, "nothing was delivered, held or skipped"
    assert notes.count("The log has the focus: press tab to go back to the MSEL and pick the inject there.") == 3


async def test_ticks_sent_in_one_burst_tick_the_teams_they_were_pressed_on(session: Session) -> None:
    from textual.widgets import SelectionList

    app = console(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#adhoc-to").focus()
        await pilot.pause()
        for key in ["space", "down", "space", "down", "down", "space", "space"]:  # all queued before any is handled
            app.simulate_key(key)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#adhoc-to", SelectionList).selected == ["us", "japan"]
        assert rendered(app.screen.query_one("#adhoc-goes-to", Static).content).strip() == "Goes to: US, JPN"


async def test_the_row_the_keys_act_on_stays_in_sight_when_the_terminal_shrinks(yellow_sea: Session) -> None:
    app = console(yellow_sea)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(MselTable)
        table.select("YS-20")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        for _ in range(3):
            await pilot.pause()
        row = table.cursor_row
        top = table.scroll_offset.y
        assert top <= row < top + table.scrollable_content_region.height - 1, (row, top)


async def test_every_objective_of_a_bundled_exercise_is_in_sight_in_the_observation_form(yellow_sea: Session) -> None:
    exercise = yellow_sea.exercise
    app = console(yellow_sea)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ids = [o.id for o in exercise.objectives]
        inject = max((i for i in exercise.all_injects() if i.objectives), key=lambda i: ids.index(i.objectives[0]))
        last = inject.objectives[0]
        assert ids.index(last) >= 4, "an inject that names an objective low in the list"
        app.push_screen(ObservationForm(exercise, inject, "J. Park"))
        await pilot.pause()
        await pilot.pause()
        objectives = app.screen.query_one("#observe-objective", OptionList)
        assert objectives.option_count == len(exercise.objectives) > 4
        assert objectives.virtual_size.height == objectives.option_count, "one line per objective"
        assert objectives.size.height >= objectives.option_count and objectives.scroll_y == 0
        assert objectives.highlighted is None, "named in the hint, not picked: ↓ then enter takes OBJ-1"
        hints = " ".join(rendered(w.content) for w in app.screen.query(".form-hint"))
        assert f"this inject names {', '.join(inject.objectives)}" in hints and last in hints
        cut_at_80 = [rendered(objectives.get_option_at_index(n).prompt) for n in range(objectives.option_count)]
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        at_120 = [rendered(objectives.get_option_at_index(n).prompt) for n in range(objectives.option_count)]
        assert objectives.virtual_size.height == objectives.option_count
    assert any(line.rstrip().endswith("…") for line in cut_at_80), cut_at_80
    assert sum(len(line) for line in at_120) > sum(len(line) for line in cut_at_80), "a wider form shows more"


async def test_the_hot_wash_shows_the_planners_questions_for_the_room(yellow_sea: Session) -> None:
    exercise = yellow_sea.exercise
    assert exercise.hotwash_questions
    app = console(yellow_sea)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(HotwashScreen(exercise))
        await pilot.pause()
        await pilot.pause()
        shown = rendered(app.screen.query_one("#hotwash-text", Static).content)
        flat = " ".join(shown.split())
        assert "Questions for the room" in flat
        for question in exercise.hotwash_questions:
            assert " ".join(question.split()) in flat


async def test_a_sentence_typed_after_a_tab_too_many_goes_into_the_field_not_nowhere(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteForm)
        await pilot.press("tab")  # from the note line to the Save button, as a facilitator did
        await pilot.pause()
        await type_text(pilot, "Room asks for a break")
        assert app.screen.query_one("#note-text", Input).value == "Room asks for a break"
        await pilot.press("enter")
        await settle(app, pilot)
    note = last(session.path)
    assert isinstance(note, NoteEvent) and note.text == "Room asks for a break"
