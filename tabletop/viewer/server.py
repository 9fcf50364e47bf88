"""`tabletop serve`: every team's view served to browsers, one secret link per team.

The default face is a small HTML page per team, rendered from the need-to-know
rule's answer with Jinja (autoescaped) and kept current by a script that asks
for a new fragment every few seconds (a `<noscript>` refresh does the same
without JavaScript). With `terminal=True` each team may also open its
terminal view in the browser through textual-serve's front end.

What the textual-serve trap list asks for is done here:

- **Access.** Each participant team gets its own unguessable token
  (`secrets.token_urlsafe`), printed at start and kept in an owner-only file
  beside the session so a restarted server answers the same links
  (`--new-links` replaces them). Every route that shows
  anything of the session is under `/t/TOKEN/`; a missing or wrong token gets
  the same bare 403 page, which names no team. Tokens are compared in constant
  time and never written to the access log (there is none).
- **Fixed command.** The terminal face starts only
  `python -m tabletop view SESSION --team T`, built as an argument list (no
  shell), with `T` taken from the token's team, never from the request.
- **Environment.** That process gets a minimal environment, not the server's.
- **Cap.** At most `max_connections` requests and terminal sessions are served
  at once, split evenly between the teams so that no one token can starve the
  room; each team may hold a few terminal sessions at most; static files and
  requests without a valid token have pools of their own. Others get 503 with
  `Retry-After`. A client that has not finished its request headers within
  `header_timeout` seconds is dropped.
- **Terminal input.** Each websocket message is bounded and input passes at a
  bounded rate; a view process is stopped within seconds of its socket
  closing, whatever it is doing, and dies with the server even on SIGKILL.
- **Quiet.** A malformed request prints one short line, never its path (which
  may hold a token); the `Server` header names no versions.
- **Binding.** 127.0.0.1 unless a host is given; a wildcard host prints
  links with this machine's network address. `certfile` serves over TLS.
- **Kept links.** The links file is trusted only when this user owns it, no
  one else may read it, and its tokens are unique and random.

A team link is two-way: its page reads, and its forms (`tabletop.viewer.portal`)
write the team's decisions, questions and answers through a writer of their
own; only the room link is read-only. The views read a session opened
read-only; every request folds what the facilitator and the teams appended
(`session.refresh()`, one `PRAGMA data_version` when nothing changed).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import json
import logging
import os
import re
import secrets
import signal
import sqlite3
import socket
import ssl
import stat
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

import jinja2
from markupsafe import Markup
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from tabletop.attachments import media_type
from tabletop.engine import Session, StoreError
from tabletop.need_to_know import TeamView, participants, team_view
from tabletop.viewer import presentation
from tabletop.viewer.formatting import channel_text, closed_lines, offset_text, play_text, reflow, team_heading, when_text

SERVED_LINKS = (
    "Team links are two-way: each shows its team what it may see and takes the team's "
    "decisions, questions and discussion answers."
)
"""What `serve` says of the team links before printing them (the room link, printed after, only shows)."""

TOKEN_BYTES = 24
"""Random bytes in each access token (32 URL-safe characters)."""

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts that only this machine can reach."""

VERSION_HEADER = "X-View-Version"
"""Response header carrying the version of the fragment sent; the page sends it back as `since`."""

PAGE_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
"""Headers on every response: nothing cached, the token never leaves in a Referer, no framing."""

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Content-Security-Policy of the HTML team page: only this server's own script and styles."""

FILE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=300",
}
"""Headers of an attached file: an SVG opened on its own runs nothing and reaches nothing."""

TERMINAL_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "font-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Content-Security-Policy of the terminal page (the terminal emulator styles its own elements)."""

SERVER_NAME = "tabletop"
"""The `Server` header: no product versions for a prober to match against."""

STATIC_CONNECTIONS = 64
"""Static files (scripts, styles, fonts) served at once, apart from the teams' share."""

