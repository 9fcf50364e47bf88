"""The after-action report: context, HTML, Markdown and PDF from sessions played through the engine."""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.report.context import session_context
from tabletop.report.pdf import html_to_pdf, report_fetcher
from tabletop.report.render import md_escape, render_report
from tests.engine_fixtures import new_session

SCRIPT = "<script>alert(1)</script>"
MD_META = "**bold** | `code` [link](http://x.invalid) # not a heading"
CJK = "日本語の説明 한국어 中文"
HOSTILE = f"{SCRIPT} {MD_META} {CJK}"
"""Text a user might type, used in every free-text field of the played session."""


def squash(text: str) -> str:
    """Text without whitespace or NULs, case-folded: pypdf spaces out some runs of glyphs and
    leaves UTF-16 NULs in others, and the cover prints some words in capitals."""
    return re.sub(r"[\s\x00]+", "", text).casefold()


def play(folder: Path, *, end: bool = True) -> Session:
    """The fixture exercise played through: decisions for every team, rulings, observations, corrections, hot wash."""
    clock = FakeClock()
    session = new_session(folder, clock=clock)
    clock.advance(minutes=5)
    session.deliver("M1-01")
    clock.advance(minutes=10)
    session.deliver("M1-02")
    session.decide("rok", "M1-02", option="direct", rationale=f"Lives first {HOSTILE}", dissent="Navy wanted to wait")
    wrong = session.decide("us", "M1-02", option="alone", rationale="recorded by mistake")
    session.correct(wrong.seq, "facilitator clicked the wrong option", {"option": "beijing", "rationale": "Ask the capital"})
    session.rule(f"The Chinese vessel turns toward the site {HOSTILE}", rationale="ROK asked directly", inject="M1-02", team="china")
    clock.advance(minutes=15)
    session.deliver("M1-03")
    session.decide("japan", "M1-03", option="share")
    session.decide("china", "M1-03", option="hold", text=f"Our ships first {CJK}")
    obs = session.observe("OBJ-3", "U", "retracted observation text")
    session.correct(obs.seq, "observed the wrong team")
    session.observe("OBJ-1", "S", f"ROK hailed quickly {HOSTILE}")
    session.observe("OBJ-1", "M", "US waited for the capital")
    session.note(f"Teams slow to start {MD_META}", inject="M1-03")
    clock.advance(minutes=10)
    session.deliver("M1-04")
    session.advance()
    session.deliver("M2-01")
    for team, option in (("us", "nearest"), ("japan", "nearest"), ("rok", "nearest"), ("china", "escalate")):
        session.decide(team, "M2-01", option=option)
    session.adhoc(f"Typhoon warning {SCRIPT}", f"A second storm {HOSTILE}", ["us", "japan"])
    session.hold("M2-03", "waiting for the statement text")
    session.skip("M2-02", "no time left")
    if end:
        session.end()
        session.hotwash("strength", f"Hotline answered at once {CJK}", objective="OBJ-2")
        session.hotwash("improvement", f"No shared picture of the sea {SCRIPT}", objective="OBJ-3", team="japan")
    return session


@pytest.fixture
def played(tmp_path: Path) -> Iterator[Session]:
    """A finished session of the fixture exercise."""
    session = play(tmp_path)
    yield session
    session.close()


# The context


def test_context_is_plain_data(played: Session) -> None:
    context = session_context(played, name="drill.session")
    assert json.loads(json.dumps(context)) == context


def test_summary_counts_what_happened(played: Session) -> None:
    summary = session_context(played)["summary"]
    assert summary["delivered"] == 5
    assert summary["held"] == 1
    assert summary["skipped"] == 1
    assert summary["adhoc"] == 1
    by_team = {row["team"]: row for row in summary["by_team"]}
    assert by_team["us"]["answered"] == 2
    assert by_team["china"]["postures"]["public"] == 1
    verdicts = {c["inject"]: c["verdict"] for c in summary["convergence"]}
    assert verdicts == {"M1-02": "diverged", "M1-03": "diverged", "M2-01": "diverged"}
    assert any("diverged on 3" in finding for finding in summary["findings"])


