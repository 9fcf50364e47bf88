"""The log pane: every event of the session, newest last, keyed by seq.

The facilitator picks a row here to correct it. New events are appended and
a corrected record's row is restyled in place; the table is never rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist


@dataclass(frozen=True)
class LogLine:
    """One event as the log shows it."""

    seq: int
    """The event's seq; the row key."""
    at: str
    """Scenario time, '+01:20'."""
    author: str
    """Who wrote it."""
    text: str
    """What happened, in a line (as it stands after corrections)."""
    style: str = ""
    """Rich style: struck through when retracted, dim when superseded."""


COLUMNS = (("seq", "#", 4), ("at", "At", 6), ("text", "What", 0))
"""Column key, heading and width (0: takes what is left)."""


class EventLog(DataTable[Text]):
    """The session's events; the cursor row is the one `correct` acts on."""

    def __init__(self, *, id: str | None = None) -> None:
        """A row-cursor table that follows new events unless the user scrolled away."""
        super().__init__(id=id, cursor_type="row", cursor_foreground_priority="renderable")
        self.lines: dict[int, LogLine] = {}

    def on_mount(self) -> None:
        """Create the columns."""
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width or 40)
        self._fit_text()

    def on_resize(self) -> None:
        """Give the text what the other columns leave."""
        self._fit_text()

    def _fit_text(self) -> None:
        fixed = sum(width + 2 * self.cell_padding for _key, _label, width in COLUMNS if width)
        available = self.scrollable_content_region.width or self.size.width
        text_width = max(20, available - fixed - 2 * self.cell_padding - 1)
        column = self.columns.get("text")  # type: ignore[call-overload]
        if column is not None and column.width != text_width:
            column.width = text_width
            self._require_update_dimensions = True
            self.refresh()

    @staticmethod
    def _cells(line: LogLine) -> list[Text]:
        return [
            Text(str(line.seq), style="dim " + line.style),
            Text(line.at, style=line.style),
            Text(line.text if line.author == "facilitator" else f"{line.author}: {line.text}", style=line.style, no_wrap=True, overflow="ellipsis"),
        ]

    def sync(self, lines: Sequence[LogLine]) -> None:
        """Append new events and restyle changed ones; keep following the end if we were there."""
        following = not self.row_count or self.cursor_row >= self.row_count - 1
        added = False
        for line in lines:
            old = self.lines.get(line.seq)
            if old == line:
                continue
            if old is None:
                self.add_row(*self._cells(line), key=str(line.seq))
                added = True
            else:
                for (key, _label, _width), cell in zip(COLUMNS, self._cells(line)):
                    self.update_cell(str(line.seq), key, cell)
            self.lines[line.seq] = line
        if added and following:
            self.move_cursor(row=self.row_count - 1, animate=False)

    @property
    def selected(self) -> int | None:
        """Seq of the event under the cursor."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return int(key.value) if key.value is not None else None
