"""Importing an MSEL spreadsheet: round trips of our export, other conventions' sheets, errors at their cells."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tabletop.cli import main
from tabletop.loader import load_exercise, load_exercise_text
from tabletop.msel_import import MselError, exercise_yaml, import_msel, parse_channel, parse_time
from tabletop.model import Channel
from tabletop.report.msel import write_msel

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted((ROOT / "exercises").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_exercise_round_trips_through_xlsx(path: Path, tmp_path: Path) -> None:
    exercise = load_exercise(path)
    sheet = tmp_path / "msel.xlsx"
    write_msel(sheet, exercise)
    assert import_msel(sheet) == exercise


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_exercise_round_trips_through_csv_into_itself(path: Path, tmp_path: Path) -> None:
    exercise = load_exercise(path)
    sheet = tmp_path / "msel.csv"
    write_msel(sheet, exercise)
    assert import_msel(sheet, into=exercise) == exercise


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_written_yaml_loads_back_to_the_same_model(path: Path) -> None:
    exercise = load_exercise(path)
    text = exercise_yaml(exercise, "../schema/exercise.schema.json")
    assert text.startswith("# yaml-language-server: $schema=../schema/exercise.schema.json\n")
    assert load_exercise_text(text, files=False) == exercise  # its maps are beside the original, not here
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys[:4] == ["id", "title", "version", "marking"]
    assert "body: |" in text


def test_into_replaces_injects_and_keeps_the_rest(tmp_path: Path) -> None:
    exercise = load_exercise(BUNDLED[0])
    sheet = tmp_path / "msel.csv"
    write_msel(sheet, exercise)
    rows = list(csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines(keepends=False)))
    assert rows[0][:3] == ["No.", "Scenario time", "Story time"]
    text = sheet.read_text(encoding="utf-8-sig")
    first = exercise.moves[0].injects[0]
    sheet.write_text(text.replace(first.title, "Retitled in the sheet", 1), encoding="utf-8-sig")
    updated = import_msel(sheet, into=exercise)
    assert updated.moves[0].injects[0].title == "Retitled in the sheet"
    assert updated.teams == exercise.teams and updated.objectives == exercise.objectives
    assert [m.situation for m in updated.moves] == [m.situation for m in exercise.moves]


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _problems(path: Path, **kwargs: object) -> list[str]:
    with pytest.raises(MselError) as caught:
        import_msel(path, **kwargs)  # type: ignore[arg-type]
    return [p.format() for p in caught.value.problems]


def test_hseep_sheet_with_headers_in_another_order(tmp_path: Path) -> None:
    exercise = load_exercise_text(_fixture_yaml())
    sheet = _xlsx(tmp_path / "hseep.xlsx", {"Master Scenario Events List": [
        ["Designated Time", "MSEL #", "Event", "Description", "From", "To", "Means of Delivery",
         "Expected Player Action", "Objective/Capability", "Notes", "Status"],
        ["+00:10", 1, "Rumours on the quay", "Fishermen say boats left at dawn.", "Harbour master", "ROK, us",
         "Phone", "rok: Call the coast guard.", "OBJ-1", "Watch who calls whom.", "Planned"],
        ["D+0 H+1 M+05", 2, "Press asks", "A reporter calls.", "Press", "all", "press release", "", "", "", ""],
    ]})
    imported = import_msel(sheet, into=exercise)
    injects = [i for m in imported.moves for i in m.injects]
    assert [(i.id, i.at, i.channel) for i in injects] == [("INJ-1", 10, Channel.phone_call), ("INJ-2", 65, Channel.news)]
    assert injects[0].to == ["rok", "us"] and injects[0].expected == {"rok": "Call the coast guard."}
    assert injects[1].to == "all" and injects[0].notes == "Watch who calls whom."


def _fixture_yaml() -> str:
    from tests.engine_fixtures import exercise_yaml as fixture

    return fixture()


def test_openaev_sheet_with_dhm_times_and_team_names(tmp_path: Path) -> None:
    exercise = load_exercise_text(_fixture_yaml())
    names = {t.id: t.name for t in exercise.teams}
    sheet = _xlsx(tmp_path / "openaev.xlsx", {"Injects": [
        ["Inject type", "Title", "Description", "Trigger time", "Teams", "Expectation"],
        ["Email", "Mail from the embassy", "The embassy writes.", "D+1 H+2 M+30", names["us"].upper(), ""],
        ["SMS", "Text to the duty officer", "A text arrives.", 45, names["rok"], ""],
    ]})
    imported = import_msel(sheet, into=exercise)
    injects = [i for m in imported.moves for i in m.injects]
    assert [(i.at, i.channel, i.to) for i in injects] == [(1590, Channel.email, ["us"]), (45, Channel.message, ["rok"])]


def test_blueprint_sheet_with_date_times_against_the_start(tmp_path: Path) -> None:
    exercise = load_exercise_text(_fixture_yaml())
    start = exercise.setting.start
    sheet = _xlsx(tmp_path / "blueprint.xlsx", {"MSEL": [
        ["Control Number", "Date/Time", "From Org", "To Org", "Delivery Method", "Title", "Details",
         "Expected Response", "Status"],
        ["BP-1", start.replace(tzinfo=None).isoformat(" ", "minutes"), "CERT", "us", "cable", "Advisory", "Read it.",
         "", "Draft"],
    ]})
    imported = import_msel(sheet, into=exercise)
    inject = imported.inject("BP-1")
    assert inject is not None and (inject.id, inject.at, inject.channel, inject.source) == ("BP-1", 0, Channel.cable, "CERT")


def test_blueprint_gallery_card_names(tmp_path: Path) -> None:
    """Blueprint's Gallery article fields: Name, Description, Source Name, Date Posted, To Org."""
    exercise = load_exercise_text(_fixture_yaml())
    start = exercise.setting.start
    sheet = _xlsx(tmp_path / "gallery.xlsx", {"MSEL": [
        ["Control Number", "Name", "Description", "Source Name", "Date Posted", "To Org", "Delivery Method"],
        ["GA-1", "Situation report", "Shelters are full.", "Relief cell",
         start.replace(tzinfo=None).isoformat(" ", "minutes"), "us", "Reporting"],
    ]})
    inject = import_msel(sheet, into=exercise).inject("GA-1")
    assert inject is not None
    assert (inject.title, inject.source, inject.at, inject.channel) == ("Situation report", "Relief cell", 0,
                                                                        Channel.briefing)