def test_corrections_are_applied_and_listed(played: Session) -> None:
    context = session_context(played)
    move = context["moves"][0]
    m102 = next(i for i in move["injects"] if i["id"] == "M1-02")
    us = next(a for a in m102["answers"] if a["team"] == "us")["answer"]
    assert us["option"] == "beijing" and us["posture"] == "deferring"
    texts = [o["text"] for o in context["objectives"][2]["observations"]]
    assert "retracted observation text" not in texts
    actions = sorted(c["action"] for c in context["corrections"])
    assert actions == ["corrected", "retracted"]
    assert all("recorded by mistake" not in row["text"] for row in context["timeline"])


def test_posture_matrix_counts_latest_choice_per_team_and_move(played: Session) -> None:
    matrix = session_context(played)["posture_matrix"]
    rows = {row["team"]: row for row in matrix["rows"]}
    china_m2 = rows["china"]["cells"][1]
    assert china_m2["dominant"] == "public"
    assert rows["us"]["cells"][0]["counts"] == [{"posture": "deferring", "count": 1}]
    totals = {t["posture"]: t["count"] for t in matrix["totals"]}
    assert sum(totals.values()) == matrix["total"] and totals["deferring"] >= 1


def test_a_tie_in_a_matrix_cell_shades_nothing() -> None:
    from collections import Counter

    from tabletop.report.context import _dominant

    assert _dominant(Counter({"joint": 2, "national": 2})) == ""
    assert _dominant(Counter({"joint": 1, "national": 2})) == "national"
    assert _dominant(Counter()) == ""


def test_objective_ratings_and_improvement_plan(played: Session) -> None:
    context = session_context(played)
    obj1 = context["objectives"][0]
    assert obj1["counts"] == {"P": 0, "S": 1, "M": 1, "U": 0}
    assert obj1["rating"] == "M"
    plan = context["improvement_plan"]
    assert len(plan) == 1
    assert plan[0]["capability"] == "Intelligence and Information Sharing"
    assert plan[0]["organization"] == "Japan"


# HTML


def test_html_escapes_everything_a_user_typed(played: Session) -> None:
    html = render_report(session=played, fmt="html")
    assert isinstance(html, str)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert CJK in html
    assert "<svg" in html and "Page " not in html.split("<body>")[1][:200]
    for heading in ("Executive summary", "Timeline of play", "Posture matrix", "Improvement plan",
                    "Appendix B: MSEL as planned and as played", "Appendix C: Corrections"):
        assert heading in html


def test_html_is_self_contained(played: Session) -> None:
    html = render_report(session=played, fmt="html")
    assert isinstance(html, str)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html)
    assert "@import" not in html and "url(" not in html


def test_unfinished_session_says_so_on_the_cover(tmp_path: Path) -> None:
    session = play(tmp_path, end=False)
    try:
        html = render_report(session=session, fmt="html")
        md = render_report(session=session, fmt="md")
    finally:
        session.close()
    assert isinstance(html, str) and isinstance(md, str)
    cover = html.split('id="overview"')[0]
    assert "Unfinished session: play has not reached ENDEX" in cover
    assert "**Unfinished session:**" in md.split("## 1 Exercise overview")[0]


def test_empty_session_renders_every_format(tmp_path: Path) -> None:
    session = new_session(tmp_path, start=False)
    try:
        html = render_report(session=session, fmt="html")
        md = render_report(session=session, fmt="md")
        pdf = render_report(session=session, fmt="pdf")
    finally:
        session.close()
    assert isinstance(html, str) and "play has not started" in html
    assert isinstance(md, str) and "play has not started" in md
    assert isinstance(pdf, bytes)
    assert "playhasnotstarted" in squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


# Markdown


def test_markdown_escapes_html_and_markdown(played: Session) -> None:
    md = render_report(session=played, fmt="md")
    assert isinstance(md, str)
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script>" not in html
    assert "<strong>bold</strong>" not in html
    assert '<a href="http://x.invalid"' not in html
    assert "<code>code</code>" not in html
    assert CJK in html
    assert "**bold**" in html
    assert html.count("<table>") >= 10


