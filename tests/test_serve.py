"""Tests of `tabletop serve`: tokens, need-to-know on every route, escaping, the cap, the fixed command."""

from __future__ import annotations

import asyncio
import io
import json
import re
import secrets
import socket
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from tabletop.cli import main
from tabletop.clock import FakeClock
from tabletop.engine import Session, StoreError
from tabletop.viewer.server import (
    PAGE_HEADERS,
    VERSION_HEADER,
    LinksError,
    ServeOptions,
    TeamLink,
    TeamServer,
    child_environment,
    kept_links,
    links_path,
    new_links,
    public_base,
    run,
    view_command,
)
from tests.engine_fixtures import new_session
from tests.need_to_know_fixtures import (
    PARTICIPANTS,
    posture_words_in,
    hidden_from,
    markers_in,
    play_secrets_session,
    visible_to,
)

TEAM_WORDS = ("United States", "Republic of Korea", "China", "Observers", "White Cell", "rok", "observers")
"""Names and ids a page without a valid token must not show."""


@pytest.fixture
def secrets_path(tmp_path: Path) -> Path:
    return play_secrets_session(tmp_path)


@pytest.fixture
async def served(secrets_path: Path) -> AsyncIterator[tuple[TestClient, TeamServer]]:
    session = Session.open(secrets_path, readonly=True, clock=FakeClock())
    server = TeamServer(session, new_links(session), ServeOptions(max_connections=8, refresh=0.5))
    async with TestClient(TestServer(server.app())) as client:
        yield client, server
    session.close()


def keep(path: Path, content: str) -> None:
    """Write a links file as `write_links` would leave it: owner-only."""
    path.write_text(content)
    path.chmod(0o600)


def token_of(server: TeamServer, team: str) -> str:
    return next(link.token for link in server.links if link.team == team)


@pytest.mark.parametrize("team", PARTICIPANTS)
async def test_every_route_shows_the_teams_share_and_not_one_secret(
    served: tuple[TestClient, TeamServer], team: str
) -> None:
    client, server = served
    token = token_of(server, team)
    for route in ("", "fragment", "view.json"):
        response = await client.get(f"/t/{token}/{route}")
        assert response.status == 200, route
        text = await response.text()
        seen = markers_in(text)
        assert seen & hidden_from(team) == set(), route
        assert visible_to(team) - seen == set(), route
        assert posture_words_in(text) == []


@pytest.mark.parametrize("path", ["/", "/t/", "/t/nope/", "/t/nope", "/t/nope/fragment", "/t/nope/view.json"])
async def test_without_a_valid_token_nothing_shows(served: tuple[TestClient, TeamServer], path: str) -> None:
    client, _ = served
    response = await client.get(path)
    assert response.status in (403, 404)
    text = await response.text()
    for word in TEAM_WORDS:
        assert word not in text
    assert "-Q" not in text
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_near_miss_token_is_refused(served: tuple[TestClient, TeamServer]) -> None:
    client, server = served
    token = token_of(server, "rok")
    for wrong in (token[:-1], token + "x", token.upper() if token.upper() != token else token.lower(), " " + token):
        response = await client.get(f"/t/{wrong}/view.json")
        assert response.status == 403
        assert "rok" not in await response.text()
    assert server.team_for(token) == "rok"
    assert server.team_for("") is None


