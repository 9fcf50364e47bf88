"""An MSEL spreadsheet (XLSX or CSV) back to an exercise: planners keep working in their sheets.

Headers are found by name, in any order, with the names planners use (HSEEP
practice, OpenAEV's import sheet, CMU SEI Blueprint's MSEL, our own export).
Every problem in the file is gathered and reported at once as
``FILE:SHEET!CELL: message``, sorted, with a did-you-mean where one helps; the
caller prints them and writes nothing. The result is an `Exercise` checked by
the loader's own reference rules, so what is written validates.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from tabletop import model as m
from tabletop.names import word_suggestion

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "number": ("no.", "no", "#", "msel #", "msel no", "msel number", "event #", "event no", "event number",
               "number", "serial", "ref #", "control number", "control #", "order"),
    "at": ("scenario time", "designated time", "time", "timing", "trigger time", "inject time", "offset",
           "exercise time", "h-hour", "relative time", "delivery time", "scheduled time", "timeline"),
    "story": ("story time", "in-story time", "scenario date/time", "date/time", "date time", "date",
              "story date/time", "world time", "date posted"),
    "move": ("move", "phase", "module", "stage", "objective phase"),
    "id": ("inject", "inject id", "inject #", "inject no", "id", "event id", "key"),
    "source": ("from", "from org", "source", "sender", "originator", "from organization"),
    "to": ("to", "to org", "recipient", "recipients", "teams", "team", "player", "players", "audience",
           "assigned to", "to organization"),
    "channel": ("channel", "method", "means of delivery", "delivery method", "method of delivery", "type",
                "inject type", "delivery mechanism", "medium"),
    "title": ("title", "event", "event title", "inject title", "name", "headline", "action to be taken"),
    "body": ("body", "description", "details", "detail", "event description", "content", "message",
             "inject text", "text", "inject description"),
    "expected": ("expected action", "expected actions", "expected player action", "expected player actions",
                 "expected response", "expectation", "expectations", "expected outcome",
                 "expectation description"),
    "questions": ("questions", "discussion questions", "question"),
    "decision": ("decision", "decision prompt"),
    "options": ("options", "decision options"),
    "condition": ("condition", "trigger", "if"),
    "objectives": ("objectives", "objective", "objective/capability", "capability", "capabilities",
                   "core capability", "objectives/capabilities", "exercise objective"),
    "notes": ("notes", "note", "controller notes", "remarks", "comments", "comment", "notes for control"),
    "status": ("status", "inject status", "planned", "done/to do"),
    "data": ("data",),
    "played": ("played", "delivered at (scenario)", "delivered at (utc)"),
}
"""Our field, then every header name that means it (compared without case, spacing or punctuation)."""

SECOND_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("summary", "subject"),
    "source": ("source name",),
    "channel": ("source type",),
}
"""Header names that give a field only where no column of `COLUMN_NAMES` does. Blueprint's gallery
cards carry Name and Summary, From Org and Source Name, Delivery Method and Source Type side by
side, and OpenAEV's sample sheet Action to be taken beside the Subject of its e-mails; the second
of each pair is then kept in the notes instead of clashing with the first."""

CHANNEL_SYNONYMS: dict[str, m.Channel] = {
    **{c.value.replace("_", ""): c for c in m.Channel},
    "mail": m.Channel.email, "e-mail": m.Channel.email, "emailmessage": m.Channel.email,
    "phone": m.Channel.phone_call, "telephone": m.Channel.phone_call, "call": m.Channel.phone_call,
    "phonecall": m.Channel.phone_call, "voice": m.Channel.phone_call,
    "press": m.Channel.news, "pressrelease": m.Channel.news, "newsflash": m.Channel.news,
    "newsreport": m.Channel.news, "media": m.Channel.news, "tv": m.Channel.video, "television": m.Channel.video,
    "videoclip": m.Channel.video, "social": m.Channel.social_media, "socialmedia": m.Channel.social_media,
    "twitter": m.Channel.social_media, "tweet": m.Channel.social_media, "post": m.Channel.social_media,
    "diplomaticcable": m.Channel.cable, "telegram": m.Channel.cable,
    "sitrep": m.Channel.briefing, "situationreport": m.Channel.briefing, "brief": m.Channel.briefing,
    "reporting": m.Channel.briefing,
    "intel": m.Channel.intelligence, "intelreport": m.Channel.intelligence, "intsum": m.Channel.intelligence,
    "memo": m.Channel.letter, "memorandum": m.Channel.letter, "fax": m.Channel.letter,
    "sms": m.Channel.message, "text": m.Channel.message, "textmessage": m.Channel.message,
    "chat": m.Channel.message, "ovh": m.Channel.message, "manual": m.Channel.message,
    "inperson": m.Channel.meeting, "facetoface": m.Channel.meeting, "conference": m.Channel.meeting,
    "vtc": m.Channel.video, "videoconference": m.Channel.video, "hf": m.Channel.radio, "vhf": m.Channel.radio,
}
"""Channel names planners write, squeezed to letters, to ours."""

_DHM_RE = re.compile(r"^\s*(?:[DJHTM]\s*[+-]\s*\d+\s*)+$", re.I)
"""Relative times in OpenAEV's symbols: `D+1 H+2 M+30`; J is a day and T an hour, as in French."""
_DHM_PART = re.compile(r"([DJHTM])\s*([+-])\s*(\d+)", re.I)
_DHM_MINUTES = {"d": 1440, "j": 1440, "h": 60, "t": 60, "m": 1}
_HHMM_RE = re.compile(r"^\s*\+?\s*(?:(\d+)\s*d\s*)?(\d{1,3}):([0-5]\d)(?::[0-5]\d)?\s*$", re.I)
_EXPECTED_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*:\s?", re.M)
_OPTION_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*\((\w+)\)\s*:\s*(.*)$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the sheet, at a cell (row 0 and column 0 mean the whole sheet or row)."""

    file: str
    sheet: str
    row: int
    column: int
    message: str = field(compare=True)
    severity: str = "error"

    def format(self) -> str:
        """`FILE:SHEET!CELL: message`, the form every line of the report takes."""
        from openpyxl.utils import get_column_letter

        where = self.sheet
        if self.row:
            where += f"!{get_column_letter(self.column) if self.column else ''}{self.row}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{where}: {prefix}{self.message}"


class MselError(Exception):
    """A sheet that cannot be imported; carries every problem found, sorted."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(p.format() for p in self.problems))