STRANGER_CONNECTIONS = 16
"""Requests without a valid token served at once, apart from the teams' share (they only get 403)."""

TERMINALS_PER_TEAM = 4
"""Terminal sessions one team may hold at once (each is a process on this machine)."""

MAX_MESSAGE_BYTES = 64 * 1024
"""Largest websocket message a terminal page may send; a bigger one closes the socket."""

INPUT_BURST = 64 * 1024
"""Bytes of terminal input passed at once before the rate applies."""

INPUT_RATE = 16 * 1024
"""Bytes per second of terminal input passed after the burst; more is dropped (typing is far less)."""

MESSAGE_COST = 64
"""What every websocket message costs against the input budget, so a flood of tiny ones is bounded too."""

WRITE_TIMEOUT = 2.0
"""Seconds a view process may leave its input unread before its socket is closed (with STOP_GRACE, under 5 s)."""

STOP_GRACE = 2.0
"""Seconds a view process has to quit when its socket closes before it is killed."""

HEADER_TIMEOUT = 10.0
"""Seconds a client has to finish its request headers (also the idle time of a kept-alive connection)."""

CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "SYSTEMROOT")
"""Variables of the server's environment a terminal view process inherits; nothing else passes."""


@dataclass(frozen=True)
class ServeOptions:
    """How `tabletop serve` listens and behaves."""

    host: str = "127.0.0.1"
    """Address to listen on."""
    port: int = 8000
    """Port to listen on; 0 picks a free one."""
    max_connections: int = 32
    """Requests and terminal sessions served at once."""
    refresh: float = 2.0
    """Seconds between a page's checks for news."""
    terminal: bool = False
    """Also offer the terminal view in the browser."""
    header_timeout: float = HEADER_TIMEOUT
    """Seconds a client has to finish its request headers before it is dropped."""
    certfile: str | None = None
    """PEM certificate (chain) to serve over TLS; None serves plain HTTP."""
    keyfile: str | None = None
    """PEM private key of `certfile`, when it is not in the same file."""


@dataclass(frozen=True)
class TeamLink:
    """A team's access link."""

    team: str
    """Team id."""
    name: str
    """Team name, for the person handing the links out."""
    token: str
    """The secret in the link."""

    def url(self, base: str) -> str:
        """The link under `base` ('http://host:port')."""
        return f"{base}/t/{self.token}/"


def new_links(session: Session) -> list[TeamLink]:
    """A fresh unguessable token for every team with a participant view (never the control cell)."""
    return [
        TeamLink(team=t.id, name=t.name, token=secrets.token_urlsafe(TOKEN_BYTES))
        for t in participants(session.exercise)
    ]


# Links kept between runs of `serve`

LINKS_SUFFIX = ".links"
"""Suffix of the file beside a session that keeps its team links: `drill.tabletop.links`."""

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
"""What a kept token must look like: URL-safe and at least as long as the ones made here."""


class LinksError(Exception):
    """The kept links file cannot be used; the message says what to do."""


def links_path(session_path: Path) -> Path:
    """Where the team links of a session are kept."""
    return session_path.with_name(session_path.name + LINKS_SUFFIX)


MIN_DISTINCT_CHARACTERS = 12
"""Fewer different characters than this in a kept token is not a random token (`"u" * 43`)."""


