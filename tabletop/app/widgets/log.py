"""The log pane: the latest events of the session, newest last, keyed by seq.

The facilitator picks a row here to correct it. New events are appended and
a corrected record's row is restyled in place; the table is never rebuilt.
The pane keeps the last `max_rows` events (Textual's DataTable does work in
proportion to its rows on every change); older ones are found through the
command palette.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets.data_table import CellDoesNotExist

from tabletop.app.widgets.table import KeyedTable


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


COLUMNS = (("seq", "#", 4), ("at", "At", 9), ("text", "What", 0))
"""Column key, heading and width (0: takes what is left)."""

TRIM = 50
"""How many of the oldest rows are dropped at once when the pane is full."""


class EventLog(KeyedTable[Text]):
    """The session's events; the cursor row is the one `correct` acts on."""

    COLUMNS = COLUMNS
    FLEX_MIN = 20

    def __init__(self, *, id: str | None = None, max_rows: int = 400) -> None:
        """A row-cursor table that follows new events unless the facilitator is reading back through it."""
        super().__init__(id=id, cursor_type="row", cursor_foreground_priority="renderable")
        self.max_rows = max_rows
        self.lines: dict[int, LogLine] = {}
        self._order: deque[int] = deque()

    @staticmethod
    def _cells(line: LogLine) -> list[Text]:
        return [
            Text(str(line.seq), style="dim " + line.style),
            Text(line.at, style=line.style),
            Text(line.text if line.author == "facilitator" else f"{line.author}: {line.text}", style=line.style, no_wrap=True, overflow="ellipsis"),
        ]

    def sync(self, lines: Sequence[LogLine]) -> None:
        """Append new events (dropping the oldest past `max_rows`) and restyle changed ones.

        The newest line is kept in view unless the facilitator is reading back through the log: it has
        the focus and its cursor is off the last line. Away from the log, the pane always shows the newest.
        """
        following = not self.row_count or not self.has_focus or self.cursor_row >= self.row_count - 1
        fresh = [line for line in lines if line.seq not in self.lines]
        if len(fresh) > self.max_rows:
            fresh = fresh[-self.max_rows :]
        for line in lines:
            old = self.lines.get(line.seq)
            if old is None or old == line:
                continue
            for (key, _label, _width), cell in zip(COLUMNS, self._cells(line)):
                self.update_cell(str(line.seq), key, cell)
            self.lines[line.seq] = line
        overflow = len(self._order) + len(fresh) - self.max_rows
        if overflow > 0:
            # Trim in batches, by rebuilding the rows that stay: DataTable's
            # remove_row renumbers every row and re-highlights the cursor, so
            # fifty removals cost far more than adding back a few hundred rows.
            overflow = max(overflow, min(TRIM, len(self._order)))
            self._trim(overflow, following)
        for line in fresh:
            self.add_row(*self._cells(line), key=str(line.seq))
            self.lines[line.seq] = line
            self._order.append(line.seq)
        if fresh and following:
            self.move_cursor(row=self.row_count - 1, animate=False)

    def _trim(self, count: int, following: bool) -> None:
        """Drop the `count` oldest rows, keeping the cursor on its event when it is still shown."""
        selected = None if following else self.selected
        for _ in range(min(count, len(self._order))):
            del self.lines[self._order.popleft()]
        self.clear()
        for seq in self._order:
            self.add_row(*self._cells(self.lines[seq]), key=str(seq))
        if selected is not None and selected in self.lines:
            self.move_cursor(row=self.get_row_index(str(selected)), animate=False)

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