@dataclass
class Table:
    """One sheet as read: its name and rows of cell values (str, numbers, datetimes or None)."""

    name: str
    rows: list[list[Any]]


def squeeze(text: str) -> str:
    """A header or name with case, spacing and punctuation removed, for matching."""
    return re.sub(r"[^a-z0-9#+]", "", text.lower())


_HEADER_INDEX = {squeeze(name): key for key, names in COLUMN_NAMES.items() for name in names}
_SECOND_INDEX = {squeeze(name): key for key, names in SECOND_NAMES.items() for name in names}


def read_tables(path: Path) -> list[Table]:
    """Every sheet of an XLSX, or the one table of a CSV; OSError or ValueError when unreadable."""
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        return [Table("MSEL", [list(r) for r in csv.reader(io.StringIO(text, newline=""))])]
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValueError(f"not a readable XLSX workbook ({type(error).__name__}: {error})") from None
    try:
        return [Table(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in book.worksheets]
    finally:
        book.close()


@dataclass
class Reader:
    """The state of one import: where problems go and what the exercise already knows."""

    file: str
    csv: bool
    problems: list[Problem] = field(default_factory=list)

    warnings: list[Problem] = field(default_factory=list)

    def problem(self, sheet: str, row: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.file, sheet, row, column, message))

    def warning(self, sheet: str, row: int, column: int, message: str) -> None:
        self.warnings.append(Problem(self.file, sheet, row, column, message, "warning"))

    def fail(self) -> MselError:
        """Every error found, with the warnings among them in cell order."""
        return MselError(self.problems + self.warnings)

    def text(self, value: Any) -> str:
        """A cell as text; a CSV cell's defusing apostrophe (see the export) is taken off."""
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        text = str(value)
        if self.csv and text.startswith("'") and text[1:].startswith(_FORMULA_START):
            return text[1:]
        return text


