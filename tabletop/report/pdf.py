"""PDF from the report's HTML with WeasyPrint, with every outside fetch refused.

The HTML is self-contained (inline CSS, inline SVG), so the PDF needs nothing
from outside; a custom template that tries to pull a file, an image from the
network or a `file:` stylesheet gets nothing. Only `data:` URLs, which carry
their bytes inside the document, are let through. The page size is set here,
not in the templates, so one HTML prints on A4 or Letter.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from typing import Any

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
"""Paper names accepted by `--paper`, mapped to the CSS page size."""


class MissingGlyphsWarning(UserWarning):
    """Some characters of the document have no installed font: the PDF shows them as empty boxes."""


class _MissingGlyphs(logging.Handler):
    """Collects the characters WeasyPrint drew as `.notdef` (it logs each one and goes on)."""

    PATTERN = re.compile(r"\.notdef glyph rendered for Unicode string unsupported by fonts: \"(.*)\"", re.DOTALL)

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.characters: dict[str, None] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Remember the characters of a `.notdef` record; ignore every other record."""
        match = self.PATTERN.match(record.getMessage())
        if match:
            self.characters.update(dict.fromkeys(c for c in match.group(1) if not c.isspace()))


def _script(character: str) -> str:
    """The script a character is written in, as the first word of its Unicode name says it."""
    name = unicodedata.name(character, "")
    if name.startswith(("CJK", "IDEOGRAPHIC")):
        return "Chinese characters"
    if name.startswith("HANGUL"):
        return "Hangul"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "Japanese kana"
    return name.split(" ", 1)[0].title() or f"U+{ord(character):04X}"


def missing_glyphs_message(characters: list[str]) -> str:
    """What a planner is told when a PDF would show characters as boxes, and what to install."""
    scripts = ", ".join(dict.fromkeys(_script(c) for c in characters))
    shown = " ".join(characters[:12]) + (" ..." if len(characters) > 12 else "")
    return (
        f"no installed font has {len(characters)} character(s) of this document ({scripts}: {shown}); "
        "the PDF shows them as empty boxes. Install a font that has them "
        "(for Chinese, Japanese and Korean on Debian or Ubuntu: fonts-noto-cjk) and print it again"
    )


class RefusedFetch(ValueError):
    """Raised for a URL outside the report's own data; WeasyPrint logs it and goes on."""


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class ReportFetcher(URLFetcher):  # type: ignore[misc]
        """Lets `data:` URLs through and refuses everything else: no network, no file reads."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Answer data: URLs; record and refuse the rest."""
            if not url.lower().startswith("data:"):
                self.refused.append(url)
                raise RefusedFetch(f"the report fetches nothing from outside: {url}")
            return super().fetch(url, headers)

    return ReportFetcher


def report_fetcher() -> Any:
    """A fresh URL fetcher for one PDF; its `refused` list names what was asked for and refused."""
    return _fetcher_class()()


def page_css(paper: str) -> str:
    """The PDF-only stylesheet: page size (portrait, and landscape for wide pages); no browser banner."""
    size = PAPER_SIZES.get(paper.lower())
    if size is None:
        raise ValueError(f"unknown paper {paper!r} (papers: {', '.join(PAPER_SIZES)})")
    return (
        f"@page {{ size: {size}; }} @page wide {{ size: {size} landscape; }} "
        ".print-banner { display: none !important; }"
    )


def html_to_pdf(html: str, *, paper: str = "a4", fetcher: Any = None) -> bytes:
    """PDF bytes of an HTML document, printed on `paper` ('a4' or 'letter')."""
    import weasyprint

    fetcher = fetcher or report_fetcher()
    log = logging.getLogger("weasyprint")
    log.setLevel(logging.WARNING)
    log.propagate = False  # its warnings are read here, not printed as they come
    missing = _MissingGlyphs()
    log.addHandler(missing)
    try:
        document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher)
        stylesheet = weasyprint.CSS(string=page_css(paper), url_fetcher=fetcher)
        pdf: bytes = document.write_pdf(
            stylesheets=[stylesheet], pdf_variant="pdf/ua-1", pdf_tags=True, finisher=_open_with_outline,
        )
    finally:
        log.removeHandler(missing)
    if missing.characters:
        warnings.warn(missing_glyphs_message(list(missing.characters)), MissingGlyphsWarning, stacklevel=2)
    return pdf


def _open_with_outline(document: Any, pdf: Any) -> None:
    """Ask the reader to open with the bookmarks shown: a long AAR is read by its sections.
    The PDF is tagged (PDF/UA-1), so screen readers and reflow follow its structure."""
    pdf.catalog["PageMode"] = "/UseOutlines"
