"""The registry of console commands and the bindings derived from it.

Kept free of widgets so the help screen, the footer (through bindings) and
the palette all read the same rows.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum

from textual.binding import Binding


class Mode(str, Enum):
    """Who is at the keyboard: the control cell drives play, an evaluator watches and rates."""

    facilitator = "facilitator"
    evaluator = "evaluator"


BOTH = frozenset({Mode.facilitator, Mode.evaluator})
FACILITATOR = frozenset({Mode.facilitator})
EVALUATOR = frozenset({Mode.evaluator})


@dataclass(frozen=True)
class Command:
    """One thing the console can do, with the key that does it."""

    action: str
    """Name of the app action (`action_<name>` on the app) the command runs."""
    key: str
    """Textual key name of the binding, e.g. 'd', 'E', 'question_mark'."""
    title: str
    """Short label shown in the footer and the palette."""
    help: str
    """One line saying what the command does, for the help screen and palette."""
    group: str
    """Heading under which the help screen lists the command."""
    modes: frozenset[Mode] = BOTH
    """Modes in which the command is offered at all."""
    show: bool = True
    """Whether the footer shows the key (every command is in help and palette)."""
    key_display: str | None = None
    """How the key is printed when its Textual name is not readable."""
    play: bool = False
    """True for play control (injects, decisions, clock): hidden once the exercise has ended."""

    @property
    def typed(self) -> bool:
        """True when the key types a character ('d', 'E', '?'): such a key is text
        wherever text can be typed, and only a command on the console's own screens."""
        if len(self.key) == 1:
            return True
        try:
            unicodedata.lookup(self.key.replace("_", " ").upper())
        except KeyError:
            return False
        return True

    @property
    def shown_key(self) -> str:
        """The key as a person reads it."""
        return self.key_display or self.key


GROUPS = ("Injects", "Decisions", "Records", "Clock", "Session")
"""Help screen sections, in the order they are printed."""

COMMANDS: tuple[Command, ...] = (
    Command("help", "question_mark", "Help", "Show every key", "Session", key_display="?"),
    Command("start", "S", "STARTEX", "Start the exercise clock (STARTEX)", "Clock", FACILITATOR),
    Command("deliver", "d", "Deliver", "Deliver the selected inject (it asks first if it is not due yet or went out already)", "Injects", FACILITATOR, play=True),
    Command("decide", "r", "Decision", "Record a team's decision on the selected inject (after ENDEX too)", "Decisions", FACILITATOR),
    Command("confirm_submission", "y", "Confirm", "Confirm the team submission highlighted on the decisions board as the team's decision (enter there reads it in full first)", "Decisions", FACILITATOR),
    Command("submission_mode", "Y", "Confirm mode", "Switch team submissions between counting at once and waiting for your confirmation (it asks first)", "Decisions", FACILITATOR, show=False),
    Command("hold", "h", "Hold", "Hold the selected inject back until you deliver it", "Injects", FACILITATOR, play=True),
    Command("skip", "s", "Skip", "Skip the selected inject: it will not be played", "Injects", FACILITATOR, play=True),
    Command("note", "n", "Note", "Add a facilitator note (tied to the inject under the cursor unless you pick no inject in the form)", "Records", FACILITATOR),
    Command("pause", "p", "Pause", "Pause the scenario clock, or resume it", "Clock", FACILITATOR, play=True),
    Command("situation", "v", "Situation", "Read the open move's situation again, as it was read to the room", "Clock", show=False),
    Command("advance", "m", "Next move", "Close this move and open the next one", "Clock", FACILITATOR, play=True),
    Command("open_inject", "enter", "Read", "Read the selected inject in full, with every team's decision", "Injects", key_display="⏎"),
    Command("force_deliver", "D", "Deliver anyway", "Deliver the selected conditional inject although its condition does not hold", "Injects", FACILITATOR, play=True),
    Command("contingency", "c", "Contingency", "Pick a contingency inject and deliver it", "Injects", FACILITATOR, play=True),
    Command("adhoc", "a", "Ad hoc", "Write an unplanned inject and deliver it", "Injects", FACILITATOR, play=True),
    Command("rfi", "i", "RFIs", "Open the inbox of teams' questions (RFIs) and answer one", "Records", FACILITATOR, show=False),
    Command("ruling", "w", "Ruling", "Record a white-cell ruling", "Records", FACILITATOR),
    Command("observe", "o", "Observe", "Record an observation rated P/S/M/U against an objective", "Records"),
    Command("focus_log", "l", "Log", "Move to the log pane to pick a recorded event; enter shows it in full", "Records"),
    Command("correct", "x", "Correct", "Retract or replace the event picked in the log, with a reason", "Records", FACILITATOR),
    Command("rate", "t", "Rate", "Change the clock rate (scenario minutes per wall minute)", "Clock", FACILITATOR, play=True),
    Command("jump", "j", "Jump", "Jump the scenario clock to a time, e.g. +01:30", "Clock", FACILITATOR, play=True),
    Command("endex", "E", "ENDEX", "End the exercise (asks for confirmation)", "Session", FACILITATOR, play=True),
    Command("hotwash", "W", "Hot wash", "Capture strengths and areas for improvement per objective", "Session", FACILITATOR),
    Command("command_palette", "ctrl+p", "Find", "Find a command, an inject or a record by name", "Session", show=False, key_display="ctrl+p"),
    Command("quit", "q", "Quit", "Leave the console (it asks first); everything confirmed is already saved", "Session"),
)
"""Every command of the console; the footer shows them in this order, the help screen by group."""


def commands_for(mode: Mode) -> list[Command]:
    """The commands offered in this mode."""
    return [c for c in COMMANDS if mode in c.modes]


def command_for(action: str) -> Command | None:
    """The command that runs this action, if any."""
    return next((c for c in COMMANDS if c.action == action), None)


def bindings() -> list[Binding]:
    """Key bindings for the app, one per command (the palette key is Textual's own)."""
    return [
        Binding(
            c.key,
            c.action,
            c.title,
            show=c.show,
            key_display=c.key_display,
            tooltip=c.help,
        )
        for c in COMMANDS
        if c.action != "command_palette"
    ]


FOCUS_BINDINGS = [
    Binding("tab", "focus_next_now", show=False, priority=True),
    Binding("shift+tab", "focus_previous_now", show=False, priority=True),
]
"""Tab and shift+tab, at priority: the focus moves before the next key is handed out, so keys that
arrive in one burst after Tab (a laggy link, a fast typist) belong to the next field, not the one left.
They are how the focus moves, not commands, so the palette and the key bar do not list them."""
