"""The inbox: the injects a team received, newest first, unread ones marked.

An `OptionList` keyed by inject id, so a redraw keeps the reader's place when
a new inject arrives above it. Which injects are read is the viewer's memory
of this reader, not a fact of the session: it lives in the app.
"""

from __future__ import annotations

from collections.abc import Collection

from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tabletop.need_to_know import InjectSeen
from tabletop.viewer.formatting import offset_text

UNREAD_MARK = "●"
"""Marks an inject the reader has not opened since it (last) arrived."""


class Inbox(OptionList):
    """Received injects, newest first; highlighting one opens it in the reading pane."""

    def show(self, injects: Collection[InjectSeen], unread: Collection[str], awaited: Collection[str]) -> None:
        """Redraw the list, keeping the highlight on the same inject when it is still there."""
        current = self.selected_inject
        ids = [i.inject for i in injects]
        lines = [self._line(i, i.inject in unread, i.inject in awaited) for i in injects]
        with self.app.batch_update():
            if ids == [option.id for option in self.options]:
                for inject_id, line in zip(ids, lines):
                    self.replace_option_prompt(inject_id, line)
                return
            self.clear_options()
            self.add_options([Option(line, id=inject_id) for inject_id, line in zip(ids, lines)])
            if ids:
                self.highlighted = ids.index(current) if current in ids else 0

    @property
    def selected_inject(self) -> str | None:
        """Id of the highlighted inject, if any."""
        if self.highlighted is None or self.option_count == 0:
            return None
        return self.get_option_at_index(self.highlighted).id

    def select_inject(self, inject_id: str) -> None:
        """Move the highlight to an inject by id."""
        try:
            self.highlighted = self.get_option_index(inject_id)
        except OptionDoesNotExist:
            return

    @staticmethod
    def _line(inject: InjectSeen, unread: bool, awaited: bool) -> Table:
        """Two lines per inject, the title wrapping under itself, not under the mark."""
        text = Text()
        text.append(inject.inject, style="bold" if unread else "")
        text.append(f"  {offset_text(inject.minute)}", style="dim")
        if inject.withdrawn:
            text.append("  WITHDRAWN", style="bold red")
        elif awaited:
            text.append("  decision awaited", style="italic")
        text.append("\n")
        text.append(inject.title, style=("bold " if unread else "") + ("strike" if inject.withdrawn else ""))
        grid = Table.grid(expand=True)
        grid.add_column(width=2, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(Text(UNREAD_MARK, style="bold yellow") if unread else Text(""), text)
        return grid
