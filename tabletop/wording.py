"""How a time, a zone, a team and a clock rate read, on every face: console, team views, room, reports, CLI.

One module so that the facilitator, the teams and the report say the same thing
the same way. Zone names are shown only where nobody can misread them: Manila's
"PST" is Pacific time to an American and China's "CST" is US Central time, so
an abbreviation that tzdata gives to more than one offset, or a bare number
like "+08", reads as "UTC+8" instead.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from tabletop.model import Exercise, format_offset, known_zones


AMBIGUOUS_ABBREVIATIONS = frozenset({"CDT", "CST", "IST", "PST"})
"""Zone abbreviations the pinned tzdata gives to more than one UTC offset between 2020 and 2050
(CST: China and US Central; PST: Philippines and US Pacific; IST: India, Israel, Ireland; CDT:
Cuba and US Central). A constant, because scanning every zone costs the console's first screen
about 80 ms; `tests/test_wording.py` recomputes it from tzdata and fails if it drifts."""

AMBIGUITY_YEARS = range(2020, 2051)
"""The years the constant above was computed over: the years exercises are set in."""


def ambiguous_abbreviations(years: range = AMBIGUITY_YEARS) -> frozenset[str]:
    """The alphabetic zone abbreviations tzdata gives to more than one offset in `years`, in winter
    or in summer: what AMBIGUOUS_ABBREVIATIONS must equal."""
    seen: dict[str, set[timedelta]] = {}
    for year in years:
        for month in (1, 7):
            noon = datetime(year, month, 15, 12, tzinfo=timezone.utc)
            for name in known_zones():
                local = noon.astimezone(ZoneInfo(name))
                abbreviation, offset = local.tzname(), local.utcoffset()
                if abbreviation and abbreviation.isalpha() and offset is not None:
                    seen.setdefault(abbreviation, set()).add(offset)
    return frozenset(a for a, offsets in seen.items() if len(offsets) > 1)


def utc_offset_text(offset: timedelta) -> str:
    """'UTC+8', 'UTC+5:30', 'UTC-3', 'UTC'."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_text(moment: datetime) -> str:
    """The zone of an aware time as nobody can misread it: 'KST', 'JST', 'UTC', else 'UTC+8'."""
    offset = moment.utcoffset()
    if offset is None:
        return ""
    name = moment.tzname() or ""
    if name.isalpha() and name not in AMBIGUOUS_ABBREVIATIONS:
        return name
    return utc_offset_text(offset)


