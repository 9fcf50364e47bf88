"""The MSEL as a spreadsheet (CSV or XLSX), from an exercise as planned or a session as played.

Planners keep the Master Scenario Events List in spreadsheets, so the columns
are the ones they use. For a session the sheet adds when each inject was
delivered and what became of it, with the ad-hoc injects written during play.
Cells are written as text: a title that starts with `=` is never a formula
(openpyxl would store it as one; Excel would run it from a CSV, so CSV cells
that could start a formula get a leading apostrophe).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tabletop.conditions import describe
from tabletop.model import PRESENTATIONS, ALL, Exercise, format_clock, format_offset
from tabletop.msel_import import parse_expected
from tabletop.report.context import scenario_time, wall_time
from tabletop.state import InjectStatus, SessionState

PLAN_COLUMNS = (
    ("No.", 5),
    ("Scenario time", 9),
    ("Story time", 11),
    ("Move", 8),
    ("Inject", 9),
    ("From", 14),
    ("To", 10),
    ("Channel", 10),
    ("Title", 20),
    ("Body", 46),
    ("Expected action", 30),
    ("Questions", 24),
    ("Decision", 20),
    ("Options", 24),
    ("Condition", 16),
    ("Objectives", 16),
    ("Notes", 26),
    ("Planned", 10),
    ("Data", 12),
)
"""Columns of an exercise's MSEL, with their XLSX widths in characters.

