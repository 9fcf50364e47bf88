"""The room page in a real headless Chromium at projector sizes: only the room's share, the
latest inject whole on screen, and deliveries from another process shown as breaking.

Also the team page with channel presentations. Screenshots are written under the test's
temporary folder (`room-1920x1080.png`, `room-1280x720.png`, `team-china.png`) for a person to look at.
"""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

import tests.need_to_know_fixtures as fixtures
from tests.need_to_know_fixtures import ALL_MARKERS, EVERYONE, markers_in, play_secrets_session
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, Served, tabletop

ROOM_MARKERS = {m for m, teams in ALL_MARKERS.items() if teams == EVERYONE}

PRESENTED_YAML = (
    fixtures.SECRETS_YAML.replace(
        "        channel: news\n        body: OK-IALL-body-Q",
        "        channel: news\n"
        "        news: {outlet: OKOUTLET, headline: OKHEADLINE, dateline: INCHEON, byline: OKBYLINE}\n"
        "        body: OK-IALL-body-Q",
        1,
    )
    .replace(
        "        channel: radio\n        body: USROK-body-Q",
        "        channel: radio\n        call: {caller: USROKCALLER, callee: Harbour master}\n        body: USROK-body-Q",
        1,
    )
    .replace(
        "        channel: cable\n        body: CHINA-body-Q",
        "        channel: cable\n"
        "        cable: {classification: CHINABANNER, from: CHINAFROM, to: BEIJING, subject: Nearest vessel, reference: CHINAREF}\n"
        "        body: CHINA-body-Q",
        1,
    )
)
"""The secrets exercise with presentation blocks; their words are planted like the markers."""

PRIVATE_WORDS = ("USROKCALLER", "CHINABANNER", "CHINAFROM", "CHINAREF")


@pytest.fixture(scope="module")
def session_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    assert PRESENTED_YAML.count("OKOUTLET") == 1 and "CHINAFROM" in PRESENTED_YAML and "USROKCALLER" in PRESENTED_YAML
    saved = fixtures.SECRETS_YAML
    fixtures.SECRETS_YAML = PRESENTED_YAML
    try:
        yield play_secrets_session(tmp_path_factory.mktemp("session"))
    finally:
        fixtures.SECRETS_YAML = saved


@pytest.fixture(scope="module")
def served(session_path: Path) -> Iterator[tuple[Served, str]]:
    server = Served(session_path)
    room = ""
    while not room:
        try:
            line = server.lines.get(timeout=60)
        except queue.Empty:
            raise AssertionError(f"no room link printed:\n{server.output}") from None
        server.output += line
        match = re.search(r"(http://\S+/r/[A-Za-z0-9_-]+/)$", line.strip())
        room = match[1] if match else ""
    yield server, room
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield context
        context.close()


def _page(browser: BrowserContext, width: int, height: int) -> Page:
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    return page


@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720)])
def test_room_page_fits_the_projector_and_shows_only_the_rooms_share(
    served: tuple[Served, str], browser: BrowserContext, tmp_path: Path, width: int, height: int
) -> None:
    _, room = served
    page = _page(browser, width, height)
    response = page.goto(room)
    assert response is not None and response.status == 200
    page.wait_for_selector(".latest article")
    page.screenshot(path=str(tmp_path / f"room-{width}x{height}.png"))
    shown = page.content()
    seen = markers_in(shown)
    assert seen <= ROOM_MARKERS, sorted(seen - ROOM_MARKERS)
    assert {"OK-IALL-body-Q", "OK-M1-title-Q"} <= seen  # the news headline stands for the title
    for word in PRIVATE_WORDS:
        assert word not in shown
    assert "OKOUTLET" in page.inner_text(".latest .outlet") and "OKHEADLINE" in page.inner_text(".latest")
    assert page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight")
    box = page.locator(".latest .body").bounding_box()
    assert box is not None and box["y"] + box["height"] <= height
    assert page.locator("button, input, form, a").count() == 0


def test_room_page_shows_a_delivery_from_another_process_as_breaking(
    served: tuple[Served, str], browser: BrowserContext, session_path: Path, tmp_path: Path
) -> None:
    _, room = served
    page = _page(browser, 1280, 720)
    page.goto(room)
    page.wait_for_selector(".latest article")
    assert "S3-later-title-Q" not in page.content()
    tabletop("session", "deliver", str(session_path), "I-CHINA")  # one team only: never on the wall
    tabletop("session", "deliver", str(session_path), "I-LATER")
    page.wait_for_selector(".latest article.breaking >> text=S3-later-title-Q", timeout=WAIT_MS)
    page.screenshot(path=str(tmp_path / "room-breaking.png"))
    assert "OK-IALL-title-Q" in page.inner_text(".earlier")
    assert "CHINA-title-Q" not in page.content() and "CHINAFROM" not in page.content()


def test_team_page_presents_each_inject_as_its_channel(
    served: tuple[Served, str], browser: BrowserContext, tmp_path: Path
) -> None:
    server, _ = served
    page = _page(browser, 1280, 2000)
    page.goto(server.links["china"])
    page.wait_for_selector("#inject-I-CHINA")
    page.screenshot(path=str(tmp_path / "team-china.png"), full_page=True)
    cable = page.locator("#inject-I-CHINA .pres-cable")
    assert cable.locator(".banner").count() == 2 and "CHINABANNER" in cable.locator(".banner").first.inner_text()
    header = cable.locator("dl.header").inner_text()
    assert "CHINAFROM" in header and "CHINAREF" in header
    assert "OKOUTLET" in page.inner_text("#inject-I-ALL .outlet")
    assert "USROKCALLER" not in page.content()
    rok = browser.new_page()
    rok.goto(server.links["rok"])
    rok.wait_for_selector("#inject-I-USROK")
    assert "USROKCALLER" in rok.inner_text("#inject-I-USROK .pres-call dl.header")
    assert "CHINAFROM" not in rok.content() and "CHINABANNER" not in rok.content()