def test_tokens_are_long_distinct_fresh_and_only_for_participants(secrets_path: Path) -> None:
    with Session.open(secrets_path, readonly=True) as session:
        first, second = new_links(session), new_links(session)
    assert [link.team for link in first] == list(PARTICIPANTS)
    tokens = [link.token for link in first + second]
    assert len(set(tokens)) == len(tokens)
    assert all(len(token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)
    assert first[0].url("http://127.0.0.1:8000") == f"http://127.0.0.1:8000/t/{first[0].token}/"


async def test_pages_carry_protective_headers(served: tuple[TestClient, TeamServer]) -> None:
    client, server = served
    for path in (f"/t/{token_of(server, 'us')}/", "/"):
        response = await client.get(path)
        for name, value in PAGE_HEADERS.items():
            assert response.headers[name] == value
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


async def test_the_fragment_answers_204_until_the_team_view_changes(tmp_path: Path) -> None:
    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as writer, Session.open(writer.path, readonly=True, clock=clock) as session:
        server = TeamServer(session, new_links(session))
        token = token_of(server, "rok")
        async with TestClient(TestServer(server.app())) as client:
            first = await client.get(f"/t/{token}/fragment")
            version = first.headers[VERSION_HEADER]
            assert "Nothing has been delivered" in await first.text()
            same = await client.get(f"/t/{token}/fragment", params={"since": version})
            assert same.status == 204
            writer.deliver("M1-03")  # to Japan and China only
            same = await client.get(f"/t/{token}/fragment", params={"since": version})
            assert same.status == 204
            writer.deliver("M1-02")
            changed = await client.get(f"/t/{token}/fragment", params={"since": version})
            assert changed.status == 200
            assert changed.headers[VERSION_HEADER] != version
            assert "Boat capsized west of the island" in await changed.text()


async def test_everything_is_escaped(tmp_path: Path) -> None:
    with new_session(tmp_path) as writer, Session.open(writer.path, readonly=True) as session:
        writer.adhoc('<script>alert("t")</script>', "<img src=x onerror=alert(1)> & 'quotes'", ["us"])
        server = TeamServer(session, new_links(session))
        async with TestClient(TestServer(server.app())) as client:
            page = await (await client.get(f"/t/{token_of(server, 'us')}/")).text()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quotes&#39;" in page


async def test_the_connection_cap_answers_503(secrets_path: Path) -> None:
    with Session.open(secrets_path, readonly=True) as session:
        server = TeamServer(session, new_links(session), ServeOptions(max_connections=2))
        token = token_of(server, "us")
        async with TestClient(TestServer(server.app())) as client:
            server.active = 2
            busy = await client.get(f"/t/{token}/")
            assert busy.status == 503 and busy.headers["Retry-After"] == "5"
            server.active = 1
            assert (await client.get(f"/t/{token}/")).status == 200
            assert server.active == 1


def test_the_server_only_serves_a_session_opened_read_only(tmp_path: Path) -> None:
    with new_session(tmp_path) as session:
        with pytest.raises(ValueError, match="read-only"):
            TeamServer(session, new_links(session))


def test_the_terminal_command_is_fixed_and_its_environment_minimal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = view_command(tmp_path / "s.session", "rok")
    assert argv[1:] == ["-m", "tabletop", "view", str((tmp_path / "s.session").resolve()), "--team", "rok"]
    monkeypatch.setenv("API_KEY_OF_THE_SERVER", "do-not-pass")
    env = child_environment(100, 30)
    assert "API_KEY_OF_THE_SERVER" not in env
    assert env["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
    assert (env["COLUMNS"], env["ROWS"]) == ("100", "30")


async def test_the_terminal_view_runs_for_the_tokens_team_only_and_counts_against_the_cap(secrets_path: Path) -> None:
    with Session.open(secrets_path, readonly=True) as session:
        server = TeamServer(session, new_links(session), ServeOptions(max_connections=1, terminal=True))
        token = token_of(server, "rok")
        async with TestClient(TestServer(server.app())) as client:
            refused = await client.get("/t/wrong/ws")
            assert refused.status == 403
            page = await (await client.get(f"/t/{token}/terminal")).text()
            assert f"/t/{token}/ws" in page
            received = ""
            async with client.ws_connect(f"/t/{token}/ws", params={"width": "160", "height": "40"}) as ws:
                busy = await client.get(f"/t/{token}/")
                assert busy.status == 503
                while "OK-IALL-title-Q" not in received:
                    message = await asyncio.wait_for(ws.receive(), timeout=60)
                    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
                    data = message.data
                    received += data.decode("utf-8", "replace") if isinstance(data, bytes) else data
                await ws.close()
    assert "ROK" in received
    assert markers_in(received) & hidden_from("rok") == set()


def test_public_base_names_an_address_other_machines_can_reach_for_a_wildcard_address() -> None:
    assert public_base("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    host = re.fullmatch(r"http://(.+):81", public_base("0.0.0.0", 81)).group(1)
    assert host not in {"0.0.0.0", "localhost"} and not host.startswith("127.")
    with socket.socket() as probe:
        probe.bind((host, 0))  # an address of this machine, not only a name
    assert public_base("0.0.0.0", 81, tls=True) == f"https://{host}:81"
    assert public_base("::1", 8000) == "http://[::1]:8000"


async def test_run_prints_one_link_per_team_and_serves_them(secrets_path: Path) -> None:
    out = io.StringIO()
    stop, ready = asyncio.Event(), asyncio.Event()
    with Session.open(secrets_path, readonly=True) as session:
        links = [TeamLink(team="us", name="United States", token="t" * 32)]
        task = asyncio.create_task(run(session, ServeOptions(port=0), out=out, links=links, stop=stop, ready=ready))
        await asyncio.wait_for(ready.wait(), timeout=10)
        url = re.search(r"http://\S+/t/t{32}/", out.getvalue()).group(0)
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 200
                assert "US-brief-Q" in await response.text()
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    assert "127.0.0.1" in out.getvalue() and "Listening beyond" not in out.getvalue()


def test_serve_refuses_a_missing_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "none.session"), "--port", "0"]) == 1
    assert "no such session file" in capsys.readouterr().err


