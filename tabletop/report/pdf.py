"""PDF from the report's HTML with WeasyPrint, with every outside fetch refused.

The HTML is self-contained (inline CSS, inline SVG), so the PDF needs nothing
from outside; a custom template that tries to pull a file, an image from the
network or a `file:` stylesheet gets nothing. Only `data:` URLs, which carry
their bytes inside the document, are let through. The page size is set here,
not in the templates, so one HTML prints on A4 or Letter.
"""

from __future__ import annotations

import logging
from typing import Any

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
"""Paper names accepted by `--paper`, mapped to the CSS page size."""


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
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher)
    stylesheet = weasyprint.CSS(string=page_css(paper), url_fetcher=fetcher)
    return document.write_pdf(  # type: ignore[no-any-return]
        stylesheets=[stylesheet], pdf_variant="pdf/ua-1", pdf_tags=True, finisher=_open_with_outline,
    )


def _open_with_outline(document: Any, pdf: Any) -> None:
    """Ask the reader to open with the bookmarks shown: a long AAR is read by its sections.
    The PDF is tagged (PDF/UA-1), so screen readers and reflow follow its structure."""
    pdf.catalog["PageMode"] = "/UseOutlines"
