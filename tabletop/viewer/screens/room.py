"""The room screen in a terminal: the projector face, nothing to press but quit.

Everything drawn comes from `room_view` (the need-to-know rule for the room)
and `room_clock` (the engine's clock); user text goes in as Rich `Text`, never
as markup, so a bracket in an inject cannot restyle the wall.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Static

from tabletop.need_to_know import InjectSeen, RoomView
from tabletop.viewer.formatting import channel_text, in_world_text, reflow
from tabletop.wording import zone_text
from tabletop.viewer.presentation import header_lines, header_value
from tabletop.viewer.room import RoomClock, is_breaking


class RoomScreen(Screen[None]):
    """Clock band on top; the latest inject large on the left; the move and earlier injects on the right."""

    CSS_PATH = "room.tcss"

    def compose(self) -> ComposeResult:
        yield Static(id="marking")
        with Horizontal(id="clock-band"):
            yield Digits("--:--", id="time")
            with Vertical(id="clock-words"):
                yield Static(id="date")
                yield Static(id="clock-state")
        with Horizontal(id="room-body"):
            yield Static(id="latest")
            with Vertical(id="side"):
                yield Static(id="move")
                yield Static(id="earlier")

    def show_clock(self, clock: RoomClock) -> None:
        """Redraw the clock band (in-story time large, date, running or paused, countdown)."""
        self.query_one("#time", Digits).update(f"{clock.in_world:%H:%M}" if clock.in_world else "--:--")
        date = Text(f"{clock.in_world:%a %d %b %Y} {zone_text(clock.in_world)}" if clock.in_world
                    else "Waiting for STARTEX", style="bold")
        self.query_one("#date", Static).update(date)
        state = self.query_one("#clock-state", Static)
        state.update(Text.assemble((f" {clock.state_text} ", "bold"), f"  {clock.offset}  {clock.countdown}"))
        state.set_class(clock.started and not clock.ended and not clock.running, "paused")
        state.set_class(clock.started and not clock.ended and clock.running, "running")

    def show(self, view: RoomView, now: datetime) -> None:
        """Redraw the room's content from its view; `now` decides what is still breaking."""
        self.query_one("#marking", Static).update(Text(view.marking))
        latest_widget = self.query_one("#latest", Static)
        latest = view.newest_first[0] if view.injects else None
        breaking = latest is not None and is_breaking(latest, now)
        latest_widget.set_class(breaking, "breaking")
        if latest is None:
            latest_widget.update(
                Text("No inject has been delivered to every team yet." if view.started else "Waiting for STARTEX.")
            )
        else:
            latest_widget.update(inject_text(latest, breaking=breaking))
        move = view.current_move
        move_text = Text()
        if move is not None:
            move_text.append(f"MOVE {move.id}\n", style="bold")
            move_text.append(f"{move.title}\n\n", style="bold underline")
            move_text.append(reflow(move.situation))
        self.query_one("#move", Static).update(move_text)
        earlier = Text()
        older = view.newest_first[1:]
        if older:
            earlier.append("EARLIER\n", style="bold")
        for inject in older:
            earlier.append(f"{in_world_text(inject.in_world)[-9:]}  ", style="dim")
            earlier.append(f"{channel_text(inject.channel).upper()}  ", style="bold")
            earlier.append(inject.title + "\n", style="bold yellow" if is_breaking(inject, now) else "")
        self.query_one("#earlier", Static).update(earlier)


def inject_text(inject: InjectSeen, *, breaking: bool = False) -> Text:
    """The latest inject as the wall shows it, presented by its channel."""
    text = Text()
    if breaking:
        text.append(" BREAKING ", style="bold black on yellow")
        text.append("\n")
    text.append(f"{channel_text(inject.channel).upper()}", style="bold")
    text.append(f"  {in_world_text(inject.in_world)}  {inject.source}\n", style="dim")
    banner = header_value(inject, "classification")
    if banner:
        text.append(f" {banner} \n", style="bold white on dark_red")
    headline = header_value(inject, "headline")
    if inject.presentation == "news":
        text.append(f"{header_value(inject, 'outlet') or inject.source}\n", style="italic")
    text.append(f"{headline or inject.title}\n", style="bold")
    for label, value in header_lines(inject):
        if label in ("Classification", "Headline", "Outlet"):
            continue
        text.append(f"{label.upper():<12} ", style="bold")
        text.append(value + "\n")
    if inject.presentation == "call":
        text.append("TRANSCRIPT\n", style="dim")
    text.append("\n" + reflow(inject.body))
    return text
