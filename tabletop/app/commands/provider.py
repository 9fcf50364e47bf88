"""Command palette providers: the commands of the registry, and every inject.

The palette is how a facilitator finds anything without remembering a key:
type "contin" for the contingency picker or "capsized" for the inject.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from tabletop.app.commands.registry import Command, commands_for
from tabletop.app.console import console


def _shown(matcher: Matcher, text: str) -> Text | Content:
    """The hit as displayed: matches highlighted, unless the text could be read as markup."""
    return Text(text) if "[" in text else matcher.highlight(text)


class CommandsProvider(Provider):
    """Offers every registry command available in the console's mode."""

    def _commands(self) -> list[Command]:
        app = console(self.app)
        return [
            c
            for c in commands_for(app.mode)
            if c.action != "command_palette" and app.check_action(c.action, ()) is not False
        ]

    def _run(self, command: Command) -> None:
        self.app.call_later(self.app.run_action, command.action)

    async def discover(self) -> Hits:
        """Every command, in registry order, before anything is typed."""
        for command in self._commands():
            yield DiscoveryHit(
                Text(f"{command.title}  [{command.shown_key}]"),
                partial(self._run, command),
                text=command.title,
                help=command.help,
            )

    async def search(self, query: str) -> Hits:
        """Commands whose title or help matches what was typed."""
        matcher = self.matcher(query)
        for command in self._commands():
            text = f"{command.title}  [{command.shown_key}]"
            score = max(matcher.match(command.title), matcher.match(command.help) * 0.5)
            if score > 0:
                yield Hit(
                    score,
                    _shown(matcher, text),
                    partial(self._run, command),
                    text=command.title,
                    help=command.help,
                )


class InjectsProvider(Provider):
    """Offers every inject, scheduled or contingency, by id and title."""

    def _rows(self) -> list[tuple[str, str, str]]:
        app = console(self.app)
        rows = []
        for inject in app.session.exercise.all_injects():
            where = app.inject_place(inject.id)
            rows.append((inject.id, f"{inject.id}  {inject.title}", escape(f"{where} · {inject.source}")))
        return rows

    def _open(self, inject_id: str) -> None:
        self.app.call_later(console(self.app).show_inject, inject_id)

    async def discover(self) -> Hits:
        """Every inject in MSEL order."""
        for inject_id, text, help_text in self._rows():
            yield DiscoveryHit(Text(text), partial(self._open, inject_id), text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        """Injects whose id, title or source matches what was typed."""
        matcher = self.matcher(query)
        for inject_id, text, help_text in self._rows():
            score = max(matcher.match(text), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(
                    score,
                    _shown(matcher, text),
                    partial(self._open, inject_id),
                    text=text,
                    help=help_text,
                )


class EventsProvider(Provider):
    """Offers the session's records (decisions, notes, rulings...) by their text, to correct them.

    The log pane keeps only the latest events; this is how an older record is
    found. Only records that can be corrected are offered, newest first.
    """

    def _rows(self) -> list[tuple[int, str]]:
        app = console(self.app)
        if app.check_action("correct", ()) is False:
            return []
        state = app.session.state
        return [(e.seq, f"#{e.seq} {state.summary(e, state.label)}") for e in reversed(state.events) if e.CORRECTABLE]

    def _open(self, seq: int) -> None:
        self.app.call_later(console(self.app).correct_event, seq)

    async def search(self, query: str) -> Hits:
        """Records whose line matches what was typed."""
        matcher = self.matcher(query)
        for seq, text in self._rows():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score * 0.8, _shown(matcher, text), partial(self._open, seq), text=text, help="Correct this record")