def test_blueprint_gallery_pairs_give_one_field_and_keep_the_other(tmp_path: Path) -> None:
    """A full Gallery card has Name and Summary, From Org and Source Name, Delivery Method and Source
    Type side by side: the first of each pair gives the field, the second goes to the notes."""
    exercise = load_exercise_text(_fixture_yaml())
    sheet = _xlsx(tmp_path / "gallery.xlsx", {"MSEL": [
        ["Control Number", "Name", "Summary", "Description", "From Org", "Source Name", "Scenario Time",
         "To Org", "Delivery Method", "Source Type"],
        ["GA-1", "Ferry overdue", "A ferry is late", "The ferry has not reported in.", "Coast guard",
         "Harbour radio", "+00:10", "us", "Phone", "Intel"],
    ]})
    warned: list = []
    inject = import_msel(sheet, into=exercise, warnings=warned).inject("GA-1")
    assert inject is not None
    assert (inject.title, inject.source, inject.channel) == ("Ferry overdue", "Coast guard", Channel.phone_call)
    assert inject.notes is not None
    for kept in ("Summary: A ferry is late", "Source Name: Harbour radio", "Source Type: Intel"):
        assert kept in inject.notes
    assert [w.format() for w in warned] == [
        "gallery.xlsx:MSEL!C1: warning: column 'Summary' is kept in each inject's notes: the title is read from column B",
        "gallery.xlsx:MSEL!F1: warning: column 'Source Name' is kept in each inject's notes: the source is read from column E",
        "gallery.xlsx:MSEL!J1: warning: column 'Source Type' is kept in each inject's notes: the channel is read from column I",
    ]
    only_second = _xlsx(tmp_path / "cards.xlsx", {"MSEL": [
        ["Control Number", "Summary", "Source Name", "Scenario Time", "To Org", "Source Type"],
        ["GA-2", "Shelters full", "Relief cell", "+00:20", "us", "Email"],
    ]})
    card = import_msel(only_second, into=exercise).inject("GA-2")
    assert card is not None
    assert (card.title, card.source, card.channel) == ("Shelters full", "Relief cell", Channel.email)


