"""The after-action report as a Word document, built with python-docx from the report context.

Organizers finish an AAR/IP in Word and review it in the after-action meeting,
so the document is made of what Word edits well: the built-in Title and
Heading styles (the navigation pane and a table of contents find the
chapters), real tables with a header row that repeats on every page, bullet
lists, the marking in every page header, "Page X of Y" in the footer and the
activity chart as a picture. It reads the same context as the templates and
follows report.html.j2 chapter by chapter, with the same wording. Every value
a user typed goes into plain text runs: nothing is parsed as Markdown or HTML.

The page size comes from `paper`; the improvement plan and the MSEL appendix
(and the chapter of decisions side by side when many teams played) are
landscape sections. With the same context the bytes are the same: the core
properties and the dates of the zip entries are the context's generation stamp.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Union

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tabletop.report.charts import POSTURE_COLOURS, chart_png
from tabletop.report.context import POSTURE_MATRIX_TEXT
from tabletop.report.context import Context
from tabletop.report.render import _lines
from tabletop.wording import noun

PAGE_SIZES = {"a4": (Cm(21.0), Cm(29.7)), "letter": (Cm(21.59), Cm(27.94))}
"""Portrait width and height of each paper `--paper` accepts."""

MARGINS = {"top": Cm(2.0), "bottom": Cm(1.8), "left": Cm(1.5), "right": Cm(1.5)}
"""Page margins, as report.css sets them for print."""

FONT = "Arial"
"""Body and heading font: on every Word installation, and metric-compatible Liberation Sans in LibreOffice."""

ACCENT = RGBColor(0x17, 0x36, 0x5D)
"""Heading colour (report.css --accent)."""

MARKING_COLOUR = RGBColor(0x8B, 0x00, 0x00)
"""Colour of the marking in the page header (report.css)."""

MUTED = RGBColor(0x5A, 0x62, 0x70)
"""Colour of notes and of "nothing recorded" lines (report.css --muted)."""

HEADER_FILL = "EEF1F5"
"""Shading of table header cells (report.css --band)."""

CELL_FILLS = {
    "joint": "E3EFF8",
    "national": "E0F3EE",
    "public": "F7EAF2",
    "deferring": "EEEEEE",
    "free text": "F5F5F5",
}
"""Shading of a posture matrix cell by its dominant posture (report.css td.cell-*)."""

VERDICT_COLOURS = {"converged": "2E7D32", "same posture": "1565C0", "diverged": "C62828"}
"""Colour of each convergence verdict (report.css .verdict-*)."""

PORTRAIT_TEAMS = 4
"""Most team columns a decisions-side-by-side table holds on a portrait page; more turn chapter 4 landscape."""

Piece = tuple[str, str]
"""A run of text and its look: any of 'b' (bold), 'i' (italic), 'm' (muted), 's' (small) or a posture to colour."""

CellContent = Union[str, Sequence[Piece]]
"""What goes into a table cell: plain text, or runs with their looks."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Text Word can store: characters XML 1.0 forbids (control codes a terminal may have let through) are dropped."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def author_paragraphs(value: Any) -> list[str]:
    """Paragraphs of an author's block text as the HTML report prints them (the `paras` filter):
    blank lines split paragraphs, hard-wrapped lines are joined, list-like lines keep their own line."""
    text = xml_text(value)
    blocks = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return ["\n".join(_lines(block)) for block in blocks]


def _drop_theme_fonts(style: Any) -> None:
    """Let a style's own font name rule: the default template names theme fonts (Calibri, Cambria),
    which Word prefers to the font python-docx sets."""
    properties = style.element.rPr
    fonts = properties.rFonts if properties is not None else None
    if fonts is None:
        return
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def _set_cell_fill(cell: Any, fill: str) -> None:
    """Shade a table cell; python-docx has no API for cell shading, so this is the one `w:shd` element."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_as_header(row: Any) -> None:
    """Mark a table row as the header Word and LibreOffice repeat at the top of every page the table spans."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _keep_row_together(row: Any) -> None:
    """Keep a table row on one page (report.css `tr { break-inside: avoid }`)."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """Append a simple field (PAGE, NUMPAGES) to a paragraph; `shown` is the text before Word updates it.
    python-docx has no API for fields, so this is a `w:fldSimple` element."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _stamp(context: Context) -> datetime:
    """The context's generation stamp as an aware UTC datetime (SOURCE_DATE_EPOCH when it was set)."""
    try:
        stamp = datetime.fromisoformat(str(context.get("generated_iso", "")))
    except ValueError:
        stamp = datetime(1980, 1, 1, tzinfo=timezone.utc)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc)


def fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same package with every entry dated `stamp`: python-docx dates entries with the clock,
    so without this two renderings of one record would differ in the zip headers alone."""
    date_time = max(stamp, datetime(1980, 1, 1, tzinfo=timezone.utc)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


class WordReport:
    """Builds the document chapter by chapter, in the order and wording of report.html.j2."""

    def __init__(self, context: Context, *, paper: str = "a4") -> None:
        if paper.lower() not in PAGE_SIZES:
            raise ValueError(f"unknown paper {paper!r} (papers: {', '.join(PAGE_SIZES)})")
        self.c = context
        self.paper = paper.lower()
        self.doc = Document()
        self._styles: dict[str, Any] = {}
        self._setup_styles()
        self._setup_section(self.doc.sections[0], landscape=False)
        self._first_chapter = True
        self._spacer: Any = None

    # Page set-up

    def _setup_styles(self) -> None:
        """Fonts and colours of the built-in styles the report uses (their names stay Word's own)."""
        styles = self.doc.styles
        defaults = styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if defaults is not None:
            for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                defaults.attrib.pop(qn(attribute), None)
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                defaults.set(qn(attribute), FONT)
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(10)
        normal.paragraph_format.space_after = Pt(4)
        for style in styles:
            _drop_theme_fonts(style)
        for name, size in (("Title", 24), ("Subtitle", 13), ("Heading 1", 17), ("Heading 2", 13),
                           ("Heading 3", 11), ("Heading 4", 10)):
            style = styles[name]
            style.font.name = FONT
            style.font.size = Pt(size)
            style.font.color.rgb = ACCENT if name != "Heading 4" else RGBColor(0x1B, 0x1F, 0x24)
            style.font.italic = False
            style.paragraph_format.keep_with_next = True
        styles["Heading 1"].paragraph_format.space_after = Pt(8)
        for name in ("Header", "Footer"):
            styles[name].font.name = FONT
            styles[name].font.size = Pt(8)
            styles[name].paragraph_format.tab_stops.clear_all()
        styles["Subtitle"].paragraph_format.space_before = Pt(150)

    def style(self, name: str) -> Any:
        """A built-in style by its name, looked up once: python-docx searches every style on each lookup by name."""
        found = self._styles.get(name)
        if found is None:
            found = self._styles[name] = self.doc.styles[name]
        return found

    def styled_paragraph(self, style: str | None, text: str = "", *, container: Any = None) -> Any:
        """A new paragraph in a built-in style, its style id set directly: python-docx's own `style=`
        compares the style with the default one by walking every style, for each paragraph."""
        paragraph = (container or self.doc).add_paragraph()
        if style:
            paragraph._p.style = self.style(style).style_id
        if text:
            paragraph.add_run(xml_text(text))
        return paragraph

    def _content_width(self, section: Any) -> Any:
        """Width between the margins of a section."""
        return section.page_width - section.left_margin - section.right_margin

    def _setup_section(self, section: Any, *, landscape: bool) -> None:
        """Paper, orientation and margins of a section, and its own header (the marking) and footer
        (the title and "Page X of Y"), so every section carries them whatever its width."""
        width, height = PAGE_SIZES[self.paper]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (height, width) if landscape else (width, height)
        for side, length in MARGINS.items():
            setattr(section, f"{side}_margin", length)
        section.header_distance = Cm(0.9)
        section.footer_distance = Cm(0.8)
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        header.text = ""
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(xml_text(self.c["marking"]))
        run.bold = True
        run.font.color.rgb = MARKING_COLOUR
        footer = section.footer.paragraphs[0]
        footer.text = ""
        footer.paragraph_format.tab_stops.add_tab_stop(self._content_width(section), WD_TAB_ALIGNMENT.RIGHT)
        footer.add_run(xml_text(f"{self.c['title']} — AAR/IP") + "\t")
        footer.add_run("Page ")
        _field(footer, "PAGE", "1")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES", "1")

    def _drop_trailing_spacer(self) -> None:
        """Remove the empty paragraph after the last table when a page break follows: at the foot of a
        full page it would spill onto a page of its own and leave it empty."""
        body = self.doc.element.body
        spacer = self._spacer
        if spacer is not None and spacer.getparent() is body and spacer.getnext() is body.sectPr:
            body.remove(spacer)
        self._spacer = None

    def new_section(self, *, landscape: bool) -> None:
        """Start a section on a new page, landscape for the wide tables."""
        self._drop_trailing_spacer()
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._setup_section(section, landscape=landscape)
        self._first_chapter = True

    @property
    def width(self) -> Any:
        """Width between the margins of the current section."""
        return self._content_width(self.doc.sections[-1])

    # Blocks

    def chapter(self, title: str) -> None:
        """A chapter heading (Heading 1) on a new page, as each HTML section starts a printed page."""
        self._drop_trailing_spacer()
        paragraph = self.styled_paragraph("Heading 1", title)
        paragraph.paragraph_format.page_break_before = not self._first_chapter
        self._first_chapter = False

    def heading(self, title: str, level: int) -> None:
        """A heading of the given level (2 for sections, 3 for injects, 4 for their parts)."""
        self.styled_paragraph(f"Heading {level}", title)

    def para(self, pieces: CellContent, *, style: str | None = None, container: Any = None) -> Any:
        """One paragraph of runs; plain text keeps its line breaks as Word line breaks."""
        paragraph = self.styled_paragraph(style, container=container)
        self.runs(paragraph, pieces)
        return paragraph

    def runs(self, paragraph: Any, pieces: CellContent) -> None:
        """Write runs into a paragraph: each piece is plain text with its look, never markup."""
        if isinstance(pieces, str):
            pieces = [(pieces, "")]
        for text, look in pieces:
            if not text:
                continue
            run = paragraph.add_run(xml_text(text))
            flags = set(look.split(",")) if look else set()
            run.bold = "b" in flags or None
            run.italic = "i" in flags or None
            if "m" in flags:
                run.font.color.rgb = MUTED
            if "s" in flags:
                run.font.size = Pt(8)
            posture = next((f for f in flags if f in POSTURE_COLOURS), None)
            if posture is not None:
                run.bold = True
                run.font.color.rgb = RGBColor.from_string(POSTURE_COLOURS[posture].lstrip("#").upper())
            verdict = next((f for f in flags if f in VERDICT_COLOURS), None)
            if verdict is not None:
                run.bold = True
                run.font.color.rgb = RGBColor.from_string(VERDICT_COLOURS[verdict])

    def blocks(self, text: Any) -> None:
        """An author's block text (summary, situation, inject body) as paragraphs, as the HTML prints it."""
        for paragraph in author_paragraphs(text):
            self.para(paragraph)

    def muted(self, text: str) -> None:
        """A grey line: what is shown when a part of the record is empty, or a note on a table."""
        self.para([(text, "m")])

    def small_note(self, text: str) -> None:
        """A small grey note under a table."""
        self.para([(text, "m,s")])

    def bullets(self, items: Iterable[CellContent]) -> None:
        """A bulleted list (the built-in List Bullet style), one item per entry."""
        for item in items:
            self.para(item, style="List Bullet")

    def table(
        self,
        headers: Sequence[str] | None,
        rows: Sequence[Sequence[CellContent]],
        *,
        widths: Sequence[float] | None = None,
        size: float = 8.5,
        fills: Sequence[Sequence[str | None]] | None = None,
        header_column: bool = False,
        empty: str = "",
        keep_together: bool = False,
    ) -> Any:
        """A real table: a shaded header row that repeats on every page, then one row per entry.

        `widths` are shares of the page width; `fills` shades single cells; `header_column`
        makes the first column look like a header (the facts tables and the side by side).
        `empty` is one full-width row shown when there are no rows. `keep_together` keeps a short
        table on one page (each row's paragraphs are kept with the next row).
        """
        columns = len(headers) if headers else len(rows[0])
        table = self.doc.add_table(rows=0, cols=columns)
        table.style = self.style("Table Grid")
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = self.width
        shares = list(widths) if widths else [1.0] * columns
        lengths = [int(total * share / sum(shares)) for share in shares]
        for column, length in zip(table.columns, lengths):
            column.width = length
        if headers:
            row = table.add_row()
            _repeat_as_header(row)
            for cell, text in zip(row.cells, headers):
                self._fill_cell(cell, [(text, "b")], size)
                _set_cell_fill(cell, HEADER_FILL)
        for index, values in enumerate(rows):
            row = table.add_row()
            _keep_row_together(row)
            for column, (cell, value) in enumerate(zip(row.cells, values)):
                if header_column and column == 0:
                    value = [(value, "b")] if isinstance(value, str) else value
                    _set_cell_fill(cell, HEADER_FILL)
                self._fill_cell(cell, value, size)
                fill = fills[index][column] if fills else None
                if fill:
                    _set_cell_fill(cell, fill)
        if not rows and empty:
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[-1])
            self._fill_cell(merged, [(empty, "m")], size)
        last = len(table.rows) - 1
        for index, row in enumerate(table.rows):
            for cell, length in zip(row.cells, lengths):
                cell.width = length
                if keep_together and index < last:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
        spacer = self.doc.add_paragraph()
        spacer.paragraph_format.space_after = Pt(0)
        spacer.paragraph_format.line_spacing = Pt(8)
        self._spacer = spacer._p
        return table

    def _fill_cell(self, cell: Any, content: CellContent, size: float) -> None:
        """Write a cell's text; a blank line in it starts a new paragraph of the cell, other breaks stay breaks."""
        pieces: list[Piece] = [(content, "")] if isinstance(content, str) else list(content)
        paragraphs: list[list[Piece]] = [[]]
        for text, look in pieces:
            parts = re.split(r"\n\s*\n", xml_text(text))
            paragraphs[-1].append((parts[0], look))
            for part in parts[1:]:
                paragraphs.append([(part, look)])
        first = True
        for runs in paragraphs:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.paragraph_format.space_after = Pt(0)
            self.runs(paragraph, runs)
            for run in paragraph.runs:
                if run.font.size is None:
                    run.font.size = Pt(size)

    def picture(self, png: bytes) -> None:
        """A picture as wide as the page (an inline shape Word can resize)."""
        self.doc.add_picture(io.BytesIO(png), width=self.width)

    # The report

    def build(self) -> bytes:
        """The whole report as .docx bytes."""
        self.cover()
        self.overview()
        self.summary()
        self.timeline()
        wide = any(len(i["answers"]) > PORTRAIT_TEAMS for m in self.c["moves"] for i in m["injects"])
        if wide:
            self.new_section(landscape=True)
        self.moves()
        if wide:
            self.new_section(landscape=False)
        self.postures()
        self.analysis()
        self.hotwash()
        portal = self.c["portal"]
        if portal["rfis"] or portal["answers"] or portal["forms"]:
            self.portal()
        self.new_section(landscape=True)
        self.improvement_plan()
        self.new_section(landscape=False)
        self.participants()
        self.new_section(landscape=True)
        self.msel()
        self.new_section(landscape=False)
        self.corrections()
        self.attachments()
        self.properties()
        out = io.BytesIO()
        self.doc.save(out)
        return fixed_zip(out.getvalue(), _stamp(self.c))

    def properties(self) -> None:
        """Core properties as the HTML's meta tags give them: title, subject, author, keywords, date."""
        c, ex = self.c, self.c["exercise"]
        props = self.doc.core_properties
        props.title = xml_text(f"{c['title']} — After-Action Report")
        props.subject = "After-Action Report / Improvement Plan"
        props.author = xml_text(", ".join(ex["authors"]) if ex["authors"] else (ex["sponsor"] or ex["point_of_contact"]))
        props.last_modified_by = xml_text(c["generator"])
        props.keywords = xml_text(f"after-action report, improvement plan, tabletop exercise, {ex['id']}")
        props.comments = xml_text(f"After-Action Report / Improvement Plan: {c['title']}")
        props.category = "After-Action Report"
        stamp = _stamp(c).replace(tzinfo=None)
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1

    def cover(self) -> None:
        """The cover: kind, title, disclaimer, the unfinished-session warning and the facts of the record."""
        c, s, ex = self.c, self.c["session"], self.c["exercise"]
        self.para("After-Action Report / Improvement Plan", style="Subtitle")
        self.styled_paragraph("Title", c["title"])
        if c["disclaimer"]:
            self.para([(c["disclaimer"], "i")])
        if not s["finished"]:
            if s["started"]:
                text = (f"Unfinished session: play has not reached ENDEX. This report shows the record as it stood "
                        f"at {s['last_event']} (scenario time {s['scenario_end']}).")
            else:
                text = "Unfinished session: play has not started (no STARTEX). There is no record of play yet."
            self.para([(text, "b")])
        facts: list[list[CellContent]] = [["Exercise", f"{ex['id']}, version {ex['version']}"]]
        if s["started"]:
            facts.append(["Played", s["startex"] + (f" to {s['endex']}" if s["finished"] else "")])
        if ex["sponsor"]:
            facts.append(["Sponsor", ex["sponsor"]])
        if ex["point_of_contact"]:
            facts.append(["Point of contact", ex["point_of_contact"]])
        if s["name"]:
            facts.append(["Session record", s["name"]])
        facts.append(["Report generated", f"{c['generated']} by {c['generator']}"])
        self.table(None, facts, widths=(32, 68), size=9.5, header_column=True)
        self._first_chapter = False

    def overview(self) -> None:
        """1 Exercise overview: facts, scenario summary, objectives, teams."""
        s, ex = self.c["session"], self.c["exercise"]
        self.chapter("1 Exercise overview")
        if s["started"]:
            dates = f"STARTEX {s['startex']}" + (f"; ENDEX {s['endex']}" if s["finished"] else "")
            dates += f"; {s['wall_span']} of play: {s['clock_use']}"
        else:
            dates = "not yet played"
        scenario = f"Starts {s['world_start']} ({ex['timezone']})"
        if s["started"]:
            scenario += f"; played to {s['scenario_end']} ({s['world_end']})"
        scenario += f"; planned length {ex['planned_duration']}"
        facts: list[list[CellContent]] = [["Exercise name", ex["title"]], ["Exercise dates", dates],
                                          ["Scenario time", scenario]]
        if ex["location"]:
            facts.append(["Setting", ex["location"]])
        if ex["scope"]:
            facts.append(["Scope", "\n\n".join(author_paragraphs(ex["scope"]))])
        if ex["sponsor"]:
            facts.append(["Sponsor", ex["sponsor"]])
        if ex["point_of_contact"]:
            facts.append(["Point of contact", ex["point_of_contact"]])
        if ex["authors"]:
            facts.append(["Scenario authors", ", ".join(ex["authors"])])
        facts.append(["Structure", f"{ex['moves']} moves, {ex['injects']} scheduled injects, "
                                   f"{ex['contingencies']} contingencies"])
        self.table(None, facts, widths=(32, 68), size=9.5, header_column=True)
        self.heading("Scenario summary", 2)
        self.blocks(ex["summary"])
        self.heading("Objectives and capabilities", 2)
        objectives = self.c["objectives"]
        if objectives:
            self.table(["Objective", "Text", "Core capability"],
                       [[o["id"], o["text"], o["capability"] or "—"] for o in objectives], widths=(14, 56, 30))
        else:
            self.muted("The exercise states no objectives.")
        self.heading("Participating teams", 2)
        self.table(
            ["Team", "Name", "Role", "Injects received", "Decisions"],
            [[t["label"], t["name"], t["kind"], str(t["received"]), str(t["decisions"]) if t["kind"] == "player" else "—"]
             for t in self.c["teams"]],
            widths=(14, 42, 14, 16, 14),
        )

    def summary(self) -> None:
        """2 Executive summary: counts, key findings, decisions per team, convergence, decisions awaited."""
        sm, postures = self.c["summary"], self.c["postures"]
        self.chapter("2 Executive summary")
        self.para([(f"{sm['delivered']}/{sm['scheduled']}", "b"), (" injects delivered · ", ""),
                   (str(sm["held"]), "b"), (" held" + (f" ({sm['held_then_delivered']} more held, then delivered)"
                                                       if sm.get("held_then_delivered") else "") + " · ", ""), (str(sm["skipped"]), "b"), (" skipped · ", ""),
                   (str(sm["adhoc"]), "b"), (" ad hoc · ", ""),
                   (str(sm["decisions"]), "b"), (f" {noun(sm['decisions'], 'decision')} · ", ""),
                   (str(sm["observations"]), "b"),
                   (f" {noun(sm['observations'], 'observation')} · ", ""),
                   (str(sm["rulings"]), "b"), (f" {noun(sm['rulings'], 'ruling')}", "")])
        self.heading("Key findings", 2)
        self.bullets(sm["findings"])
        if sm["by_team"]:
            self.heading("Decisions per team", 2)
            self.table(
                ["Team", "Asked", "Answered", "Records", *postures, "free text"],
                [[r["label"], str(r["asked"]), str(r["answered"]), str(r["decisions"]),
                  *(str(r["postures"][p]) for p in postures), str(r["postures"]["free text"])] for r in sm["by_team"]],
                size=8,
            )
            self.small_note("Asked: delivered injects on which the team was to decide. Answered: injects the team "
                            "answered (its latest answer counts). Records: every decision recorded, changes of mind "
                            "included.")
        if sm["convergence"]:
            self.heading("Where teams converged or diverged", 2)
            rows: list[list[CellContent]] = []
            for c in sm["convergence_table"]:
                choices: list[Piece] = []
                for index, ch in enumerate(c["choices"]):
                    if index:
                        choices.append(("\n", ""))
                    choices += [(ch["team_label"], "b"), (": ", ""), (ch["posture"], ch["posture"]),
                                (" " + ch["said"] if ch["said"] else "", "")]
                rows.append([[(c["inject"], "b"), (" " + c["title"], "")], [(c["verdict"], c["verdict"])], choices])
            self.table(["Inject", "Verdict", "What each team chose"], rows, widths=(28, 14, 58))
            if sm["convergence_omitted"]:
                self.small_note(f"Condensed record: {sm['convergence_omitted']} more injects answered by several teams "
                                "are counted in the key findings and the posture matrix.")
        if sm["awaited"]:
            self.heading("Decisions still awaited", 2)
            self.table(["Inject", "Teams that did not answer"],
                       [[a["inject"], ", ".join(a["teams"])] for a in sm["awaited"]], widths=(25, 75))

    def timeline(self) -> None:
        """3 Timeline of play: the activity chart as a picture, then the table of records."""
        c, s = self.c, self.c["session"]
        self.chapter("3 Timeline of play")
        if s["started"]:
            self.para("Injects delivered and decisions recorded per team over scenario time. Grey bars below each "
                      "team's line count injects received; coloured bars above it count decisions by posture. The "
                      f"dashed line marks {'ENDEX' if s['finished'] else 'the last record'}.")
            self.picture(chart_png(c["chart_svg"]))
        if c["condensed"]:
            self.small_note("Condensed record: routine deliveries and decisions are left out of this table; chapter 2 "
                            "counts them and the chart shows them. Print with --detail full for every one.")
        if c["timeline"]:
            self.table(
                ["#", "Wall (UTC)", "Scenario", "In story", "What", "Team", "Record"],
                [[str(e["seq"]), e["wall"], e["scenario"], e["world"], e["kind"], e["teams"],
                  [(e["text"], ""), (f" ({e['mark']})" if e["mark"] else "", "m,i")]] for e in c["timeline"]],
                widths=(5, 10, 9, 12, 9, 11, 44), size=7.5,
            )
        else:
            self.muted("Nothing has been recorded yet.")

    def moves(self) -> None:
        """4 Moves and injects as played: each move's situation and questions, each inject as played."""
        c = self.c
        self.chapter("4 Moves and injects as played")
        if c["condensed"]:
            self.small_note(f"Condensed record: only the injects on which teams diverged or control ruled are detailed "
                            f"({c['injects_omitted']} more were played; see the posture matrix and appendix B). "
                            "Print with --detail full for every inject.")
        for move in c["moves"]:
            self.heading((f"Move {move['id']}: " if move["id"] else "") + move["title"], 2)
            if move["id"]:
                opened = (f"opened at {move['opened']} ({move['opened_wall']} UTC)" if move["opened"] else "not opened")
                self.para([(f"Planned to open at {move['planned']}; {opened}.", "i,m")])
            if move["situation"]:
                self.heading("Situation update", 4)
                if move["situation_variant"]:
                    self.para([(move["situation_variant"], "i,m")])
                self.blocks(move["situation"])
            if move["questions"]:
                self.heading("Discussion questions", 4)
                self.bullets([[(f"{q['to']}:", "b"), (f" {item}", "")] for q in move["questions"] for item in q["items"]])
            for inject in move["injects"]:
                self.inject(inject)
            if not move["injects"]:
                self.muted("No inject of this move was played.")
            if move.get("rulings"):
                self.heading("White-cell rulings on the move (not tied to an inject)", 4)
                self.bullets([[(f"{r['team_label']}: " if r["team_label"] else "", "b"), (r["text"], ""),
                               (f" — {r['rationale']}" if r["rationale"] else "", "m"), (f" ({r['scenario']})", "m,s")]
                              for r in move["rulings"]])
            if move.get("notes"):
                self.heading("Control notes on the move (not tied to an inject)", 4)
                self.bullets([[(n["text"], ""), (f" ({n['scenario']}, {n['author']})", "m,s")] for n in move["notes"]])

    def inject(self, i: dict[str, Any]) -> None:
        """One inject as played: status, body, deliveries, the decision and each team's answer side by side,
        rulings, expected actions against what was done, control notes."""
        self.heading(f"{i['id']} {i['title']}", 3)
        meta: list[Piece] = [(i["status_label"], "b")]
        if i["reason"]:
            meta.append((f" ({i['reason']})", ""))
        if i["scheduled"]:
            meta.append((f" · planned {i['scheduled']}", ""))
        meta.append((f" · {i['source']} · {i['channel']} · to {', '.join(i['to']) if i['to'] else '—'}", ""))
        if i["objectives"]:
            meta.append((" · " + ", ".join(i["objectives"]), ""))
        self.para([(text, ",".join(filter(None, (look, "m", "s")))) for text, look in meta])
        if i["condition"]:
            self.para([(f"Fires when: {i['condition']}", "m,s")])
        self.blocks(i["body"])
        if i["deliveries"]:
            received = "; ".join(
                f"{', '.join(d['to']) if d['to'] else '—'} at {d['scenario']} ({d['world']}; {d['wall']} UTC)"
                + (", again" if d["again"] else "") for d in i["deliveries"])
            self.para([("Received: ", "b,s"), (received, "s")])
        if i["questions"]:
            self.para([("Questions put: ", "b,s"), (" · ".join(i["questions"]), "s")])
        if i["decision"] or i["answers"]:
            if i["decision"]:
                self.heading(f"Decision: {i['decision']['prompt']}", 4)
                self.bullets([[(o["posture"], o["posture"]), (" ", ""), (o["id"], "b"), (f" {o['label']}", "")]
                              for o in i["decision"]["options"]])
            else:
                self.heading("Decisions recorded", 4)
            if i["answers"]:
                self.side_by_side(i["answers"])
        if i["rulings"]:
            self.heading("White-cell rulings", 4)
            self.bullets([[(f"{r['team_label']}: " if r["team_label"] else "", "b"), (r["text"], ""),
                           (f" — {r['rationale']}" if r["rationale"] else "", "m"), (f" ({r['scenario']})", "m,s")]
                          for r in i["rulings"]])
        if i["expected"] and i["deliveries"]:
            self.heading("Expected actions against what was done", 4)
            self.table(["Team", "Expected", "Done"],
                       [[e["team_label"], e["expected"], e["done"] or [("nothing recorded", "i,m")]]
                        for e in i["expected"]], widths=(16, 42, 42))
        if i["notes"]:
            self.heading("Control notes", 4)
            self.bullets([[(n["text"], ""), (f" ({n['scenario']}, {n['author']})", "m,s")] for n in i["notes"]])

    def side_by_side(self, answers: Sequence[dict[str, Any]]) -> None:
        """The decisions of every team on one inject, one column per team, one row per part of the answer."""
        def each(pick: Any) -> list[CellContent]:
            return [pick(a["answer"]) if a["answer"] else "" for a in answers]

        rows: list[list[CellContent]] = [
            ["Option", *([(a["answer"]["option_label"] or "(own words)", "")] if a["answer"]
                         else [("no decision recorded", "i,m")] for a in answers)],
            ["Posture", *each(lambda d: [(d["posture"], d["posture"])])],
            ["In their words", *each(lambda d: d["text"])],
            ["Rationale", *each(lambda d: d["rationale"])],
            ["Dissent", *each(lambda d: d["dissent"])],
            ["Entered by", *each(lambda d: d["entered_by"])],
            ["Recorded", *each(lambda d: d["recorded"])],
        ]
        self.table(["", *(a["team_label"] for a in answers)], rows, widths=(14, *([86 / len(answers)] * len(answers))),
                   size=8, header_column=True, keep_together=True)

    def postures(self) -> None:
        """5 Posture matrix: what each team chose, move by move, shaded by the dominant posture."""
        pm = self.c["posture_matrix"]
        self.chapter("5 Posture matrix")
        self.para(POSTURE_MATRIX_TEXT)
        if not pm["total"]:
            self.muted("No decision was recorded.")
            return
        rows: list[list[CellContent]] = []
        fills: list[list[str | None]] = []
        for row in pm["rows"]:
            cells: list[CellContent] = [[(row["label"], "b")]]
            shades: list[str | None] = [None]
            for cell in row["cells"]:
                counts: list[Piece] = []
                for index, count in enumerate(cell["counts"]):
                    counts += [("\n" if index else "", ""), (count["posture"], count["posture"]),
                               (f" × {count['count']}", "")]
                cells.append(counts or [("—", "m")])
                shades.append(CELL_FILLS.get(cell["dominant"]) if cell["dominant"] else None)
            rows.append(cells)
            fills.append(shades)
        headers = ["Team", *((f"{c['id']}: " if c["id"] else "") + c["title"] for c in pm["columns"])]
        self.table(headers, rows, fills=fills, size=8, widths=(16, *([84 / len(pm["columns"])] * len(pm["columns"]))))
        totals: list[Piece] = [("All choices: ", "")]
        for index, t in enumerate(pm["totals"]):
            totals += [(" · " if index else "", ""), (t["posture"], t["posture"]), (f" {t['count']} ({t['share']})", "")]
        totals.append((".", ""))
        self.para(totals)

    def analysis(self) -> None:
        """6 Analysis of objectives: the P/S/M/U rating table, the definitions, each objective's observations."""
        objectives = self.c["objectives"]
        self.chapter("6 Analysis of objectives")
        self.heading("Rating summary", 2)
        rows: list[list[CellContent]] = []
        for o in objectives:
            row: list[CellContent] = [[(o["id"], "b"), (f" {o['text']}", "")], o["capability"] or "—"]
            for code in ("P", "S", "M", "U"):
                row.append([("X" if o["rating"] == code else "", "b"),
                            (f" ({o['counts'][code]})" if o["counts"][code] else "", "m,s")])
            rows.append(row)
        table = self.table(["Objective", "Capability", "P", "S", "M", "U"], rows, widths=(46, 30, 6, 6, 6, 6),
                           empty="The exercise states no objectives.")
        for row in table.rows:
            for cell in row.cells[2:]:
                for paragraph in cell.paragraphs:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.small_note("X marks the rating most observations gave (ties go to the more severe); the number in "
                        "brackets counts the observations of each rating. The lead evaluator confirms the final rating.")
        self.heading("Rating definitions", 2)
        self.bullets([[(d["code"], "b"), (" — ", ""), (f"{d['name']}.", "b"), (f" {d['text']}", "")]
                      for d in self.c["rating_definitions"]])
        for o in objectives:
            self.heading(f"{o['id']}: {o['text']}", 2)
            meta = (f"Capability: {o['capability']}. " if o["capability"] else "")
            meta += f"Exercised by {', '.join(o['injects'])}." if o["injects"] else ""
            if meta:
                self.para([(meta.strip(), "i,m")])
            if o["observations"]:
                self.table(["Rating", "Observation", "Evaluator", "When"],
                           [[[(ob["rating"], "b")], [(ob["text"], ""), (f" [{ob['inject']}]" if ob["inject"] else "", "m")],
                             ob["evaluator"], ob["scenario"]] for ob in o["observations"]],
                           widths=(9, 61, 18, 12))
            else:
                self.para([("No observation was recorded against this objective.", "i,m")])

    def _hotwash_items(self, entries: Sequence[dict[str, Any]]) -> list[CellContent]:
        """Hot-wash entries as list items, with the team and the objective they concern."""
        return [[(s["text"], ""), (f" ({s['team_label']})" if s["team_label"] else "", "m"),
                 (f" [{s['objective']}]" if s["objective"] else "", "m")] for s in entries]

    def hotwash(self) -> None:
        """7 Strengths and areas for improvement, as named at the hot wash."""
        hw = self.c["hotwash"]
        self.chapter("7 Strengths and areas for improvement")
        self.heading("Strengths", 2)
        if hw["strengths"]:
            self.bullets(self._hotwash_items(hw["strengths"]))
        else:
            self.muted("No strength was recorded at the hot wash.")
        self.heading("Areas for improvement", 2)
        if hw["improvements"]:
            self.bullets(self._hotwash_items(hw["improvements"]))
        else:
            self.muted("No area for improvement was recorded at the hot wash.")

    def portal(self) -> None:
        """What the teams sent from their links: requests for information, discussion answers, feedback."""
        p = self.c["portal"]
        self.chapter("Teams' questions, discussion answers and feedback")
        self.heading("Requests for information", 2)
        if p["rfis"]:
            rows: list[list[CellContent]] = []
            for r in p["rfis"]:
                answer: list[Piece] = []
                for index, a in enumerate(r["answers"]):
                    answer += [("\n\n" if index else "", ""), (a["text"], ""), (f" ({a['scenario']})", "m,s")]
                rows.append([str(r["seq"]), r["team_label"],
                             [(r["text"], ""), (f" [{r['inject']}]" if r["inject"] else "", "m")],
                             answer or [("not answered", "i,m")], r["scenario"]])
            self.table(["#", "Team", "Question", "Answer from control", "When"], rows, widths=(5, 12, 38, 35, 10))
        else:
            self.muted("No team asked the control cell a question.")
        self.heading("Answers to the discussion questions", 2)
        if p["answers"]:
            self.table(["Team", "Move", "Question", "Answer"],
                       [[a["team_label"], a["move"], a["question"], a["text"]] for a in p["answers"]],
                       widths=(12, 10, 35, 43))
        else:
            self.muted("No team kept answers to the discussion questions.")
        self.heading(f"Participant feedback ({p['forms']} form{'' if p['forms'] == 1 else 's'})", 2)
        if p["forms"]:
            self.table(["Statement (1 = strongly disagree, 5 = strongly agree)", "Answers", "Average"],
                       [[r["question"], str(r["count"]), str(r["average"])] for r in p["ratings"]], widths=(70, 15, 15))
            self.bullets([[(f["kind"], "b,m"), (f" {f['text']}", ""),
                           (f" ({f['team_label']}" + (f", {f['participant']}" if f["participant"] else "") + ")", "m,s")]
                          for f in p["free_text"]])
        else:
            self.muted("No feedback form was sent.")

    def improvement_plan(self) -> None:
        """8 Improvement plan: the HSEEP columns, one row per area for improvement, on a landscape page."""
        self.chapter("8 Improvement plan")
        self.para(f"Prefilled from the areas for improvement named at the hot wash. Capability elements: "
                  f"{self.c['improvement_elements']}.")
        self.table(
            ["Capability", "Issue / area for improvement", "Corrective action", "Capability element",
             "Primary responsible organization", "Organization POC", "Start date", "Completion date"],
            [[r["capability"], r["issue"], r["corrective_action"], r["element"], r["organization"],
              r["point_of_contact"], r["start"], r["completion"]] for r in self.c["improvement_plan"]],
            widths=(12, 20, 20, 11, 11, 10, 8, 8), size=8.5,
            empty="No area for improvement was recorded, so the plan has no rows.",
        )

    def participants(self) -> None:
        """Appendix A: every team and its members."""
        self.chapter("Appendix A: Participants and teams")
        for t in self.c["teams"]:
            self.heading(f"{t['name']} ({t['label']}) {t['kind']}", 3)
            if t["members"]:
                self.bullets(t["members"])
            else:
                self.muted("No members listed.")

    def msel(self) -> None:
        """Appendix B: the MSEL as planned and as played, on a landscape page."""
        c = self.c
        self.chapter("Appendix B: MSEL as planned and as played")
        if c["condensed"]:
            self.small_note(f"Condensed record: of {c['msel_total']} rows, only the {len(c['msel'])} not delivered as "
                            "planned (held, skipped, ad hoc, not played) are listed.")
        rows: list[list[CellContent]] = []
        for r in c["msel"]:
            reason = r["reason"] + ("; " if r["reason"] and r["condition"] else "")
            reason += f"if {r['condition']}" if r["condition"] else ""
            status: list[Piece] = [(r["status_label"], "b")]
            if r["held_first"]:
                status.append((f", {r['held_first']}", ""))
            rows.append([str(r["number"]), r["id"], r["move"] or ("contingency" if r["kind"] == "contingency" else "—"),
                         r["planned"], r["title"], ", ".join(r["to"]), r["channel"], status,
                         r["played"], r["delta"], reason])
        self.table(["No.", "Inject", "Move", "Planned", "Title", "To", "Channel", "Status", "Played", "Offset",
                    "Reason / condition"], rows, widths=(4, 7, 8, 6, 19, 11, 8, 8, 7, 6, 16), size=7.5)

    def corrections(self) -> None:
        """Appendix C: every correction made to the record."""
        corrections = self.c["corrections"]
        self.chapter("Appendix C: Corrections")
        if not corrections:
            self.muted("No record was corrected.")
            return
        self.para("The report shows the record as corrected. Every correction made to it:")
        self.table(
            ["#", "When", "By", "Record", "Action", "Reason", "Originally", "Now"],
            [[str(x["seq"]), f"{x['scenario']} ({x['wall']})", x["author"], f"#{x['target']} {x['target_kind']}",
              x["action"] + (" (itself withdrawn)" if x["withdrawn"] else ""), x["reason"], x["before"], x["after"]]
             for x in corrections],
            widths=(5, 13, 11, 11, 10, 16, 17, 17), size=7.5,
        )


    def attachments(self) -> None:
        """Appendix D: the maps and documents the exercise attached. PNG and JPEG are drawn; an SVG
        or a PDF is named (Word takes neither as a plain picture), with where it was attached."""
        items = self.c.get("attachments") or []
        if not items:
            return
        import base64

        self.chapter("Appendix D: Maps and documents")
        self.para("What the exercise handed to the teams beside the injects. Maps drawn as SVG print in the "
                  "HTML and PDF reports; here they are named.")
        for a in items:
            uri = self.c.get("files", {}).get(a["file"], "")
            self.heading(f"{a['caption'] or a['file']} ({a['where']}; {a['file']})", 3)
            if uri.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
                self.doc.add_picture(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])), width=self.width)


def report_docx(context: Context, *, paper: str = "a4") -> bytes:
    """The after-action report of a context as .docx bytes, on `paper` ('a4' or 'letter')."""
    return WordReport(context, paper=paper).build()