def parse_time(value: Any, start: datetime | None, zone: str | None) -> int:
    """Minutes after STARTEX from `+HH:MM`, minutes, `D+1 H+2 M+30` or a date-time; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a scenario time")
    if isinstance(value, (int, float)):
        if value < 0 or not float(value).is_integer():
            raise ValueError(f"{value!r} is not a whole number of minutes after STARTEX")
        return int(value)
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    if isinstance(value, datetime):
        return _from_datetime(value, start, zone)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _HHMM_RE.match(text)
    if match:
        return int(match[1] or 0) * 1440 + int(match[2]) * 60 + int(match[3])
    if _DHM_RE.match(text):
        minutes = sum((-1 if sign == "-" else 1) * int(n) * _DHM_MINUTES[unit.lower()]
                      for unit, sign, n in _DHM_PART.findall(text))
        if minutes < 0:
            raise ValueError(f"{text!r} is {-minutes} minute(s) before STARTEX; an inject is delivered at "
                             "STARTEX or later (move what comes before it to the read-ahead or the first inject)")
        return minutes
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a scenario time; write '+HH:MM', minutes, 'D+1 H+2 M+30' or a date-time"
        ) from None
    return _from_datetime(when, start, zone)


def _from_datetime(when: datetime, start: datetime | None, zone: str | None) -> int:
    if start is None:
        raise ValueError("a date-time needs the exercise's start; give --start or import --into an exercise")
    if when.tzinfo is None:
        try:
            when = when.replace(tzinfo=ZoneInfo(zone)) if zone else when.replace(tzinfo=start.tzinfo)
        except (ZoneInfoNotFoundError, ValueError):
            when = when.replace(tzinfo=start.tzinfo)
    minutes = (when - start).total_seconds() / 60
    if minutes < 0:
        raise ValueError(f"{when.isoformat()} is before STARTEX ({start.isoformat()})")
    return int(minutes)


def parse_channel(text: str) -> m.Channel | None:
    """Our channel for a planner's word (`e-mail`, `press release`, `SITREP`...), or None."""
    return CHANNEL_SYNONYMS.get(squeeze(text).replace("#", "").replace("+", ""))


@dataclass
class Mapping:
    """Which column of a sheet holds which field, and the columns nobody claimed."""

    columns: dict[str, int]
    unknown: dict[int, str]


def map_header(reader: Reader, table: Table, header_row: int = 0) -> Mapping:
    """Fields by header name; a header named twice and an unknown header are problems. A second
    name of a field (`SECOND_NAMES`) gives it only when no first name does; otherwise its column
    is kept in the notes, with a warning that says which column gave the field."""
    columns: dict[str, int] = {}
    unknown: dict[int, str] = {}
    second: list[tuple[int, str, str]] = []
    header = table.rows[header_row] if table.rows else []
    for col, cell in enumerate(header):
        name = reader.text(cell).strip()
        if not name:
            continue
        key = _HEADER_INDEX.get(squeeze(name))
        if key is None and squeeze(name) in _SECOND_INDEX:
            second.append((col, _SECOND_INDEX[squeeze(name)], name))
        elif key is None:
            unknown[col] = name
        elif key in columns and key not in ("played", "status"):
            reader.problem(table.name, header_row + 1, col + 1, f"column '{name}' repeats the column of "
                           f"{_column_letter(columns[key])}1; keep one of them")
        else:
            columns.setdefault(key, col)
    for col, key, name in second:
        if key in columns:
            reader.warning(table.name, header_row + 1, col + 1, f"column '{name}' is kept in each inject's "
                           f"notes: the {key} is read from column {_column_letter(columns[key])}")
            unknown[col] = name
        else:
            columns[key] = col
    return Mapping(columns, unknown)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@dataclass
class Context:
    """What rows are resolved against: the exercise's teams, objectives, moves and clock."""

    teams: list[m.Team]
    objectives: list[m.Objective]
    moves: list[str]
    start: datetime | None
    zone: str | None
    learn_teams: bool
    learn_objectives: bool


def _team_index(teams: list[m.Team]) -> dict[str, str]:
    index: dict[str, str] = {}
    for t in teams:
        for name in (t.id, t.name, t.label, t.short or ""):
            if name:
                index.setdefault(name.lower(), t.id)
    return index


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text.strip()).strip("-.").lower()
    return slug[:64] or "team"


def resolve_teams(reader: Reader, ctx: Context, sheet: str, row: int, col: int, text: str) -> list[str] | str:
    """Team ids of a To cell (comma, semicolon, slash or line separated); 'all' stays 'all'."""
    if text.strip().lower() in ("all", "all teams", "everyone", "all players"):
        return m.ALL
    out: list[str] = []
    for part in re.split(r"[,;/\n]+", text):
        name = part.strip()
        if not name:
            continue
        team_id = _team_index(ctx.teams).get(name.lower())
        if team_id is None and ctx.learn_teams:
            team_id = _slug(name)
            ctx.teams.append(m.Team(id=team_id, name=name))
        if team_id is None:
            choices = [t.name for t in ctx.teams] + [t.id for t in ctx.teams]
            reader.problem(sheet, row, col, f"unknown team '{name}'{word_suggestion(name, choices)}")
            continue
        if team_id not in out:
            out.append(team_id)
    return out


