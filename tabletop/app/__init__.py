"""The Textual console a facilitator drives, and an evaluator follows.

`ConsoleApp` wraps one engine `Session`; every key is one engine call. See
`tabletop.app.app` for the flow of messages.
"""

from __future__ import annotations

from tabletop.app.app import ConsoleApp
from tabletop.app.commands import Mode

__all__ = ["ConsoleApp", "Mode"]
