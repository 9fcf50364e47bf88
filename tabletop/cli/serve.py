"""Verbs of the participant views: `view` (one team, in a terminal) and `serve` (every team, to browsers).

Both show only what the need-to-know rule returns for a team. `serve` opens
the session read-only (its portal opens a writer at the first submission);
`view` opens it for the team to act in, read-only when the file cannot be
written, and `view --plain` only reads. Every expected failure (no such file, not a session, an
unknown team, the control cell) ends with a message and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tabletop.cli import UserError

DEFAULT_PORT = 8000
"""Port `tabletop serve` listens on unless told otherwise."""

DEFAULT_MAX_CONNECTIONS = 32
"""Requests (and terminal sessions) served at once before new ones get 503."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `view` and `serve` verbs."""
    p = subparsers.add_parser(
        "view",
        help="one team's view of a session, following it live; the team decides and asks control from it",
        description="Show what one team may see of a session: its private brief, the situation "
        "of each move reached, every inject delivered to it (newest first, unread marked), the "
        "discussion questions and its own record. Follows the session as the facilitator plays it. "
        "From it the team submits and revises its decision on an inject put to it (d), asks the "
        "control cell (a), keeps its answers to the open move's discussion questions (w) and, "
        "after ENDEX, fills in the feedback form (f), as from its browser link; each form is one "
        "event in the session, written by the team. A session file that cannot be written opens "
        "read-only, without those keys. --plain prints the view and never writes.",
    )
    p.add_argument("session", metavar="SESSION", help="the session file")
    p.add_argument("--team", required=True, metavar="TEAM", help="id of a player or observer team")
    p.add_argument("--plain", action="store_true", help="print the view as text and exit")
    p.add_argument(
        "--poll", type=_seconds, default=1.0, metavar="SECONDS", help="how often to look for new events (default 1)"
    )
    p.set_defaults(func=cmd_view)

    p = subparsers.add_parser(
        "serve",
        help="serve every team's view to browsers, one secret link per team",
        description="Serve the participant views over HTTP. Each team gets its own link with an "
        "unguessable token, printed at start; a request without a valid token gets 403. Listens "
        "on 127.0.0.1 unless --host says otherwise. A team submits its decisions, questions to control, discussion answers and feedback form from its own link (/t/TOKEN/act); nothing else served can write to the session.",
    )
    p.add_argument("session", metavar="SESSION", help="the session file")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument(
        "--max-connections",
        type=_positive,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help=f"requests and terminal sessions served at once, shared evenly between the teams so that "
        f"no team can lock the others out (default {DEFAULT_MAX_CONNECTIONS})",
    )
    p.add_argument(
        "--refresh", type=_seconds, default=2.0, metavar="SECONDS", help="how often pages look for news (default 2)"
    )
    p.add_argument(
        "--terminal",
        action="store_true",
        help="also offer each team its terminal view in the browser (one `tabletop view` process per open tab)",
    )
    p.add_argument(
        "--certfile",
        metavar="PEM",
        help="serve over HTTPS with this certificate (chain), for teams joining from other sites",
    )
    p.add_argument("--keyfile", metavar="PEM", help="the private key of --certfile, when it is not in that file")
    p.add_argument(
        "--new-links",
        action="store_true",
        help="replace every team's link (the old ones stop working); by default a restarted serve "
        "answers the links kept beside the session in SESSION.links",
    )
    p.set_defaults(func=cmd_serve)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.05 <= value <= 3600:
        raise argparse.ArgumentTypeError("give a number of seconds between 0.05 and 3600")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("give at least 1")
    return value


def open_readonly(path: str):  # type: ignore[no-untyped-def]
    """The session opened read-only, or a UserError saying why it cannot be."""
    from tabletop.engine import Session, StoreError

    try:
        return Session.open(Path(path), readonly=True)
    except StoreError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"{path}: {error.strerror or error}") from None


def open_for_team(path: str, team: str):  # type: ignore[no-untyped-def]
    """The session opened for the team to act in, or read-only with the reason when it cannot be written.

    Returns (session, reason); reason is '' for a writer. A file that cannot even
    be read is a UserError, as for every reading verb.
    """
    from tabletop.engine import Session, StoreError

    try:
        return Session.open(Path(path), author=f"team:{team}"), ""
    except (StoreError, OSError) as error:
        why = str(error) if isinstance(error, StoreError) else f"{path}: {error.strerror or error}"
    session = open_readonly(path)
    return session, f"the session file cannot be written from here ({why})"


def cmd_view(args: argparse.Namespace) -> int:
    """Print the team's view (`--plain`) or open the live terminal view, from which the team acts."""
    from tabletop.need_to_know import NotAParticipant, participant, team_view

    session = open_readonly(args.session)
    try:
        try:
            args.team = participant(session.exercise, args.team).id
        except NotAParticipant as error:
            raise UserError(str(error)) from None
        if args.plain:
            from tabletop.viewer.plain import render_plain

            sys.stdout.write(render_plain(team_view(session, args.team)))
            sys.stdout.flush()
            return 0
    finally:
        session.close()
    from tabletop.viewer.app import TeamViewApp

    session, reason = open_for_team(args.session, args.team)
    try:
        TeamViewApp(session, args.team, poll_interval=args.poll, readonly_reason=reason).run()
    finally:
        session.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve every participant team's view until interrupted."""
    from tabletop.viewer.room import kept_room_token
    from tabletop.viewer.server import LinksError, ServeOptions, TLSError, kept_links, serve, tls_context

    if args.keyfile and not args.certfile:
        raise UserError("--keyfile needs --certfile (the certificate it is the key of)")
    if args.certfile:
        try:
            tls_context(args.certfile, args.keyfile)
        except TLSError as error:
            raise UserError(str(error)) from None

    session = open_readonly(args.session)
    try:
        try:
            links, note = kept_links(session, renew=args.new_links)
            room = kept_room_token(session, renew=args.new_links)
        except LinksError as error:
            raise UserError(str(error)) from None
        options = ServeOptions(
            host=args.host,
            port=args.port,
            max_connections=args.max_connections,
            refresh=args.refresh,
            terminal=args.terminal,
            certfile=args.certfile,
            keyfile=args.keyfile,
        )
        try:
            serve(session, options, links=links, links_note=note, room_token=room)
        except OSError as error:
            raise UserError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    finally:
        session.close()
    return 0