def test_serve_reports_a_port_in_use(secrets_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(secrets_path), "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["--port", "70000"], ["--max-connections", "0"], ["--refresh", "soon"]])
def test_serve_rejects_bad_options(secrets_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", str(secrets_path), *args])
    assert exit_info.value.code == 2


async def test_an_unreadable_session_file_is_a_503_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with new_session(tmp_path) as writer, Session.open(writer.path, readonly=True) as session:
        server = TeamServer(session, new_links(session))
        token = token_of(server, "us")
        async with TestClient(TestServer(server.app())) as client:
            assert (await client.get(f"/t/{token}/view.json")).status == 200

            def damaged() -> list[object]:
                raise StoreError(f"{writer.path}: damaged or not a tabletop session file")

            monkeypatch.setattr(session, "refresh", damaged)
            response = await client.get(f"/t/{token}/view.json")
            assert response.status == 503
            assert "cannot be read" in await response.text()


def test_a_restarted_server_answers_the_same_links(secrets_path: Path) -> None:
    """Links are kept beside the session, owner-only, so teams keep theirs across a restart."""
    with Session.open(secrets_path, readonly=True) as session:
        first, note = kept_links(session)
        assert "Links kept in" in note
        again, note = kept_links(session)
        assert "Same links as last time" in note
    assert [(link.team, link.token) for link in again] == [(link.team, link.token) for link in first]
    kept = links_path(secrets_path)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text())["links"] == {link.team: link.token for link in first}


def test_new_links_replace_the_kept_ones(secrets_path: Path) -> None:
    with Session.open(secrets_path, readonly=True) as session:
        old, _ = kept_links(session)
        new, note = kept_links(session, renew=True)
        assert "old ones no longer open anything" in note
        assert not {link.token for link in old} & {link.token for link in new}
        server = TeamServer(session, kept_links(session)[0])
        assert all(server.team_for(link.token) is None for link in old)
        assert all(server.team_for(link.token) == link.team for link in new)


def test_a_team_missing_from_the_kept_file_gets_a_new_token_and_strangers_are_dropped(secrets_path: Path) -> None:
    kept = links_path(secrets_path)
    us, ghost = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    keep(kept, json.dumps({"links": {"us": us, "ghost": ghost}}))
    with Session.open(secrets_path, readonly=True) as session:
        links, _ = kept_links(session)
    tokens = {link.team: link.token for link in links}
    assert tokens["us"] == us and "ghost" not in tokens
    assert set(tokens) == set(PARTICIPANTS)
    assert set(json.loads(kept.read_text())["links"]) == set(PARTICIPANTS)


@pytest.mark.parametrize(
    "content",
    ["not json", json.dumps(["us"]), json.dumps({"links": {"us": "short"}}), json.dumps({"links": {"us": "a b" * 20}})],
)
def test_a_damaged_links_file_is_named_and_nothing_is_served(
    secrets_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    keep(links_path(secrets_path), content)
    with Session.open(secrets_path, readonly=True) as session, pytest.raises(LinksError):
        kept_links(session)
    assert main(["serve", str(secrets_path), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{links_path(secrets_path)}:" in err and "--new-links" in err and "Traceback" not in err


def test_links_that_cannot_be_kept_are_still_served_and_said_to_be_temporary(
    secrets_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder the server may not write to (a read-only share): the links work for this run only."""
    import tabletop.viewer.server as server_module

    real_open = server_module.os.open

    def refuse(path: object, flags: int, *args: object) -> int:
        if flags & server_module.os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(server_module.os, "open", refuse)
    with Session.open(secrets_path, readonly=True) as session:
        links, note = kept_links(session)
    assert {link.team for link in links} == set(PARTICIPANTS)
    assert "will change when serve restarts" in note and "Permission denied" in note
    assert not links_path(secrets_path).exists()