def test_openaev_sample_sheet_layout(tmp_path: Path) -> None:
    """OpenAEV's documented sample (docs 'Importing injects into a Scenario'): an empty column A,
    Action to be taken / Timeline / Teams / Subject / Content / Comments / Expectation Description /
    Expectation Name / Expectation Score / Done/To do, relative times in its D/J, H/T, M symbols,
    and section rows between phases."""
    exercise = load_exercise_text(_fixture_yaml())
    names = {t.id: t.name for t in exercise.teams}
    header = ["", "Action to be taken", "Timeline", "Teams", "Subject", "Content", "Comments",
              "Expectation Description", "Expectation Name", "Expectation Score", "Done/To do"]
    sheet = _xlsx(tmp_path / "openaev.xlsx", {"Sheet1": [
        header,
        ["", "Planner / Prepare the exercise", "", "", "", "", "", "", "", "", ""],
        ["", "Notify the sponsor by SMS", "M+30", names["us"], "Exercise start", "The exercise starts now.",
         "Keep it short.", "Sponsor notified", "Sponsor notification", 100, "To do"],
        ["", "Brief the coast guards", "T+2", f"{names['japan']}, {names['rok']}", "Initial alert",
         "A boat is overdue.", "", "Triage started", "Initial triage", 80, "To do"],
        ["", "Facilitator / Run the exercise", "", "", "", "", "", "", "", "", ""],
        ["", "Send the report by email", "J+1 T+1", "all", "Report", "Send the action plan.", "", "", "", "",
         "Done"],
    ]})
    warned: list = []
    result = import_msel(sheet, into=exercise, warnings=warned)
    first, second, third = (result.inject(i) for i in ("INJ-2", "INJ-3", "INJ-5"))
    assert first is not None and second is not None and third is not None
    assert (first.title, first.at, first.body, first.to) == ("Notify the sponsor by SMS", 30,
                                                             "The exercise starts now.", ["us"])
    assert first.notes is not None and "Subject: Exercise start" in first.notes and "Keep it short." in first.notes
    assert "Expectation Name: Sponsor notification" in first.notes
    assert (second.at, second.to) == (120, ["japan", "rok"])
    assert third.at == 1500
    lines = [w.format() for w in warned]
    assert "openaev.xlsx:Sheet1!B2: warning: 'Planner / Prepare the exercise' has nothing but a title: read as a " \
           "section heading, not an inject" in lines
    assert any(line.startswith("openaev.xlsx:Sheet1!B5: warning: 'Facilitator / Run the exercise'") for line in lines)
    assert "openaev.xlsx:Sheet1!E1: warning: column 'Subject' is kept in each inject's notes: the title is read " \
           "from column B" in lines
    early = _xlsx(tmp_path / "early.xlsx", {"Sheet1": [header, ["", "Notify", "M-5", "all", "", "Body", "", "", "",
                                                                   "", ""]]})
    assert [p for p in _problems(early, into=exercise) if ": warning: " not in p] == [
        "early.xlsx:Sheet1!C2: 'M-5' is 5 minute(s) before STARTEX; an inject is delivered at STARTEX or later "
        "(move what comes before it to the read-ahead or the first inject)"]


