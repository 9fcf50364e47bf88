"""Tests of the Textual team view: what it shows, what it never shows, and how it follows play."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.need_to_know import NotAParticipant
from tabletop.viewer.app import TeamViewApp
from tabletop.viewer.screens.team import TABS
from tabletop.viewer.widgets.inbox import UNREAD_MARK, Inbox
from tests.engine_fixtures import new_session
from tests.need_to_know_fixtures import (
    PARTICIPANTS,
    posture_words_in,
    hidden_from,
    markers_in,
    play_secrets_session,
    visible_to,
)

SIZE = (200, 60)
"""A terminal large enough that nothing a team may see is scrolled out of sight."""

_SPAN = re.compile(r'<text class="[^"]*-r\d+" x="[\d.]+" y="([\d.]+)"[^>]*>(.*?)</text>')


def screen_text(app: TeamViewApp) -> str:
    """Every character on the screen, line by line, read from an SVG screenshot."""
    lines: dict[float, list[str]] = {}
    for y, text in _SPAN.findall(app.export_screenshot()):
        lines.setdefault(float(y), []).append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(lines.items()))


async def everything_shown(app: TeamViewApp, pilot) -> str:  # type: ignore[no-untyped-def]
    """The text of every tab, and of the reading pane for every inject in the inbox."""
    texts = []
    inbox = app.screen.query_one(Inbox)
    for index in range(inbox.option_count):
        inbox.highlighted = index
        await pilot.pause()
        texts.append(screen_text(app))
    for tab in TABS[1:]:
        await pilot.press(tab[0])
        await pilot.pause()
        texts.append(screen_text(app))
    return "\n".join(texts)


@pytest.fixture
def secrets_path(tmp_path: Path) -> Path:
    return play_secrets_session(tmp_path)


def reader(path: Path, clock: FakeClock | None = None) -> Session:
    return Session.open(path, readonly=True, clock=clock or FakeClock())


@pytest.mark.parametrize("team", PARTICIPANTS)
async def test_the_terminal_view_shows_the_teams_share_and_not_one_secret(secrets_path: Path, team: str) -> None:
    with reader(secrets_path) as session:
        app = TeamViewApp(session, team, poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            shown = await everything_shown(app, pilot)
    seen = markers_in(shown)
    assert seen & hidden_from(team) == set()
    assert visible_to(team) - seen == set()
    assert posture_words_in(shown) == []


def test_the_control_cell_gets_no_team_view(secrets_path: Path) -> None:
    with reader(secrets_path) as session:
        with pytest.raises(NotAParticipant):
            TeamViewApp(session, "control")


async def test_new_injects_appear_on_top_unread_and_the_reader_keeps_their_place(tmp_path: Path) -> None:
    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as writer, reader(writer.path, clock) as session:
        writer.deliver("M1-01")
        writer.deliver("M1-02")
        session.refresh()
        app = TeamViewApp(session, "rok", poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            inbox = app.screen.query_one(Inbox)
            assert [o.id for o in inbox.options] == ["M1-02", "M1-01"]
            assert app.unread == {"M1-01"}
            await pilot.press("down")
            await pilot.pause()
            assert inbox.selected_inject == "M1-01" and app.unread == set()

            writer.adhoc("Ferry held in port", "The ferry to the island stays in port.", ["rok"])
            writer.note("a facilitator note nobody at the table sees")
            app.poll()
            await pilot.pause()
            assert [o.id for o in inbox.options] == ["ADHOC-1", "M1-02", "M1-01"]
            assert inbox.selected_inject == "M1-01"
            assert app.unread == {"ADHOC-1"}
            text = screen_text(app)
            assert f"{UNREAD_MARK} ADHOC-1" in text
            assert "Ferry held in port" in text
            assert "1 unread" in text
            assert "facilitator note" not in text

            await pilot.press("n")
            await pilot.pause()
            assert inbox.selected_inject == "ADHOC-1" and app.unread == set()
            assert "The ferry to the island stays in port." in screen_text(app)


async def test_a_repeated_delivery_is_unread_again_and_mark_all_read_clears(tmp_path: Path) -> None:
    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as writer, reader(writer.path, clock) as session:
        writer.deliver("M1-01")
        writer.deliver("M1-02")
        session.refresh()
        app = TeamViewApp(session, "us", poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            assert app.unread == set()
            writer.deliver("M1-01")
            app.poll()
            await pilot.pause()
            inbox = app.screen.query_one(Inbox)
            assert [o.id for o in inbox.options] == ["M1-01", "M1-02"]
            assert app.unread == {"M1-01"}
            assert "delivered 2 times" in screen_text(app) or inbox.selected_inject != "M1-01"
            await pilot.press("r")
            await pilot.pause()
            assert app.unread == set()
            assert UNREAD_MARK not in screen_text(app)


async def test_the_view_redraws_only_when_the_team_view_changes(tmp_path: Path) -> None:
    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as writer, reader(writer.path, clock) as session:
        app = TeamViewApp(session, "japan", poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            before = app.view
            writer.deliver("M1-02")  # to ROK and the US only
            app.poll()
            await pilot.pause()
            assert app.view is before
            assert "Nothing has been delivered to your team yet." in screen_text(app)


async def test_the_heading_shows_the_move_and_the_scenario_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as writer, reader(writer.path, clock) as session:
        app = TeamViewApp(session, "china", poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert "Scenario time +00:00" in screen_text(app)
            clock.advance(minutes=17)
            app.redraw_clock()
            await pilot.pause()
            text = screen_text(app)
            assert "Scenario time +00:17" in text and "06:17 KST" in text
            writer.pause()
            writer.advance()
            app.poll()
            app.redraw_clock()
            await pilot.pause()
            text = screen_text(app)
            assert "move M2: Who leads" in text
            assert "+01:00" in text and "(paused)" in text


async def test_tabs_switch_by_key_and_show_their_pages(secrets_path: Path) -> None:
    with reader(secrets_path) as session:
        app = TeamViewApp(session, "us", poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            from textual.widgets import TabbedContent

            tabs = app.screen.query_one(TabbedContent)
            await pilot.press("b")
            await pilot.pause()
            assert tabs.active == "brief" and "US-brief-Q" in screen_text(app)
            await pilot.press("o")
            await pilot.pause()
            assert tabs.active == "ours" and "US-corrected-rationale-Q" in screen_text(app)
            await pilot.press("s")
            await pilot.pause()
            assert tabs.active == "situation" and "US-M1-question-Q" in screen_text(app)
            await pilot.press("i")
            await pilot.pause()
            assert tabs.active == "injects" and isinstance(app.focused, Inbox)


async def test_the_view_never_writes_to_the_session(secrets_path: Path) -> None:
    with reader(secrets_path) as session:
        before = session.state.last_seq
        app = TeamViewApp(session, "rok", poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for key in ("n", "r", "down", "enter", "s", "b", "o", "d", "a", "w", "f", "i", "up"):
                await pilot.press(key)
            await pilot.pause()
        assert session.readonly
    with Session.open(secrets_path, readonly=True) as again:
        assert again.state.last_seq == before


async def test_an_inject_withdrawn_from_the_team_reads_as_withdrawn(tmp_path: Path) -> None:
    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as writer, reader(writer.path, clock) as session:
        writer.deliver("M1-02")
        session.refresh()
        app = TeamViewApp(session, "rok", poll_interval=3600, tick_interval=3600, bell=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert "WITHDRAWN" not in screen_text(app)
            writer.withdraw("M1-02", "sent to the wrong table")
            app.poll()
            await pilot.pause()
            inbox = app.screen.query_one(Inbox)
            inbox.select_inject("M1-02")
            await pilot.pause()
            text = screen_text(app)
            assert "WITHDRAWN" in text and "sent to the wrong table" in text