def resolve_objectives(reader: Reader, ctx: Context, sheet: str, row: int, col: int, text: str) -> list[str]:
    """Objective ids of a cell: by id, by id with its capability in brackets, or by capability or text."""
    out: list[str] = []
    parts = text.split("\n") if "\n" in text or "(" in text else re.split(r"[,;]+", text)
    for part in parts:
        name = part.strip()
        if not name:
            continue
        bare = re.sub(r"\s*\(.*\)\s*$", "", name)
        found = next((o.id for o in ctx.objectives if o.id.lower() in (name.lower(), bare.lower())), None)
        found = found or next((o.id for o in ctx.objectives
                               if (o.capability or "").lower() == name.lower() or o.text.lower() == name.lower()), None)
        if found is None and ctx.learn_objectives:
            found = f"OBJ-{len(ctx.objectives) + 1}"
            ctx.objectives.append(m.Objective(id=found, text=name))
        if found is None:
            choices = [o.id for o in ctx.objectives] + [o.capability for o in ctx.objectives if o.capability]
            reader.problem(sheet, row, col, f"unknown objective '{name}'{word_suggestion(bare, choices)}")
            continue
        if found not in out:
            out.append(found)
    return out


def parse_expected(text: str, known: list[str]) -> dict[str, str]:
    """`team: text` entries, one per line; text may run on over lines until the next known team."""
    wanted = {k.lower(): k for k in known}
    entries: dict[str, str] = {}
    current: str | None = None
    buffer: list[str] = []
    for line in text.split("\n"):
        match = _EXPECTED_RE.match(line)
        key = wanted.get(match[1].lower()) if match else None
        if match and (key is not None or not known):
            if current is not None:
                entries[current] = "\n".join(buffer)
            current = key or match[1]
            buffer = [line[match.end():]]
        elif current is not None:
            buffer.append(line)
        elif line.strip():
            current = "all"
            buffer = [line]
    if current is not None:
        entries[current] = "\n".join(buffer)
    # the export joins entries with one newline: a text's own final newline leaves an empty line before the next
    return entries




def _section_heading(reader: Reader, raw: list[Any], title_col: int) -> bool:
    """A row with a title and no other cell: the section rows planners put between phases
    ("Facilitator / Run the exercise" in OpenAEV's sample sheet)."""
    filled = [c for c, v in enumerate(raw) if reader.text(v).strip()]
    return filled == [title_col]


