"""The `tabletop` command: argument parsing and wiring, nothing else.

Each module in this package owns a group of verbs and exposes
`register(subparsers)`; a verb's handler takes the parsed arguments and
returns the exit code (0 ok, 1 the input is wrong, 2 usage).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from tabletop import __version__

VERB_MODULES = ("exercise", "session", "console", "report", "docs", "branch_map", "msel_import", "serve", "room")
"""Modules of this package that register verbs, in the order `--help` lists them."""


class UserError(Exception):
    """A mistake of the user's that ends the command with a message, not a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class SuggestingParser(argparse.ArgumentParser):
    """An argument parser whose 'invalid choice' names the nearest choice: `tabletop runn` suggests `run`."""

    _INVALID = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)$")

    def error(self, message: str) -> NoReturn:
        """Add the nearest valid choice to an invalid-choice message."""
        found = self._INVALID.search(message)
        if found:
            from tabletop.names import word_suggestion

            choices = [c.strip().strip("'") for c in found[2].split(",")]
            message += word_suggestion(found[1], choices)
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    """The parser with every verb registered."""
    parser = SuggestingParser(
        prog="tabletop",
        description="Run tabletop crisis exercises: write the scenario in YAML, "
        "drive it from a console, print the after-action report.",
    )
    parser.add_argument("--version", action="version", version=f"tabletop {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND", parser_class=SuggestingParser)
    for name in VERB_MODULES:
        try:
            module = importlib.import_module(f"tabletop.cli.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"tabletop.cli.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def settle_start_up() -> None:
    """Keep what start-up loaded out of later collections, and turn the collector back on.

    Modules, the exercise, the replayed session and the console's widgets live
    as long as the command does: a console that froze them does not rescan them
    in the middle of play (a full collection over a long session's objects is a
    visible pause after a key press).
    """
    gc.freeze()
    gc.enable()


def show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None, _python: Any = warnings.showwarning) -> None:
    """Print tabletop's own warnings as one `tabletop: warning:` line, the way its errors read;
    anything else the way Python prints it (with its file and line, for a developer)."""
    if category.__module__.split(".", 1)[0] == "tabletop":
        print(f"tabletop: warning: {message}", file=file or sys.stderr)
    else:
        _python(message, category, filename, lineno, file, line)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tabletop` console script.

    The cyclic collector is off while the verbs' modules are imported: start-up
    builds many objects and frees almost none, so collecting then is wasted
    time. Verbs that set `settles_start_up` (the consoles) turn it back on with
    :func:`settle_start_up` once their first frame is on screen; every other
    verb gets it back before it runs.
    """
    gc.disable()
    warnings.showwarning = show_warning
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "settles_start_up", False):
            gc.enable()
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args) or 0)
    except UserError as error:
        print(f"tabletop: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("tabletop: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("tabletop: out of memory; the input is far larger than this command can hold", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    finally:
        gc.enable()
