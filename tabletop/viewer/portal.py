"""The team portal: what a team submits from its own link, as POST routes beside the read-only views.

Each form is one engine call and one event, appended by a writer `Session`
(WAL, `synchronous=FULL`, `BEGIN IMMEDIATE` with a busy timeout) before the
page says "received"; a refusal (`ActionRefused`) is shown on the page and
nothing is written. The team always comes from the token, never from the form.

Guards, in the order a request meets them: the token (same bare 403 as the
views), the Origin of the request (a browser's cross-site POST names another
origin), the size of the body (read up to a limit, never parsed past it), a
per-token rate limit, and a per-token form secret (an HMAC of the token under
a key made at start), so a page of another site cannot post for a team.
Forms work without JavaScript; the page has no external resource.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from tabletop.engine import ActionRefused, Session, StoreError
from tabletop.events import FEEDBACK_QUESTIONS, SubmittedEvent
from tabletop.need_to_know import team_view

if TYPE_CHECKING:
    from tabletop.viewer.server import TeamServer

MAX_BODY = 32 * 1024
"""Largest form body accepted, in bytes: the biggest form with every box full fits well inside it."""

PORTAL_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""Content-Security-Policy of the portal page: its forms post to this server only; no script at all."""


@dataclass
class RateLimit:
    """A token bucket per team token: `burst` posts at once, then one every `every` seconds."""

    burst: int = 20
    every: float = 3.0
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        """Take one post from the key's bucket; False when it is empty."""
        now = self.clock()
        tokens, since = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - since) / self.every)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True


RECEIVED: dict[str, str] = {
    "decision": "your decision is recorded.",
    "waiting": "your decision is with the control cell; it counts once the facilitator confirms it.",
    "question": "your question went to control.",
    "answer": "your answer is kept.",
    "feedback": "thank you, your form is recorded.",
}
"""What the page says after an accepted post, by the `received` word the redirect carries."""


@dataclass
class Outcome:
    """What the page tells the team after a post."""

    ok: bool
    text: str