def test_markdown_tables_keep_their_columns(played: Session) -> None:
    md = render_report(session=played, fmt="md")
    assert isinstance(md, str)
    html = MarkdownIt("commonmark").enable("table").render(md)
    timeline = html.split("Timeline of play")[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", timeline, re.S)
    assert rows and all(row.count("<td") == 7 for row in rows[1:])


def test_md_escape_marks_line_starts_only_after_newlines() -> None:
    assert md_escape("1.0 +01:00") == "1.0 +01:00"
    assert md_escape("a\n- b\n2. c") == "a\n\\- b\n2\\. c"


# PDF


def test_pdf_text_and_pages(played: Session) -> None:
    pdf = render_report(session=played, fmt="pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = squash("\n".join(page.extract_text() for page in reader.pages))
    assert len(reader.pages) >= 8
    for needle in ("After-ActionReport", "EXERCISE-FORTRAININGONLY", f"Page1of{len(reader.pages)}",
                   "Posturematrix", "Improvementplan",
                   squash(SCRIPT), "Hailitdirectlyonchannel16"):
        assert squash(needle) in text, needle
    second = squash(reader.pages[1].extract_text())
    assert squash("EXERCISE - FOR TRAINING ONLY") in second and "page2of" in second
    width, height = float(reader.pages[1].mediabox.width), float(reader.pages[1].mediabox.height)
    assert (round(width), round(height)) == (595, 842)


def test_pdf_on_letter_paper_with_landscape_plan(played: Session) -> None:
    pdf = render_report(session=played, fmt="pdf", paper="letter")
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(612, 792), (792, 612)}
    plan = next(p for p in reader.pages if "8improvementplan" in squash(p.extract_text()))
    assert round(float(plan.mediabox.width)) == 792


def test_pdf_page_renders_to_a_picture(played: Session, tmp_path: Path) -> None:
    pdf = render_report(session=played, fmt="pdf")
    document = pdfium.PdfDocument(pdf)
    image = document[2].render(scale=1).to_pil().convert("L")
    image.save(tmp_path / "summary.png")
    dark = sum(image.histogram()[:128])
    assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1
    assert dark > 2000


def test_pdf_fetches_nothing_from_outside(tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    fetcher = report_fetcher()
    html = (f'<html><head><link rel="stylesheet" href="file://{secret}">'
            '<link rel="stylesheet" href="http://example.invalid/x.css"></head>'
            f'<body><img src="file:///etc/passwd"><img src="https://example.invalid/a.png"><p>text</p></body></html>')
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert sorted(fetcher.refused) == sorted([f"file://{secret}", "http://example.invalid/x.css",
                                              "file:///etc/passwd", "https://example.invalid/a.png"])


# A large record


@pytest.fixture
def ram_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a RAM disk when the machine has one, so thousands of durable appends stay quick."""
    ram = Path("/dev/shm")
    if ram.is_dir():
        with tempfile.TemporaryDirectory(dir=ram) as folder:
            yield Path(folder)
    else:
        yield tmp_path


def test_thousands_of_events(ram_folder: Path) -> None:
    from bench.bench_report import play_big

    session = play_big(ram_folder, 400)
    try:
        assert len(session.state.events) > 2000
        full = session_context(session, detail="full")
        condensed = session_context(session)
        html = render_report(context=condensed, fmt="html")
        md = render_report(context=condensed, fmt="md")
    finally:
        session.close()
    assert not full["condensed"] and len(full["timeline"]) == len(session.state.events)
    assert condensed["condensed"] and len(condensed["timeline"]) < 100
    assert condensed["summary"]["decisions"] == 2000
    assert isinstance(html, str) and "Condensed record" in html and "&lt;b&gt;guard&lt;/b&gt;" in html
    assert isinstance(md, str) and "海上保安庁" in md
    pdf = html_to_pdf(html)
    text = squash(PdfReader(io.BytesIO(pdf)).pages[2].extract_text())
    assert "400of400scheduledinjectsdelivered" in text


def test_an_inject_held_then_delivered_is_counted_as_held_then_delivered(tmp_path: Path) -> None:
    from tabletop.clock import FakeClock
    from tests.engine_fixtures import new_session

    with new_session(tmp_path, clock=FakeClock()) as session:
        session.hold("M1-02", "waiting for the ROK table")
        session.deliver("M1-02")
        session.hold("M1-03", "later")
        summary = session_context(session)["summary"]
    assert summary["held"] == 1 and summary["held_then_delivered"] == 1
    assert any("1 still held at the end, 1 delivered after a hold" in f for f in summary["findings"])


def test_the_msel_as_played_says_how_late_in_hours_and_minutes(tmp_path: Path) -> None:
    clock = FakeClock()
    session = new_session(tmp_path, clock=clock)
    clock.advance(minutes=5)
    session.deliver("M1-01")  # at +00:05, as scheduled
    clock.advance(minutes=95)
    session.deliver("M1-02")  # scheduled +00:15, delivered at +01:40
    rows = {row["id"]: row for row in session_context(session)["msel"]}
    session.close()
    assert rows["M1-01"]["delta"] == "on time"
    assert rows["M1-02"]["delta"] == "+1 h 25 min", "a long delay reads in hours, not as '+85 min'"


def test_a_note_and_a_ruling_tied_to_no_inject_are_reported_under_the_move_they_were_written_in(tmp_path: Path) -> None:
    session = new_session(tmp_path, clock=FakeClock(datetime(2030, 4, 10, 21, 0, tzinfo=timezone.utc)))
    try:
        session.note("The room asks for a break before the second move")
        session.advance()
        session.rule("The weather clears for the rest of the day", rationale="to keep the search going")
        context = session_context(session)
    finally:
        session.close()
    moves = {m["id"]: m for m in context["moves"]}
    first, second = (m["id"] for m in context["moves"][:2])
    assert [n["text"] for n in moves[first]["notes"]] == ["The room asks for a break before the second move"]
    assert [r["text"] for r in moves[second]["rulings"]] == ["The weather clears for the rest of the day"]
    assert not moves[first]["rulings"] and not moves[second]["notes"]


def _msel_statuses(session: Session) -> tuple[dict[str, str], dict[str, str], str, str, str]:
    """Each MSEL row's status as the appendix says it, each inject's as chapter 4 says it, and the
    HTML, Markdown and Word texts of the report."""
    import docx

    context = session_context(session)
    appendix = {row["id"]: row["status_label"] for row in context["msel"]}
    chapter = {i["id"]: i["status_label"] for m in context["moves"] for i in m["injects"]}
    html = render_report(context=context, fmt="html")
    md = render_report(context=context, fmt="md")
    document = docx.Document(io.BytesIO(render_report(context=context, fmt="docx")))  # type: ignore[arg-type]
    word = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert isinstance(html, str) and isinstance(md, str)
    return appendix, chapter, html, md, word


def test_an_inject_still_to_come_reads_not_yet_delivered_until_endex(tmp_path: Path) -> None:
    """While play goes on, a scheduled inject of the open move (or a later one) that has not gone out
    is still to come; 'not played' is for one whose move closed without it, and for all after ENDEX."""
    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as session:
        clock.advance(minutes=5)
        session.deliver("M1-01")
        session.advance()  # M1-02 and M1-03 were never delivered in M1; M2 is open
        clock.advance(minutes=1)
        appendix, chapter, html, md, word = _msel_statuses(session)
        assert appendix["M1-02"] == chapter["M1-02"] == "not played"
        assert appendix["M2-01"] == chapter["M2-01"] == "not yet delivered"
        assert "| M2-01 | M2 | +01:00 | Where to land the survivors |" in md
        assert "| not yet delivered |" in md.split("| M2-01 | M2 |")[1].split("\n")[0]
        assert '<span class="status-label">not yet delivered</span>' in html
        assert "<td><b>not yet delivered</b></td>" in html
        assert "not yet delivered" in word
        session.end()
        appendix, chapter, html, md, word = _msel_statuses(session)
    assert appendix["M2-01"] == chapter["M2-01"] == "not played"
    assert appendix["M1-02"] == "not played"
    for text in (html, md, word):
        assert "not yet delivered" not in text


def test_a_contingency_reads_not_used_until_it_is_delivered(tmp_path: Path) -> None:
    """A contingency is fired only when the facilitator chooses: unfired, it was not used (neither
    'not played' nor still to come), before ENDEX and after; fired, it was delivered."""
    with new_session(tmp_path) as session:
        session.deliver("M1-01")
        appendix, _, html, md, word = _msel_statuses(session)
        assert appendix["C-1"] == "not used"
        session.deliver("C-1")
        session.end()
        appendix, chapter, html, md, word = _msel_statuses(session)
    assert appendix["C-1"] == chapter["C-1"] == "delivered"
    assert appendix["C-2"] == "condition not met"
    assert "| delivered |" in next(line for line in md.splitlines() if "| C-1 |" in line)
    (tmp_path / "ended").mkdir()
    with new_session(tmp_path / "ended") as session:
        session.end()
        appendix, _, html, md, word = _msel_statuses(session)
    assert appendix["C-1"] == "not used"
    assert "| not used |" in next(line for line in md.splitlines() if "| C-1 |" in line)
    assert "<td><b>not used</b></td>" in html and "not used" in word


def test_the_msel_appendix_gives_the_reason_of_a_hold_once_the_inject_was_delivered_or_skipped(tmp_path: Path) -> None:
    """An inject held and then delivered or skipped no longer reads 'held': its status says it was
    held first, and why, in every format; one still held keeps its reason beside 'held'."""
    with new_session(tmp_path) as session:
        session.hold("M1-01", "waiting for the ROK table")
        session.deliver("M1-01")
        session.hold("M1-02", "the US cell is out of the room")
        session.skip("M1-02", "no time left")
        session.hold("M1-03", "")
        session.deliver("M1-03")
        session.hold("M2-01", "statement not ready")
        taken_back = session.hold("M2-02", "by mistake")
        session.correct(taken_back.seq, "held the wrong inject")
        session.deliver("M2-02", force=True)
        session.end()
        _, _, html, md, word = _msel_statuses(session)
        rows = {row["id"]: row for row in session_context(session)["msel"]}
    assert rows["M1-01"]["held_first"] == "held first (waiting for the ROK table)"
    assert (rows["M1-02"]["status_label"], rows["M1-02"]["reason"]) == ("skipped", "no time left")
    assert rows["M1-02"]["held_first"] == "held first (the US cell is out of the room)"
    assert rows["M1-03"]["held_first"] == "held first"
    assert (rows["M2-01"]["status_label"], rows["M2-01"]["reason"], rows["M2-01"]["held_first"]) == (
        "held", "statement not ready", "")
    assert (rows["M2-02"]["status_label"], rows["M2-02"]["held_first"]) == ("delivered", ""), "its hold was taken back"
    assert "| delivered, held first (waiting for the ROK table) |" in md
    assert "| skipped, held first (the US cell is out of the room) |" in md
    assert "<td><b>delivered</b>, held first (waiting for the ROK table)</td>" in html
    assert "delivered, held first (waiting for the ROK table)" in word
    assert "skipped, held first (the US cell is out of the room)" in word


def test_a_correction_of_a_field_the_record_line_does_not_show_names_it_before_and_after(tmp_path: Path) -> None:
    """A decision's line names its option, not its dissent or rationale: a correction of those alone
    must not read the same 'Originally' and 'Now', in any format."""
    import docx

    with new_session(tmp_path) as session:
        session.deliver("M1-02")
        us = session.decide("us", "M1-02", option="alone", dissent="none")
        session.correct(us.seq, "dissent misheard", {"dissent": "State wanted to call Beijing"})
        rok = session.decide("rok", "M1-02", option="direct", rationale="closest hull")
        session.correct(rok.seq, "wrong option", {"option": "beijing", "rationale": "ask the capital"})
        context = session_context(session)
        md = render_report(context=context, fmt="md")
        html = render_report(context=context, fmt="html")
        word = render_report(context=context, fmt="docx")
    rows = {c["target"]: c for c in context["corrections"]}
    dissent, option = rows[us.seq], rows[rok.seq]
    assert dissent["before"] != dissent["after"]
    assert dissent["before"] == "US decided alone on M1-02; dissent: none"
    assert dissent["after"] == "US decided alone on M1-02; dissent: State wanted to call Beijing"
    assert option["before"] == "ROK decided direct on M1-02; rationale: closest hull"
    assert option["after"] == "ROK decided beijing on M1-02; rationale: ask the capital"
    assert isinstance(md, str) and isinstance(html, str) and isinstance(word, bytes)
    assert f"| {dissent['before']} | {dissent['after']} |" in md
    assert f"<td>{dissent['before']}</td><td>{dissent['after']}</td>" in html
    cells = [[c.text for c in row.cells] for t in docx.Document(io.BytesIO(word)).tables for row in t.rows]
    assert any(row[-2:] == [dissent["before"], dissent["after"]] for row in cells)