def zone_name_text(name: str) -> str:
    """An IANA zone name as a reader takes it: 'Asia/Seoul' as is, 'Etc/GMT-10' as 'UTC+10'.

    The Etc/GMT zones are named with the sign inverted (POSIX): printed raw, a
    room reads Etc/GMT-10 as ten hours behind Greenwich when it is ten ahead.
    """
    if name in ("UTC", "Etc/UTC", "Etc/GMT", "Etc/Zulu", "Etc/Universal", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0"):
        return "UTC"
    if name.startswith("Etc/GMT") and name[7:8] in "+-" and name[8:].isdigit():
        hours = int(name[8:])
        return f"UTC{'+' if name[7] == '-' else '-'}{hours}"
    return name


def in_world_text(moment: datetime | None, *, year: bool = True) -> str:
    """In-world time as the room says it: 'Sun 11 Apr 2027 07:20 KST' ('' when unknown)."""
    if moment is None:
        return ""
    shown = f"{moment:%a %d %b %Y %H:%M}" if year else f"{moment:%a %d %b %H:%M}"
    return f"{shown} {zone_text(moment)}".rstrip()


def wall_text(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """Wall-clock time in `zone` (the machine's when None): 'HH:MM:SS ZONE' ('' when unknown)."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local:%H:%M:%S} {zone_text(local)}".rstrip()


def offset_text(minute: float | None) -> str:
    """Scenario minute in the planner's notation, '+01:20' ('' when unknown)."""
    return format_offset(int(minute)) if minute is not None else ""


def rate_text(rate: float) -> str:
    """A clock rate without noise, as the log and the report write it: '1x', '2.5x', '0.5x'."""
    return f"{rate:g}x"


def noun(count: float, one: str, many: str | None = None) -> str:
    """The noun for `count` things: 'ruling' for one, 'rulings' otherwise (`many` for an irregular plural)."""
    return one if count == 1 else (many or one + "s")


def counted(count: int, one: str, many: str | None = None) -> str:
    """'1 ruling', '1,204 decisions': a count, grouped by thousands, with its noun in the right number."""
    return f"{count:,} {noun(count, one, many)}"


def minutes_text(minutes: float) -> str:
    """A wall-clock span: '45 min', '2 h 05 min'."""
    whole = int(round(minutes))
    return f"{whole // 60} h {whole % 60:02d} min" if whole >= 60 else f"{whole} min"


def clock_use_text(running: Iterable[tuple[float, float]], paused: float) -> str:
    """How the clock ran, as the report states it: '2 h 40 min at 10x, 30 min at 1x; paused 12 min'.
    A rate used for less than half a minute is left out."""
    parts = [f"{minutes_text(minutes)} at {rate_text(rate)}" for rate, minutes in running if minutes >= 0.5]
    text = ", ".join(parts) or "the clock never ran"
    return text + (f"; paused {minutes_text(paused)}" if paused >= 0.5 else "")


def team_label(exercise: Exercise, team_id: str) -> str:
    """Short label of a team ('PHL'); the id if the exercise does not know the team."""
    team = exercise.team(team_id)
    return team.label if team is not None else team_id


def team_labels(exercise: Exercise, team_ids: Iterable[str]) -> list[str]:
    """Short labels of several teams, in order."""
    return [team_label(exercise, t) for t in team_ids]


def teams_text(exercise: Exercise, team_ids: Iterable[str]) -> str:
    """Short labels of several teams on one line: 'US, JPN, ROK'."""
    return ", ".join(team_labels(exercise, team_ids))


LABELS: dict[str, str] = {
    "outlet": "Outlet", "headline": "Headline", "dateline": "Dateline", "byline": "Byline",
    "account": "Account", "handle": "Handle", "reposts": "Reposts", "likes": "Likes",
    "classification": "Classification", "from": "From", "to": "To", "cc": "Cc",
    "subject": "Subject", "reference": "Ref", "caller": "Caller", "callee": "Callee",
    "source": "Source", "reliability": "Source reliability", "credibility": "Information credibility",
    "issuer": "Issued by", "speaker": "Spokesperson", "embargo": "Release",
    "briefer": "Briefer", "audience": "Audience",
}
"""How each presentation field is labelled on every face."""

RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "cannot be judged"}
CREDIBILITY = {"1": "confirmed", "2": "probably true", "3": "possibly true",
               "4": "doubtful", "5": "improbable", "6": "cannot be judged"}
"""The Admiralty grades in words, printed beside the letter and digit."""


def presentation_lines(header: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """An inject's presentation fields (as `(field, text)` pairs) as (label, text), grades spelled
    out: the header of a cable, a call or an intelligence note on every face."""
    lines = []
    for name, value in header:
        if name == "reliability":
            value = f"{value} ({RELIABILITY.get(value, '')})"
        elif name == "credibility":
            value = f"{value} ({CREDIBILITY.get(value, '')})"
        elif name == "handle" and not value.startswith("@"):
            value = "@" + value
        lines.append((LABELS.get(name, name.capitalize()), value))
    return lines


HARD_WRAP = 40
"""Lines at least this long, followed by another line of the same paragraph, were wrapped by the planner's editor."""

_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Undo the planner's hard wrapping so the text fits any width.

    A YAML block keeps the line breaks of the editor; re-wrapped in a narrower
    pane they leave one-word lines. A paragraph whose lines (all but its last)
    are long is joined into one line; short lines (a cable's FROM/TO header), list
    items and indented lines are kept as written. Blank lines stay paragraph breaks.
    """
    paragraphs = re.split(r"\n[ \t]*\n", text.strip())
    out = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        soft = len(lines) > 1 and all(len(line.rstrip()) >= HARD_WRAP for line in lines[:-1])
        if soft and not any(_LIST_ITEM.match(line) or line[:1] in (" ", "\t") for line in lines):
            out.append(" ".join(line.strip() for line in lines))
        else:
            out.append(paragraph)
    return "\n\n".join(out)


def program() -> str:
    """The tool's command as the facilitator can type it in the shell it was started from.

    'tabletop' when that name finds the program that is running (an activated venv, pipx);
    otherwise the path it was started by, such as '.venv/bin/tabletop' after the README's
    install, where a bare 'tabletop' would be 'command not found'.
    """
    started = sys.argv[0] if sys.argv else ""
    if Path(started).name != "tabletop":
        return "tabletop"  # `python -m tabletop`, or the console run from a test
    found = shutil.which("tabletop")
    if found is not None and Path(found).resolve() == Path(started).resolve():
        return "tabletop"
    return shlex.quote(started)


def resume_command(path: Path) -> str:
    """The command that opens this session again, quoted for a shell: the CLI prints it, and the console's
    help and quit question name it."""
    return f"{program()} run --session {shlex.quote(str(path))}"


def evaluate_command(path: Path, evaluator: str) -> str:
    """The command that opens this session again for the same evaluator, quoted for a shell."""
    return f"{program()} evaluate {shlex.quote(str(path))} --evaluator {shlex.quote(evaluator)}"
