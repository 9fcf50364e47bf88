"""The help screen: every key of the console, from the command registry."""

from __future__ import annotations


from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tabletop.app.commands.registry import GROUPS, Mode, commands_for
from tabletop.app.console import console
from tabletop.wording import evaluate_command, resume_command

STATE_LEGEND = (
    ("upcoming", "scheduled for later"),
    ("DUE", "its time has come: deliver, hold or skip it"),
    ("delivered", "in the teams' hands"),
    ("held", "kept back until you deliver it"),
    ("skipped", "will not be played"),
    ("not live", "conditional: its condition does not hold (yet)"),
    ("not played", "its move has closed without it; d still delivers it late"),
)
"""How to read the state column of the MSEL."""


def help_table(mode: Mode) -> Table:
    """Keys grouped by purpose, as a Rich table."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    commands = commands_for(mode)
    for group in GROUPS:
        rows = [c for c in commands if c.group == group]
        if not rows:
            continue
        table.add_row("", Text(group, style="bold underline"), "")
        for command in rows:
            table.add_row(command.shown_key, command.title, command.help)
        table.add_row("", "", "")
    table.add_row("", Text("Moving around", style="bold underline"), "")
    table.add_row("tab", "Next pane", "MSEL, decisions board, log")
    table.add_row("↑ ↓", "Pick", "Move through the MSEL or the log")
    table.add_row("esc", "Back", "Close a form or the inject view (a form never saves on esc)")
    table.add_row("", "", "")
    table.add_row("", Text("MSEL states", style="bold underline"), "")
    for state, meaning in STATE_LEGEND:
        table.add_row("", state, meaning)
    return table


class HelpScreen(ModalScreen[None]):
    """Every key, grouped; shown over the console and closed with esc or ?."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        """A scrolling panel with the key table."""
        app = console(self.app)
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = "Keys" + (
                "" if app.mode is Mode.facilitator else f" · evaluator {app.author}"
            )
            panel.border_subtitle = "esc to close"
            again = (resume_command(app.session.path) if app.mode is Mode.facilitator
                     else evaluate_command(app.session.path, app.author))
            yield Static(
                Text.assemble("Everything you confirm is written to the session file at once:\n  ",
                              (str(app.session.path), "bold"),
                              "\nQuit whenever you like and come back with\n  ", (again, "bold")),
                id="help-intro",
            )
            yield Static(help_table(app.mode), id="help-keys")
