"""A written body as a Rich renderable for the terminal faces: reflowed once, list items hanging.

The console's inject reader and the team views show the planner's text in
panes of any width. `reflow` undoes the editor's line breaks; a list item that
then wraps must go on under its own text, not back at the margin, or a list of
three long points reads as one ragged paragraph.
"""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tabletop.wording import reflow

_MARKER = re.compile(r"^(\s*)([-*\u2022]|\d+[.)])\s+(.*)$")
"""A list item's indent, marker and text."""


def hanging(marker: str, text: str | Text, indent: int = 0) -> RenderableType:
    """One item: its marker, then its text wrapping under itself, `indent` cells from the margin."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(marker, text if isinstance(text, Text) else Text(text))
    return Padding(grid, (0, 0, 0, indent)) if indent else grid


def prose(text: str) -> RenderableType:
    """The text reflowed, paragraphs apart, each list item hanging under its marker."""
    parts: list[RenderableType] = []
    for number, paragraph in enumerate(reflow(text).split("\n\n")):
        if number:
            parts.append(Text())
        plain: list[str] = []
        for line in paragraph.splitlines():
            item = _MARKER.match(line)
            if item is None:
                plain.append(line)
                continue
            if plain:
                parts.append(Text("\n".join(plain)))
                plain = []
            indent, marker, words = item.groups()
            parts.append(hanging(marker, words, len(indent.expandtabs(2))))
        if plain:
            parts.append(Text("\n".join(plain)))
    return Group(*parts)
