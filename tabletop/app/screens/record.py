"""One record of the log in full.

The log pane gives each record one row, cut to the pane's width; before a
facilitator corrects a record, or when the room asks what exactly was
written, the whole of it is one key away. Reading it changes nothing: the
correction form opens only on `x`.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class RecordScreen(ModalScreen[bool]):
    """A record's every field, its time and author, and what corrected it; dismissed True to correct it."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(False)", "Close"),
        Binding("x", "dismiss(True)", "Correct"),
    ]

    def __init__(self, title: str, rows: list[tuple[str, str]], correctable: bool) -> None:
        """`rows` are (label, value) pairs in reading order; `correctable` says whether x is offered."""
        super().__init__()
        self.heading = title
        self.rows = rows
        self.correctable = correctable

    def compose(self) -> ComposeResult:
        """The fields as a two-column table in a scrolling panel."""
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = self.heading
            panel.border_subtitle = "x correct · esc close" if self.correctable else "esc close"
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column(overflow="fold")
            for label, value in self.rows:
                table.add_row(label, Text(value))
            yield Static(table, id="record-fields")