def read_links(path: Path) -> dict[str, str]:
    """Team id to token from a links file; empty when there is none yet.

    The file is trusted only when it is what `write_links` makes: owned by
    the user running serve, readable by that user only, and every token
    unique and of full strength. A file two teams share a token in would let
    one team's printed link open another team's view.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise LinksError(f"{path}: cannot read the kept team links ({error.strerror or error}); "
                         "delete the file or pass --new-links") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        _check_owner_only(path, info)
        try:
            data = json.loads(handle.read().decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not JSON"
            raise LinksError(f"{path}: cannot read the kept team links ({reason}); "
                             "delete the file or pass --new-links") from None
    links = data.get("links") if isinstance(data, dict) else None
    if not isinstance(links, dict) or not all(
        isinstance(team, str) and isinstance(token, str) and _TOKEN_SHAPE.fullmatch(token)
        for team, token in links.items()
    ):
        raise LinksError(f"{path}: not a tabletop links file; delete it or pass --new-links")
    if len(set(links.values())) != len(links):
        raise LinksError(f"{path}: two teams share a token, so one team's link would open another's view; "
                         "pass --new-links")
    if any(len(set(token)) < MIN_DISTINCT_CHARACTERS for token in links.values()):
        raise LinksError(f"{path}: a kept token is not a random one and could be guessed; pass --new-links")
    return dict(links)


def _check_owner_only(path: Path, info: os.stat_result) -> None:
    """Refuse a links file someone else owns or others may read or change."""
    if not stat.S_ISREG(info.st_mode):
        raise LinksError(f"{path}: not a regular file; delete it or pass --new-links")
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        raise LinksError(f"{path}: owned by another user (uid {info.st_uid}), who could change the links; "
                         "delete it or pass --new-links")
    mode = stat.S_IMODE(info.st_mode)
    if os.name == "posix" and mode & 0o077:
        raise LinksError(f"{path}: mode {mode:04o} lets other users read or change the links; "
                         f"make it owner-only (chmod 600 {path}) if nobody else could have read them, "
                         "or pass --new-links")


def write_links(path: Path, links: list[TeamLink]) -> None:
    """Replace the links file in one step, readable by its owner only."""
    text = json.dumps({"links": {link.team: link.token for link in links}}, indent=2) + "\n"
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def kept_links(session: Session, *, renew: bool = False) -> tuple[list[TeamLink], str]:
    """Each participant team's link, the same as last time unless `renew`; and a line saying so.

    Links live in a file beside the session (owner-only), so a restarted
    server (a laptop that slept, a closed terminal) still answers the links
    the teams already have. A team the file does not know gets a new token.
    When the file cannot be written the links are new and only this run knows
    them; the line says that too. A damaged file raises LinksError.
    """
    path = links_path(session.path)
    known = {} if renew else read_links(path)
    links = [
        TeamLink(team=t.id, name=t.name, token=known.get(t.id) or secrets.token_urlsafe(TOKEN_BYTES))
        for t in participants(session.exercise)
    ]
    if not renew and known and all(link.token == known.get(link.team) for link in links):
        return links, f"Same links as last time (kept in {path}; --new-links replaces them)."
    try:
        write_links(path, links)
    except OSError as error:
        return links, (f"These links are new and will change when serve restarts: cannot keep them in {path} "
                       f"({error.strerror or error}).")
    if renew:
        return links, f"New links: the old ones no longer open anything (kept in {path})."
    return links, f"Links kept in {path}: a restarted serve answers the same ones (--new-links replaces them)."


@dataclass
class _Rendered:
    last_seq: int
    html: str
    version: str


@dataclass
class TeamServer:
    """The aiohttp application serving the team views of one read-only session."""

    session: Session
    links: list[TeamLink]
    options: ServeOptions = field(default_factory=ServeOptions)
    room_token: str | None = None
    """Token of the read-only room link (`tabletop.viewer.room`); None serves no room page."""
    active: int = 0
    """Requests and terminal sessions being served now."""

    def __post_init__(self) -> None:
        if not self.session.readonly:
            raise ValueError("the team views serve a session opened read-only")
        self._by_token = {link.token: link.team for link in self.links}
        if len(self._by_token) != len(self.links):
            raise ValueError("two teams share a token")
        self._busy: dict[str, int] = {}
        """Requests and terminal sessions being served now, per pool (a team id, static, stranger)."""
        self._terminals: dict[str, int] = {}
        """Terminal sessions open now, per team."""
        self._cache: dict[str, _Rendered] = {}
        self._templates = _environment()

    # Access

    def team_for(self, token: str) -> str | None:
        """The team a token opens, compared in constant time; None for any other string."""
        found = None
        given = token.encode("utf-8", "surrogateescape")
        for candidate, team in self._by_token.items():
            if secrets.compare_digest(candidate.encode("ascii"), given):
                found = team
        return found

    def _team(self, request: web.Request) -> str:
        team = self.team_for(request.match_info.get("token", ""))
        if team is None:
            raise self._forbidden()
        return team

    def _forbidden(self) -> web.HTTPForbidden:
        body = self._templates.get_template("forbidden.html.j2").render()
        return web.HTTPForbidden(text=body, content_type="text/html", headers={"Content-Security-Policy": PAGE_POLICY})

    # The application

    def app(self) -> web.Application:
        """The aiohttp application with every route, the caps and the headers."""
        app = web.Application(middlewares=[self._cap])
        app.on_response_prepare.append(_protective_headers)
        static = Path(str(files("tabletop.viewer") / "static"))
        app.add_routes(
            [
                web.get("/", self.handle_root),
                web.get("/favicon.ico", self.handle_favicon),
                web.get("/t/{token}", self.handle_page),
                web.get("/t/{token}/", self.handle_page),
                web.get("/t/{token}/fragment", self.handle_fragment),
                web.get("/t/{token}/view.json", self.handle_json),
                web.get("/t/{token}/file/{name:.+}", self.handle_file),
                web.static("/static", static, show_index=False, follow_symlinks=False),
            ]
        )
        if self.room_token is not None:
            from tabletop.viewer.room import RoomRoutes

            RoomRoutes(self, self.room_token).add_to(app)
        if self.options.terminal:
            import textual_serve

            terminal_static = Path(textual_serve.__file__).parent / "static"
            app.add_routes(
                [
                    web.get("/t/{token}/terminal", self.handle_terminal),
                    web.get("/t/{token}/ws", self.handle_websocket),
                    web.static("/terminal-static", terminal_static, show_index=False, follow_symlinks=False),
                ]
            )
        from tabletop.viewer.portal import Portal

        Portal(self).register(app)
        return app

    @property
    def team_share(self) -> int:
        """Requests and terminal sessions one team may have served at once: an even part of the cap."""
        return max(1, self.options.max_connections // max(1, len(self.links)))

    @property
    def terminals_per_team(self) -> int:
        """Terminal sessions one team may hold, leaving room in its share for its pages when there is any."""
        return max(1, min(TERMINALS_PER_TEAM, self.team_share - 1))

    def _pool(self, request: web.Request) -> tuple[str, int]:
        """Which pool a request is served from, and that pool's size."""
        path = request.path
        if path.startswith(("/static/", "/terminal-static/")) or path == "/favicon.ico":
            return "static", STATIC_CONNECTIONS
        team = self.team_for(request.match_info.get("token", ""))
        if team is None:
            return "stranger", STRANGER_CONNECTIONS
        return f"team:{team}", self.team_share

    @web.middleware
    async def _cap(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        pool, size = self._pool(request)
        counted = pool.startswith("team:")
        if self._busy.get(pool, 0) >= size or (counted and self.active >= self.options.max_connections):
            raise _busy()
        self._busy[pool] = self._busy.get(pool, 0) + 1
        self.active += counted
        try:
            return await handler(request)
        finally:
            self._busy[pool] -= 1
            self.active -= counted

    # The views

    def _refresh(self) -> None:
        """Fold what the facilitator appended; a file that cannot be read is a 503, not a traceback."""
        try:
            self.session.refresh()
        except (StoreError, sqlite3.Error, OSError):
            raise web.HTTPServiceUnavailable(
                text="The session file cannot be read right now; try again in a moment.\n",
                headers={"Retry-After": "5"},
            ) from None

    def view(self, team: str) -> TeamView:
        """The team's view now, after folding what other processes appended."""
        self._refresh()
        return team_view(self.session, team)

    def rendered(self, team: str, token: str) -> _Rendered:
        """The team's fragment, rendered again only when the session has moved on."""
        self._refresh()
        last_seq = self.session.state.last_seq
        cached = self._cache.get(team)
        if cached is not None and cached.last_seq == last_seq:
            return cached
        html = self._templates.get_template("fragment.html.j2").render(
            view=team_view(self.session, team), files=f"/t/{token}/file/")
        version = hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]
        rendered = _Rendered(last_seq=last_seq, html=html, version=version)
        self._cache[team] = rendered
        return rendered

    async def handle_root(self, request: web.Request) -> web.Response:
        """Nothing without a team's link."""
        raise self._forbidden()

    async def handle_favicon(self, request: web.Request) -> web.Response:
        """No icon: an empty answer keeps browsers from logging a 404 on every page."""
        return web.Response(status=204)

    async def handle_page(self, request: web.Request) -> web.Response:
        """The whole page of a team's view."""
        team = self._team(request)
        token = request.match_info["token"]
        rendered = self.rendered(team, token)
        view = team_view(self.session, team)
        html = self._templates.get_template("page.html.j2").render(
            view=view,
            fragment=Markup(rendered.html),
            version=rendered.version,
            base=f"/t/{token}/",
            refresh=self.options.refresh,
            terminal=self.options.terminal,
        )
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": PAGE_POLICY})

    async def handle_fragment(self, request: web.Request) -> web.Response:
        """The view's content, or 204 when it has not changed since the version the page holds."""
        team = self._team(request)
        rendered = self.rendered(team, request.match_info["token"])
        headers = {VERSION_HEADER: rendered.version}
        if request.query.get("since") == rendered.version:
            return web.Response(status=204, headers=headers)
        return web.Response(text=rendered.html, content_type="text/html", headers=headers)

    async def handle_json(self, request: web.Request) -> web.Response:
        """The team's view as JSON, for scripts."""
        team = self._team(request)
        return web.json_response(self.view(team).as_dict())

    async def handle_file(self, request: web.Request) -> web.Response:
        """An attached map or document, if the team may see what it is attached to (404 otherwise,
        the same answer as a name that is attached nowhere)."""
        team = self._team(request)
        return self.attachment_response(request.match_info["name"], self.view(team).attachment_files())

    def attachment_response(self, name: str, allowed: frozenset[str]) -> web.Response:
        """The kept copy of an attachment the caller may see, with headers that let nothing in it run."""
        data = self.session.attachment(name) if name in allowed else None
        if data is None:
            raise web.HTTPNotFound(text="No such file here.\n")
        return web.Response(body=data, content_type=media_type(name), headers=FILE_HEADERS)

    # The terminal face

    async def handle_terminal(self, request: web.Request) -> web.Response:
        """The page that runs the team's terminal view in the browser."""
        team = self._team(request)
        token = request.match_info["token"]
        scheme = "wss" if request.secure else "ws"
        html = self._templates.get_template("terminal.html.j2").render(
            view=team_view(self.session, team),
            websocket_url=f"{scheme}://{request.host}/t/{token}/ws",
            static="/terminal-static/",
            page=f"/t/{token}/",
        )
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": TERMINAL_POLICY})

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser tab's terminal view: a `tabletop view` process for the token's team only.

        Input is bounded (each message, and a rate per socket), and the
        process is stopped within seconds of the socket closing.
        """
        team = self._team(request)
        if self._terminals.get(team, 0) >= self.terminals_per_team:
            raise _busy()
        self._terminals[team] = self._terminals.get(team, 0) + 1
        try:
            return await self._terminal_session(request, team)
        finally:
            self._terminals[team] -= 1

    async def _terminal_session(self, request: web.Request, team: str) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE_BYTES)
        width = _number(request.query.get("width"), 80, 20, 400)
        height = _number(request.query.get("height"), 24, 8, 200)
        await websocket.prepare(request)
        service = TeamViewService(
            view_command(self.session.path, team),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=DownloadManager(),
        )
        budget = InputBudget(INPUT_BURST, INPUT_RATE, asyncio.get_running_loop().time)
        try:
            await service.start(width, height)
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                if not budget.take(len(message.data) + MESSAGE_COST):
                    continue
                if not await _forward(message.data, service, websocket):
                    break
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            await service.stop()
            if not websocket.closed:
                await websocket.close()
        return websocket


class InputBudget:
    """A token bucket: `burst` bytes at once, refilled at `rate` bytes a second."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float]) -> None:
        self.burst = burst
        self.rate = rate
        self._clock = clock
        self._level = float(burst)
        self._at = clock()

    def take(self, cost: int) -> bool:
        """Spend `cost` if there is that much left; False (nothing spent) when the sender is too fast."""
        now = self._clock()
        self._level = min(float(self.burst), self._level + (now - self._at) * self.rate)
        self._at = now
        if cost > self._level:
            return False
        self._level -= cost
        return True


