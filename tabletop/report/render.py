"""Jinja rendering of the report and the handouts: one environment, built once.

The bundled templates live in the `templates/` folder and are trusted; they
are read through one `Environment` with HTML autoescaping switched on for
`.html.j2` names (Jinja's `select_autoescape` matches on the last suffix only
unless told otherwise) and `StrictUndefined`, so a misspelt variable fails a
test instead of printing nothing. A planner's own `--template` is not trusted:
it is compiled from its text in an `ImmutableSandboxedEnvironment` that has no
loader (so it can include, import or extend nothing) and is given the context
after a JSON round trip, so there is nothing in it but plain data.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from tabletop.report.context import Context, SessionLike, session_context
from tabletop.wording import counted, noun
from tabletop.resources import templates_dir

FORMATS = ("html", "md", "pdf", "docx")
"""Formats `render_report` writes."""

REPORT_TEMPLATES = {"html": "report.html.j2", "md": "report.md.j2", "pdf": "report.html.j2"}
"""Bundled template of each format (PDF is printed from the HTML)."""

DOCX_NO_TEMPLATE = (
    "a Word report is built from the record, not from a template: "
    "--template works with html, md and pdf"
)
"""Why `--template` is refused with `-f docx`: templates are Jinja text, the Word file is made of styles and tables."""

AUTOESCAPED = ("html", "htm", "xml", "svg", "html.j2", "htm.j2", "xml.j2", "svg.j2")
"""Template name endings that are escaped for HTML."""


class ReportError(Exception):
    """The report cannot be made (a broken custom template, a bad format); the message says why."""


# Filters shared by every environment

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~]|&(?=#?[A-Za-z0-9]+;))")
"""Characters Markdown would read as markup; an ampersand only where it would begin an entity
('&amp;'), so 'Issues & Insights' reads as written in the Markdown file itself."""
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+>#=])|(\d+)([.)]))", re.MULTILINE)


def _md_line_starts(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(2):
            return f"{match.group(1)}\\{match.group(2)}"
        return f"{match.group(1)}{match.group(3)}\\{match.group(4)}"

    return _MD_LINE_START.sub(one, text)


def md_escape(value: Any) -> str:
    """Text that Markdown (and the HTML a wiki lets through) shows literally, placed inside a line.

    Emphasis, code, links, tables, strike-through and raw HTML are escaped
    everywhere; list, heading and quote markers only where they would start a line.
    """
    text = "" if value is None else str(value)
    text = _MD_INLINE.sub(r"\\\1", text)
    first, newline, rest = text.partition("\n")
    return first + newline + _md_line_starts(rest)


MD_CELL_BREAK = " / "
"""What stands for a line break inside a table cell. A pipe table cell cannot hold a break
without raw HTML, and `<br>` shows as text wherever a reader turns HTML off (pandoc to
plain formats, markdown-it and cmark in safe mode), so lines are joined with a visible mark."""

MD_HARD_BREAK = "\\\n"
"""A hard line break that CommonMark, GFM and pandoc's Markdown all read: a backslash at the end
of the line. Two trailing spaces mean the same but editors and wikis strip them."""


def md_cell(value: Any) -> str:
    """Text fit for one cell of a Markdown table: escaped, on one line."""
    text = md_escape(value)
    return MD_CELL_BREAK.join(line.strip() for line in text.splitlines() if line.strip())


def md_item(value: Any, indent: int = 2) -> str:
    """Multi-line text inside a list item: escaped, each line break kept as a hard break,
    continuation lines indented under the item so every renderer keeps them in it."""
    text = "" if value is None else str(value)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    escaped = [md_escape(lines[0])] + [_md_line_starts(md_escape(line)) for line in lines[1:]]
    return (MD_HARD_BREAK + " " * indent).join(escaped)


def md_block(value: Any) -> str:
    """Multi-line text as Markdown paragraphs, escaped, with single line breaks kept."""
    text = "" if value is None else str(value)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n\n".join(
        MD_HARD_BREAK.join(_md_line_starts(md_escape(line)) for line in _lines(p)) for p in paragraphs
    )


_LIST_LINE = re.compile(r"^\s*([-*•]|\d+[.)])\s")


def _lines(paragraph: str) -> list[str]:
    """A paragraph's lines, with hard-wrapped lines joined; list-like lines keep their own line."""
    out: list[str] = []
    for line in paragraph.splitlines():
        if out and not _LIST_LINE.match(line):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.strip())
    return out


