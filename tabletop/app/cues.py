"""Cues: what the console announces on its own, once, as play moves (an inject falling due, a team's question).

Kept apart from the app so the rule of "announce once, count on the status line"
reads in one place; the app calls these on every refresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tabletop.app.commands import Mode
from tabletop.app.formatting import one_line, team_label
from tabletop.state import MselRow

if TYPE_CHECKING:
    from tabletop.engine import Session


class ConsoleCues:
    """Notices and the bell for what has just happened; mixed into the console app."""

    session: Session
    mode: Mode
    ring_bell: bool
    _due_seen: set[str] | None
    _rfis_seen: set[int] | None

    if TYPE_CHECKING:  # the App's own, which the console app supplies

        def notify(self, message: str, **options: object) -> None: ...

        def bell(self) -> None: ...

    def _cue_due(self, due: set[str], rows: list[MselRow]) -> None:
        """Notify and ring once for each inject that has just fallen due."""
        if self._due_seen is None:
            fresh = due
        else:
            fresh = due - self._due_seen
        self._due_seen = due
        if not fresh:
            return
        order = [r.inject for r in rows]
        fresh_ids = sorted(fresh, key=order.index)
        # the notice names what has just fallen due; when others were due already, it counts them all too
        in_all = f" ({len(due)} due in all)" if len(due) > len(fresh_ids) else ""
        if len(fresh_ids) == 1:
            title = next(r.title for r in rows if r.inject == fresh_ids[0])
            self.notify(f"{fresh_ids[0]}  {one_line(title, 60)}", title=f"Inject due{in_all}", severity="warning",
                        timeout=8, markup=False)
        else:
            self.notify(", ".join(fresh_ids), title=f"{len(fresh_ids)} more injects due{in_all}" if in_all
                        else f"{len(fresh_ids)} injects due", severity="warning", timeout=8, markup=False)
        if self.ring_bell:
            self.bell()

    def _cue_rfis(self) -> None:
        """Notify and ring once for each question a team has just sent (the facilitator answers with `i`).

        Questions already waiting when the console opens are counted on the status line, not announced.
        """
        if self.mode is not Mode.facilitator:
            return
        rfis = self.session.state.rfis
        seqs = {r.seq for r in rfis}
        if self._rfis_seen is None:
            self._rfis_seen = seqs
            return
        fresh = [r for r in rfis if r.seq not in self._rfis_seen]
        self._rfis_seen = seqs
        if not fresh:
            return
        exercise = self.session.exercise
        for rfi in fresh:
            about = f" on {rfi.inject}" if rfi.inject else ""
            self.notify(f"{one_line(rfi.text, 120)}\ni opens the inbox to answer it.",
                        title=f"Question from {team_label(exercise, rfi.team)}{about}", severity="warning",
                        timeout=10, markup=False)
        if self.ring_bell:
            self.bell()
