"""`tabletop serve` under a hostile or careless client: no single token can starve the room.

Every test here drives a real server on 127.0.0.1: `tabletop serve` as its
own process where the point is what happens to its processes or what it
prints, `run()` in this process where a setting (the header timeout, TLS)
must be chosen. Waits poll with a deadline; nothing sleeps on the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
import secrets
import signal
import socket
import ssl
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import tabletop.viewer.server as server_module
from tabletop.cli import main
from tabletop.engine import Session
from tabletop.viewer.server import (
    MAX_MESSAGE_BYTES,
    SERVER_NAME,
    LinksError,
    ServeOptions,
    TeamLink,
    kept_links,
    links_path,
    new_links,
    run,
)
from tests.need_to_know_fixtures import PARTICIPANTS, play_secrets_session

DATA = Path(__file__).parent / "data"
CERT, KEY = DATA / "serve-test.crt", DATA / "serve-test.key"


# --- a real server in its own process ------------------------------------------------------------


@dataclass
class Served:
    """A `tabletop serve` process and the links it printed."""

    process: subprocess.Popen[bytes]
    base: str
    tokens: dict[str, str]

    def url(self, team: str, tail: str = "") -> str:
        return f"{self.base}/t/{self.tokens[team]}/{tail}"

    def ws_url(self, team: str) -> str:
        return self.url(team, "ws").replace("http://", "ws://", 1)

    def stop(self) -> str:
        """Stop the server as Ctrl+C would; everything it wrote to stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err.decode("utf-8", "replace")


def start_serve(session: Path, *args: str) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "tabletop", "serve", str(session), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    tokens: dict[str, str] = {}
    base = ""
    for raw in process.stdout:
        line = raw.decode("utf-8")
        found = re.match(r"\s+(\S+)\s+(https?://\S+?)/t/([A-Za-z0-9_-]+)/$", line)
        if found:
            base = found.group(2)
            tokens[found.group(1)] = found.group(3)
        if re.match(r"(Links kept|Same links|New links|These links)", line):
            break
    served = Served(process, base, tokens)
    if set(tokens) != set(PARTICIPANTS):
        raise AssertionError(f"serve printed links for {sorted(tokens)}: {served.stop()[-500:]}")
    return served


@pytest.fixture
def session_path(tmp_path: Path) -> Path:
    return play_secrets_session(tmp_path)


@pytest.fixture
def served(session_path: Path) -> Iterator[Served]:
    server = start_serve(session_path, "--terminal")
    yield server
    server.stop()


def children_of(pid: int) -> set[int]:
    """Processes whose parent is `pid`, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def poll_until(condition: Callable[[], bool], deadline: float, what: str) -> None:
    """Poll `condition` until it holds; fail saying `what` when `deadline` (loop seconds from now) passes."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not condition():
        assert loop.time() < end, what
        await asyncio.sleep(0.05)


async def open_terminal(http: aiohttp.ClientSession, served: Served, team: str) -> aiohttp.ClientWebSocketResponse:
    """A terminal socket whose view process has started drawing."""
    ws = await http.ws_connect(served.ws_url(team), max_msg_size=0)
    message = await asyncio.wait_for(ws.receive(), timeout=60)
    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
    return ws


async def polls_answered(http: aiohttp.ClientSession, url: str, stop: asyncio.Event) -> list[int]:
    """Statuses of a team's fragment polls, one after another, until `stop`."""
    statuses = []
    while not stop.is_set():
        async with http.get(url) as response:
            await response.read()
            statuses.append(response.status)
        await asyncio.sleep(0.02)
    return statuses


# --- 1. oversized and fast terminal input -----------------------------------------------------


