"""The MSEL spreadsheet, as planned (exercise) and as played (session)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from tabletop.loader import load_exercise_text
from tabletop.report.msel import msel_table, write_msel
from tests.engine_fixtures import exercise_yaml, new_session


def test_planned_msel_rows_and_columns() -> None:
    exercise = load_exercise_text(exercise_yaml())
    header, rows = msel_table(exercise)
    assert header == ["No.", "Scenario time", "Story time", "Move", "Inject", "From", "To", "Channel", "Title",
                      "Body", "Expected action", "Questions", "Decision", "Options", "Condition", "Objectives",
                      "Notes", "Planned", "Data"]
    c = {name: header.index(name) for name in header}
    assert [r[c["Inject"]] for r in rows] == ["M1-01", "M1-02", "M1-03", "M1-04", "M2-01", "M2-02", "M2-03", "C-1", "C-2"]
    m102 = rows[1]
    assert [m102[c["No."]], m102[c["Scenario time"]], m102[c["Move"]]] == ["2", "+00:15", "M1"]
    assert m102[c["To"]] == "rok, us"
    assert m102[c["Expected action"]] == "rok: Ask every vessel nearby to assist, whatever its flag."
    assert rows[0][c["To"]] == "all"
    assert rows[-1][c["Move"]] == "contingency" and rows[-1][c["Scenario time"]] == ""
    assert rows[-1][c["Planned"]] == "contingency" and rows[0][c["Planned"]] == "planned"


def test_played_msel_has_delivery_and_status(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    try:
        session.deliver("M1-01")
        session.skip("M1-03", "no time")
        session.adhoc("=HYPERLINK(\"http://x.invalid\")", "Body", ["us"])
        header, rows = msel_table(session.exercise, session.state)
    finally:
        session.close()
    assert header[-3:] == ["Delivered at (scenario)", "Delivered at (UTC)", "Status"]
    status = {r[header.index("Inject")]: r[-1] for r in rows}
    assert status["M1-01"] == "delivered"
    assert status["M1-03"] == "skipped (no time)"
    assert status["ADHOC-1"] == "ad hoc"
    assert status["M1-02"] == "not yet delivered", "the session goes on: M1-02 may still be played"
    assert status["C-1"] == "not used"
    assert status["M1-04"] == "condition not met"
    delivered = next(r for r in rows if r[header.index("Inject")] == "M1-01")
    assert delivered[-3] == "+00:00" and delivered[-2] == "2030-01-01 09:00 UTC"


def test_after_endex_an_inject_never_delivered_reads_not_played(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    try:
        session.end()
        header, rows = msel_table(session.exercise, session.state)
    finally:
        session.close()
    status = {r[header.index("Inject")]: r[-1] for r in rows}
    assert status["M1-02"] == "not played" and status["C-1"] == "not used"


def test_csv_is_utf8_with_bom_and_defuses_formulas(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    try:
        session.adhoc("=cmd|' /C calc'!A0", "日本語 body", ["us"])
        out = tmp_path / "msel.csv"
        assert write_msel(out, session.exercise, session.state) == 10
    finally:
        session.close()
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    c = {name: rows[0].index(name) for name in rows[0]}
    adhoc = next(r for r in rows if r[c["Inject"]] == "ADHOC-1")
    assert adhoc[c["Title"]] == "'=cmd|' /C calc'!A0"
    assert adhoc[c["Body"]] == "日本語 body"
    assert adhoc[c["Scenario time"]] == "+00:00"


def test_xlsx_header_bold_frozen_wrapped_and_text_cells(tmp_path: Path) -> None:
    session = new_session(tmp_path)
    try:
        session.adhoc("=1+1", "Body", ["us"])
        out = tmp_path / "msel.xlsx"
        write_msel(out, session.exercise, session.state)
    finally:
        session.close()
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold and sheet["A1"].value == "No."
    assert sheet["J1"].value == "Body" and sheet["J2"].alignment.wrap_text
    assert sheet.column_dimensions["J"].width == 46
    titles = [sheet.cell(row=r, column=9).value for r in range(2, sheet.max_row + 1)]
    assert "=1+1" in titles
    cell = next(sheet.cell(row=r, column=9) for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=9).value == "=1+1")
    assert cell.data_type == "s"
    assert sheet["A2"].value == 1
