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
  at once; others get 503 with `Retry-After`.
- **Binding.** 127.0.0.1 unless a host is given.

The session is opened read-only; every request folds what the facilitator
appended (`session.refresh()`, one `PRAGMA data_version` when nothing changed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import secrets
import signal
import sqlite3
import socket
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

from tabletop.engine import Session, StoreError
from tabletop.need_to_know import TeamView, participants, team_view
from tabletop.viewer.formatting import channel_text, offset_text, play_text, reflow, team_heading, when_text

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

TERMINAL_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "font-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Content-Security-Policy of the terminal page (the terminal emulator styles its own elements)."""

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


def read_links(path: Path) -> dict[str, str]:
    """Team id to token from a links file; empty when there is none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
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
    return dict(links)


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
    active: int = 0
    """Requests and terminal sessions being served now."""

    def __post_init__(self) -> None:
        if not self.session.readonly:
            raise ValueError("the team views serve a session opened read-only")
        self._by_token = {link.token: link.team for link in self.links}
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
        """The aiohttp application with every route, the cap and the headers."""
        app = web.Application(middlewares=[self._cap, self._headers])
        static = Path(str(files("tabletop.viewer") / "static"))
        app.add_routes(
            [
                web.get("/", self.handle_root),
                web.get("/favicon.ico", self.handle_favicon),
                web.get("/t/{token}", self.handle_page),
                web.get("/t/{token}/", self.handle_page),
                web.get("/t/{token}/fragment", self.handle_fragment),
                web.get("/t/{token}/view.json", self.handle_json),
                web.static("/static", static, show_index=False, follow_symlinks=False),
            ]
        )
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

    @web.middleware
    async def _cap(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if self.active >= self.options.max_connections:
            raise web.HTTPServiceUnavailable(
                text="Too many connections to this server; try again in a few seconds.\n",
                headers={"Retry-After": "5", **PAGE_HEADERS},
            )
        self.active += 1
        try:
            return await handler(request)
        finally:
            self.active -= 1

    @web.middleware
    async def _headers(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            error.headers.update(PAGE_HEADERS)
            raise
        if not response.prepared:
            response.headers.update(PAGE_HEADERS)
        return response

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

    def rendered(self, team: str) -> _Rendered:
        """The team's fragment, rendered again only when the session has moved on."""
        self._refresh()
        last_seq = self.session.state.last_seq
        cached = self._cache.get(team)
        if cached is not None and cached.last_seq == last_seq:
            return cached
        html = self._templates.get_template("fragment.html.j2").render(view=team_view(self.session, team))
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
        rendered = self.rendered(team)
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
        rendered = self.rendered(team)
        headers = {VERSION_HEADER: rendered.version}
        if request.query.get("since") == rendered.version:
            return web.Response(status=204, headers=headers)
        return web.Response(text=rendered.html, content_type="text/html", headers=headers)

    async def handle_json(self, request: web.Request) -> web.Response:
        """The team's view as JSON, for scripts."""
        team = self._team(request)
        return web.json_response(self.view(team).as_dict())

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
        """One browser tab's terminal view: a `tabletop view` process for the token's team only."""
        team = self._team(request)
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _number(request.query.get("width"), 80, 20, 400)
        height = _number(request.query.get("height"), 24, 8, 200)
        await websocket.prepare(request)
        service = ReadOnlyViewService(
            view_command(self.session.path, team),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=DownloadManager(),
        )
        try:
            await service.start(width, height)
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                await _forward(message.data, service, websocket)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            await service.stop()
        return websocket


def view_command(session_path: Path, team: str) -> list[str]:
    """The one command the terminal face may start: the read-only view of one team."""
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


class ReadOnlyViewService(AppService):
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
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the view to quit, and make sure its process is gone: no orphan per closed tab."""
        await super().stop()
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), timeout=5)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()


async def _forward(data: str, service: Any, websocket: web.WebSocketResponse) -> None:
    """Pass one browser message to the view process (keys, size, focus), as textual-serve does."""
    import json

    try:
        envelope = json.loads(data)
    except ValueError:
        return
    if not isinstance(envelope, list) or not envelope:
        return
    kind = envelope[0]
    payload = envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and isinstance(payload, str):
        await service.send_bytes(payload.encode("utf-8"))
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
    env.globals.update(play_text=play_text, team_heading=team_heading)
    return env


# Running


def public_base(host: str, port: int) -> str:
    """The base URL to print for a listening address ('0.0.0.0' becomes this machine's name)."""
    if host in {"0.0.0.0", "::", ""}:
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def run(
    session: Session,
    options: ServeOptions,
    *,
    out: TextIO = sys.stdout,
    links: list[TeamLink] | None = None,
    links_note: str = "",
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Listen until `stop` is set (or SIGINT/SIGTERM), printing each team's link first.

    `links` default to new ones; `links_note` says where they are kept.
    `ready` is set once the links are printed and the server answers.
    """
    server = TeamServer(session, links if links is not None else new_links(session), options)
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, options.host, options.port)
    await site.start()
    try:
        sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - the bound port when 0 was asked
        port = sockets[0].getsockname()[1] if sockets else options.port
        base = public_base(options.host, port)
        print(f"Serving the team views of {session.path} on {base} (read-only). Ctrl+C stops.", file=out)
        if options.host not in LOCAL_HOSTS:
            print(
                "Listening beyond this machine: anyone holding a link sees that team's view. "
                "Traffic is plain HTTP; use it on a network you trust.",
                file=out,
            )
        print("Give each team only its own link:", file=out)
        width = max((len(link.team) for link in server.links), default=0)
        for link in server.links:
            print(f"  {link.team:<{width}}  {link.url(base)}", file=out)
            if options.terminal:
                print(f"  {'':<{width}}  {link.url(base)}terminal", file=out)
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
) -> None:
    """Serve until interrupted."""
    asyncio.run(run(session, options, out=out, links=links, links_note=links_note))