def _busy() -> web.HTTPServiceUnavailable:
    return web.HTTPServiceUnavailable(
        text="Too many connections to this server; try again in a few seconds.\n",
        headers={"Retry-After": "5"},
    )


async def _protective_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every response, error pages and fragments too: no caching, no framing, a policy, no versions."""
    referrer = response.headers.get("Referrer-Policy")
    response.headers.update(PAGE_HEADERS)
    if referrer == "same-origin":  # the portal's forms: a browser sends `Origin: null` under no-referrer
        response.headers["Referrer-Policy"] = referrer
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers["Server"] = SERVER_NAME


def view_command(session_path: Path, team: str) -> list[str]:
    """The one command the terminal face may start: one team's terminal view, from which that team acts
    as from its page (read-only only when the file cannot be written)."""
    return [sys.executable, "-m", "tabletop", "view", str(Path(session_path).resolve()), "--team", team]


def child_environment(width: int, height: int) -> dict[str, str]:
    """A minimal environment for a terminal view process, plus what textual-serve's driver needs."""
    env = {name: os.environ[name] for name in CHILD_ENVIRONMENT if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update(
        {
            "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
            "TEXTUAL_FPS": "60",
            "TEXTUAL_COLOR_SYSTEM": "truecolor",
            "TERM_PROGRAM": "textual",
            "COLUMNS": str(width),
            "ROWS": str(height),
        }
    )
    return env


class TeamViewService(AppService):
    """textual-serve's app service, started without a shell and without the server's environment."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = list(argv)
        """The exact argument list started."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_environment(width, height),
            preexec_fn=_die_with_parent(os.getpid()),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def _send_packet(self, kind: bytes, data: bytes) -> bool:
        """Write one packet; False when the process is gone or leaves its input unread too long."""
        stdin = self._stdin
        if stdin is None or stdin.is_closing():
            return False
        try:
            stdin.write(self.encode_packet(kind, data))  # type: ignore[arg-type]
            await asyncio.wait_for(stdin.drain(), WRITE_TIMEOUT)
        except (RuntimeError, OSError, asyncio.TimeoutError):
            return False
        return True

    async def send_bytes(self, data: bytes) -> bool:
        """Send terminal input, giving up when the process does not read it."""
        return await self._send_packet(b"D", data)

    async def send_meta(self, data: dict[str, str | None | int | bool]) -> bool:
        """Send a size, focus or quit message, giving up when the process does not read it."""
        return await self._send_packet(b"M", json.dumps(data).encode("utf-8"))

    async def stop(self) -> None:
        """Ask the view to quit, and make sure its process is gone within seconds: no orphan per closed tab.

        Every wait is bounded: a process busy with something else (or not
        reading its input) gets STOP_GRACE seconds, then SIGKILL.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_GRACE
        process, task = self._process, self._task
        self._task = None
        if task is not None:
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id),
                                       max(0.0, deadline - loop.time()))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), max(0.0, deadline - loop.time()))
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if task is not None:
            try:
                await asyncio.wait_for(task, 1.0)
            except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                task.cancel()


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """A pre-exec hook that has the kernel kill the view process when the server dies, even by SIGKILL.

    Linux only (`prctl(PR_SET_PDEATHSIG)`); elsewhere the bounded stop path is the only guard.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork: no loader locks after it
    except (OSError, AttributeError):
        return None

    def hook() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the server died between the fork and the prctl
            os._exit(1)

    return hook


PR_SET_PDEATHSIG = 1
"""prctl option: the signal a process gets when its parent dies."""


async def _forward(data: str, service: Any, websocket: web.WebSocketResponse) -> bool:
    """Pass one browser message to the view process (keys, size, focus), as textual-serve does.

    False when the process no longer takes input, so the socket is closed.
    """
    try:
        envelope = json.loads(data)
    except ValueError:
        return True
    if not isinstance(envelope, list) or not envelope:
        return True
    kind = envelope[0]
    payload = envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and isinstance(payload, str):
        return bool(await service.send_bytes(payload.encode("utf-8", "replace")))
    elif kind == "resize" and isinstance(payload, dict):
        await service.set_terminal_size(
            _number(payload.get("width"), 80, 20, 400), _number(payload.get("height"), 24, 8, 200)
        )
    elif kind == "ping":
        await websocket.send_json(["pong", payload])
    elif kind == "blur":
        await service.blur()
    elif kind == "focus":
        await service.focus()
    return True


def _number(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tabletop.viewer", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(offset=offset_text, when=when_text, channel=channel_text, reflow=reflow)
    env.globals.update(play_text=play_text, team_heading=team_heading, closed_lines=closed_lines)
    presentation.install(env)
    return env


# Running


def public_base(host: str, port: int, *, tls: bool = False) -> str:
    """The base URL to print for a listening address.

    A wildcard address ('0.0.0.0', '::') becomes the address this machine
    reaches the network with, which other machines can use too (a host
    name often resolves only here, or to 127.0.1.1).
    """
    if host in {"0.0.0.0", "::", ""}:
        host = reachable_address(ipv6=host == "::")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    scheme = "https" if tls else "http"
    return f"{scheme}://{host}:{port}"


def reachable_address(*, ipv6: bool = False) -> str:
    """This machine's address on its network: the source of its default route, else its host name.

    Connecting a UDP socket sends nothing; it only asks the kernel which
    local address it would use.
    """
    family, probe = (socket.AF_INET6, "2001:db8::1") if ipv6 else (socket.AF_INET, "192.0.2.1")
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            address = udp.getsockname()[0]
    except OSError:
        address = ""
    if address and not address.startswith(("127.", "0.")) and address not in {"::1", "::"}:
        return str(address)
    return socket.gethostname()


class TLSError(ValueError):
    """The certificate or key given for TLS cannot be used; the message names the file."""


def tls_context(certfile: str, keyfile: str | None = None) -> ssl.SSLContext:
    """A server TLS context from PEM files; TLSError saying which file is wrong."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certfile, keyfile)
    except FileNotFoundError as error:
        raise TLSError(f"{error.filename or certfile}: no such file") from None
    except (ssl.SSLError, OSError) as error:
        files_named = certfile if keyfile is None else f"{certfile} and {keyfile}"
        raise TLSError(f"{files_named}: not a PEM certificate and matching private key ({error})") from None
    return context


class _OneLine(logging.Handler):
    """The HTTP server's log, one short line per problem: never a traceback, never the request.

    aiohttp logs a request its parser refuses with the raw request line
    in the traceback; that line may hold a team's token, and the terminal
    it lands on is the one showing every team's link.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(logging.WARNING)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if record.getMessage().startswith("Error handling request"):
            line = "serve: refused a malformed request"
        else:
            line = "serve: a request failed"
        if error is not None:
            line += f" ({type(error).__name__})"
        stream = self.stream or sys.stderr
        try:
            print(line, file=stream, flush=True)
        except (OSError, ValueError):
            pass


class _QuietHandler(web.RequestHandler):
    """aiohttp's connection handler, whose answer to a request it cannot parse echoes nothing of it.

    aiohttp's own 400 page quotes the raw request line (a token may be in
    it) and names its version in `Server`; these pages never reach the
    application, so its response hook cannot fix them.
    """

    def handle_error(
        self, request: Any, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        response = super().handle_error(request, status, exc, None)
        if isinstance(response, web.Response):
            response.text = f"{status} {'Bad request' if status < 500 else 'Server error'}.\n"
        response.headers.update(PAGE_HEADERS)
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        response.headers["Server"] = SERVER_NAME
        return response


class _QuietServer(web.Server):
    """aiohttp's server, making `_QuietHandler` connections."""

    def __call__(self) -> web.RequestHandler:
        return _QuietHandler(self, loop=self._loop, **self._kwargs)


class _Runner(web.AppRunner):
    """The application runner whose connections are `_QuietHandler`s."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        made.__class__ = _QuietServer
        return made


def http_logger(stream: TextIO | None = None) -> logging.Logger:
    """A logger for aiohttp's server that prints through `_OneLine` only (not registered, not propagated)."""
    logger = logging.Logger("tabletop.serve.http", logging.WARNING)
    logger.propagate = False
    logger.addHandler(_OneLine(stream))
    return logger


async def run(
    session: Session,
    options: ServeOptions,
    *,
    out: TextIO = sys.stdout,
    links: list[TeamLink] | None = None,
    links_note: str = "",
    room_token: str | None = None,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Listen until `stop` is set (or SIGINT/SIGTERM), printing each team's link first.

    `links` default to new ones; `links_note` says where they are kept.
    `ready` is set once the links are printed and the server answers.
    """
    server = TeamServer(session, links if links is not None else new_links(session), options, room_token=room_token)
    context = tls_context(options.certfile, options.keyfile) if options.certfile else None
    runner = _Runner(
        server.app(),
        access_log=None,
        handle_signals=False,
        keepalive_timeout=options.header_timeout,
        logger=http_logger(),
    )
    await runner.setup()
    site = web.TCPSite(runner, options.host, options.port, ssl_context=context)
    try:
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - the bound port when 0 was asked
        port = sockets[0].getsockname()[1] if sockets else options.port
        base = public_base(options.host, port, tls=context is not None)
        print(f"Serving {session.path} on {base}. Ctrl+C stops.", file=out)
        print(SERVED_LINKS, file=out)
        if options.host not in LOCAL_HOSTS:
            print(
                "Listening beyond this machine: anyone holding a link sees that team's view. "
                + ("Traffic is encrypted (TLS)." if context is not None else
                   "Traffic is plain HTTP; use it on a network you trust, or --certfile for TLS."),
                file=out,
            )
        print("Give each team only its own link:", file=out)
        width = max((len(link.team) for link in server.links), default=0)
        for link in server.links:
            print(f"  {link.team:<{width}}  {link.url(base)}", file=out)
            if options.terminal:
                print(f"  {'':<{width}}  {link.url(base)}terminal", file=out)
        if room_token is not None:
            print(f"Room screen (read-only, shows only what every team sees): {base}/r/{room_token}/", file=out)
        if links_note:
            print(links_note, file=out)
        out.flush()
        if ready is not None:
            ready.set()
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
        await stop.wait()
    finally:
        await runner.cleanup()


def serve(
    session: Session,
    options: ServeOptions,
    *,
    out: TextIO = sys.stdout,
    links: list[TeamLink] | None = None,
    links_note: str = "",
    room_token: str | None = None,
) -> None:
    """Serve until interrupted."""
    asyncio.run(run(session, options, out=out, links=links, links_note=links_note, room_token=room_token))
