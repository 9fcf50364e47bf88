"""Attached maps as a reader sees them, in a real headless Chromium: the team page's map loads
from its link (and another team's map does not appear), and the printed report draws its map.

Screenshots are written under the test's temporary folder (`team-us-map.png`, `aar-map.png`)
for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.report.render import render_report
from tests.test_attachment_faces import attached_exercise
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, Served


@pytest.fixture(scope="module")
def session_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("attached")
    path = folder / "attached.session"
    with Session.create(attached_exercise(folder), path, clock=FakeClock()) as session:
        session.start()
        for inject in ("I-ALL", "I-USROK", "I-CHINA"):
            session.deliver(inject)
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield context
        context.close()


def _loaded_images(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Each image's source (its last path parts) with its drawn width: 0 when it did not load."""
    return page.evaluate(
        "() => Object.fromEntries([...document.images].map(i => [i.getAttribute('src').split('/file/').pop()"
        ".slice(0, 40), i.naturalWidth]))"
    )


def test_a_team_page_draws_its_maps_and_no_other_teams(session_path: Path, browser: BrowserContext, tmp_path: Path) -> None:
    served = Served(session_path)
    try:
        page = browser.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(served.links["us"])
        page.wait_for_selector("figure.attachment img", timeout=WAIT_MS)
        page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=WAIT_MS)
        images = _loaded_images(page)
        assert images.get("maps/sea.svg", 0) > 0 and images.get("maps/usrok.svg", 0) > 0
        assert not any("china" in src or "later" in src for src in images)
        text = page.inner_text("body")
        assert "US orders (PDF)" in text and "CHINA-map" not in page.content()
        page.screenshot(path=str(tmp_path / "team-us-map.png"), full_page=True)
        page.close()
    finally:
        served.stop()


def test_the_printed_report_draws_the_map(session_path: Path, browser: BrowserContext, tmp_path: Path) -> None:
    with Session.open(session_path, readonly=True) as session:
        html = render_report(session=session, fmt="html")
    assert isinstance(html, str)
    out = tmp_path / "aar.html"
    out.write_text(html, encoding="utf-8")
    page = browser.new_page()
    page.goto(out.as_uri())
    page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=WAIT_MS)
    widths = page.evaluate("() => [...document.querySelectorAll('#appendix-attachments img')].map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)
    appendix = page.inner_text("#appendix-attachments")
    assert "OK-caption-sea" in appendix and "situation of move M1" in appendix
    page.locator("#appendix-attachments").screenshot(path=str(tmp_path / "aar-map.png"))
    page.close()
