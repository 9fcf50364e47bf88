"""The one screen of the team view: inbox and reading pane, situation, brief, decisions.

It draws a `TeamView` it is handed and reports which inject the reader opens;
it never reads the session itself.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TabbedContent, TabPane

from tabletop.need_to_know import TeamView
from tabletop.viewer.formatting import play_text, team_heading
from tabletop.viewer.messages import InjectOpened, MarkAllRead, NextUnread
from tabletop.viewer.widgets.inbox import Inbox
from tabletop.viewer.widgets.panes import BriefPane, DecisionsPane, InjectPane, SituationPane

TABS = ("injects", "situation", "brief", "decisions")
"""Ids of the tabs, in the order they are shown."""


class TeamScreen(Screen[None]):
    """What one team sees, read-only."""

    CSS_PATH = "team.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "tab('injects')", "Injects"),
        Binding("s", "tab('situation')", "Situation"),
        Binding("b", "tab('brief')", "Brief"),
        Binding("d", "tab('decisions')", "Decisions"),
        Binding("n", "next_unread", "Next unread"),
        Binding("r", "mark_all_read", "Mark all read"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._view: TeamView | None = None
        self._clock = ""

    def compose(self) -> ComposeResult:
        """Marking band, heading, the four tabs, the key bar."""
        yield Static(id="marking")
        yield Static(id="heading-title", classes="heading")
        yield Static(id="heading-play", classes="heading")
        with TabbedContent(initial="injects"):
            with TabPane("Injects", id="injects"):
                with Horizontal(id="inbox-row"):
                    inbox = Inbox(id="inbox")
                    inbox.border_title = "Received, newest first"
                    yield inbox
                    reading = VerticalScroll(InjectPane(id="inject"), classes="reading")
                    reading.border_title = "Inject"
                    yield reading
            with TabPane("Situation", id="situation"):
                yield VerticalScroll(SituationPane(id="situation-pane"), classes="page")
            with TabPane("Brief", id="brief"):
                yield VerticalScroll(BriefPane(id="brief-pane"), classes="page")
            with TabPane("Decisions", id="decisions"):
                yield VerticalScroll(DecisionsPane(id="decisions-pane"), classes="page")
        yield Footer()

    def on_mount(self) -> None:
        """The inbox has the keys from the start."""
        self.query_one(Inbox).focus()

    # Drawing

    def show(self, view: TeamView, unread: Collection[str]) -> None:
        """Draw the whole view; the reader keeps their place in the inbox."""
        self._view = view
        self.query_one("#marking", Static).update(Text(view.marking))
        self._draw_heading()
        inbox = self.query_one(Inbox)
        inbox.show(view.newest_first, unread, view.awaited)
        inbox.border_subtitle = f"{len(unread)} unread" if unread else ""
        self._draw_reading()
        self.query_one(SituationPane).show(view)
        self.query_one(BriefPane).show(view)
        self.query_one(DecisionsPane).show(view)

    def show_clock(self, clock: str) -> None:
        """Redraw the scenario clock in the heading."""
        if clock != self._clock:
            self._clock = clock
            self._draw_heading()

    def _draw_heading(self) -> None:
        view = self._view
        if view is None:
            return
        title = Text()
        title.append(team_heading(view), style="bold")
        title.append(" team view (read-only)  ", style="dim")
        title.append(view.exercise_title)
        play = Text()
        if self._clock:
            play.append(f"Scenario time {self._clock}  ", style="bold")
        play.append(play_text(view))
        self.query_one("#heading-title", Static).update(title)
        self.query_one("#heading-play", Static).update(play)

    def _draw_reading(self) -> None:
        view = self._view
        if view is None:
            return
        selected = self.query_one(Inbox).selected_inject
        inject = next((i for i in view.injects if i.inject == selected), None)
        self.query_one(InjectPane).show(view, inject)

    # Reader actions

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Open the highlighted inject and count it as read."""
        event.stop()
        self._draw_reading()
        if event.option.id is not None:
            self.post_message(InjectOpened(event.option.id))

    def action_tab(self, tab: str) -> None:
        """Switch to a tab by id."""
        target = self.query_one(Inbox) if tab == "injects" else self.query_one(f"#{tab} VerticalScroll")
        self.query_one(TabbedContent).active = tab
        target.focus()

    def action_next_unread(self) -> None:
        """Open the newest unread inject, if any."""
        self.post_message(NextUnread())

    def action_mark_all_read(self) -> None:
        """Count every inject received so far as read."""
        self.post_message(MarkAllRead())

    def open_inject(self, inject_id: str) -> None:
        """Show the inbox and highlight an inject."""
        self.action_tab("injects")
        self.query_one(Inbox).select_inject(inject_id)

