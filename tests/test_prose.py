"""A body's list items wrap under their own text in the terminal faces, not back at the margin."""

from __future__ import annotations

import io

from rich.console import Console

from tabletop.prose import prose


def lines_at(width: int, text: str) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(prose(text))
    return [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]


BODY = (
    "The coast guard reports three contacts west of the line, moving slowly south in poor weather tonight.\n"
    "\n"
    "- Forty people on the first boat, some of them children, one engine failing\n"
    "- A second boat has not answered a hail\n"
    "  1. a nested point that is long enough to wrap at forty columns\n"
)


def test_a_list_item_wraps_under_its_own_text() -> None:
    lines = lines_at(40, BODY)
    first = next(i for i, line in enumerate(lines) if line.startswith("- Forty"))
    assert lines[first + 1].startswith("  ") and not lines[first + 1].lstrip().startswith("-")
    assert lines[first + 1].lstrip()[0].islower() or lines[first + 1].lstrip()[0].isalpha()
    nested = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1."))
    assert lines[nested].startswith("  1. ")
    assert lines[nested + 1].startswith("     ") and lines[nested + 1].strip()


def test_paragraphs_stay_apart_and_prose_is_joined_once() -> None:
    lines = lines_at(200, BODY)
    assert lines[0].startswith("The coast guard reports") and lines[0].endswith("tonight.")
    assert lines[1] == ""
    assert lines[2].startswith("- Forty people")
