"""The Word report read back as Word would: heading styles, real tables, header and footer, core
properties, the chart as a picture, user text as plain runs; then printed by LibreOffice."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image

from tabletop.cli import main
from tabletop.report.charts import POSTURE_COLOURS, chart_png
from tabletop.report.context import session_context
from tabletop.report.render import ReportError, render_report
from tabletop.report.word import author_paragraphs, xml_text
from tabletop.resources import exercises_dir
from tests.engine_fixtures import new_session
from tests.test_report import CJK, HOSTILE, MD_META, SCRIPT, play, squash
from tests.test_report_bundled import play_through

NOTE = "First line of the note\nsecond line - not a list\n\nA second paragraph \x07with a bell"
"""A control note of several lines and paragraphs, with a control character XML cannot hold."""

SIDE_BY_SIDE_ROWS = ["", "Option", "Posture", "In their words", "Rationale", "Dissent", "Entered by", "Recorded"]
"""First column of a decisions-side-by-side table, as report.html.j2 writes it."""

IMPROVEMENT_PLAN_HEADER = [
    "Capability", "Issue / area for improvement", "Corrective action", "Capability element",
    "Primary responsible organization", "Organization POC", "Start date", "Completion date",
]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The fixture exercise played through (with a note of several lines), its context, and the
    Word and HTML reports of that one context."""
    folder = tmp_path_factory.mktemp("played")
    session = play(folder)
    try:
        session.note(NOTE, inject="M1-03")
        context = session_context(session)
    finally:
        session.close()
    data = render_report(context=context, fmt="docx")
    page = render_report(context=context, fmt="html")
    assert isinstance(data, bytes) and isinstance(page, str)
    yield {"context": context, "docx": data, "html": page, "folder": folder}


