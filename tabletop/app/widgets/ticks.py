"""A tick list that ticks the team the key was pressed on, however fast the keys come.

Textual's SelectionList toggles when its OptionSelected message is handled, and
then reads the highlight as it is by that time: in a burst (space, down, space
from a laggy link) both spaces toggled the second team, so the inject went to
nobody, or to the wrong teams. Here space toggles the highlighted team at once.
"""

from __future__ import annotations

from typing import TypeVar

from textual.widgets import SelectionList

T = TypeVar("T")


class TickList(SelectionList[T]):
    """A SelectionList whose space toggles the highlighted entry when pressed, not when its message is handled."""

    def action_select(self) -> None:
        """Toggle the highlighted entry now (a mouse click still goes through SelectionList's own handler)."""
        if self.highlighted is not None:
            self.toggle(self.get_option_at_index(self.highlighted))
