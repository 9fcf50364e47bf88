"""Messages that flow up to the app, the one owner of session state.

Workers append to the session off the main thread and only post these back;
forms post :class:`ActionRequested` and wait for the answer before closing, so
a form closes only once its event is durably written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump


@dataclass(frozen=True)
class EngineCall:
    """One engine action to run: a `Session` method name and its keyword arguments."""

    method: str
    """Name of the `tabletop.engine.Session` method, e.g. 'deliver'."""
    kwargs: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments of the call."""
    done: str = ""
    """What to tell the facilitator once the event is written, e.g. 'Delivered YS-07'."""


class ActionRequested(Message):
    """A widget or form asks the app to run one engine call."""

    def __init__(self, call: EngineCall, requester: MessagePump | None = None) -> None:
        super().__init__()
        self.call = call
        """The engine call to run."""
        self.requester = requester
        """Who to tell the outcome, besides the app (a form waiting to close)."""


class ActionDone(Message, bubble=False):
    """An engine call appended its event; the session is durable up to it."""

    def __init__(self, call: EngineCall, event: Any, *, requester: MessagePump | None = None) -> None:
        super().__init__()
        self.call = call
        """The call that ran."""
        self.event = event
        """The event the engine appended."""
        self.requester = requester
        """Who asked for the call and waits for its outcome, if anyone."""


class ActionRefused(Message, bubble=False):
    """The engine refused the call (nothing was written) or the write failed."""

    def __init__(
        self, call: EngineCall, reason: str, *, failure: bool = False, requester: MessagePump | None = None
    ) -> None:
        super().__init__()
        self.requester = requester
        """Who asked for the call and waits for its outcome, if anyone."""
        self.call = call
        """The call that was refused."""
        self.reason = reason
        """The engine's message for the user."""
        self.failure = failure
        """True when the write itself failed (disk, lock), not a rule of the exercise."""


class SessionChanged(Message, bubble=False):
    """Events appended by another process were folded in."""

    def __init__(self, events: Sequence[Any]) -> None:
        super().__init__()
        self.events = list(events)
        """The new events, in order."""


class InjectHighlighted(Message):
    """The MSEL cursor moved onto an inject: the keys now act on it."""

    def __init__(self, inject_id: str) -> None:
        super().__init__()
        self.inject_id = inject_id
        """The inject under the cursor."""


__all__ = [
    "InjectHighlighted",
    "ActionDone",
    "ActionRefused",
    "ActionRequested",
    "EngineCall",
    "SessionChanged",
]