def read(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def headings(document: Document) -> list[tuple[int, str]]:
    """(level, text) of every paragraph in a built-in Heading style, in order."""
    out = []
    for paragraph in document.paragraphs:
        match = re.fullmatch(r"Heading (\d)", paragraph.style.name)
        if match:
            out.append((int(match.group(1)), paragraph.text))
    return out


def html_headings(page: str) -> list[tuple[int, str]]:
    """(level, text) of every h1 to h4 of the HTML report, tags dropped, spaces collapsed."""
    return [
        (int(level), " ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split()))
        for level, inner in re.findall(r"<h([1-4])>(.*?)</h\1>", page, re.S)
    ]


def cells(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def all_text(document: Document) -> str:
    """Every paragraph's text, in the body and in table cells."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_title_and_every_heading_of_the_html_in_word_heading_styles(played: dict[str, Any]) -> None:
    document = read(played["docx"])
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [played["context"]["title"]]
    found = headings(document)
    assert found == html_headings(played["html"])
    chapters = [text for level, text in found if level == 1]
    assert chapters[0] == "1 Exercise overview" and chapters[-1] == "Appendix C: Corrections"
    assert "8 Improvement plan" in chapters and len(chapters) == 11


def test_the_improvement_plan_is_a_table_with_a_row_per_area_for_improvement(played: dict[str, Any]) -> None:
    context = played["context"]
    plan = [t for t in read(played["docx"]).tables if cells(t)[0] == IMPROVEMENT_PLAN_HEADER]
    assert len(plan) == 1
    rows = cells(plan[0])[1:]
    assert len(rows) == len(context["improvement_plan"]) >= 1
    assert [row[1] for row in rows] == [r["issue"] for r in context["improvement_plan"]]


def test_the_ratings_are_a_psmu_table_with_a_row_per_objective(played: dict[str, Any]) -> None:
    objectives = played["context"]["objectives"]
    ratings = [t for t in read(played["docx"]).tables if cells(t)[0] == ["Objective", "Capability", "P", "S", "M", "U"]]
    assert len(ratings) == 1
    rows = cells(ratings[0])[1:]
    assert len(rows) == len(objectives)
    for row, objective in zip(rows, objectives):
        assert row[0] == f"{objective['id']} {objective['text']}"
        for code, cell in zip("PSMU", row[2:]):
            assert cell.startswith("X") == (objective["rating"] == code)
            assert (f"({objective['counts'][code]})" in cell) == bool(objective["counts"][code])


def test_decisions_side_by_side_one_table_per_inject_one_column_per_team(played: dict[str, Any]) -> None:
    answered = [i for m in played["context"]["moves"] for i in m["injects"] if i["answers"]]
    found = [t for t in read(played["docx"]).tables if [row[0] for row in cells(t)] == SIDE_BY_SIDE_ROWS]
    for table in found:  # a short table is kept on one page
        assert all(p.paragraph_format.keep_with_next for row in table.rows[:-1] for c in row.cells for p in c.paragraphs)
    tables = [cells(t) for t in found]
    assert len(tables) == len(answered) >= 3
    for table, inject in zip(tables, answered):
        assert table[0][1:] == [a["team_label"] for a in inject["answers"]]
        assert table[1][1:] == [(a["answer"]["option_label"] or "(own words)") if a["answer"] else "no decision recorded"
                                for a in inject["answers"]]


def test_every_header_row_repeats_on_each_page(played: dict[str, Any]) -> None:
    document = read(played["docx"])
    headed = [t for t in document.tables if t.rows[0]._tr.trPr is not None
              and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None]
    facts = [t for t in document.tables if cells(t)[0][0] in ("Exercise", "Exercise name")]
    assert len(facts) == 2
    assert len(headed) == len(document.tables) - len(facts)
    for table in document.tables:
        assert table.style.name == "Table Grid"


def test_the_marking_heads_every_section_and_the_footer_counts_pages(played: dict[str, Any]) -> None:
    document = read(played["docx"])
    marking = played["context"]["marking"]
    assert len(document.sections) >= 5
    for section in document.sections:
        assert not section.header.is_linked_to_previous
        assert [p.text for p in section.header.paragraphs] == [marking]
        footer = section.footer.paragraphs[0]
        fields = [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))]
        assert fields == ["PAGE", "NUMPAGES"]
        assert footer.text.startswith(f"{played['context']['title']} — AAR/IP\tPage ")


def test_wide_tables_are_on_landscape_pages(played: dict[str, Any]) -> None:
    document = read(played["docx"])
    body = document.element.body
    landscape_chapters = []
    section_index = 0
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            style = child.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if style is not None and style.get(qn("w:val")) == "Heading1":
                if document.sections[section_index].orientation == WD_ORIENT.LANDSCAPE:
                    landscape_chapters.append(text)
            if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                section_index += 1
    assert landscape_chapters == ["8 Improvement plan", "Appendix B: MSEL as planned and as played"]
    for section in document.sections:
        long_side, short_side = sorted((section.page_width, section.page_height), reverse=True)
        assert abs(short_side - Cm(21.0)) < Cm(0.01) and abs(long_side - Cm(29.7)) < Cm(0.01)


def test_letter_paper(played: dict[str, Any]) -> None:
    document = read(render_report(context=played["context"], fmt="docx", paper="letter"))  # type: ignore[arg-type]
    assert abs(document.sections[0].page_width - Cm(21.59)) < Cm(0.01)


def test_core_properties(played: dict[str, Any]) -> None:
    context = played["context"]
    props = read(played["docx"]).core_properties
    assert props.title == "Strait Drill — After-Action Report"
    assert props.subject == "After-Action Report / Improvement Plan"
    assert props.keywords.endswith(", strait-drill")
    assert props.last_modified_by == context["generator"]
    stamp = datetime.fromisoformat(context["generated_iso"]).astimezone(timezone.utc).replace(microsecond=0)
    assert {props.created.replace(tzinfo=None), props.modified.replace(tzinfo=None)} == {stamp.replace(tzinfo=None)}


def test_author_is_the_scenario_authors(played: dict[str, Any]) -> None:
    context = dict(played["context"])
    context["exercise"] = {**context["exercise"], "authors": ["A. Planner", "B. Writer"]}
    props = read(render_report(context=context, fmt="docx")).core_properties  # type: ignore[arg-type]
    assert props.author == "A. Planner, B. Writer"


def test_the_chart_is_a_png_picture(played: dict[str, Any]) -> None:
    document = read(played["docx"])
    assert len(document.inline_shapes) == 1
    shape = document.inline_shapes[0]
    section = document.sections[0]
    assert abs(shape.width - (section.page_width - section.left_margin - section.right_margin)) < Cm(0.05)
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    image = Image.open(io.BytesIO(document.part.related_parts[blip.embed].blob))
    assert image.format == "PNG"
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    assert (0x00, 0x72, 0xB2) in colours  # joint decisions are drawn
    assert (0x9E, 0x9E, 0x9E) in colours  # and deliveries


def test_chart_png_draws_each_shape_of_the_svg() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><title>t</title>'
           f'<rect x="10" y="10" width="20" height="20" fill="{POSTURE_COLOURS["public"]}"><title>x</title></rect>'
           '<line x1="0" y1="40" x2="100" y2="40" class="axis"/>'
           '<line x1="60" y1="0" x2="60" y2="50" class="end"/>'
           '<text x="70" y="20" class="lane">ROK</text></svg>')
    image = Image.open(io.BytesIO(chart_png(svg, scale=2)))
    assert image.size == (200, 100)
    assert image.getpixel((40, 40)) == (0xCC, 0x79, 0xA7)
    assert image.getpixel((20, 80)) == (0x9A, 0xA3, 0xAD)
    dashed = [image.getpixel((120, y)) for y in range(0, 100)]
    assert (0x8B, 0x00, 0x00) in dashed and (255, 255, 255) in dashed
    assert any(image.getpixel((x, y)) != (255, 255, 255) for x in range(140, 200) for y in range(20, 42))


def test_user_text_is_shown_literally(played: dict[str, Any]) -> None:
    document = read(played["docx"])
    text = all_text(document)
    assert f"Lives first {HOSTILE}" in text
    assert f"No shared picture of the sea {SCRIPT}" in text
    assert f"Our ships first {CJK}" in text
    assert MD_META in text
    without_user_text = text.replace(HOSTILE, "").replace(MD_META, "").replace(SCRIPT, "")
    for markup in ("**", "<b>", "<p>", "<br", "\\|", "\\*", "&lt;", "&amp;"):
        assert markup not in without_user_text, markup
    bold_user_runs = [r.text for p in document.paragraphs for r in p.runs if r.bold and "bold" in r.text]
    assert bold_user_runs == []


def test_a_note_keeps_its_lines_and_paragraphs(played: dict[str, Any]) -> None:
    document = read(played["docx"])
    item = next(p for p in document.paragraphs if p.text.startswith("First line of the note"))
    assert item.style.name == "List Bullet"
    assert item.text.startswith("First line of the note\nsecond line - not a list\n\nA second paragraph with a bell")
    assert len(item._p.findall(f".//{qn('w:br')}")) == 3


def test_block_text_keeps_paragraphs_as_the_html_does() -> None:
    assert author_paragraphs("One line\nwrapped.\n\n- a list line\n- another\n\nLast") == [
        "One line wrapped.", "- a list line\n- another", "Last"]
    assert xml_text("a\x00b\x1bc\td") == "abc\td"


def test_same_context_same_bytes(played: dict[str, Any]) -> None:
    again = render_report(context=played["context"], fmt="docx")
    assert again == played["docx"]


def test_docx_takes_no_template(played: dict[str, Any]) -> None:
    with pytest.raises(ReportError, match="not from a template"):
        render_report(context=played["context"], fmt="docx", template="{{ title }}")


def test_cli_writes_the_word_file(played: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    session_file = played["folder"] / "drill.session"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")
    assert main(["report", str(session_file), "-f", "docx"]) == 0
    assert capsys.readouterr().out == "wrote drill-aar.docx\n"
    first = (tmp_path / "drill-aar.docx").read_bytes()
    assert read(first).core_properties.created.replace(tzinfo=None) == datetime(2030, 1, 1)
    assert main(["report", str(session_file), "-f", "word", "-o", str(tmp_path / "again.docx")]) == 0
    assert (tmp_path / "again.docx").read_bytes() == first


def test_cli_refuses_standard_output(played: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(played["folder"] / "drill.session"), "-f", "docx", "-o", "-"]) == 1
    captured = capsys.readouterr()
    assert "a Word file is written to a file: give -o FILE.docx" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_libreoffice_prints_it(played: dict[str, Any], tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    assert soffice and pdftotext, "LibreOffice and poppler-utils are needed to test the Word report"
    source = tmp_path / "aar.docx"
    source.write_bytes(played["docx"])
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, check=True, timeout=120)
    pdf = tmp_path / "aar.pdf"
    pages = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                           timeout=60).stdout.split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) > 5
    text = squash("".join(pages))
    for level, heading in headings(read(played["docx"])):
        if level == 1:
            assert squash(heading) in text, heading
    marking = squash(played["context"]["marking"])
    assert all(marking in squash(page) for page in pages)
    assert all(f"page{n}of{len(pages)}" in squash(page) for n, page in enumerate(pages, 1))


def test_many_teams_turn_the_decisions_chapter_landscape(tmp_path: Path) -> None:
    """A bundled exercise with five player teams: the side-by-side tables get a landscape page."""
    session = play_through(exercises_dir() / "south-china-sea-incident.yaml", tmp_path / "scs.tabletop")
    try:
        context = session_context(session)
    finally:
        session.close()
    widest = max(len(i["answers"]) for m in context["moves"] for i in m["injects"])
    assert widest == 5
    document = read(render_report(context=context, fmt="docx"))  # type: ignore[arg-type]
    assert headings(document) == html_headings(render_report(context=context, fmt="html"))  # type: ignore[arg-type]
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE,
                            WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    five_columns = [t for t in document.tables if [row[0] for row in cells(t)] == SIDE_BY_SIDE_ROWS and len(t.columns) == 6]
    assert five_columns


@pytest.mark.parametrize("stage", ["not started", "not ended"])
def test_unfinished_sessions(stage: str, tmp_path: Path) -> None:
    """A session still in play, or never started: the cover says so and the chapters are still those of the HTML."""
    session = new_session(tmp_path, start=False) if stage == "not started" else play(tmp_path, end=False)
    try:
        context = session_context(session)
    finally:
        session.close()
    document = read(render_report(context=context, fmt="docx"))  # type: ignore[arg-type]
    assert headings(document) == html_headings(render_report(context=context, fmt="html"))  # type: ignore[arg-type]
    cover = [p.text for p in document.paragraphs if p.text.startswith("Unfinished session:")]
    assert len(cover) == 1
    assert ("no STARTEX" in cover[0]) == (stage == "not started")
    assert len(document.inline_shapes) == (0 if stage == "not started" else 1)
