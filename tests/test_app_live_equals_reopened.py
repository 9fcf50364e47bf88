"""The live console's panes equal those of a console freshly opened on the same file, after every step.

Hypothesis draws sequences of what happens in a session: the facilitator's
engine calls through the console's own queue (deliveries, holds, skips, ad-hoc
injects, decisions, notes, withdrawals, hold take-backs, move advances and
their undoing, clock changes, ENDEX) and a team submitting from its link in
another process's writer. After each step the live console's status, MSEL (row
order and cells), decisions board and log are read; a copy of the file as it
stands is opened later in a fresh console at the same wall-clock moment, and
its panes must read the same.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_app_actions import START

from engine_fixtures import write_exercise
from tabletop.app import ConsoleApp
from tabletop.app.messages import EngineCall
from tabletop.app.screens.main import MainScreen
from tabletop.app.widgets.board import DecisionBoard
from tabletop.app.widgets.log import EventLog
from tabletop.app.widgets.msel import MselTable
from tabletop.app.widgets.status import StatusBar
from tabletop.clock import FakeClock
from tabletop.engine import ActionRefused, Session

INJECTS = ["M1-01", "M1-02", "M1-03", "M1-04", "M2-01", "M2-02", "M2-03", "C-1", "C-2"]
TEAMS = ["us", "japan", "rok", "china"]

STEP = st.one_of(
    st.tuples(st.just("deliver"), st.sampled_from(INJECTS)),
    st.tuples(st.just("hold"), st.sampled_from(INJECTS)),
    st.tuples(st.just("skip"), st.sampled_from(INJECTS)),
    st.tuples(st.just("withdraw"), st.sampled_from(INJECTS)),
    st.tuples(st.just("take_back"), st.sampled_from(INJECTS)),
    st.tuples(st.just("adhoc"), st.sampled_from([("rok",), ("us", "china"), ("japan",)])),
    st.tuples(st.just("decide"), st.sampled_from([("rok", "M1-02", "direct"), ("us", "M1-02", "beijing"),
                                                  ("japan", "M1-03", "share"), ("china", "M1-03", "hold"),
                                                  ("rok", "M2-01", "escalate")])),
    st.tuples(st.just("submit"), st.sampled_from([("rok", "M1-02", "alone"), ("china", "M1-03", "share")])),
    st.tuples(st.just("note"), st.just("")),
    st.tuples(st.just("advance"), st.just("")),
    st.tuples(st.just("reopen"), st.just("")),
    st.tuples(st.just("retract_last_decision"), st.just("")),
    st.tuples(st.just("pause"), st.just("")),
    st.tuples(st.just("resume"), st.just("")),
    st.tuples(st.just("end"), st.just("")),
    st.tuples(st.just("wait"), st.sampled_from([1.0, 12.0, 70.0])),
)


def call_for(step: tuple[str, Any], session: Session) -> EngineCall | None:
    """The console's engine call for a step (None: the step is not the facilitator's)."""
    kind, arg = step
    if kind in ("deliver", "hold", "skip"):
        return EngineCall(kind, {"inject_id": arg} if kind == "deliver" else {"inject_id": arg, "reason": "r"})
    if kind == "withdraw":
        return EngineCall("withdraw", {"inject_id": arg, "reason": "by mistake"})
    if kind == "take_back":
        return EngineCall("take_back", {"inject_id": arg, "reason": "by mistake"})
    if kind == "adhoc":
        return EngineCall("adhoc", {"title": "Port closed", "body": "Incheon closes.", "to": list(arg)})
    if kind == "decide":
        team, inject, option = arg
        return EngineCall("decide", {"team": team, "inject": inject, "option": option})
    if kind == "note":
        return EngineCall("note", {"text": "a note"})
    if kind == "advance":
        return EngineCall("advance", {})
    if kind == "reopen":
        return EngineCall("reopen_move", {"reason": "pressed m"})
    if kind == "retract_last_decision":
        decisions = session.state.decisions
        if not decisions:
            return None
        return EngineCall("correct", {"seq": decisions[-1].seq, "reason": "misheard", "replacement": None})
    if kind in ("pause", "resume", "end"):
        return EngineCall(kind, {})
    return None


def panes(app: ConsoleApp) -> dict[str, Any]:
    """What the console's main screen shows, as plain data."""
    screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))  # the hot wash may be on top
    msel = screen.query_one(MselTable)
    log = screen.query_one(EventLog)
    status = screen.query_one(StatusBar)
    return {
        "status": status.view,
        "msel": [(row.key.value, [str(c) for c in msel.get_row(row.key)]) for row in msel.ordered_rows],
        "board": screen.query_one(DecisionBoard).lines,
        "log": [(row.key.value, [str(c) for c in log.get_row(row.key)]) for row in log.ordered_rows],
    }


def copy_of(path: Path, to: Path) -> Path:
    """A consistent copy of the session file as it stands (SQLite's backup, WAL included)."""
    with sqlite3.connect(path) as source, sqlite3.connect(to) as target:
        source.backup(target)
    return to


async def settle(app: ConsoleApp, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def console(session: Session) -> ConsoleApp:
    return ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0,
                      tick_interval=3600.0, heartbeat_interval=3600.0)


async def live_run(folder: Path, steps: list[tuple[str, Any]]) -> list[tuple[Path, Any, dict[str, Any]]]:
    """Play the steps in a live console; after each, a copy of the file, the wall time and the panes."""
    clock = FakeClock(START)
    session = Session.create(write_exercise(folder), folder / "live.session", clock=clock)
    session.start()
    team = Session.open(session.path, clock=clock, author="team:rok")
    seen: list[tuple[Path, Any, dict[str, Any]]] = []
    app = console(session)
    try:
        async with app.run_test(size=(150, 50)) as pilot:
            await settle(app, pilot)
            for n, step in enumerate(steps):
                kind, arg = step
                if kind == "wait":
                    clock.advance(minutes=arg)
                    app.refresh_views()
                elif kind == "submit":
                    member, inject, option = arg
                    try:
                        team.submit_decision(member, inject, option)
                    except ActionRefused:
                        pass
                    app.poll_session()
                else:
                    call = call_for(step, session)
                    if call is not None:
                        app.request(call)
                await settle(app, pilot)
                app.refresh_views()
                await pilot.pause()
                seen.append((copy_of(session.path, folder / f"step-{n}.session"), clock.now, panes(app)))
    finally:
        team.close()
        session.close()
    return seen


async def fresh_panes(path: Path, now: Any) -> dict[str, Any]:
    """The panes of a console opened on the file afresh, read-only, at wall time `now`."""
    session = Session.open(path, readonly=True, clock=FakeClock(now))
    app = console(session)
    try:
        async with app.run_test(size=(150, 50)) as pilot:
            await settle(app, pilot)
            return panes(app)
    finally:
        session.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=7))
def test_after_every_step_the_live_console_shows_what_a_fresh_one_shows(tmp_path_factory, steps) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("live")

    async def scenario() -> None:
        for n, (path, now, live) in enumerate(await live_run(folder, steps)):
            fresh = await fresh_panes(path, now)
            for pane in live:
                assert live[pane] == fresh[pane], f"after step {n} ({steps[n]}), the {pane} pane differs"

    asyncio.run(scenario())