def test_every_problem_at_its_cell_sorted_with_did_you_mean(tmp_path: Path) -> None:
    exercise = load_exercise_text(_fixture_yaml())
    team = exercise.teams[1]
    sheet = _xlsx(tmp_path / "msel.xlsx", {"MSEL": [
        ["Inject", "Scenario time", "To", "Channel", "Title", "Body", "Objectives", "Move", "Colour", "Options",
         "Decision"],
        ["A-1", "+00:10", team.name[:-1] + "x", "telepathy", "One", "b", "OBJ-9", "M1", "red", "", ""],
        ["A-1", "soon", "all", "email", "", "b", "", "M7", "", "x (bold): do it", "Pick?"],
        ["A-3", "", "", "email", "Three", "b", "", "M1", "", "", ""],
    ]})
    problems = _problems(sheet, into=exercise)
    assert problems == sorted(problems, key=lambda p: problems.index(p))
    text = "\n".join(problems)
    assert f"msel.xlsx:MSEL!C2: unknown team '{team.name[:-1]}x'; did you mean '{team.name}'?" in problems
    assert "msel.xlsx:MSEL!D2: unknown channel 'telepathy'; did you mean 'telephone'?" in problems
    assert any(p.startswith("msel.xlsx:MSEL!G2: unknown objective 'OBJ-9'; did you mean 'OBJ-") for p in problems)
    assert "msel.xlsx:MSEL!I1: warning: unknown column 'Colour' is kept in each inject's notes" in text
    assert "msel.xlsx:MSEL!A3: inject 'A-1' is already on row 2" in problems
    assert any(p.startswith("msel.xlsx:MSEL!B3: 'soon' is not a scenario time") for p in problems)
    assert "msel.xlsx:MSEL!E3: the inject has no title" in problems
    assert "msel.xlsx:MSEL!H3: unknown move 'M7'" in problems
    assert "msel.xlsx:MSEL!J3: unknown posture 'bold'" in text
    assert any(p.startswith("msel.xlsx:MSEL!B4: a scheduled inject needs a scenario time") for p in problems)
    assert "msel.xlsx:MSEL!C4: no recipient team; write team names or 'all'" in problems
    cells = [p.split(":")[1] for p in problems]
    order = [(int("".join(ch for ch in c.split("!")[1] if ch.isdigit())), c.split("!")[1].rstrip("0123456789"))
             for c in cells]
    assert order == sorted(order)


def test_times_channels_and_synonyms() -> None:
    assert parse_time("+01:20", None, None) == 80
    assert parse_time("+1d 02:00", None, None) == 1560
    assert parse_time("90", None, None) == 90
    assert parse_time("D+1 H+2 M+30", None, None) == 1590
    assert parse_time("H+3", None, None) == 180
    with pytest.raises(ValueError, match="needs the exercise's start"):
        parse_time("2027-01-01T10:00", None, None)
    assert parse_channel("E-mail") is Channel.email
    assert parse_channel("Press release") is Channel.news
    assert parse_channel("SITREP") is Channel.briefing
    assert parse_channel("phone") is Channel.phone_call
    assert parse_channel("carrier pigeon") is None


