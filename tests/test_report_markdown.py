"""The Markdown report renders the same in the tools its readers open it with: pandoc (its own
Markdown, GFM and CommonMark) and markdown-it. Each table the template writes must come out as a
table with the same rows and columns in every one, paragraphs the template separates must stay
apart, and line breaks a user typed must survive, without raw HTML."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tabletop.report.render import md_cell, md_item, render_report
from tabletop.resources import exercises_dir
from tests.test_report import play
from tests.test_report_bundled import play_through

PANDOC_READERS = ("markdown", "gfm", "commonmark_x")
"""pandoc's own Markdown (what `pandoc report.md` reads), GitHub's, and CommonMark with extensions."""

NOTE = "First line of the note\nsecond line - not a list\n- a real list marker"


class Tables(HTMLParser):
    """The shape of each table in an HTML document: body rows, and cells per row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[int]] = []
        self._in_body = False
        self._row: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = 0
        elif tag == "td" and self._row is not None:
            self._row += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None


def tables_in_html(html: str) -> list[list[int]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


DELIMITER = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


def tables_written(markdown: str) -> list[list[int]]:
    """The tables as the template wrote them: a delimiter row, the body rows under it, their cells."""
    lines = markdown.splitlines()
    tables: list[list[int]] = []
    for index, line in enumerate(lines):
        if not DELIMITER.match(line):
            continue
        columns = line.count("|") - 1
        rows: list[int] = []
        for body in lines[index + 1:]:
            if not body.startswith("|"):
                break
            rows.append(columns)
        tables.append(rows)
    return tables


def pandoc(markdown: str, reader: str) -> str:
    executable = shutil.which("pandoc")
    assert executable, "pandoc is needed to test the Markdown report (.ci/run installs it)"
    result = subprocess.run([executable, "-f", reader, "-t", "html"], input=markdown,
                            capture_output=True, text=True, check=True, timeout=120)
    return result.stdout


def renderings(markdown: str) -> dict[str, str]:
    """The report as HTML from every reader."""
    out = {f"pandoc -f {reader}": pandoc(markdown, reader) for reader in PANDOC_READERS}
    out["markdown-it"] = MarkdownIt("commonmark").enable("table").render(markdown)
    out["markdown-it gfm-like"] = MarkdownIt("gfm-like").render(markdown)
    return out


@pytest.fixture(scope="module")
def bundled_markdown(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A bundled exercise played through (its injects put questions), with a note of several lines."""
    folder = tmp_path_factory.mktemp("played")
    session = play_through(exercises_dir() / "disaster-relief.yaml", folder / "dr.tabletop")
    try:
        asking = next(i for i in session.exercise.all_injects() if i.questions)
        session.note(NOTE, inject=asking.id)
        markdown = render_report(session=session, fmt="md")
    finally:
        session.close()
    assert isinstance(markdown, str)
    return markdown


def test_every_table_written_is_a_table_in_every_reader(bundled_markdown: str) -> None:
    written = tables_written(bundled_markdown)
    assert len(written) >= 20
    for name, html in renderings(bundled_markdown).items():
        assert tables_in_html(html) == written, name
        assert "|---" not in html, name


def test_fixture_report_tables_in_every_reader(tmp_path: Path) -> None:
    session = play(tmp_path)
    try:
        markdown = render_report(session=session, fmt="md")
    finally:
        session.close()
    assert isinstance(markdown, str)
    written = tables_written(markdown)
    assert len(re.findall(r"^\| Option \|", markdown, re.M)) == 3  # the decisions side by side, once per inject
    for name, html in renderings(markdown).items():
        assert tables_in_html(html) == written, name


def test_received_and_questions_are_separate_paragraphs(bundled_markdown: str) -> None:
    for name, html in renderings(bundled_markdown).items():
        assert re.search(r"<p><strong>Received:</strong>", html), name
        assert re.search(r"<p><strong>Questions put:</strong>", html), name
        assert re.search(r"<p><strong>Decision:", html), name
        for paragraph in re.findall(r"<p>(.*?)</p>", html, re.S):
            labels = [label for label in ("Received:", "Questions put:", "Decision:") if label in paragraph]
            assert len(labels) <= 1, (name, paragraph)


def test_line_breaks_in_a_note_are_kept(bundled_markdown: str) -> None:
    for name, html in renderings(bundled_markdown).items():
        item = next(li for li in re.findall(r"<li>(.*?)</li>", html, re.S) if "First line of the note" in li)
        assert re.search(r"First line of the note<br\s*/?>\s*second line - not a list<br\s*/?>\s*- a real list marker",
                         item), (name, item)


def test_no_raw_html_line_breaks_in_cells(bundled_markdown: str) -> None:
    assert "<br" not in bundled_markdown
    for name, html in renderings(bundled_markdown).items():
        assert "&lt;br" not in html, name


def test_cell_and_item_filters() -> None:
    assert md_cell("one\n\ntwo | three") == "one / two \\| three"
    assert md_item("a\n- b\n<i>") == "a\\\n  \\- b\\\n  \\<i\\>"
    assert md_item("") == ""


def test_each_strength_and_each_team_is_its_own_list_item(tmp_path: Path) -> None:
    from engine_fixtures import new_session

    session = new_session(tmp_path)
    session.end()
    session.hotwash("strength", "Trilateral call within the hour", objective="OBJ-1")
    session.hotwash("strength", "Rescue north of the line", objective="OBJ-2")
    session.hotwash("improvement", "Nobody owned the press line", team="us")
    session.hotwash("improvement", "Late sharing")
    markdown = render_report(session=session, fmt="md")
    session.close()
    assert isinstance(markdown, str)
    tokens = MarkdownIt().parse(markdown)
    items = [t.content for t in tokens if t.type == "inline" and t.level == 3]
    for text in ("Trilateral call within the hour \\[OBJ-1\\]", "Rescue north of the line \\[OBJ-2\\]",
                 "Nobody owned the press line (US)", "Late sharing"):
        assert text in items, (text, items[:12])


def test_feedback_ratings_are_a_table_of_statements_in_every_reader(tmp_path: Path) -> None:
    from tabletop.engine import Session
    from tests.need_to_know_fixtures import play_portal_session

    with Session.open(play_portal_session(tmp_path), readonly=True) as session:
        markdown = render_report(session=session, fmt="md")
    assert isinstance(markdown, str)
    assert ".:" not in markdown and " answers, average" not in markdown
    section = markdown[markdown.index("### Participant feedback (2 forms)"):]
    assert "| The exercise met its objectives. | 1 | 5.0 |" in section
    assert "| The scenario was realistic and useful for my role. | 2 | 3.0 |" in section
    assert "| The exercise was well organized and well run. | 0 | — |" in section
    written = tables_written(markdown)
    assert [3] * 4 in written, "the four statements, one row each, with their answers and average"
    for name, html in renderings(markdown).items():
        assert tables_in_html(html) == written, name
        assert re.search(r"<th[^>]*>Statement \(1 = strongly disagree, 5 = strongly agree\)</th>", html), name
