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
from pathlib import Path
from typing import Any

from tabletop.model import ALL, Exercise
from tabletop.report.context import scenario_time, wall_time
from tabletop.state import InjectStatus, SessionState

PLAN_COLUMNS = (
    ("No.", 6),
    ("Scenario time", 12),
    ("Move", 10),
    ("Inject", 12),
    ("From", 24),
    ("To", 18),
    ("Channel", 13),
    ("Title", 34),
    ("Body", 60),
    ("Expected action", 48),
    ("Objectives", 14),
)
"""Columns of an exercise's MSEL, with their XLSX widths in characters."""

PLAY_COLUMNS = (
    ("Delivered at (scenario)", 14),
    ("Delivered at (UTC)", 20),
    ("Status", 16),
)
"""Columns added for a session."""

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
            cells = [
                scenario_time(record.minute),
                record.move or "",
                record.inject,
                record.source,
                ", ".join(record.to),
                record.channel.value,
                record.title,
                record.body,
                "",
                "",
            ]
            status = "ad hoc"
        else:
            cells = _planned_row(exercise, row.inject, row.move or "contingency")
            status = _status(row.status)
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
    return [
        scenario_time(inject.at),
        move,
        inject.id,
        inject.source,
        ALL if inject.to == ALL else ", ".join(inject.to),
        inject.channel.value,
        inject.title,
        inject.body.strip(),
        "\n".join(f"{team}: {text.strip()}" for team, text in inject.expected.items()),
        ", ".join(inject.objectives),
    ]


def _status(status: InjectStatus) -> str:
    if status in (InjectStatus.upcoming, InjectStatus.due):
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
    return "'" + value if value.startswith(_FORMULA_START) else value


def msel_csv(header: list[str], rows: list[list[str]]) -> str:
    """The table as CSV text (the caller writes it with a BOM so spreadsheets read UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v, c) for v, c in zip(row, header)])
    return buffer.getvalue()


def msel_workbook(header: list[str], rows: list[list[str]], *, title: str) -> Any:
    """The table as an openpyxl workbook: bold frozen header, set widths, wrapped text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE3EC")
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col, value=name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = wrap
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col)
            if col == 1 and value.isdigit():
                cell.value = int(value)
            else:
                cell.value = value
                cell.data_type = "s"
            cell.alignment = wrap
    for col, width in enumerate(widths(len(header) > len(PLAN_COLUMNS)), start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(rows) + 1, 1)}"
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
        msel_workbook(header, rows, title=exercise.title).save(path)
    return len(rows)
