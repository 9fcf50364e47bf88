"""The `screen` verb: the room screen for a projector, in a terminal.

Opens the session read-only and shows only what the need-to-know rule gives
the room (what every team may see). A missing or damaged file ends with a
message and exit code 1.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `screen` verb."""
    p = subparsers.add_parser(
        "screen",
        help="the room screen for a projector: clock, move, injects to every team, following live",
        description="Full-screen, read-only view for the projector: the in-story date and time, "
        "the scenario clock (running or paused), the current move and its situation, and the "
        "injects delivered to every team, newest first, a new one marked as breaking. Never a "
        "brief, a note, a decision or an inject for some teams only.",
    )
    p.add_argument("session", metavar="SESSION", help="the session file")
    p.set_defaults(func=cmd_screen)


def cmd_screen(args: argparse.Namespace) -> int:
    """Run the room screen until q is pressed."""
    from tabletop.cli.serve import open_readonly
    from tabletop.viewer.room_app import RoomApp

    session = open_readonly(args.session)
    try:
        RoomApp(session).run()
    finally:
        session.close()
    return 0