def read_injects(reader: Reader, table: Table, ctx: Context) -> list[tuple[str | None, m.Inject]]:
    """Each row that has anything in it, as (move id or None for a contingency, inject)."""
    mapping = map_header(reader, table)
    cols = mapping.columns
    for needed in ("title", "to"):
        if needed not in cols:
            names = ", ".join(repr(n) for n in COLUMN_NAMES[needed][:4])
            reader.problem(table.name, 1, 0, f"no {needed} column; name one of {names}")
    for col, name in mapping.unknown.items():
        if squeeze(name) in _SECOND_INDEX:
            continue  # warned about by map_header, with the column that gave its field
        reader.warning(table.name, 1, col + 1, f"unknown column '{name}' is kept in each inject's notes"
                       f"{word_suggestion(name, [n for names in COLUMN_NAMES.values() for n in names])}")
    if "title" not in cols or "to" not in cols:
        return []
    out: list[tuple[str | None, m.Inject]] = []
    seen: dict[str, int] = {}
    for r, raw in enumerate(table.rows[1:], start=2):
        if not any(reader.text(v).strip() for v in raw):
            continue
        cell = {key: (raw[c] if c < len(raw) else None) for key, c in cols.items()}
        text = {key: reader.text(v) for key, v in cell.items()}
        if _section_heading(reader, raw, cols["title"]):
            reader.warning(table.name, r, cols["title"] + 1, f"'{text['title'].strip()}' has nothing "
                           "but a title: read as a section heading, not an inject")
            continue
        before = len(reader.problems)

        def at_col(key: str) -> int:
            return cols[key] + 1

        number = text.get("number", "").strip()
        inject_id = text.get("id", "").strip() or (number if number and not number.isdigit() else f"INJ-{number or r - 1}")
        if not re.match(m.ID_PATTERN, inject_id) or len(inject_id) > 64:
            reader.problem(table.name, r, at_col("id") if "id" in cols else 1,
                           f"'{inject_id}' is not an id; use letters, digits, '-', '_' or '.'")
        elif inject_id in seen:
            reader.problem(table.name, r, at_col("id"), f"inject '{inject_id}' is already on row {seen[inject_id]}")
        seen.setdefault(inject_id, r)
        move_text = text.get("move", "").strip()
        move: str | None = move_text or (ctx.moves[0] if ctx.moves else "M1")
        if move_text.lower() in ("contingency", "contingencies", "reserve"):
            move = None
        elif move_text and move_text not in ctx.moves:
            if ctx.learn_teams:
                ctx.moves.append(move_text)
            else:
                reader.problem(table.name, r, at_col("move"), f"unknown move '{move_text}'{word_suggestion(move_text, ctx.moves)}")
        at: int | None = None
        for key in ("at", "story"):
            value = cell.get(key)
            if value is None or not reader.text(value).strip():
                continue
            try:
                at = parse_time(value, ctx.start, ctx.zone)
            except ValueError as error:
                reader.problem(table.name, r, at_col(key), str(error))
            break
        if at is None and move is not None and len(reader.problems) == before:
            reader.problem(table.name, r, at_col("at") if "at" in cols else 0,
                           "a scheduled inject needs a scenario time; write it, or put 'contingency' in Move")
        channel = m.Channel.message
        if text.get("channel", "").strip():
            found = parse_channel(text["channel"])
            if found is None:
                choices = [c.value for c in m.Channel] + sorted(k for k in CHANNEL_SYNONYMS if len(k) > 3)
                reader.problem(table.name, r, at_col("channel"),
                               f"unknown channel '{text['channel'].strip()}'{word_suggestion(squeeze(text['channel']), choices)}")
            else:
                channel = found
        to = resolve_teams(reader, ctx, table.name, r, at_col("to"), text["to"]) if text["to"].strip() else []
        if not text["to"].strip():
            reader.problem(table.name, r, at_col("to"), "no recipient team; write team names or 'all'")
        title = text["title"] if text["title"].strip() else ""
        if not title:
            reader.problem(table.name, r, at_col("title"), "the inject has no title")
        objectives = (resolve_objectives(reader, ctx, table.name, r, at_col("objectives"), text["objectives"])
                      if text.get("objectives", "").strip() else [])
        known_teams = [t.id for t in ctx.teams]
        expected = parse_expected(text.get("expected", ""), known_teams) if text.get("expected", "").strip() else {}
        for team in expected:
            if team not in known_teams and team != "all":
                reader.problem(table.name, r, at_col("expected"), f"expected action for unknown team '{team}'"
                               f"{word_suggestion(team, known_teams)}")
        if "all" in expected and to and to != m.ALL:
            expected = {to[0] if len(to) == 1 else "all": expected.pop("all"), **expected}
        data: dict[str, Any] = {}
        if text.get("data", "").strip():
            try:
                data = json.loads(text["data"])
                if not isinstance(data, dict):
                    raise ValueError
            except ValueError:
                reader.problem(table.name, r, at_col("data"), "the Data cell is not the JSON the export writes")
                data = {}
        decision: Any = data.get("decision")
        if decision is None and text.get("decision", "").strip():
            decision = {"prompt": text["decision"].strip(), "options": []}
            for line in text.get("options", "").split("\n"):
                if not line.strip():
                    continue
                match = _OPTION_RE.match(line)
                if match is None:
                    reader.problem(table.name, r, at_col("options"),
                                   f"option '{line.strip()}' is not written 'id (posture): label'")
                    continue
                posture = match[2].lower()
                if posture not in {p.value for p in m.Posture}:
                    reader.problem(table.name, r, at_col("options"), f"unknown posture '{match[2]}'"
                                   f"{word_suggestion(posture, [p.value for p in m.Posture])}")
                    continue
                decision["options"].append({"id": match[1], "label": match[3].strip(), "posture": posture})
        condition = data.get("condition")
        if condition is None and text.get("condition", "").strip():
            reader.problem(table.name, r, at_col("condition"),
                           "a condition in words cannot be read back; keep the Data column the export writes")
        notes = text.get("notes", "")
        extra = [f"{name}: {reader.text(raw[c])}" for c, name in mapping.unknown.items()
                 if c < len(raw) and reader.text(raw[c]).strip()]
        if extra:
            notes = "\n".join(([notes.rstrip("\n")] if notes.strip() else []) + extra)
        if len(reader.problems) != before:
            continue
        fields: dict[str, Any] = {
            "id": inject_id, "at": at, "title": title, "body": text["body"] if "body" in cols else title,
            "source": text["source"] if text.get("source", "").strip() else "Exercise Control",
            "to": to, "channel": channel,
            "expected": data.get("expected", expected),
            "questions": data.get("questions", [q for q in text.get("questions", "").split("\n") if q.strip()]),
            "objectives": objectives, "notes": notes or None, "decision": decision, "condition": condition,
            "attachments": data.get("attachments", []),
            **{block: data[block] for block in m.PRESENTATIONS if block in data},
        }
        try:
            inject = m.Inject.model_validate(fields)
        except ValidationError as error:
            for e in error.errors():
                key = next((str(p) for p in e["loc"] if isinstance(p, str) and p in cols), None)
                key = key or {"decision": "options" if "options" in cols else "decision"}.get(str(e["loc"][0]))
                where = cols.get(key or "", cols.get("data", 0)) + 1
                loc = ".".join(str(p) for p in e["loc"])
                reader.problem(table.name, r, where, f"{loc}: {e['msg']}")
            continue
        out.append((move, inject))
    return out


