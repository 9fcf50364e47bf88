"""The main console: status, MSEL, decisions board and log on one screen.

The screen holds widgets only; the app pushes views down to them and runs
every action. Below 120 columns the MSEL spans the width and the board and
log share the bottom; on a wide terminal the board takes a full-height column.
"""

from __future__ import annotations


from textual import events, on
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, OptionList

from tabletop.app.console import console
from tabletop.app.messages import InjectHighlighted
from tabletop.app.widgets.board import DecisionBoard
from tabletop.app.widgets.card import InjectCard
from tabletop.app.widgets.log import EventLog
from tabletop.app.widgets.msel import MselTable
from tabletop.app.widgets.keybar import KeyBar
from tabletop.app.widgets.status import StatusBar

WIDE = 140
"""Terminal width from which the wide layout is used."""


class MainScreen(Screen[None]):
    """Status lines, MSEL, decisions board, event log and the footer of keys.

    On a wide terminal a preview of the inject under the cursor fills the
    space under the decisions board.
    """

    AUTO_FOCUS = "#msel"

    def compose(self) -> ComposeResult:
        """The panes, in the order the grid places them."""
        yield StatusBar(id="status")
        with Container(id="body"):
            msel = MselTable(id="msel")
            msel.border_title = "MSEL"
            yield msel
            board = DecisionBoard(id="board")
            board.border_title = "Decisions"
            yield board
            with VerticalScroll(id="preview") as preview:
                preview.border_title = "Selected inject"
                preview.can_focus = False
                yield InjectCard(id="preview-card")
            log = EventLog(id="log")
            log.border_title = "Log"
            yield log
        yield KeyBar(id="keys")

    composed = False
    """Whether the panes exist, so the app may fill them (set as the screen mounts, before `is_mounted`)."""

    def on_mount(self) -> None:
        """Have the app fill the widgets now, before the first frame is painted.

        A message would arrive after that frame: the facilitator would see an
        empty MSEL flash, and the screen would be painted twice.
        """
        self.composed = True
        console(self.app).refresh_views()

    def on_key(self, event: events.Key) -> None:
        """A letter that comes in a run of typing is text that missed its form, not a command."""
        if console(self.app).typed_in_run(event):
            event.stop()
            event.prevent_default()

    def on_resize(self) -> None:
        """Switch between the narrow and the wide layout."""
        self.set_class(self.size.width >= WIDE, "-wide")

    @on(DataTable.RowSelected, "#msel")
    def _open_row(self, event: DataTable.RowSelected) -> None:
        """Enter on an MSEL row opens the inject."""
        event.stop()
        console(self.app).show_inject(str(event.row_key.value))

    @property
    def wide(self) -> bool:
        """Whether the wide layout (with the preview) is in use."""
        return self.has_class("-wide")

    @on(DataTable.RowHighlighted, "#msel")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(InjectHighlighted(str(event.row_key.value)))

    @on(OptionList.OptionSelected, "#board")
    def _board_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a team's line of the board opens its inject, every answer and any submission in full."""
        event.stop()
        picked = self.query_one(DecisionBoard).selected
        if picked is not None:
            console(self.app).show_inject(picked[0])

    @on(DataTable.RowSelected, "#log")
    def _log_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a log row shows the record in full; x there corrects it."""
        event.stop()
        if event.row_key.value is not None:
            console(self.app).show_record(int(event.row_key.value))
