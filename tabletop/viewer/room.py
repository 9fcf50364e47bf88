"""The room screen's data and its browser face: what the projector shows, and how.

The need-to-know rule (`room_view`) decides *what* the room may see; this
module adds the clock and the "breaking" mark that every face of the room
screen (terminal and browser) shares, and the read-only `/r/TOKEN/` routes
that `tabletop serve` adds beside the team links. The room link has its own
token, kept in a file beside the session like the team links, so handing the
projector its link gives away no team's view.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tabletop.engine import Session
from tabletop.need_to_know import InjectSeen, RoomView, in_world, room_view
from tabletop.viewer.formatting import in_world_text, offset_text

if TYPE_CHECKING:
    from aiohttp import web

    from tabletop.viewer.server import TeamServer

BREAKING = timedelta(seconds=90)
"""How long after its delivery an inject keeps the 'breaking' treatment."""

ROOM_SUFFIX = ".room-link"
"""Suffix of the file beside a session that keeps the room link's token."""

@dataclass(frozen=True)
class RoomClock:
    """The scenario clock as the room sees it."""

    started: bool
    ended: bool
    running: bool
    minute: float
    in_world: datetime | None
    next_move_in: float | None
    """Scenario minutes until the next move opens, when the exercise schedules it."""

    @property
    def state_text(self) -> str:
        """'RUNNING', 'PAUSED', 'ENDEX' or 'BEFORE STARTEX'."""
        if not self.started:
            return "BEFORE STARTEX"
        if self.ended:
            return "ENDEX"
        return "RUNNING" if self.running else "PAUSED"

    @property
    def world_text(self) -> str:
        """In-story date and time, 'Sun 11 Apr 2027 07:20 KST'."""
        return in_world_text(self.in_world)

    @property
    def offset(self) -> str:
        """Scenario time since STARTEX, '+01:20'."""
        return offset_text(self.minute) if self.started else ""

    @property
    def countdown(self) -> str:
        """'Next move in 00:12', or '' when none is scheduled."""
        if self.next_move_in is None or self.ended:
            return ""
        return "Next move in " + offset_text(max(0.0, self.next_move_in + 0.999)).lstrip("+")


def room_clock(session: Session) -> RoomClock:
    """The clock now, from the engine (never from a timer of the view)."""
    state = session.state
    started = state.started is not None
    minute = session.now_minute() if started else 0.0
    upcoming = state.next_move
    next_in = None
    if started and upcoming is not None and upcoming.starts_at is not None:
        next_in = upcoming.starts_at - minute
    return RoomClock(
        started=started,
        ended=state.ended is not None,
        running=bool(state.clock.running),
        minute=minute,
        in_world=in_world(session.exercise.setting, minute) if started else None,
        next_move_in=next_in,
    )


def is_breaking(inject: InjectSeen, now: datetime, *, window: timedelta = BREAKING) -> bool:
    """Whether the inject's latest delivery is recent enough to stand out on the wall."""
    return inject.at is not None and timedelta(0) <= now - inject.at <= window


# The room link


def room_link_path(session_path: Path) -> Path:
    """Where the room link's token is kept."""
    return session_path.with_name(session_path.name + ROOM_SUFFIX)


def kept_room_token(session: Session, *, renew: bool = False) -> str:
    """The room link's token, the same as last time unless `renew` (or the file cannot be kept)."""
    from tabletop.viewer.server import TOKEN_BYTES, TeamLink, read_links, write_links

    path = room_link_path(session.path)
    known = {} if renew else read_links(path)
    token = known.get("room") or secrets.token_urlsafe(TOKEN_BYTES)
    if known.get("room") != token:
        try:
            write_links(path, [TeamLink(team="room", name="room screen", token=token)])
        except OSError:
            pass
    return token


ROOM_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Content-Security-Policy of the room page: only this server's own script and styles."""


class RoomRoutes:
    """The room page, its fragment and its JSON, under `/r/TOKEN/`, for one `TeamServer`."""

    def __init__(self, server: TeamServer, token: str) -> None:
        self.server = server
        self.token = token

    def add_to(self, app: web.Application) -> None:
        """Add the room's routes to the server's application."""
        from aiohttp import web

        app.add_routes(
            [
                web.get("/r/{token}", self.handle_page),
                web.get("/r/{token}/", self.handle_page),
                web.get("/r/{token}/fragment", self.handle_fragment),
                web.get("/r/{token}/room.json", self.handle_json),
                web.get("/r/{token}/file/{name:.+}", self.handle_file),
            ]
        )

    def _check(self, request: web.Request) -> None:
        given = request.match_info.get("token", "").encode("utf-8", "surrogateescape")
        if not secrets.compare_digest(self.token.encode("ascii"), given):
            raise self.server._forbidden()  # noqa: SLF001 - the same bare 403 as a wrong team link

    def _view(self) -> tuple[RoomView, RoomClock]:
        self.server._refresh()  # noqa: SLF001 - folds appends, 503 when unreadable
        return room_view(self.server.session), room_clock(self.server.session)

    def fragment(self) -> tuple[str, str]:
        """The room's content now and its version (a hash, so an unchanged room answers 204)."""
        view, clock = self._view()
        html = render_room_fragment(self.server._templates, view, clock, self.server.session.now(),  # noqa: SLF001
                                    files=f"/r/{self.token}/file/")
        return html, hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]

    async def handle_page(self, request: web.Request) -> web.Response:
        """The whole room page."""
        from aiohttp import web
        from markupsafe import Markup

        self._check(request)
        html, version = self.fragment()
        view, _ = self._view()
        page = self.server._templates.get_template("room.html.j2").render(  # noqa: SLF001
            view=view, fragment=Markup(html), version=version, base=f"/r/{self.token}/",
        )
        return web.Response(text=page, content_type="text/html", headers={"Content-Security-Policy": ROOM_POLICY})

    async def handle_fragment(self, request: web.Request) -> web.Response:
        """The room's content, or 204 when unchanged since the version the page holds."""
        from aiohttp import web

        self._check(request)
        html, version = self.fragment()
        headers = {"X-View-Version": version}
        if request.query.get("since") == version:
            return web.Response(status=204, headers=headers)
        return web.Response(text=html, content_type="text/html", headers=headers)

    async def handle_json(self, request: web.Request) -> web.Response:
        """The room view as JSON, for scripts."""
        from aiohttp import web

        self._check(request)
        view, _ = self._view()
        return web.json_response(view.as_dict())

    async def handle_file(self, request: web.Request) -> web.Response:
        """A map attached to something the whole room may see."""
        self._check(request)
        view, _ = self._view()
        return self.server.attachment_response(request.match_info["name"], view.attachment_files())


def render_room_fragment(templates: object, view: RoomView, clock: RoomClock, now: datetime, *,
                         files: str = "file/") -> str:
    """The room's content as HTML; `now` (wall clock, UTC) decides which injects are breaking;
    `files` is where the room's link serves attached maps."""
    template = templates.get_template("room_fragment.html.j2")  # type: ignore[attr-defined]
    return template.render(view=view, clock=clock, now=now, breaking=is_breaking, files=files)  # type: ignore[no-any-return]
