"""Every console command, defined once.

A :class:`Command` names a key, a title, a line of help and the app action it
runs. The key binding, the footer entry, the help screen and the command
palette are all derived from :data:`COMMANDS`, so they cannot drift apart.
"""

from __future__ import annotations

from tabletop.app.commands.registry import (
    COMMANDS,
    FOCUS_BINDINGS,
    GROUPS,
    Command,
    Mode,
    bindings,
    command_for,
    commands_for,
)
from tabletop.app.commands.provider import CommandsProvider, EventsProvider, InjectsProvider

__all__ = [
    "COMMANDS",
    "FOCUS_BINDINGS",
    "GROUPS",
    "Command",
    "CommandsProvider",
    "EventsProvider",
    "InjectsProvider",
    "Mode",
    "bindings",
    "command_for",
    "commands_for",
]
