"""Snapshots of the console's main screens, at fixed sizes and a frozen clock.

Wall time and scenario time are frozen (a fake clock passed to the session,
wall time shown in UTC), the session file is built by the same engine calls
every run, the cursor does not blink and the intervals never fire, so each
picture is the same on every machine. Each test's docstring says what the
picture should show; regenerate with `pytest --snapshot-update` and look.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from engine_fixtures import EXERCISE_YAML, new_session
from textual.pilot import Pilot

from tabletop.app import ConsoleApp, Mode
from tabletop.clock import FakeClock
from tabletop.engine import Session

START = datetime(2030, 4, 10, 21, 0, tzinfo=timezone.utc)

CJK_YAML = (
    EXERCISE_YAML.replace("{id: rok, name: Republic of Korea, short: ROK}", "{id: rok, name: 대한민국, short: 한국}")
    .replace("{id: japan, name: Japan, short: JPN}", "{id: japan, name: 日本国, short: 日本}")
    .replace("{id: china, name: People's Republic of China, short: PRC}", "{id: china, name: 中华人民共和国, short: 中国}")
    .replace("title: Survivors sighted near the median line", "title: 中間線付近で生存者を発見")
)
"""The fixture exercise with Korean, Japanese and Chinese team names and one Japanese title."""


def play(session: Session, clock: FakeClock) -> None:
    """The same forty minutes of play, every time."""
    clock.advance(minutes=6)
    session.deliver("M1-01")
    clock.advance(minutes=10)
    session.deliver("M1-02")
    clock.advance(minutes=3)
    session.decide("rok", "M1-02", option="direct", text="Hail it on channel 16 now", rationale="Lives first", dissent="Defence ministry wants Beijing told first")
    session.note("ROK asks for a chart of the median line", inject="M1-02")
    clock.advance(minutes=12)
    session.deliver("M1-03")
    session.decide("japan", "M1-03", option="share", rationale="Everyone needs the position")
    session.rule("The ROK cutters arrive ten minutes early", rationale="The weather cleared", team="rok")
    clock.advance(minutes=4)


@pytest.fixture
def clock() -> FakeClock:
    """Frozen wall time (moved only by `play`)."""
    return FakeClock(START)


@pytest.fixture
def played(tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A session thirty-five minutes into move 1, opened by a path relative to the working
    directory so that the help screen's session path is the same in every run."""
    monkeypatch.chdir(tmp_path)
    session = new_session(Path("."), clock=clock)
    play(session, clock)
    yield session
    session.close()


def frozen(session: Session, mode: Mode = Mode.facilitator) -> ConsoleApp:
    """The console with nothing left to chance: UTC wall time, no blink, no bell, no intervals."""
    return ConsoleApp(
        session, mode=mode, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=86400.0, tick_interval=86400.0
    )


async def _select(pilot: Pilot[None], inject_id: str) -> None:
    from tabletop.app.widgets.msel import MselTable

    await pilot.pause()
    table = pilot.app.screen.query_one(MselTable)
    table.move_cursor(row=table.get_row_index(inject_id), animate=False)
    await pilot.pause()


def test_main_console_80x24(snap_compare, played: Session) -> None:  # type: ignore[no-untyped-def]
    """Main console on an 80x24 terminal, 35 minutes into move 1.

    Top: title left, marking right in reverse; below it '▶ RUN +00:35 x1', the
    in-world time 'Thu 11 Apr 06:35 KST', 'M1 1/2 Boats on the water', the
    wall time 21:35:00 UTC. MSEL spans the width: M1-01..M1-03 delivered
    (dim), M1-04 'not live', M2 rows upcoming, contingencies 'reserve'. Bottom
    left the decisions board: M1-02 with ✓ ROK direct and US awaited (yellow),
    M1-03 with ✓ JPN share and PRC awaited. Bottom right the log, ending with
    the ruling. Footer: ? Help, d Deliver, r Decision, ...
    """
    assert snap_compare(frozen(played), terminal_size=(80, 24))


def test_main_console_160x48(snap_compare, played: Session) -> None:  # type: ignore[no-untyped-def]
    """The same moment on a 160x48 terminal: the wide layout.

    MSEL (full titles, recipients, states) over the log on the left two
    thirds; the decisions board runs the full height on the right. Status
    line in long form: '▶ RUNNING' and the year in the in-world date.
    """
    assert snap_compare(frozen(played), terminal_size=(160, 48))