def _sheet(tables: list[Table], name: str) -> Table | None:
    return next((t for t in tables if t.name.strip().lower() == name.lower()), None)


def _records(reader: Reader, table: Table, names: dict[str, tuple[str, ...]]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a side sheet (Teams, Objectives, Moves) as field -> text, with their row numbers."""
    header = [squeeze(reader.text(c)) for c in (table.rows[0] if table.rows else [])]
    index = {squeeze(n): key for key, ns in names.items() for n in ns}
    cols = {index[h]: c for c, h in enumerate(header) if h in index}
    out = []
    for r, raw in enumerate(table.rows[1:], start=2):
        if not any(reader.text(v).strip() for v in raw):
            continue
        out.append((r, {key: reader.text(raw[c]) if c < len(raw) else "" for key, c in cols.items()}))
    return out


def _validated(reader: Reader, table: Table, row: int, cls: type[m.StrictModel], data: dict[str, Any]) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as error:
        for e in error.errors():
            reader.problem(table.name, row, 0, f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}")
        return None


def _side_sheets(reader: Reader, tables: list[Table]) -> tuple[dict[str, Any], list[m.Team], list[m.Objective], list[dict[str, Any]]]:
    """What the export's Exercise, Teams, Objectives and Moves sheets hold (empty when absent)."""
    meta: dict[str, Any] = {}
    teams: list[m.Team] = []
    objectives: list[m.Objective] = []
    moves: list[dict[str, Any]] = []
    table = _sheet(tables, "Exercise")
    if table is not None:
        for raw in table.rows[1:]:
            if raw and reader.text(raw[0]).strip():
                meta[reader.text(raw[0]).strip().lower().replace(" ", "_")] = reader.text(raw[1]) if len(raw) > 1 else ""
    table = _sheet(tables, "Teams")
    if table is not None:
        names = {"id": ("id",), "name": ("name",), "kind": ("kind",), "short": ("short",),
                 "members": ("members",), "brief": ("brief",), "brief_attachments": ("brief attachments",)}
        for r, rec in _records(reader, table, names):
            data: dict[str, Any] = {k: v for k, v in rec.items() if v != ""}
            data["members"] = [x for x in rec.get("members", "").split("\n") if x.strip()]
            data["brief_attachments"] = attachments_from_cell(rec.get("brief_attachments", ""))
            team = _validated(reader, table, r, m.Team, data)
            if team is not None:
                teams.append(team)
    table = _sheet(tables, "Objectives")
    if table is not None:
        names = {"id": ("id",), "text": ("objective", "text"), "capability": ("capability",),
                 "critical_tasks": ("critical tasks",), "look_for": ("look for",)}
        for r, rec in _records(reader, table, names):
            data = {k: v for k, v in rec.items() if v != "" and k not in ("critical_tasks", "look_for")}
            criteria = {k: _lines(rec.get(k, "")) for k in ("critical_tasks", "look_for")}
            if any(criteria.values()):
                data["criteria"] = criteria
            objective = _validated(reader, table, r, m.Objective, data)
            if objective is not None:
                objectives.append(objective)
    table = _sheet(tables, "Moves")
    if table is not None:
        names = {"id": ("id",), "title": ("title",), "starts_at": ("starts at",), "situation": ("situation",),
                 "questions": ("questions",), "attachments": ("attachments",)}
        for r, rec in _records(reader, table, names):
            questions: dict[str, list[str]] = {}
            for line in rec.get("questions", "").split("\n"):
                key, sep, question = line.partition(": ")
                if sep:
                    questions.setdefault(key.strip(), []).append(question)
                elif line.strip():
                    reader.problem(table.name, r, 5, f"question '{line.strip()}' is not written 'team: question'")
            moves.append({"id": rec.get("id", ""), "title": rec.get("title", ""),
                          "starts_at": rec.get("starts_at") or None, "situation": rec.get("situation", ""),
                          "questions": questions, "attachments": attachments_from_cell(rec.get("attachments", "")),
                          "_row": r})
    by_move = {mv["id"]: mv for mv in moves}
    table = _sheet(tables, "Situation variants")
    if table is not None:
        names = {"move": ("move",), "text": ("text",), "data": ("data",), "when": ("when",)}
        for r, rec in _records(reader, table, names):
            move = by_move.get(rec.get("move", ""))
            if move is None:
                reader.problem(table.name, r, 1, f"situation variant of unknown move '{rec.get('move', '')}'"
                               f"{word_suggestion(rec.get('move', ''), list(by_move))}")
                continue
            try:
                when = json.loads(rec.get("data", ""))
            except ValueError:
                reader.problem(table.name, r, 5, "a condition in words cannot be read back; keep the Data column "
                               "the export writes")
                continue
            move.setdefault("situation_variants", []).append({"when": when, "text": rec.get("text", "")})
    table = _sheet(tables, "Agenda")
    if table is not None:
        names = {"title": ("title",), "kind": ("kind",), "minutes": ("minutes",), "move": ("move",),
                 "script": ("script",)}
        items = [{k: v for k, v in rec.items() if v != ""} for _, rec in _records(reader, table, names)]
        agenda: dict[str, Any] = {"items": items}
        if meta.get("agenda_start"):
            agenda["start"] = meta["agenda_start"]
        meta["agenda"] = agenda
    table = _sheet(tables, "Glossary")
    if table is not None:
        meta["glossary"] = [rec for _, rec in _records(reader, table, {"term": ("term",), "meaning": ("meaning",)})]
    table = _sheet(tables, "References")
    if table is not None:
        names = {"title": ("title",), "url": ("url",), "note": ("note",)}
        meta["references"] = [{k: v for k, v in rec.items() if v != ""} for _, rec in _records(reader, table, names)]
    return meta, teams, objectives, moves


def attachments_from_cell(text: str) -> list[dict[str, str]]:
    """The attachments of a cell written by `attachments_cell`: 'file: caption' per line."""
    out = []
    for line in text.split("\n"):
        file, sep, caption = line.partition(":")
        if file.strip():
            out.append({"file": file.strip(), **({"caption": caption.strip()} if sep and caption.strip() else {})})
    return out


def _lines(text: str) -> list[str]:
    """A cell of one item per line."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def import_msel(path: Path, *, into: m.Exercise | None = None, start: datetime | None = None,
                zone: str | None = None, name: str | None = None,
                warnings: list[Problem] | None = None) -> m.Exercise:
    """The exercise an MSEL sheet describes; with `into`, that exercise with its injects replaced.

    Raises MselError with every problem; OSError or ValueError when the file cannot be read at all.
    Warnings (what was kept but not understood) go to `warnings` when the import succeeds.
    """
    file = name or path.name
    reader = Reader(file, csv=path.suffix.lower() == ".csv")
    if warnings is not None:
        reader.warnings = warnings
    tables = read_tables(path)
    if not tables or not any(t.rows for t in tables):
        raise MselError([Problem(file, tables[0].name if tables else "MSEL", 0, 0, "the sheet is empty")])
    main = _sheet(tables, "MSEL") or tables[0]
    meta, teams, objectives, move_rows = _side_sheets(reader, tables)
    if into is not None:
        ctx = Context(list(into.teams), list(into.objectives), [mv.id for mv in into.moves],
                      into.setting.start, into.setting.timezone, learn_teams=False, learn_objectives=False)
    else:
        start_text = meta.get("start", "")
        if start is None and start_text:
            try:
                start = datetime.fromisoformat(start_text)
            except ValueError:
                reader.problem("Exercise", 0, 0, f"start '{start_text}' is not a date-time")
        ctx = Context(teams, objectives, [mv["id"] for mv in move_rows], start, zone or meta.get("timezone") or None,
                      learn_teams=not teams, learn_objectives=not objectives)
        if not move_rows:
            ctx.learn_teams = ctx.learn_teams or True
    rows = read_injects(reader, main, ctx)
    if reader.problems:
        raise reader.fail()
    scheduled: dict[str, list[m.Inject]] = {}
    contingencies: list[m.Inject] = []
    for move, inject in rows:
        if move is None:
            contingencies.append(inject)
        else:
            scheduled.setdefault(move, []).append(inject)
    if into is not None:
        moves = [mv.model_copy(update={"injects": scheduled.get(mv.id, [])}) for mv in into.moves]
        return into.model_copy(update={"moves": moves, "contingencies": contingencies})
    return _new_exercise(reader, path, meta, ctx, move_rows, scheduled, contingencies)


def _new_exercise(reader: Reader, path: Path, meta: dict[str, Any], ctx: Context, move_rows: list[dict[str, Any]],
                  scheduled: dict[str, list[m.Inject]], contingencies: list[m.Inject]) -> m.Exercise:
    if ctx.start is None:
        reader.problem("Exercise" if meta else "MSEL", 0, 0,
                       "the exercise needs a start date-time; give --start, e.g. --start 2027-04-11T06:00+09:00")
        raise reader.fail()
    moves: list[dict[str, Any]] = []
    for mv in move_rows:
        row = mv.pop("_row")
        mv["injects"] = scheduled.pop(mv["id"], [])
        if _validated(reader, Table("Moves", []), row, m.Move, mv) is not None:
            moves.append(mv)
    for move_id, injects in scheduled.items():
        moves.append({"id": move_id, "title": f"Move {move_id}", "situation": f"Move {move_id} opens.",
                      "injects": injects})
    times = [i.at for injects in (mv["injects"] for mv in moves) for i in injects if i.at is not None]
    stem = _slug(path.stem) or "imported"
    data: dict[str, Any] = {
        "id": meta.get("id") or stem,
        "title": meta.get("title") or path.stem,
        "version": meta.get("version") or "1",
        "summary": meta.get("summary") or f"Imported from the MSEL {path.name}.",
        "marking": meta.get("marking") or "EXERCISE — FOR TRAINING ONLY",
        "disclaimer": meta.get("disclaimer") or None,
        "setting": {"start": ctx.start, "timezone": ctx.zone or "UTC", "location": meta.get("location") or None},
        "duration": meta.get("duration") or (max(times, default=0) + 30),
        "authors": [a for a in meta.get("authors", "").split("\n") if a.strip()],
        "sponsor": meta.get("sponsor") or None,
        "point_of_contact": meta.get("point_of_contact") or None,
        "scope": meta.get("scope") or None,
        "background": meta.get("background") or None,
        "ground_rules": _lines(meta.get("ground_rules", "")),
        "hotwash_questions": _lines(meta.get("hot-wash_questions", "")),
        "glossary": meta.get("glossary", []),
        "references": meta.get("references", []),
        "agenda": meta.get("agenda"),
        "teams": ctx.teams or [m.Team(id="control", name="Exercise Control", kind=m.TeamKind.control)],
        "objectives": ctx.objectives,
        "moves": moves,
        "contingencies": contingencies,
    }
    exercise = _validated(reader, Table("Exercise", []), 0, m.Exercise, data)
    if reader.problems or exercise is None:
        raise reader.fail()
    return exercise


TOP_ORDER = ("id", "title", "version", "marking", "disclaimer", "authors", "sponsor", "point_of_contact", "scope",
             "summary", "setting", "duration", "background", "ground_rules", "hotwash_questions", "glossary",
             "references", "agenda", "teams", "objectives", "moves", "contingencies")
INJECT_ORDER = ("id", "at", "title", "source", "to", "channel", "condition", "body", "expected", "questions",
                "decision", "objectives", "notes")
"""Key order of the bundled exercises, so an imported file reads like a hand-written one."""

SCHEMA_ID = "https://tabletop.invalid/schema/exercise.schema.json"
"""What `tabletop new` puts in the modeline when no schema file is near the output."""


def schema_reference(out: Path) -> str:
    """The modeline's target: the nearest `schema/exercise.schema.json` above `out`, relative, else the schema id."""
    folder = out.resolve().parent
    for parent in (folder, *folder.parents):
        candidate = parent / "schema" / "exercise.schema.json"
        if candidate.is_file():
            return os.path.relpath(candidate, folder)
    return SCHEMA_ID



def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {**{k: data[k] for k in order if k in data}, **{k: v for k, v in data.items() if k not in order}}


def _inject_data(inject: m.Inject) -> dict[str, Any]:
    data = inject.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if "at" in data:
        data["at"] = m.format_offset(data["at"])
    return _ordered(data, INJECT_ORDER)


def exercise_yaml(exercise: m.Exercise, schema: str | None = None) -> str:
    """The exercise as YAML a planner would write: bundled key order, block text, the editor modeline."""
    import yaml

    data = exercise.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["duration"] = m.format_offset(exercise.duration)
    data["moves"] = []
    for move in exercise.moves:
        mv = move.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude={"injects"})
        if move.starts_at is not None:
            mv["starts_at"] = m.format_offset(move.starts_at)
        mv["injects"] = [_inject_data(i) for i in move.injects]
        data["moves"].append(_ordered(mv, ("id", "title", "starts_at", "situation", "situation_variants", "questions",
                                           "injects")))
    if exercise.agenda is not None:
        data["agenda"]["start"] = m.format_clock(exercise.agenda.start)
    if exercise.contingencies:
        data["contingencies"] = [_inject_data(i) for i in exercise.contingencies]
    data = _ordered(data, TOP_ORDER)

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value.rstrip("\n") or (value.endswith("\n") and len(value) > 1) else None
        if style and any(line != line.rstrip() for line in value.split("\n")):
            style = None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    modeline = f"# yaml-language-server: $schema={schema or SCHEMA_ID}"
    return f"{modeline}\n\n{body}"
