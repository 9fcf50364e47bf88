"""The MSEL pane: every inject in play order with its state, one keyed row each.

Rows are keyed by inject id and updated cell by cell when the engine's view
of them changes, so a refresh with thousands of events in the log touches only
the rows that moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets.data_table import CellDoesNotExist

from tabletop.app.widgets.table import KeyedTable


@dataclass(frozen=True)
class MselLine:
    """One MSEL row in words, as the table shows it."""

    inject: str
    """Inject id; the row key."""
    at: str
    """Scheduled time ('+01:20'), 'reserve' for contingencies, or when an ad-hoc one was written."""
    move: str
    """Move id, or '' for contingencies."""
    title: str
    """Headline."""
    to: str
    """Recipients' short labels."""
    state: str
    """State label: upcoming, DUE, delivered, held, skipped, not live."""
    style: str
    """Rich style for the whole row (the due row stands out)."""


COLUMNS = (("at", "At", 10), ("move", "Mv", 2), ("id", "Id", 8), ("state", "State", 10), ("title", "Inject", 0), ("to", "To", 10))
"""Column key, heading and width (0: takes what is left). The state sits beside the id, on the left:
notices appear at the top right, and must not cover whether an inject is DUE or delivered."""


class MselTable(KeyedTable[Text]):
    """The MSEL; the cursor row is the inject the keys act on."""

    COLUMNS = COLUMNS

    def __init__(self, *, id: str | None = None) -> None:
        """A row-cursor table with fixed columns."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, cursor_foreground_priority="renderable")
        self.lines: dict[str, MselLine] = {}

    def on_resize(self) -> None:
        """Keep the row the keys act on in sight when the terminal shrinks: d must never act on a row off screen."""
        if self.row_count:
            self.call_after_refresh(self.move_cursor, row=self.cursor_row, animate=False)

    def _cells(self, line: MselLine) -> list[Text]:
        style = line.style
        return [
            Text(line.at, style=style),
            Text(line.move, style=style),
            Text(line.inject, style=style + " bold" if style else "bold"),
            Text(line.state, style=style),
            Text(line.title, style=style, no_wrap=True, overflow="ellipsis"),
            Text(line.to, style=style, no_wrap=True, overflow="ellipsis"),
        ]

    def sync(self, lines: Sequence[MselLine]) -> None:
        """Update changed cells in place; add rows where the MSEL puts them.

        Rows are only ever updated in place while the MSEL keeps its order. An
        ad-hoc inject lands at its minute inside its move, so when the order of
        rows changes the table is rebuilt in the new order (the cursor stays on
        its inject): the live screen then reads as a freshly opened one.
        """
        shown = list(self.lines)
        if [line.inject for line in lines[: len(shown)]] != shown:
            self._rebuild(lines)  # a row was inserted, moved or taken away: not a matter of appending
            return
        keys = [key for key, _label, _width in COLUMNS]
        for line in lines:
            old = self.lines.get(line.inject)
            if old == line:
                continue
            cells = self._cells(line)
            if old is None:
                self.add_row(*cells, key=line.inject)
            else:
                for key, cell, before, after in zip(keys, cells, self._cells(old), cells):
                    if before != after:
                        self.update_cell(line.inject, key, cell)
            self.lines[line.inject] = line

    def _rebuild(self, lines: Sequence[MselLine]) -> None:
        """All rows again, in the MSEL's order, with the cursor on the inject it was on."""
        selected = self.selected
        self.clear()
        self.lines = {}
        for line in lines:
            self.add_row(*self._cells(line), key=line.inject)
            self.lines[line.inject] = line
        if selected is not None and selected in self.lines:
            self.select(selected)

    @property
    def selected(self) -> str | None:
        """Inject id under the cursor."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:
            return None
        return str(key.value) if key.value is not None else None

    def select(self, inject_id: str) -> None:
        """Put the cursor on an inject's row."""
        if inject_id in self.lines:
            self.move_cursor(row=self.get_row_index(inject_id), animate=False)
