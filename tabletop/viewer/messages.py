"""Messages that flow up from the team view's widgets to its app, the one owner of the view."""

from __future__ import annotations

from textual.message import Message


class InjectOpened(Message):
    """The reader highlighted an inject in the inbox: it counts as read from now on."""

    def __init__(self, inject_id: str) -> None:
        super().__init__()
        self.inject_id = inject_id
        """Id of the inject opened."""


class NextUnread(Message):
    """The reader asks for the newest inject not read yet."""


class MarkAllRead(Message):
    """The reader counts everything received so far as read."""
