"""Text the console prints for times, teams and ratings.

Pure functions over the exercise model and numbers the engine computed; no
rule of the exercise lives here, only how a value reads on screen.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.cells import cell_len, set_cell_size

from tabletop.model import Exercise, Setting, format_offset


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
    """In-world time as the room says it: 'Sun 11 Apr 2027 07:20 KST'."""
    moment = in_world(setting, minute)
    zone = moment.strftime("%Z") or setting.timezone
    return f"{moment:%a %d %b %Y %H:%M} {zone}"


def in_world_short(setting: Setting, minute: float) -> str:
    """In-world time without the year: 'Sun 11 Apr 07:20 KST'."""
    moment = in_world(setting, minute)
    zone = moment.strftime("%Z") or setting.timezone
    return f"{moment:%a %d %b %H:%M} {zone}"


def offset_text(minute: float) -> str:
    """Scenario minute in the planner's notation, '+01:20'."""
    return format_offset(int(minute))


def rate_text(rate: float) -> str:
    """A clock rate without noise: 'x1', 'x2.5', 'x0.5'."""
    return f"x{rate:g}"


def wall_text(now: datetime, zone: tzinfo | None) -> str:
    """Wall-clock time in the room's zone (or the machine's), with its zone name."""
    local = now.astimezone(zone)
    name = local.strftime("%Z")
    return f"{local:%H:%M:%S} {name}".rstrip()


def team_label(exercise: Exercise, team_id: str) -> str:
    """Short label of a team for narrow columns; the id if the team is unknown."""
    team = exercise.team(team_id)
    return team.label if team is not None else team_id


def team_labels(exercise: Exercise, team_ids: list[str]) -> str:
    """Comma-separated short labels."""
    return ", ".join(team_label(exercise, t) for t in team_ids)


def one_line(text: str, width: int = 0) -> str:
    """Text squeezed onto one line (and cut at width cells when width > 0)."""
    flat = " ".join(text.split())
    if width and cell_len(flat) > width:
        return set_cell_size(flat, max(0, width - 1)).rstrip() + "…"
    return flat
