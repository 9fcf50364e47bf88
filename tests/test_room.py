"""The room screen's need-to-know: only what every participant may see, on every face of it."""

from __future__ import annotations

import json
from pathlib import Path

from tabletop.engine import Session
from tabletop.need_to_know import room_view
from tests.need_to_know_fixtures import EVERYONE, ALL_MARKERS, markers_in, play_secrets_session

ROOM_MARKERS = {m for m, teams in ALL_MARKERS.items() if teams == EVERYONE}
"""Markers every participant may see: the only ones the room may show."""


def _room_text(path: Path) -> str:
    session = Session.open(path, readonly=True)
    try:
        return json.dumps(room_view(session).as_dict())
    finally:
        session.close()


def test_room_shows_only_what_every_participant_sees(tmp_path: Path) -> None:
    text = _room_text(play_secrets_session(tmp_path))
    shown = markers_in(text)
    assert shown <= ROOM_MARKERS, sorted(shown - ROOM_MARKERS)
    for marker in ("OK-IALL-title-Q", "OK-IALL-body-Q", "OK-IALL-source-Q", "OK-M1-situation-Q",
                   "OK-M1-question-all-Q", "OK-IALL-prompt-Q", "OK-IALL-close-Q"):
        assert marker in shown
    # a team's brief, private injects, decisions, notes and observations are absent
    for marker in ("US-brief-Q", "USROK-body-Q", "ADHOCTWO-body-Q", "ROK-contingency-body-Q",
                   "US-decision-text-Q", "S3-IALL-notes-Q", "S3-observation-Q", "US-M1-question-Q"):
        assert marker not in text
    for posture in ("public", "national", "deferring"):
        assert posture not in text


def test_room_lists_a_redelivered_inject_once_newest_first(tmp_path: Path) -> None:
    session = Session.open(play_secrets_session(tmp_path), readonly=True)
    try:
        view = room_view(session)
    finally:
        session.close()
    assert [i.inject for i in view.newest_first] == ["I-ALL"]
    assert view.injects[0].deliveries == 2 and view.current_move is not None
    assert view.current_move.questions == ("OK-M1-question-all-Q",)


# The browser face: `/r/TOKEN/` beside the team links

import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tabletop.clock import FakeClock
from tabletop.viewer.room import is_breaking, kept_room_token, room_clock
from tabletop.viewer.server import ServeOptions, TeamServer, new_links
from tests.need_to_know_fixtures import SECRETS_YAML

ROOM_TOKEN = "R" * 40


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[tuple[TestClient, TeamServer]]:
    session = Session.open(play_secrets_session(tmp_path), readonly=True)
    server = TeamServer(session, new_links(session), ServeOptions(), room_token=ROOM_TOKEN)
    async with TestClient(TestServer(server.app())) as client:
        yield client, server
    session.close()


async def test_room_routes_show_only_the_rooms_share(room: tuple[TestClient, TeamServer]) -> None:
    client, _ = room
    for route in ("", "fragment", "room.json"):
        response = await client.get(f"/r/{ROOM_TOKEN}/{route}")
        assert response.status == 200
        text = await response.text()
        shown = markers_in(text)
        assert shown <= ROOM_MARKERS, sorted(shown - ROOM_MARKERS)
        assert "OK-IALL-title-Q" in shown and "OK-M1-title-Q" in shown
    page = await (await client.get(f"/r/{ROOM_TOKEN}/")).text()
    assert "<form" not in page and "<button" not in page and "<input" not in page
    assert "EXERCISE - FOR TRAINING ONLY" in page


async def test_room_token_and_team_tokens_open_only_their_own_face(room: tuple[TestClient, TeamServer]) -> None:
    client, server = room
    team_token = server.links[0].token
    assert (await client.get(f"/r/{team_token}/")).status == 403
    assert (await client.get(f"/r/{ROOM_TOKEN[:-1]}/fragment")).status == 403
    assert (await client.get(f"/t/{ROOM_TOKEN}/")).status == 403


async def test_unchanged_room_answers_204_to_its_version(room: tuple[TestClient, TeamServer]) -> None:
    client, _ = room
    first = await client.get(f"/r/{ROOM_TOKEN}/fragment")
    version = first.headers["X-View-Version"]
    again = await client.get(f"/r/{ROOM_TOKEN}/fragment", params={"since": version})
    assert again.status in (204, 200)
    if again.status == 200:  # the clock's minute turned between the two requests
        assert again.headers["X-View-Version"] != version


def test_breaking_lasts_a_while_after_delivery(tmp_path: Path) -> None:
    session = Session.open(play_secrets_session(tmp_path), readonly=True)
    try:
        latest = room_view(session).injects[-1]
    finally:
        session.close()
    assert latest.at is not None
    assert is_breaking(latest, latest.at + timedelta(seconds=10))
    assert not is_breaking(latest, latest.at + timedelta(minutes=10))


def test_clock_reads_paused_and_running(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "s.session"
    (tmp_path / "x.yaml").write_text(SECRETS_YAML, encoding="utf-8")
    session = Session.create(tmp_path / "x.yaml", path, clock=clock)
    try:
        assert room_clock(session).state_text == "BEFORE STARTEX"
        session.start()
        clock.advance(minutes=7)
        running = room_clock(session)
        assert running.state_text == "RUNNING" and running.offset == "+00:07"
        assert running.world_text == "Thu 11 Apr 2030 06:07 KST"
        assert running.countdown == "Next move in 00:53"
        session.pause()
        clock.advance(minutes=30)
        assert room_clock(session).state_text == "PAUSED" and room_clock(session).offset == "+00:07"
    finally:
        session.close()


def test_room_token_is_kept_beside_the_session(tmp_path: Path) -> None:
    session = Session.open(play_secrets_session(tmp_path), readonly=True)
    try:
        first = kept_room_token(session)
        assert kept_room_token(session) == first
        assert kept_room_token(session, renew=True) != first
        assert all(first != link.token for link in new_links(session))
    finally:
        session.close()


DELIVER = """
import sys
from tabletop.engine import Session
session = Session.open(sys.argv[1])
session.deliver(sys.argv[2])
session.close()
"""


async def test_room_follows_deliveries_made_by_another_process(room: tuple[TestClient, TeamServer]) -> None:
    client, server = room
    before = await (await client.get(f"/r/{ROOM_TOKEN}/fragment")).text()
    assert "S3-later-title-Q" not in before
    subprocess.run([sys.executable, "-c", DELIVER, str(server.session.path), "I-LATER"], check=True)
    deadline = time.monotonic() + 10
    text = before
    while "S3-later-title-Q" not in text and time.monotonic() < deadline:
        text = await (await client.get(f"/r/{ROOM_TOKEN}/fragment")).text()
    assert "S3-later-title-Q" in text and "S3-later-body-Q" in text
    assert 'class="inject breaking"' in text
    assert text.index("S3-later-title-Q") < text.index("OK-IALL-title-Q")  # newest first
    assert "S3-later-notes" not in text and "S3-held-title-Q" not in text