def test_inject_detail(snap_compare, played: Session) -> None:  # type: ignore[no-untyped-def]
    """Inject M1-02 read in full at 100x40.

    Status lines on top; the card: id and title, state 'delivered at +00:16;
    awaiting US', when, from, channel, to; the body; expected actions for ROK;
    the decision prompt with three options and their postures; then the
    decisions side by side: a ROK column with 'direct', what was said, why
    and the dissent, and a US column marked '…awaited'.
    """

    async def open_card(pilot: Pilot[None]) -> None:
        await _select(pilot, "M1-02")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(frozen(played), terminal_size=(100, 40), run_before=open_card)


def test_decision_form(snap_compare, played: Session) -> None:  # type: ignore[no-untyped-def]
    """The decision form for M1-02 at 80x24, over the console.

    Context line 'M1-02 · Boat capsized west of the island' and the prompt;
    Team list with US first (still to answer), then ROK (marked 'answered:
    direct'), nothing highlighted in it nor in the Option list (direct, beijing, alone and the free-text
    choice), so ↓ then enter takes the first line of each; one-line fields Said,
    Rationale, Dissent; Record and Cancel buttons; 'ctrl+s record · esc cancel'
    in the border.
    """

    async def open_form(pilot: Pilot[None]) -> None:
        await _select(pilot, "M1-02")
        await pilot.press("r")
        await pilot.pause()

    assert snap_compare(frozen(played), terminal_size=(80, 24), run_before=open_form)


def test_main_console_120x40(snap_compare, played: Session) -> None:  # type: ignore[no-untyped-def]
    """The same moment at 120x40, the narrow layout with room: the status line keeps the move
    ('M1 1/2 Boats on the water') and the clock; the board lists each team on its own line."""
    assert snap_compare(frozen(played), terminal_size=(120, 40))


def test_decision_form_120x40(snap_compare, played: Session) -> None:  # type: ignore[no-untyped-def]
    """The decision form for M1-02 at 120x40: every field, the Record and Cancel buttons and the save hint
    on screen, with the console's status line (move and clock) above it."""

    async def open_form(pilot: Pilot[None]) -> None:
        await _select(pilot, "M1-02")
        await pilot.press("r")
        await pilot.pause()

    assert snap_compare(frozen(played), terminal_size=(120, 40), run_before=open_form)


def test_hotwash_screen(snap_compare, tmp_path: Path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """The hot wash after ENDEX at 100x30.

    Status lines show '■ ENDEX'. Left: the objectives OBJ-1..OBJ-3 with their
    text, and 'General (no objective)'; OBJ-1 is highlighted. Right: OBJ-1's
    text and capability, 'Ratings during play: S', one strength and one area
    for improvement. Below: the Strength and Area for improvement fields.
    """
    session = new_session(tmp_path, clock=clock)
    play(session, clock)
    session.observe("OBJ-1", "S", "Relay of the position took twelve minutes")
    session.end()
    session.hotwash("strength", "Every team answered the hotline within minutes", objective="OBJ-1")
    session.hotwash("improvement", "Nobody said who leads the search", objective="OBJ-1")

    async def open_hotwash(pilot: Pilot[None]) -> None:
        await pilot.press("W")
        await pilot.pause()

    try:
        assert snap_compare(frozen(session), terminal_size=(100, 30), run_before=open_hotwash)
    finally:
        session.close()


def test_help_screen(snap_compare, played: Session) -> None:  # type: ignore[no-untyped-def]
    """The help screen at 100x40: every key grouped under Injects, Decisions,
    Records, Clock and Session, then moving around and the MSEL states."""

    async def open_help(pilot: Pilot[None]) -> None:
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(frozen(played), terminal_size=(100, 40), run_before=open_help)


def test_evaluator_console(snap_compare, played: Session, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """The evaluator's console at 100x30: the title line says 'evaluator
    J. Park'; the footer offers Read, Observe, Help and Quit, and no play
    control (no Deliver, Decision, Pause, Next move, ENDEX)."""
    with Session.open(played.path, clock=clock, author="J. Park") as evaluator:
        assert snap_compare(frozen(evaluator, Mode.evaluator), terminal_size=(100, 30))


def test_cjk_team_names_line_up(snap_compare, tmp_path: Path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """Korean, Japanese and Chinese names at 80x24: the To column shows 한국,
    日本 and 中国, M1-03's title is in Japanese, and every right border is in
    the same column (double-width characters take two cells)."""
    exercise = tmp_path / "cjk.yaml"
    exercise.write_text(CJK_YAML, encoding="utf-8")
    session = Session.create(exercise, tmp_path / "cjk.tabletop", clock=clock)
    session.start()
    play(session, clock)
    try:
        assert snap_compare(frozen(session), terminal_size=(80, 24))
    finally:
        session.close()