`Data` holds the inject's condition and decision as compact JSON (and its
expected actions or questions when their cells could not be read back
exactly): the words in `Condition` and `Options` are for people, the JSON is
what the import reads back, so nothing is lost between the two. The XLSX
hides it from print.
"""

PLAY_COLUMNS = (
    ("Delivered at (scenario)", 11),
    ("Delivered at (UTC)", 16),
    ("Status", 14),
)
"""Columns added for a session: when each inject was delivered and what became of it."""

MSEL_SUFFIXES = (".csv", ".xlsx")
"""File types `write_msel` writes, chosen by the file's suffix."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def msel_table(exercise: Exercise, state: SessionState | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the MSEL: every inject in play order, contingencies last.

    With a state, ad-hoc injects are placed where they were written and each
    row says when the inject was delivered and its status.
    """
    header = [name for name, _ in PLAN_COLUMNS]
    if state is None:
        rows = []
        for move in exercise.moves:
            for inject in sorted(move.injects, key=lambda i: i.at if i.at is not None else exercise.move_start(move)):
                rows.append(_planned_row(exercise, inject.id, move.id))
        for inject in exercise.contingencies:
            rows.append(_planned_row(exercise, inject.id, "contingency"))
        return header, [[str(n), *row] for n, row in enumerate(rows, start=1)]
    header += [name for name, _ in PLAY_COLUMNS]
    minute = state.ended.minute if state.ended is not None else max((e.minute for e in state.events), default=0.0)
    adhoc = {a.inject: a for a in state.adhoc_injects}
    out = []
    for number, row in enumerate(state.msel(minute), start=1):
        first = state.first_delivery(row.inject)
        if row.kind == "adhoc":
            record = adhoc[row.inject]
            cells = [""] * (len(PLAN_COLUMNS) - 1)
            cells[0] = scenario_time(record.minute)
            cells[1] = story_time(exercise, int(record.minute + 1e-6))
            cells[2] = record.move or ""
            cells[3] = record.inject
            cells[4] = record.source
            cells[5] = ", ".join(record.to)
            cells[6] = record.channel.value
            cells[7] = record.title
            cells[8] = record.body
            cells[16] = "ad hoc"
            status = "ad hoc"
        else:
            cells = _planned_row(exercise, row.inject, row.move or "contingency")
            status = _status(row.status, row.kind == "contingency")
            if row.reason:
                status += f" ({row.reason})"
        out.append(
            [
                str(number),
                *cells,
                scenario_time(first.minute) if first is not None else "",
                wall_time(first.at, date=True) if first is not None else "",
                status,
            ]
        )
    return header, out


def _planned_row(exercise: Exercise, inject_id: str, move: str) -> list[str]:
    inject = exercise.inject(inject_id)
    assert inject is not None
    data: dict[str, Any] = {}
    if inject.condition is not None:
        data["condition"] = inject.condition.model_dump(mode="json", by_alias=True, exclude_none=True)
    if inject.decision is not None:
        data["decision"] = inject.decision.model_dump(mode="json", exclude_none=True)
    if inject.attachments:
        data["attachments"] = [a.model_dump(mode="json", exclude_none=True) for a in inject.attachments]
    for block in PRESENTATIONS:  # the channel presentation (outlet, caller, banner...) travels in the Data cell
        value = getattr(inject, block, None)
        if value is not None:
            data[block] = value.model_dump(mode="json", by_alias=True, exclude_none=True)
    expected = "\n".join(f"{team}: {text}" for team, text in inject.expected.items())
    if parse_expected(expected, [t.id for t in exercise.teams]) != inject.expected:
        data["expected"] = inject.expected
    questions = "\n".join(inject.questions)
    if [q for q in questions.split("\n") if q.strip()] != inject.questions:
        data["questions"] = inject.questions
    decision = inject.decision
    return [
        scenario_time(inject.at),
        story_time(exercise, inject.at),
        move,
        inject.id,
        inject.source,
        ALL if inject.to == ALL else ", ".join(inject.to),
        inject.channel.value,
        inject.title,
        inject.body,
        expected,
        questions,
        decision.prompt if decision is not None else "",
        "\n".join(f"{o.id} ({o.posture.value}): {o.label}" for o in decision.options) if decision is not None else "",
        describe(inject.condition) if inject.condition is not None else "",
        "\n".join(_objective_cell(exercise, o) for o in inject.objectives),
        inject.notes or "",
        "planned" if move != "contingency" else "contingency",
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else "",
    ]


def story_time(exercise: Exercise, minute: int | None) -> str:
    """The in-story date and time of a scenario minute, `2027-04-11 07:20`, in the scenario's zone."""
    if minute is None:
        return ""
    when = exercise.setting.start + timedelta(minutes=minute)
    try:
        when = when.astimezone(ZoneInfo(exercise.setting.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        pass
    return when.strftime("%Y-%m-%d %H:%M")


def _objective_cell(exercise: Exercise, objective_id: str) -> str:
    objective = next((o for o in exercise.objectives if o.id == objective_id), None)
    if objective is None or not objective.capability:
        return objective_id
    return f"{objective_id} ({objective.capability})"


def _status(status: InjectStatus, contingency: bool) -> str:
    """The Status cell, as the report's MSEL appendix words it: an inject still to come in a session that
    goes on is not yet delivered (not 'not played'); a contingency never picked is not used."""
    if contingency and status in (InjectStatus.upcoming, InjectStatus.due, InjectStatus.passed):
        return "not used"
    if status in (InjectStatus.upcoming, InjectStatus.due):
        return "not yet delivered"
    if status is InjectStatus.passed:
        return "not played"
    if status is InjectStatus.inactive:
        return "condition not met"
    return status.value


def widths(with_play: bool) -> list[int]:
    """Column widths in characters, for the XLSX sheet."""
    return [w for _, w in PLAN_COLUMNS] + ([w for _, w in PLAY_COLUMNS] if with_play else [])


def csv_cell(value: str, column: str) -> str:
    """A cell as written to CSV: text that a spreadsheet would take for a formula is quoted."""
    if column == "Scenario time" or column.startswith("Delivered at"):
        return value
    return "'" + value if value.startswith(_FORMULA_START + ("'",)) else value


def msel_csv(header: list[str], rows: list[list[str]]) -> str:
    """The table as CSV text (the caller writes it with a BOM so spreadsheets read UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v, c) for v, c in zip(row, header)])
    return buffer.getvalue()


LINE_HEIGHT = 15.0
"""Points per line of wrapped 11-point text; row heights are set from it so print shows every line."""

MAX_ROW_HEIGHT = 409.0
"""The tallest row a spreadsheet allows, in points."""


def row_height(values: list[str], widths_: list[int]) -> float:
    """The height that shows every wrapped line of the row's tallest cell."""
    lines = 1
    for value, width in zip(values, widths_):
        if not value or width <= 0:
            continue
        per = max(width - 1, 1)
        count = sum(max(1, -(-len(part) // per)) for part in value.split("\n"))
        lines = max(lines, count)
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 2)


def attachments_cell(attachments: list[Any]) -> str:
    """Attachments in one cell, a line each: 'maps/nll.svg: The NLL and the five islands' (a file
    name cannot hold a colon, so the first one ends it)."""
    return "\n".join(f"{a.file}: {a.caption}" if a.caption else a.file for a in attachments)


def exercise_sheets(exercise: Exercise) -> list[tuple[str, list[tuple[str, int]], list[list[str]]]]:
    """The tables that do not fit the MSEL's rows: the exercise, its teams, objectives and moves,
    and the workshop's situation variants, agenda, glossary and references when it has them.

    Each is its own sheet so it prints on its own pages, and so the import can
    build the whole exercise again from the workbook.
    """
    e = exercise
    facts = [
        ("id", e.id), ("title", e.title), ("version", e.version), ("summary", e.summary),
        ("marking", e.marking), ("disclaimer", e.disclaimer or ""),
        ("start", e.setting.start.isoformat()), ("timezone", e.setting.timezone),
        ("location", e.setting.location or ""), ("duration", format_offset(e.duration)),
        ("authors", "\n".join(e.authors)), ("sponsor", e.sponsor or ""),
        ("point of contact", e.point_of_contact or ""), ("scope", e.scope or ""),
        ("background", e.background or ""), ("ground rules", "\n".join(e.ground_rules)),
        ("hot-wash questions", "\n".join(e.hotwash_questions)),
        ("agenda start", format_clock(e.agenda.start) if e.agenda is not None else ""),
    ]
    teams = [[t.id, t.name, t.kind.value, t.short or "", "\n".join(t.members), t.brief or "",
              attachments_cell(t.brief_attachments)] for t in e.teams]
    objectives = [
        [o.id, o.text, o.capability or "", "\n".join(o.criteria.critical_tasks) if o.criteria else "",
         "\n".join(o.criteria.look_for) if o.criteria else ""]
        for o in e.objectives
    ]
    moves = [
        [
            mv.id, mv.title, format_offset(mv.starts_at) if mv.starts_at is not None else "", mv.situation,
            "\n".join(f"{key}: {q}" for key, qs in mv.questions.items() for q in qs),
            attachments_cell(mv.attachments),
        ]
        for mv in e.moves
    ]
    sheets: list[tuple[str, list[tuple[str, int]], list[list[str]]]] = [
        ("Exercise", [("Field", 18), ("Value", 110)], [[k, v] for k, v in facts]),
        ("Teams", [("Id", 10), ("Name", 28), ("Kind", 10), ("Short", 8), ("Members", 30), ("Brief", 60),
                   ("Brief attachments", 30)], teams),
        ("Objectives", [("Id", 10), ("Objective", 60), ("Capability", 24), ("Critical tasks", 50),
                        ("Look for", 50)], objectives),
        ("Moves", [("Id", 8), ("Title", 28), ("Starts at", 10), ("Situation", 70), ("Questions", 44),
                   ("Attachments", 30)], moves),
    ]
    variants = [
        [mv.id, str(n), describe(v.when), v.text,
         json.dumps(v.when.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False)]
        for mv in e.moves for n, v in enumerate(mv.situation_variants, start=1)
    ]
    if variants:
        sheets.append(("Situation variants", [("Move", 8), ("Variant", 8), ("When", 40), ("Text", 90),
                                              ("Data", 30)], variants))
    if e.agenda is not None:
        clock, slots = e.agenda.start, []
        for item in e.agenda.items:
            slots.append([format_clock(clock), item.title, item.kind.value, str(item.minutes), item.move or "",
                          item.script or ""])
            clock += item.minutes
        sheets.append(("Agenda", [("Starts", 8), ("Title", 36), ("Kind", 10), ("Minutes", 8), ("Move", 8),
                                  ("Script", 80)], slots))
    if e.glossary:
        sheets.append(("Glossary", [("Term", 20), ("Meaning", 100)], [[g.term, g.meaning] for g in e.glossary]))
    if e.references:
        sheets.append(("References", [("Title", 50), ("URL", 40), ("Note", 60)],
                       [[r.title, r.url or "", r.note or ""] for r in e.references]))
    return sheets


def _fill_sheet(
    sheet: Any, header: list[str], rows: list[list[str]], widths_: list[int], *, numbered: bool, hidden: str = ""
) -> None:
    """Header, cells as text, widths, wrapped heights and the print setup every table shares."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE3EC")
    wrap = Alignment(wrap_text=True, vertical="top")
    shown = [0 if name == hidden else w for name, w in zip(header, widths_)]
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = wrap
    sheet.row_dimensions[1].height = row_height(header, shown)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col)
            if numbered and col == 1 and value.isdigit():
                cell.value = int(value)
            else:
                cell.value = value
                cell.data_type = "s"
            cell.alignment = wrap
        sheet.row_dimensions[r].height = row_height(row, shown)
    for col, width in enumerate(widths_, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    last = get_column_letter(len(header))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    for side in ("left", "right"):
        setattr(sheet.page_margins, side, 0.4)
    sheet.oddFooter.center.text = "&A — page &P of &N"


def msel_workbook(header: list[str], rows: list[list[str]], *, title: str, exercise: Exercise | None = None) -> Any:
    """The table as an openpyxl workbook, printable: landscape, fit to width, header on every page.

    With the exercise, further sheets carry its metadata, teams, objectives and
    moves, so the workbook imports back into the same exercise.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    widths_ = widths(len(header) > len(PLAN_COLUMNS))
    _fill_sheet(sheet, header, rows, widths_, numbered=True, hidden="Data")
    data_col = get_column_letter(header.index("Data") + 1)
    sheet.column_dimensions[data_col].hidden = True
    if exercise is not None:
        for name, columns, table in exercise_sheets(exercise):
            header_ = [c for c, _ in columns]
            side = book.create_sheet(name)
            _fill_sheet(side, header_, table, [w for _, w in columns], numbered=False,
                        hidden="Data" if "Data" in header_ else "")
            if "Data" in header_:
                side.column_dimensions[get_column_letter(header_.index("Data") + 1)].hidden = True
    book.properties.title = f"{title} — MSEL"
    return book


def write_msel(path: Path, exercise: Exercise, state: SessionState | None = None) -> int:
    """Write the MSEL to `path` (.csv or .xlsx); returns the number of rows. OSError if unwritable."""
    suffix = path.suffix.lower()
    if suffix not in MSEL_SUFFIXES:
        raise ValueError(f"{path}: the MSEL is written as .csv or .xlsx, not {path.suffix or 'a file without suffix'}")
    header, rows = msel_table(exercise, state)
    if suffix == ".csv":
        path.write_text(msel_csv(header, rows), encoding="utf-8-sig", newline="")
    else:
        msel_workbook(header, rows, title=exercise.title, exercise=exercise).save(path)
    return len(rows)