@pytest.mark.parametrize("flood", ["oversized", "fast"])
async def test_a_terminal_input_flood_ends_its_child_within_seconds_and_others_keep_their_200s(
    served: Served, flood: str
) -> None:
    async with aiohttp.ClientSession() as http:
        stop = asyncio.Event()
        others = asyncio.create_task(polls_answered(http, served.url("us", "fragment"), stop))
        ws = await open_terminal(http, served, "rok")
        (child,) = children_of(served.process.pid)
        if flood == "oversized":
            big = json.dumps(["stdin", "x" * (3 * 1024 * 1024)])
            for _ in range(3):
                if ws.closed:
                    break
                with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                    await ws.send_str(big)
        else:
            chunk = json.dumps(["stdin", "y" * (MAX_MESSAGE_BYTES - 100)])
            for _ in range(60):
                if ws.closed:
                    break
                await ws.send_str(chunk)
        await ws.close()
        await poll_until(lambda: not alive(child), 5, "the view process outlived its socket by 5 s")
        stop.set()
        statuses = await others
    assert statuses and set(statuses) == {200}


def test_terminal_input_passes_a_burst_then_only_at_the_rate() -> None:
    now = [100.0]
    budget = server_module.InputBudget(1000, 100, lambda: now[0])
    assert budget.take(600) and budget.take(400)
    assert not budget.take(1), "the burst is spent"
    now[0] += 0.5
    assert budget.take(50) and not budget.take(1), "half a second passes 50 bytes at 100 a second"
    now[0] += 3600
    assert budget.take(1000) and not budget.take(1), "an idle hour refills the burst, never more"
    assert not budget.take(2000)


async def test_a_server_killed_with_sigkill_leaves_no_view_process(session_path: Path) -> None:
    served = start_serve(session_path, "--terminal")
    try:
        async with aiohttp.ClientSession() as http:
            ws = await open_terminal(http, served, "rok")
            (child,) = children_of(served.process.pid)
            served.process.kill()
            served.process.wait(timeout=30)
            await poll_until(lambda: not alive(child), 10, "a view process lived on after its server's SIGKILL")
            await ws.close()
    finally:
        served.stop()


# --- 2. caps per token and per kind -----------------------------------------------------------


async def test_one_token_opening_many_terminals_leaves_other_teams_answered(served: Served) -> None:
    async with aiohttp.ClientSession() as http:
        opened, refused = [], 0
        for _ in range(32):
            try:
                opened.append(await http.ws_connect(served.ws_url("rok")))
            except aiohttp.WSServerHandshakeError as error:
                assert error.status == 503
                refused += 1
        try:
            assert refused > 0 and opened
            for team in ("us", "china", "observers"):
                async with http.get(served.url(team, "fragment")) as response:
                    assert response.status == 200, team
            async with http.get(served.url("rok")) as response:
                assert response.status == 200, "a team's own page still opens beside its terminals"
        finally:
            for ws in opened:
                await ws.close()


async def test_a_static_flood_without_a_token_leaves_a_teams_polls_answered(served: Served) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        async with http.get(served.url("us")) as page:
            script = re.search(r'src="(/static/[^"]+)"', await page.text()).group(1)

        async def fetch_static() -> int:
            async with http.get(served.base + script) as response:
                await response.read()
                return response.status

        stop = asyncio.Event()
        polls = asyncio.create_task(polls_answered(http, served.url("us", "fragment"), stop))
        flood = await asyncio.gather(*(fetch_static() for _ in range(256)))
        stop.set()
        statuses = await polls
    assert set(flood) <= {200, 503} and 200 in flood
    assert statuses and set(statuses) == {200}


async def test_many_requests_from_one_token_cannot_take_another_teams_share(session_path: Path) -> None:
    """Held requests count against their own team's share of the cap, never another's."""
    with Session.open(session_path, readonly=True) as session:
        links = new_links(session)
        server = server_module.TeamServer(session, links, ServeOptions(max_connections=8))
        assert server.team_share == 2
        gate = asyncio.Event()

        async def held(request: web.Request) -> web.Response:
            await gate.wait()
            return web.Response(text="held")

        app = server.app()
        app.router.add_get("/t/{token}/held", held)
        tokens = {link.team: link.token for link in links}
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            holding = [asyncio.create_task(client.get(f"/t/{tokens['rok']}/held")) for _ in range(2)]
            await poll_until(lambda: server.active == 2, 10, "the held requests never started")
            assert (await client.get(f"/t/{tokens['rok']}/fragment")).status == 503
            for team in ("us", "china", "observers"):
                assert (await client.get(f"/t/{tokens[team]}/fragment")).status == 200, team
            assert (await client.get("/t/not-a-token/fragment")).status == 403
            gate.set()
            for task in holding:
                assert (await task).status == 200


