"""Text the console prints for times, teams and ratings.

Pure functions over the exercise model and numbers the engine computed; no
rule of the exercise lives here, only how a value reads on screen. How a time,
a zone, a team and a rate read is `tabletop.wording`'s, shared with every face.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.cells import cell_len, set_cell_size

from tabletop import wording
from tabletop.model import Setting
from tabletop.wording import offset_text, rate_text, team_label, teams_text, wall_text

__all__ = ["in_world", "in_world_short", "in_world_text", "offset_text", "one_line", "rate_text",
           "scenario_zone", "team_label", "teams_text", "wall_text"]


def scenario_zone(setting: Setting) -> tzinfo | None:
    """The time zone the story is told in, falling back to the start's own offset."""
    try:
        return ZoneInfo(setting.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return setting.start.tzinfo


def in_world(setting: Setting, minute: float) -> datetime:
    """The in-world date and time at a scenario minute."""
    moment = setting.start + timedelta(minutes=minute)
    zone = scenario_zone(setting)
    return moment.astimezone(zone) if zone is not None else moment


def in_world_text(setting: Setting, minute: float) -> str:
    """In-world time at a scenario minute as the room says it: 'Sun 11 Apr 2027 07:20 KST'."""
    return wording.in_world_text(in_world(setting, minute))


def in_world_short(setting: Setting, minute: float) -> str:
    """In-world time without the year: 'Sun 11 Apr 07:20 KST'."""
    return wording.in_world_text(in_world(setting, minute), year=False)


def one_line(text: str, width: int = 0) -> str:
    """Text squeezed onto one line (and cut at width cells when width > 0)."""
    flat = " ".join(text.split())
    if width and cell_len(flat) > width:
        return set_cell_size(flat, max(0, width - 1)).rstrip() + "…"
    return flat
