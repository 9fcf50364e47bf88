"""The queue that turns key presses and forms into engine calls, one at a time.

A key press must never wait for the disk, and two presses must never race: so
each :class:`~tabletop.app.messages.EngineCall` is queued here and a single
thread worker runs the queue in order (one engine call, one event, one durable
append), holding the engine lock for each call. The worker touches no widget:
it only posts :class:`~tabletop.app.messages.ActionDone` or
:class:`~tabletop.app.messages.ActionRefused` back to the app, the one owner
of session state, which then refreshes its views on the main thread.

The queue also remembers which injects have a first delivery queued or being
written, so that a second press of the deliver key before the first shows on
screen is refused instead of delivering the inject twice.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from typing import TYPE_CHECKING

from textual.message_pump import MessagePump

from tabletop.app.messages import ActionDone, ActionRefused, EngineCall
from tabletop.engine import ActionRefused as Refusal
from tabletop.store import StoreError

if TYPE_CHECKING:
    from textual.app import App

    from tabletop.engine import Session

GROUP = "engine"
"""Worker group of everything that holds the engine: quitting waits for it."""


class EngineQueue:
    """Engine calls waiting to be written, run in order on one worker thread of `app`."""

    def __init__(self, app: App[None], session: Session, lock: threading.RLock) -> None:
        """`lock` is the engine lock the app's own readers take (refresh, poll, heartbeat)."""
        self._app = app
        self._session = session
        self._lock = lock
        self._calls: deque[tuple[EngineCall, MessagePump | None]] = deque()
        self._calls_lock = threading.Lock()
        self._draining = False
        self._delivering: set[str] = set()
        """Injects whose first delivery is queued or being written: a second press must not send it twice."""

    def request(self, call: EngineCall, requester: MessagePump | None = None) -> None:
        """Queue one engine call; its outcome comes back to the app as a message."""
        with self._calls_lock:
            self._calls.append((call, requester))
            if self._draining:
                return
            self._draining = True
        self._app.run_worker(self._drain, name="append to session", group=GROUP, thread=True)

    def deliver_once(self, call: EngineCall) -> None:
        """Queue a first delivery, remembering it until its outcome is back (see `is_delivering`)."""
        self._delivering.add(call.kwargs.get("inject_id", ""))
        self.request(call)

    def is_delivering(self, inject_id: str) -> bool:
        """Whether a first delivery of `inject_id` is queued or being written now."""
        return inject_id in self._delivering

    def settled(self, call: EngineCall) -> None:
        """The outcome of `call` is back on the main thread: a delivery is no longer in flight."""
        if call.method == "deliver":
            self._delivering.discard(call.kwargs.get("inject_id", ""))

    def _drain(self) -> None:
        """Run queued calls one after another (on the worker thread); only post messages back."""
        while True:
            with self._calls_lock:
                if not self._calls:
                    self._draining = False
                    return
                call, requester = self._calls.popleft()
            self._perform(call, requester)

    def _perform(self, call: EngineCall, requester: MessagePump | None) -> None:
        try:
            with self._lock:
                event = getattr(self._session, call.method)(**call.kwargs)
        except Refusal as error:
            self._app.post_message(ActionRefused(call, str(error), requester=requester))
        except (StoreError, sqlite3.Error, OSError) as error:
            self._app.post_message(
                ActionRefused(call, f"could not write to the session file: {error}", failure=True, requester=requester)
            )
        else:
            self._app.post_message(ActionDone(call, event, requester=requester))
