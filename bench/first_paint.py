"""The console, exiting once its first screen is painted: what the first-screen figures time.

Kept in its own module so that the fresh interpreters of the cold figure and
the in-process figure run the very same class, imported at the point where
`tabletop run` imports the console.
"""

from __future__ import annotations

import time

from tabletop.app import ConsoleApp
from tabletop.app.widgets.msel import MselTable


class FirstPaint(ConsoleApp):
    """The console, exiting once its first screen, MSEL rows included, is painted."""

    rows = 0
    """MSEL rows on the screen when it exited (0: it never showed them)."""
    painted_wall = 0.0
    """`time.time()` when the first frame with the MSEL was on screen (comparable across processes)."""
    painted_perf = 0.0
    """`time.perf_counter()` at the same moment (for phases inside this process)."""

    def on_mount(self) -> None:
        """Check after each frame whether the MSEL is on screen (the app's own mount runs too)."""
        self.call_after_refresh(self.check)

    def check(self) -> None:
        """After a frame: if it showed the MSEL's rows, note the time and exit, as the baseline does."""
        tables = self.screen.query(MselTable)
        if tables and tables.first().row_count:
            self.rows = tables.first().row_count
            self.painted_wall, self.painted_perf = time.time(), time.perf_counter()
            self.exit()
        else:
            self.call_after_refresh(self.check)
