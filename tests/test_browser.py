"""`tabletop serve` in a real headless Chromium: a team's page follows play, shows only its share,
and a wrong or missing token sees nothing.

The server runs as its own process (`python -m tabletop serve`), the facilitator's
actions come from other processes (`python -m tabletop session deliver`), and the
browser is the system's Chromium driven by Playwright, as a participant would use it.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from tests.need_to_know_fixtures import posture_words_in, hidden_from, markers_in, play_secrets_session, visible_to

CHROMIUM = "/usr/bin/chromium"
"""The system Chromium (CI installs the `chromium` package)."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

WAIT_MS = 30_000
"""Longest wait for the page to show news (it polls every 0.3 s)."""


class Served:
    """A `tabletop serve` process and the links it printed."""

    def __init__(self, session: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tabletop", "serve", str(session), "--port", "0", "--refresh", "0.3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.output = ""
        self.links: dict[str, str] = {}
        while len(self.links) < 4:
            try:
                line = self.lines.get(timeout=60)
            except queue.Empty:
                raise AssertionError(f"tabletop serve printed no links:\n{self.output}") from None
            self.output += line
            match = re.match(r"\s+(\w+)\s+(http://\S+/t/[A-Za-z0-9_-]+/)$", line)
            if match:
                self.links[match[1]] = match[2]
        self.base = re.search(r"(http://[\d.:]+)/t/", next(iter(self.links.values()))).group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def tabletop(*args: str) -> str:
    """Run a `tabletop` verb in its own process, as a facilitator at another terminal would."""
    result = subprocess.run([sys.executable, "-m", "tabletop", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def session_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return play_secrets_session(tmp_path_factory.mktemp("session"))


@pytest.fixture(scope="module")
def served(session_path: Path) -> Iterator[Served]:
    server = Served(session_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """A fresh Chromium profile in a folder of its own (Playwright passes it as --user-data-dir)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield context
        context.close()


def test_the_server_prints_a_link_per_participant_team_and_none_for_control(served: Served) -> None:
    assert sorted(served.links) == ["china", "observers", "rok", "us"]
    assert "control" not in served.output
    assert served.base.startswith("http://127.0.0.1:")


def test_a_team_page_follows_play_and_shows_only_the_teams_share(
    served: Served, browser: BrowserContext, session_path: Path
) -> None:
    page = browser.new_page()
    response = page.goto(served.links["rok"])
    assert response is not None and response.status == 200
    page.wait_for_selector("article.inject")

    shown = page.inner_text("body") + page.content()
    seen = markers_in(shown)
    assert seen & hidden_from("rok") == set()
    assert visible_to("rok") - seen == set()
    assert posture_words_in(shown) == []

    unread = page.locator("article.inject.unread")
    assert unread.count() == page.locator("article.inject").count() == 4
    assert page.title().startswith("(4) ")
    page.click("#mark-read")
    assert unread.count() == 0

    tabletop("session", "deliver", str(session_path), "I-HELD")  # to the US only
    tabletop("session", "deliver", str(session_path), "I-LATER")  # to every team
    page.wait_for_selector("article.inject.unread >> text=S3-later-title-Q", timeout=WAIT_MS)
    assert page.locator("article.inject").first.get_attribute("id") == "inject-I-LATER"
    assert unread.count() == 1
    assert "New: I-LATER S3-later-title-Q" in page.inner_text("#status")
    assert "S3-held-title-Q" not in page.content()
    assert "S3-later-body-Q" in page.inner_text("#injects")

    us = browser.new_page()
    us.goto(served.links["us"])
    assert "S3-held-title-Q" in us.inner_text("#injects")
    assert "ROK-brief-Q" not in us.content() and "ADHOCONE-title-Q" not in us.content()


@pytest.mark.parametrize("path", ["/", "/t/not-a-token/", "/t/not-a-token/fragment", "/t/not-a-token/view.json"])
def test_a_wrong_or_missing_token_sees_nothing(served: Served, browser: BrowserContext, path: str) -> None:
    page = browser.new_page()
    response = page.goto(served.base + path)
    assert response is not None and response.status == 403
    text = page.content()
    assert markers_in(text) == set()
    for word in ("United States", "Republic of Korea", "China", "Observers", "rok", "observers"):
        assert word not in text


def test_a_near_miss_of_a_real_token_sees_nothing(served: Served, browser: BrowserContext) -> None:
    page = browser.new_page()
    response = page.goto(served.links["us"][:-2] + "/")
    assert response is not None and response.status == 403
    assert markers_in(page.content()) == set()