class Portal:
    """The POST routes and the forms page of the team portal, on a `TeamServer`'s application."""

    def __init__(self, server: TeamServer, *, rate: RateLimit | None = None) -> None:
        self.server = server
        self.rate = rate or RateLimit()
        self._key = secrets.token_bytes(32)
        self._writer: Session | None = None
        self._write_lock = asyncio.Lock()

    def register(self, app: web.Application) -> None:
        """Add the portal's routes to the server's application and close the writer on cleanup."""
        app.add_routes(
            [
                web.get("/t/{token}/act", self.handle_page),
                web.post("/t/{token}/decide", self.handle_decide),
                web.post("/t/{token}/ask", self.handle_ask),
                web.post("/t/{token}/answer", self.handle_answer),
                web.post("/t/{token}/feedback", self.handle_feedback),
            ]
        )
        app.on_cleanup.append(self._close)

    async def _close(self, app: web.Application) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def csrf(self, token: str) -> str:
        """The form secret of a token: only this server, which knows the key, can make it."""
        return hmac.new(self._key, token.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()

    def writer(self) -> Session:
        """The writer session, opened at the first submission (the views stay read-only)."""
        if self._writer is None:
            self._writer = Session.open(self.server.session.path, author="portal", clock=self.server.session.now)
        return self._writer

    # Pages

    def _page(self, team: str, token: str, outcome: Outcome | None, status: int = 200) -> web.Response:
        self.server._refresh()  # noqa: SLF001 - the views' own refresh, with its 503 on a bad file
        view = team_view(self.server.session, team)
        html = self.server._templates.get_template("portal.html.j2").render(  # noqa: SLF001
            view=view,
            base=f"/t/{token}/",
            csrf=self.csrf(token),
            outcome=outcome,
            questions=FEEDBACK_QUESTIONS,
        )
        # same-origin, not no-referrer: under no-referrer a browser posts the forms with `Origin: null`,
        # which the origin check must refuse; the token still never leaves for another site
        return web.Response(
            text=html, status=status, content_type="text/html",
            headers={"Content-Security-Policy": PORTAL_POLICY, "Referrer-Policy": "same-origin"},
        )

    async def handle_page(self, request: web.Request) -> web.Response:
        """The forms page of a team: its open decisions, its RFIs and their answers, questions, feedback.

        After an accepted post the browser comes back here with `?received=WORD`, and the page
        says what was received (a reload then shows the page again instead of posting twice).
        """
        team = self.server._team(request)  # noqa: SLF001
        said = RECEIVED.get(request.query.get("received", ""))
        return self._page(team, request.match_info["token"], Outcome(True, f"Received: {said}") if said else None)

    # Posts

    async def _form(self, request: web.Request) -> tuple[str, str, dict[str, str]]:
        """Team, token and fields of a post that passed every guard; otherwise the refusal as an HTTP error."""
        token = request.match_info.get("token", "")
        team = self.server._team(request)  # noqa: SLF001 - the same 403 as the views
        origin = request.headers.get("Origin")
        if origin is not None and not _same_origin(origin, request):
            raise web.HTTPForbidden(text="Refused: this form was sent from another site. Nothing was recorded.\n")
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=request.content_length,
                text=f"Refused: the form is larger than {MAX_BODY // 1024} KB. Nothing was recorded.\n",
            )
        body = await request.content.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=len(body),
                text=f"Refused: the form is larger than {MAX_BODY // 1024} KB. Nothing was recorded.\n",
            )
        if not self.rate.allow(token):
            raise web.HTTPTooManyRequests(
                text="Refused: too many submissions from this link; wait a few seconds. Nothing was recorded.\n",
                headers={"Retry-After": str(int(self.rate.every) + 1)},
            )
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=40)
        except (UnicodeDecodeError, ValueError):
            raise web.HTTPBadRequest(text="Refused: the form could not be read. Nothing was recorded.\n") from None
        fields = {key: values[-1] for key, values in parsed.items()}
        if not hmac.compare_digest(fields.get("csrf", ""), self.csrf(token)):
            raise web.HTTPForbidden(
                text="Refused: this form is not one this server gave your link; reload the page. Nothing was recorded.\n"
            )
        return team, token, fields

    async def _act(
        self, request: web.Request, action: Callable[[Session, str, dict[str, str]], Any], done: str | Callable[[Any], str]
    ) -> web.Response:
        """Run one engine call for the team; on success redirect to the page saying `done` (a RECEIVED word)."""
        team, token, fields = await self._form(request)
        async with self._write_lock:
            try:
                event = await asyncio.to_thread(self._write, action, team, fields)
            except ActionRefused as refusal:
                return self._page(team, token, Outcome(False, f"Refused: {refusal}. Nothing was recorded."), 409)
            except (StoreError, OSError) as error:
                return self._page(team, token, Outcome(False, f"Not recorded: the session file cannot be written ({error})."), 503)
        # The event is durable: answer at once with where to read the page (post, redirect, get), so a
        # reload never posts twice and the acknowledgement does not wait for the page to be drawn.
        word = done(event) if callable(done) else done
        raise web.HTTPSeeOther(location=f"/t/{token}/act?received={word}")

    def _write(self, action: Callable[[Session, str, dict[str, str]], Any], team: str, fields: dict[str, str]) -> Any:
        return action(self.writer(), team, fields)

    async def handle_decide(self, request: web.Request) -> web.Response:
        """Submit or revise the team's decision on an inject put to it."""
        return await self._act(
            request,
            lambda s, team, f: s.submit_decision(
                team, f.get("inject", ""), f.get("option") or None, f.get("text", ""), f.get("rationale", ""), f.get("dissent", "")
            ),
            lambda event: "waiting" if isinstance(event, SubmittedEvent) else "decision",
        )

    async def handle_ask(self, request: web.Request) -> web.Response:
        """Send a question to the control cell."""
        return await self._act(
            request, lambda s, team, f: s.ask(team, f.get("text", ""), f.get("inject") or None), "question"
        )

    async def handle_answer(self, request: web.Request) -> web.Response:
        """Keep the team's answer to a discussion question."""
        return await self._act(
            request,
            lambda s, team, f: s.answer_question(team, f.get("move", ""), f.get("question", ""), f.get("text", "")),
            "answer",
        )

    async def handle_feedback(self, request: web.Request) -> web.Response:
        """One participant's feedback form."""

        def give(s: Session, team: str, f: dict[str, str]) -> Any:
            ratings = {k[len("rating_"):]: v for k, v in f.items() if k.startswith("rating_") and v}
            return s.give_feedback(
                team, ratings, f.get("strengths", ""), f.get("improvements", ""), f.get("comments", ""), f.get("participant", "")
            )

        return await self._act(request, give, "feedback")


def _same_origin(origin: str, request: web.Request) -> bool:
    """Whether a browser's Origin header names this server as the request reached it."""
    parts = urlsplit(origin)
    return parts.scheme == request.scheme and parts.netloc.lower() == request.host.lower()