def test_cli_check_writes_nothing_and_output_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "msel.xlsx"
    write_msel(sheet, load_exercise(BUNDLED[0]))
    out = tmp_path / "imported.yaml"
    assert main(["import", str(sheet), "-o", str(out), "--check"]) == 0
    assert not out.exists() and "nothing written" in capsys.readouterr().out
    assert main(["import", str(sheet), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    assert "attaches maps/" in capsys.readouterr().err  # its maps are not beside the new file yet
    import shutil

    shutil.copytree(ROOT / "exercises" / "maps", tmp_path / "maps")
    assert main(["validate", str(out)]) == 0
    assert load_exercise(out) == load_exercise(BUNDLED[0])


def test_cli_reports_cells_and_exits_1_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("Title,To,Scenario time\nHello,Nobody,later\n", encoding="utf-8")
    exercise = tmp_path / "ex.yaml"
    exercise.write_text(_fixture_yaml(), encoding="utf-8")
    before = exercise.read_text(encoding="utf-8")
    assert main(["import", str(sheet), "--into", str(exercise)]) == 1
    err = capsys.readouterr().err
    assert f"{sheet}:MSEL!B2: unknown team 'Nobody'" in err
    assert f"{sheet}:MSEL!C2: 'later' is not a scenario time" in err
    assert "Traceback" not in err and exercise.read_text(encoding="utf-8") == before
    assert main(["import", str(tmp_path / "none.xlsx"), "-o", str(tmp_path / "x.yaml")]) == 1
    assert "no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    assert main(["import", str(junk), "-o", str(tmp_path / "x.yaml")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_new_exercise_from_a_foreign_sheet_needs_a_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "plain.csv"
    sheet.write_text("Time,Event,To,Method\n+00:05,First call,Japan,phone\n+00:20,Second,\"Japan, ROK\",e-mail\n",
                     encoding="utf-8")
    out = tmp_path / "plain.yaml"
    assert main(["import", str(sheet), "-o", str(out)]) == 1
    assert "give --start" in capsys.readouterr().err
    assert main(["import", str(sheet), "-o", str(out), "--start", "2027-04-11T06:00+09:00",
                 "--timezone", "Asia/Tokyo"]) == 0
    exercise = load_exercise(out)
    assert [t.id for t in exercise.teams] == ["japan", "rok"]
    assert [i.to for i in exercise.all_injects()] == [["japan"], ["japan", "rok"]]


def test_xlsx_prints_landscape_fit_to_width_with_header_on_every_page(tmp_path: Path) -> None:
    sheet = tmp_path / "msel.xlsx"
    write_msel(sheet, load_exercise(BUNDLED[0]))
    book = load_workbook(sheet)
    assert book.sheetnames == ["MSEL", "Exercise", "Teams", "Objectives", "Moves", "Situation variants", "Agenda",
                               "Glossary", "References"]
    variants = book["Situation variants"]
    assert variants.column_dimensions["E"].hidden and [c.value for c in variants[1]][-1] == "Data"
    agenda = book["Agenda"]
    assert [c.value for c in agenda[1]] == ["Starts", "Title", "Kind", "Minutes", "Move", "Script"]
    assert agenda.cell(row=2, column=1).value == "09:00"
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1"
    msel = book["MSEL"]
    header = [c.value for c in msel[1]]
    assert msel.column_dimensions[chr(ord("A") + header.index("Data"))].hidden
    body = header.index("Body")
    tallest = max(range(2, msel.max_row + 1), key=lambda r: len(msel.cell(row=r, column=body + 1).value or ""))
    assert msel.row_dimensions[tallest].height > 3 * 15


def test_workshop_sheets_edited_in_a_spreadsheet_come_back(tmp_path: Path) -> None:
    exercise = load_exercise(BUNDLED[0])
    sheet = tmp_path / "msel.xlsx"
    write_msel(sheet, exercise)
    book = load_workbook(sheet)
    book["Glossary"].append(["NEO", "Non-combatant evacuation operation."])
    book["Agenda"].cell(row=2, column=4).value = "20"
    objectives = book["Objectives"]
    objectives.cell(row=2, column=4).value = "First task\nSecond task"
    book.save(sheet)
    back = import_msel(sheet)
    assert back.glossary[-1].term == "NEO" and back.glossary[:-1] == exercise.glossary
    assert back.agenda is not None and exercise.agenda is not None
    assert back.agenda.items[0].minutes == 20 and back.agenda.items[1:] == exercise.agenda.items[1:]
    assert back.objectives[0].criteria is not None
    assert back.objectives[0].criteria.critical_tasks == ["First task", "Second task"]
    assert back.moves[1].situation_variants == exercise.moves[1].situation_variants


def test_modeline_points_at_the_nearest_schema(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "exercise.schema.json").write_text("{}", encoding="utf-8")
    (tmp_path / "exercises").mkdir()
    sheet = tmp_path / "msel.xlsx"
    write_msel(sheet, load_exercise(BUNDLED[0]))
    out = tmp_path / "exercises" / "back.yaml"
    assert main(["import", str(sheet), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == "# yaml-language-server: $schema=../schema/exercise.schema.json"


def test_an_unknown_column_is_kept_in_notes_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "extra.csv"
    sheet.write_text("Time,Event,To,Colour\n+00:05,First call,Japan,red\n", encoding="utf-8")
    out = tmp_path / "extra.yaml"
    assert main(["import", str(sheet), "-o", str(out), "--start", "2027-04-11T06:00+09:00"]) == 0
    assert f"{sheet}:MSEL!D1: warning: unknown column 'Colour' is kept in each inject's notes" in capsys.readouterr().err
    assert load_exercise(out).all_injects()[0].notes == "Colour: red"
