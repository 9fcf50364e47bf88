"""The two lines at the top of the console: what is being played, and when.

The app computes a :class:`StatusView` from the engine (scenario minute,
clock state, move) and hands it down; this widget only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static


@dataclass(frozen=True)
class StatusView:
    """Everything the status lines show, already in words."""

    title: str
    """Exercise title."""
    marking: str
    """Handling marking, e.g. 'EXERCISE — FOR TRAINING ONLY'."""
    clock: str
    """'running', 'paused', 'not started' or 'ENDEX'."""
    offset: str
    """Scenario time as '+01:20'."""
    rate: str
    """Clock rate as 'x2'."""
    world: str
    """In-world date and time."""
    world_short: str
    """In-world date and time without the year, for narrow terminals."""
    move: str
    """The open move, e.g. 'M2/4 Boats on the water'."""
    wall: str
    """Wall-clock time."""
    due: int = 0
    """How many injects are due now."""
    who: str = ""
    """Who is at this console when it is not the facilitator (evaluator mode)."""
    rfis: int = 0
    """Teams' questions no answer has been sent for (facilitator mode; `i` opens the inbox)."""


CLOCK_GLYPHS = {"running": "▶", "paused": "⏸", "not started": "■", "ENDEX": "■"}
"""A glyph per clock state, so the state reads from across the room."""

CLOCK_SHORT = {"running": "RUN", "paused": "PAUSED", "not started": "NOT STARTED", "ENDEX": "ENDEX"}
"""Clock state words for narrow terminals."""

NARROW = 110
"""Below this many columns the status line uses its short forms."""


class StatusBar(Static):
    """Exercise title and marking, the open move, the scenario clock and wall time."""

    def __init__(self, *, id: str | None = None) -> None:
        """Starts empty; the app pushes a view once the session is read."""
        super().__init__("", id=id)
        self.view: StatusView | None = None

    def show(self, view: StatusView) -> None:
        """Redraw only when something visible changed."""
        if view == self.view:
            return
        self.view = view
        self.set_class(view.clock == "paused", "-paused")
        self.set_class(view.clock in ("not started", "ENDEX"), "-stopped")
        self.update(self._render_view(view), layout=False)

    def on_resize(self) -> None:
        """Switch between the long and the short forms."""
        if self.view is not None:
            self.update(self._render_view(self.view), layout=False)

    def _render_view(self, view: StatusView) -> RenderableType:
        """Two rows, each its own grid: a long marking on the first must not narrow the clock and move on the second."""
        narrow = self.size.width < NARROW
        title = Text()
        if view.who:
            title.append(f" {view.who} ", style="reverse italic")
            title.append(" ")
        title.append(view.title, style="bold")
        top = _row(title, Text(f" {view.marking} ", style="reverse bold"))
        clock = Text()
        word = CLOCK_SHORT[view.clock] if narrow else view.clock.upper()
        clock.append(f"{CLOCK_GLYPHS.get(view.clock, '')} {word} ", style="bold")
        clock.append(f"{view.offset} ", style="bold")
        clock.append(f"{view.rate}  ")
        clock.append(view.world_short if narrow else view.world)
        clock.append("  " if narrow else "   ")
        clock.append(view.move, style="italic")
        right = Text("  ")  # never flush against a left part cut with an ellipsis
        if view.rfis:
            right.append(f" {view.rfis} RFI (i) ", style="bold reverse magenta")
            right.append("  ")
        if view.due:
            right.append(f" {view.due} DUE ", style="bold reverse")
            right.append("  ")
        right.append(view.wall)
        return Group(top, _row(clock, right))


def _row(left: Text, right: Text) -> Table:
    """One status row: the left part takes what the right part leaves, and is cut with an ellipsis."""
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(left, right)
    return grid