def html_paragraphs(value: Any) -> Markup:
    """Multi-line text as escaped HTML paragraphs: blank lines split paragraphs, wrapped lines are joined."""
    text = "" if value is None else str(value)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in _lines(p)))
        for p in paragraphs
    )


_NOT_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


@functools.lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    return _NOT_SLUG.sub("-", text).strip("-") or "x"


def slug(value: Any) -> str:
    """A string usable as an HTML id or CSS class: letters, digits and dashes.

    A long report asks for the same few thousand ids (teams, injects, postures)
    tens of thousands of times, so answers are remembered.
    """
    return _slug(str(value))


FILTERS: dict[str, Callable[..., Any]] = {
    "counted": counted,
    "noun": noun,
    "md": md_escape,
    "mdcell": md_cell,
    "mditem": md_item,
    "mdblock": md_block,
    "paras": html_paragraphs,
    "slug": slug,
}
"""Filters every template (bundled or custom) may use."""


class ReportEnvironment(jinja2.Environment):
    """The bundled templates' environment: `a.b` on a context dict reads the key first.

    Jinja tries an attribute before an item, so on the plain dicts of the
    report context every `a.b` raised and caught an AttributeError first: a
    quarter of a million of them in a long report. No context dict has a key
    named like a dict method that a template calls, so reading the key first
    finds the same values.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        """The key `attribute` of a dict that has it; otherwise Jinja's own lookup."""
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@functools.cache
def environment() -> jinja2.Environment:
    """The one environment of the bundled templates, built on first use."""
    env = ReportEnvironment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(enabled_extensions=AUTOESCAPED, default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def sandbox(*, html: bool) -> ImmutableSandboxedEnvironment:
    """A fresh sandbox for a user's template: no loader, plain data only."""
    env = ImmutableSandboxedEnvironment(
        loader=None,
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def plain(context: Context) -> Context:
    """The context as JSON would carry it: dicts, lists, strings, numbers, booleans, None."""
    return json.loads(json.dumps(context))  # type: ignore[no-any-return]


def render_template(name: str, context: Context) -> str:
    """Render one bundled template with the context."""
    return environment().get_template(name).render(context)


def render_custom(source: str, context: Context, *, html: bool, name: str = "<template>") -> str:
    """Render a user's template text in the sandbox; every failure becomes a ReportError."""
    env = sandbox(html=html)
    try:
        template = env.from_string(source)
        return template.render(plain(context))
    except jinja2.TemplateSyntaxError as error:
        raise ReportError(f"{name}:{error.lineno}: {error.message}") from None
    except SecurityError as error:
        raise ReportError(f"{name}: not allowed in a report template: {error}") from None
    except jinja2.UndefinedError as error:
        raise ReportError(f"{name}: {error.message}") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as error:
        raise ReportError(f"{name}: {error}") from None


def render_report(
    *,
    session: SessionLike | None = None,
    fmt: str = "html",
    template: str | None = None,
    template_name: str = "<template>",
    context: Context | None = None,
    name: str = "",
    paper: str = "a4",
    detail: str = "auto",
) -> str | bytes:
    """The after-action report of a session as HTML or Markdown text, or PDF or Word (.docx) bytes.

    Give `session` (an open session) or a `context` already built from one.
    `template` is the text of a custom template, rendered in the sandbox; for
    `pdf` it must produce HTML, and `docx` takes none (Word is built, not templated).
    `paper` ('a4' or 'letter') sets the PDF and Word page size.
    `detail` is 'auto', 'full' or 'condensed' (see `build_context`).
    """
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r} (formats: {', '.join(FORMATS)})")
    if fmt == "docx" and template is not None:
        raise ReportError(DOCX_NO_TEMPLATE)
    if context is None:
        if session is None:
            raise ReportError("render_report needs a session or a context")
        try:
            context = session_context(session, name=name, detail=detail)
        except ValueError as error:
            raise ReportError(str(error)) from None
    if fmt == "docx":
        from tabletop.report.word import report_docx

        try:
            return report_docx(context, paper=paper)
        except ValueError as error:
            raise ReportError(str(error)) from None
    if template is not None:
        text = render_custom(template, context, html=fmt in ("html", "pdf"), name=template_name)
    else:
        text = render_template(REPORT_TEMPLATES[fmt], context)
    if fmt == "pdf":
        from tabletop.report.pdf import html_to_pdf

        return html_to_pdf(text, paper=paper)
    return text
