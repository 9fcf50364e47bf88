"""The key bar at the bottom of each screen: the keys it offers right now.

Textual's Footer builds one widget per key and rebuilds them all whenever
the bindings change (every focus change, every phase of play). This bar is
one line of text derived from the same active bindings, so the console
starts faster and a key press never pays for a footer rebuild. Each key's label is a
link: clicking it runs the same action as pressing the key.
"""

from __future__ import annotations

from textual.content import Content, Span
from textual.screen import Screen
from textual.widgets import Static

KEY_STYLE = "b $footer-key-foreground"
"""How a key reads in the bar: bold, in the colour of the theme's footer keys."""


class KeyBar(Static):
    """The enabled, shown bindings of the screen in binding order, the palette key after the first."""

    def on_mount(self) -> None:
        """Follow the screen's binding changes."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        """Stop following."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    _shown: tuple[tuple[tuple[str, str, str, str], ...], int] | None = None
    """The keys last drawn and the width they were fitted to; the bar is redrawn only when either changes."""

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys = self.keys(screen)
        width = self.size.width
        if (keys, width) != self._shown:
            self._shown = (keys, width)
            self.update(self.describe(keys, width), layout=False)

    def on_resize(self) -> None:
        """A narrower or wider terminal shows fewer or more keys, never half of one."""
        self._bindings_changed(self.screen)

    def keys(self, screen: Screen[object]) -> tuple[tuple[str, str, str, str], ...]:
        """(key, display, description, action to click) of each key to show, palette key second."""
        shown: list[tuple[str, str, str, str]] = []
        seen: set[str] = set()
        palette: tuple[str, str, str, str] | None = None
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if key == self.app.COMMAND_PALETTE_BINDING:
                palette = (key, self.app.get_key_display(binding), "Find", "")
                continue
            if not binding.show or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            if "." in binding.action:
                action = binding.action
            elif active.node is self.app:
                action = f"app.{binding.action}"
            elif active.node is screen:
                action = f"screen.{binding.action}"
            else:
                action = ""
            shown.append((key, self.app.get_key_display(binding), binding.description, action))
        if palette is not None:
            shown.insert(min(1, len(shown)), palette)
        return tuple(shown)

    @staticmethod
    def describe(keys: tuple[tuple[str, str, str, str], ...], width: int = 0) -> Content:
        """The keys as one line; each key is bold in the footer's key colour, each label links to its action.

        Built span by span, as the markup `[b $footer-key-foreground]KEY[/] [@click=ACTION]LABEL[/]`
        would be, without parsing markup: that parse was a visible part of the first frame. Given the
        bar's `width`, the keys that do not fit whole are left out and counted at the end, with the key
        that lists them all.
        """
        hidden = 0
        if width > 0:
            keys, hidden = _fitted(keys, width)
        text: list[str] = []
        spans: list[Span] = []
        position = 0
        for _key, display, description, action in keys:
            if text:
                text.append("  ")
                position += 2
            if display:
                spans.append(Span(position, position + len(display), KEY_STYLE))
            text.append(f"{display} ")
            position += len(display) + 1
            if action and description:
                spans.append(Span(position, position + len(description), f"@click={action}"))
            text.append(description)
            position += len(description)
        if hidden:
            more = MORE.format(hidden=hidden)
            at = more.index("?")
            spans.append(Span(position + at, position + at + 1, KEY_STYLE))
            text.append(more)
        return Content("".join(text), spans)


MORE = "  +{hidden} more: ?"
"""Ends a bar too narrow for every key: how many are left out, and the key (help) that lists them."""


def _shown_width(keys: tuple[tuple[str, str, str, str], ...]) -> int:
    return sum(len(display) + 1 + len(description) for _k, display, description, _a in keys) + 2 * max(len(keys) - 1, 0)


def _fitted(keys: tuple[tuple[str, str, str, str], ...], width: int) -> tuple[tuple[tuple[str, str, str, str], ...], int]:
    """The first keys that fit whole in `width` cells with the count of the rest after them."""
    if _shown_width(keys) <= width:
        return keys, 0
    for count in range(len(keys) - 1, 0, -1):
        kept = keys[:count]
        if _shown_width(kept) + len(MORE.format(hidden=len(keys) - count)) <= width:
            return kept, len(keys) - count
    return keys[:1], len(keys) - 1
