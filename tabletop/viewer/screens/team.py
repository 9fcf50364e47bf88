"""The main screen of the team view: inbox and reading pane, situation, brief, the team's own record.

It draws a `TeamView` it is handed, reports which inject the reader opens,
and opens the team's forms (decide, ask control, discussion, feedback) with
what they need from that view; it never reads or writes the session itself.
The action keys are offered only where the form has something to do and the
engine would take what it sends: `d` on an inject that puts a decision to this
team and is still open to its submissions (`TeamView.closed_on`), `w` while the
open move has questions, `f` after ENDEX, none of them on a session that could
only be opened read-only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TabbedContent, TabPane

from tabletop.events import FEEDBACK_QUESTIONS
from tabletop.need_to_know import InjectSeen, TeamView
from tabletop.viewer.formatting import play_text, team_heading
from tabletop.viewer.messages import InjectOpened, MarkAllRead, NextUnread
from tabletop.viewer.screens.forms import AskForm, DecisionForm, DiscussionForm, FeedbackForm
from tabletop.viewer.widgets.inbox import Inbox
from tabletop.viewer.widgets.panes import BriefPane, InjectPane, RecordPane, SituationPane, Submission

TABS = ("injects", "situation", "brief", "ours")
"""Ids of the tabs, in the order they are shown; each one's key is its first letter."""

ACTIONS = ("decide", "ask", "discuss", "feedback")
"""The actions that write to the session, each through a form."""


class TeamScreen(Screen[None]):
    """What one team sees, and the keys that open its forms."""

    CSS_PATH = "team.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "decide", "Decide"),
        Binding("a", "ask", "Ask control"),
        Binding("w", "discuss", "Discussion"),
        Binding("f", "feedback", "Feedback form"),
        Binding("i", "tab('injects')", "Injects", show=False),
        Binding("s", "tab('situation')", "Situation", show=False),
        Binding("b", "tab('brief')", "Brief", show=False),
        Binding("o", "tab('ours')", "Ours", show=False),
        Binding("n", "next_unread", "Next unread"),
        Binding("r", "mark_all_read", "Mark all read"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, *, readonly: str = "") -> None:
        """`readonly` says why the session could only be opened to read ('' when the team can act)."""
        super().__init__()
        self.readonly = readonly
        """Why the team's actions are unavailable, '' when they are available."""
        self._view: TeamView | None = None
        self._submissions: Mapping[str, Submission] = {}
        self._clock = ""

    def compose(self) -> ComposeResult:
        """Marking band, heading, the four tabs (each labelled with its key), the key bar."""
        yield Static(id="marking")
        yield Static(id="heading-title", classes="heading")
        yield Static(id="heading-play", classes="heading")
        if self.readonly:
            yield Static(
                Text(f"Read-only: {self.readonly}. Deciding, asking control, discussion answers and "
                     "feedback are unavailable here; tell the facilitator."),
                id="readonly-line",
            )
        with TabbedContent(initial="injects"):
            with TabPane("i Injects", id="injects"):
                with Horizontal(id="inbox-row"):
                    inbox = Inbox(id="inbox")
                    inbox.border_title = "Received, newest first"
                    yield inbox
                    reading = VerticalScroll(InjectPane(id="inject"), classes="reading")
                    reading.border_title = "Inject"
                    yield reading
            with TabPane("s Situation", id="situation"):
                yield VerticalScroll(SituationPane(id="situation-pane"), classes="page")
            with TabPane("b Brief", id="brief"):
                yield VerticalScroll(BriefPane(id="brief-pane"), classes="page")
            with TabPane("o Ours: decisions, questions, answers", id="ours"):
                yield VerticalScroll(RecordPane(id="ours-pane"), classes="page")
        yield Footer()

    def on_mount(self) -> None:
        """The inbox has the keys from the start."""
        self.query_one(Inbox).focus()

    # Drawing

    def show(
        self, view: TeamView, unread: Collection[str], submissions: Mapping[str, Submission] | None = None
    ) -> None:
        """Draw the whole view; the reader keeps their place in the inbox."""
        self._view = view
        self._submissions = submissions or {}
        self.query_one("#marking", Static).update(Text(view.marking))
        self._draw_heading()
        inbox = self.query_one(Inbox)
        inbox.show(view.newest_first, unread, view.awaited)
        inbox.border_subtitle = f"{len(unread)} unread" if unread else ""
        self._draw_reading()
        self.query_one(SituationPane).show(view)
        self.query_one(BriefPane).show(view)
        self.query_one(RecordPane).show(view, self._submissions)
        self.refresh_bindings()

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
        title.append(" team view (read-only)  " if self.readonly else " team view  ", style="dim")
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
        inject = self.highlighted
        submission = self._submissions.get(inject.inject) if inject is not None else None
        self.query_one(InjectPane).show(view, inject, submission, actions=not self.readonly)

    @property
    def highlighted(self) -> InjectSeen | None:
        """The inject highlighted in the inbox, if any."""
        if self._view is None:
            return None
        selected = self.query_one(Inbox).selected_inject
        return next((i for i in self._view.injects if i.inject == selected), None)

    # Reader actions

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Open the highlighted inject and count it as read."""
        event.stop()
        self._draw_reading()
        self.refresh_bindings()
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


    # The team's actions: each opens a form; the app records what the form sends

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer an action key only where its form has something to do, and never on a read-only file."""
        if action not in ACTIONS:
            return True
        view = self._view
        if self.readonly or view is None:
            return False
        if action == "decide":
            inject = self.highlighted
            return (inject is not None and inject.decision is not None and inject.decision.asked
                    and view.closed_on(inject.inject) is None)
        if action == "feedback":
            return view.ended
        if not view.started or view.ended:
            return False
        if action == "discuss":
            return view.open_discussion is not None and bool(view.open_discussion.questions)
        return True

    def action_decide(self) -> None:
        """Open the decision form on the highlighted inject."""
        inject = self.highlighted
        if self._view is None or inject is None or inject.decision is None:
            return
        submission = self._submissions.get(inject.inject, Submission())
        view = self._view
        latest = view.waiting_on(inject.inject) or view.decision_on(inject.inject)
        self.app.push_screen(DecisionForm(inject, latest, submission.text))

    def action_ask(self) -> None:
        """Open the form of a question to control (about no inject until the reader picks one)."""
        if self._view is None:
            return
        self.app.push_screen(AskForm(self._view.newest_first))

    def action_discuss(self) -> None:
        """Open the discussion form on the open move's questions."""
        if self._view is None or self._view.open_discussion is None:
            return
        self.app.push_screen(DiscussionForm(self._view.open_discussion, self._view.answers))

    def action_feedback(self) -> None:
        """Open the participant feedback form."""
        self.app.push_screen(FeedbackForm(FEEDBACK_QUESTIONS))