async def test_a_client_that_never_finishes_its_headers_is_dropped(session_path: Path) -> None:
    out = io.StringIO()
    stop, ready = asyncio.Event(), asyncio.Event()
    with Session.open(session_path, readonly=True) as session:
        task = asyncio.create_task(
            run(session, ServeOptions(port=0, header_timeout=0.5), out=out, stop=stop, ready=ready)
        )
        await asyncio.wait_for(ready.wait(), timeout=10)
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", out.getvalue()).group(1))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /static/team.js HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        await writer.drain()
        try:
            closed = await asyncio.wait_for(reader.read(), timeout=20)
        finally:
            writer.close()
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    assert closed == b"", "the server answered headers that never ended"


# --- 3. the links file is checked before it is trusted ----------------------------------------


def write_kept(session_path: Path, links: dict[str, str], mode: int = 0o600) -> Path:
    path = links_path(session_path)
    path.write_text(json.dumps({"links": links}))
    path.chmod(mode)
    return path


def test_a_links_file_giving_two_teams_one_token_is_refused(session_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = secrets.token_urlsafe(24)
    kept = write_kept(session_path, {"us": shared, "rok": shared})
    with Session.open(session_path, readonly=True) as session, pytest.raises(LinksError, match="share a token"):
        kept_links(session)
    assert main(["serve", str(session_path), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{kept}: two teams share a token" in err and "--new-links" in err and shared not in err


def test_the_server_refuses_links_that_share_a_token(session_path: Path) -> None:
    shared = secrets.token_urlsafe(24)
    links = [TeamLink("us", "United States", shared), TeamLink("rok", "Republic of Korea", shared)]
    with Session.open(session_path, readonly=True) as session, pytest.raises(ValueError, match="share a token"):
        server_module.TeamServer(session, links)


def test_a_links_file_others_may_read_is_refused(session_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = secrets.token_urlsafe(24)
    kept = write_kept(session_path, {"us": token}, mode=0o644)
    assert main(["serve", str(session_path), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{kept}: mode 0644 lets other users read" in err and "chmod 600" in err and token not in err


def test_a_links_file_of_another_user_is_refused(session_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_kept(session_path, {"us": secrets.token_urlsafe(24)})
    owner = links_path(session_path).stat().st_uid
    monkeypatch.setattr(server_module.os, "getuid", lambda: owner + 1)
    with Session.open(session_path, readonly=True) as session, pytest.raises(LinksError, match="owned by another user"):
        kept_links(session)


@pytest.mark.parametrize("weak", ["u" * 43, "ab" * 20, "abcdefghij" * 4])
def test_a_kept_token_of_low_strength_is_refused(session_path: Path, weak: str) -> None:
    write_kept(session_path, {"us": weak})
    with Session.open(session_path, readonly=True) as session, pytest.raises(LinksError, match="not a random one"):
        kept_links(session)


def test_new_links_replace_a_refused_file_owner_only(session_path: Path) -> None:
    shared = secrets.token_urlsafe(24)
    kept = write_kept(session_path, {"us": shared, "rok": shared}, mode=0o644)
    with Session.open(session_path, readonly=True) as session:
        links, _ = kept_links(session, renew=True)
        again, note = kept_links(session)
    assert len({link.token for link in links}) == len(PARTICIPANTS) and shared not in {link.token for link in links}
    assert "Same links" in note and [link.token for link in again] == [link.token for link in links]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_session_file_is_created_owner_only(session_path: Path) -> None:
    assert stat.S_IMODE(session_path.stat().st_mode) == 0o600


# --- 4. no token in any output ----------------------------------------------------------------

MALFORMED = [
    b"GET /t/{token}/ HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n",
    b"GET /t/{token}/\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"G\x01T /t/{token}/ HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /t/{token}/" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /t/{token}/ HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /t/{token}/ HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
]


def test_malformed_requests_print_one_short_line_and_never_a_token(session_path: Path) -> None:
    served = start_serve(session_path)
    token = served.tokens["us"]
    port = int(served.base.rsplit(":", 1)[1])
    try:
        for template in MALFORMED:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                raw.sendall(b"GET /static/team.css HTTP/1.1\r\nHost: x\r\n\r\n")  # so a bad method is not the first
                raw.sendall(template.replace(b"{token}", token.encode()))
                answer = b""
                while chunk := raw.recv(65536):  # a refused request closes the connection
                    answer += chunk
            assert b" 400 " in answer, answer[-300:]
            assert token.encode() not in answer and b"aiohttp" not in answer and b"Python/" not in answer, answer
            responses = answer.count(b"HTTP/1.")
            assert answer.count(b"Server: tabletop") == answer.count(b"Server:") == responses
            assert answer.count(b"Content-Security-Policy: default-src 'none'") == responses
        assert http_status(served.url("us")) == 200, "the server still answers after the malformed requests"
    finally:
        err = served.stop()
    assert token not in err and "Traceback" not in err and "/t/" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "nothing said of the refused requests"
    assert all(len(line) <= 80 and line.startswith("serve: ") for line in lines), lines


def http_status(url: str) -> int:
    """A blocking GET for the synchronous tests: the status code."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
        return int(response.status)


# --- 5. the small ones ------------------------------------------------------------------------


async def test_every_answer_names_no_versions_and_carries_a_policy(served: Served) -> None:
    async with aiohttp.ClientSession() as http:
        for url, status in [
            (served.url("us", "fragment"), 200),
            (served.url("us", "view.json"), 200),
            (served.base + "/t/wrong-token/", 403),
            (served.base + "/nowhere", 404),
            (served.base + "/static/team.css", 200),
        ]:
            async with http.get(url) as response:
                assert response.status == status, url
                assert response.headers["Server"] == SERVER_NAME, url
                assert "default-src 'none'" in response.headers["Content-Security-Policy"], url
                assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


async def test_serve_over_tls_with_a_certificate(session_path: Path) -> None:
    out = io.StringIO()
    stop, ready = asyncio.Event(), asyncio.Event()
    with Session.open(session_path, readonly=True) as session:
        links = [TeamLink(team="us", name="United States", token=secrets.token_urlsafe(24))]
        options = ServeOptions(port=0, certfile=str(CERT), keyfile=str(KEY))
        task = asyncio.create_task(run(session, options, out=out, links=links, stop=stop, ready=ready))
        await asyncio.wait_for(ready.wait(), timeout=10)
        url = re.search(r"https://127\.0\.0\.1:\d+/t/\S+/", out.getvalue()).group(0)
        trusting = ssl.create_default_context(cafile=str(CERT))
        async with aiohttp.ClientSession() as http:
            async with http.get(url, ssl=trusting) as response:
                assert response.status == 200 and "US-brief-Q" in await response.text()
            with pytest.raises(aiohttp.ClientError):
                async with http.get(url.replace("https://", "http://", 1)) as plain:
                    await plain.read()
        stop.set()
        await asyncio.wait_for(task, timeout=10)


@pytest.mark.parametrize("args", [["--certfile", "missing.pem"], ["--certfile", "{key}"], ["--keyfile", "{key}"]])
def test_an_unusable_certificate_is_named(session_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    args = [arg.replace("{key}", str(KEY)) for arg in args]
    assert main(["serve", str(session_path), "--port", "0", *args]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("missing.pem" in err or str(KEY) in err or "--keyfile" in err)
