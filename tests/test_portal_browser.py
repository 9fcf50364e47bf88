"""Two teams act from their links in a real headless Chromium while the facilitator's console follows.

`tabletop serve` runs as its own process; each team's page is a Chromium tab
driven by Playwright, filled and clicked as a participant would; the console
(`ConsoleApp` under Pilot) holds the same session file open as a writer, as
`tabletop run` does. The tests measure how long a click takes to reach the
console's board, log and RFI inbox, and read the session file, the pages and
the after-action report back.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timezone
from pathlib import Path

import pytest
from engine_fixtures import write_exercise
from playwright.async_api import BrowserContext, Locator, Page, async_playwright
from textual.pilot import Pilot
from textual.widgets import OptionList

from tabletop.app import ConsoleApp
from tabletop.app.screens.rfi import RfiForm
from tabletop.app.widgets.board import DecisionBoard
from tabletop.app.widgets.log import EventLog
from tabletop.engine import Session
from tabletop.events import CorrectedEvent, DecidedEvent, RfiEvent, RfiReplyEvent
from tabletop.report.context import session_context
from tabletop.state import SessionState

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

LOAD_MS = 30_000
"""Longest wait for a page to load or answer a post (the machine is shared)."""

CONSOLE_WITHIN = 1.0
"""A team's submission must be on the facilitator's console this many seconds after the click."""

PAGE_WITHIN = 5.0
"""The asking team's page must show control's answer this many seconds after it is written."""

INJECT = "M1-02"
"""The fixture exercise's inject put to two teams (ROK and US) with a decision."""

RFI_MARK = "RFIMARK-7Q"
ANSWER_MARK = "ANSWERMARK-7Q"
"""Marker strings in the ROK question and in control's answer: the US pages must hold neither."""


class Served:
    """A `tabletop serve` process on the session and the team links it printed."""

    def __init__(self, session: Path, teams: tuple[str, ...]) -> None:
        """Start the server on a free port and wait (up to a minute) for the links of `teams`."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tabletop", "serve", str(session), "--port", "0", "--refresh", "0.3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.output = ""
        self.links: dict[str, str] = {}
        while not set(teams) <= set(self.links):
            try:
                line = self._lines.get(timeout=60)
            except queue.Empty:
                self.stop()
                raise AssertionError(f"tabletop serve printed no links:\n{self.output}") from None
            self.output += line
            match = re.match(r"\s+(\w+)\s+(http://\S+/t/[A-Za-z0-9_-]+/)$", line)
            if match:
                self.links[match[1]] = match[2]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)

    def stop(self) -> None:
        """End the server (terminate, then kill if it does not go within 10 s)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def played_session(folder: Path, *, confirm: bool = False) -> Path:
    """The fixture exercise started on the wall clock, M1-02 delivered to ROK and US; closed again.

    With `confirm`, team submissions wait for the control cell to confirm them.
    """
    path = folder / "portal.session"
    session = Session.create(write_exercise(folder), path)
    try:
        session.start()
        session.deliver(INJECT)
        if confirm:
            session.set_submission_mode(True)
    finally:
        session.close()
    return path


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Chromium with a fresh profile of its own."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile", executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context.set_default_timeout(LOAD_MS)
        yield context
        await context.close()


@pytest.fixture
def session_path(tmp_path: Path) -> Path:
    """The two-team session, submissions counting at once."""
    return played_session(tmp_path)


@pytest.fixture
def served(session_path: Path) -> Iterator[Served]:
    """`tabletop serve` on the session."""
    server = Served(session_path, ("rok", "us"))
    yield server
    server.stop()


def console(session: Session) -> ConsoleApp:
    """The facilitator's console with its own intervals as `tabletop run` has them (the file is polled every 0.25 s)."""
    return ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False)


async def open_forms(browser: BrowserContext, link: str) -> Page:
    """A team's page, then its "Submit a decision or ask control" link, clicked."""
    page = await browser.new_page()
    response = await page.goto(link)
    assert response is not None and response.status == 200
    await page.wait_for_selector(f"article#inject-{INJECT}")
    await page.get_by_role("link", name="Submit a decision or ask control").click()
    await page.wait_for_selector("h1:has-text('your submissions')")
    return page


async def within(pilot: Pilot, seconds: float, shown: Callable[[], bool], *, since: float | None = None) -> float | None:
    """Seconds from `since` (default: now, monotonic) until the console shows it (`shown` true), polling with
    Pilot until `seconds` after `since`; None when it did not show by then."""
    begun = time.monotonic() if since is None else since
    while True:
        if shown():
            return time.monotonic() - begun
        if time.monotonic() - begun > seconds:
            return None
        await pilot.pause(0.02)


async def click_to_console(pilot: Pilot, clicked: float, shown: Callable[[], bool]) -> tuple[float, float]:
    """Seconds from the click until the console shows it, and the wall time of the click.

    When that is past the bound, how late it came (looked for up to 10 s more), or inf when it never came.
    """
    click_wall = time.time() - (time.monotonic() - clicked)
    seen = await within(pilot, CONSOLE_WITHIN, shown, since=clicked)
    if seen is None:
        seen = await within(pilot, CONSOLE_WITHIN + 10.0, shown, since=clicked)
    return (float("inf") if seen is None else seen), click_wall


def breakdown(state: SessionState, figures: dict[str, tuple[float, float]]) -> str:
    """Each submission's click-to-console time split at the moment its event was written (its wall time)."""
    team_events = [e for e in state.events if e.author.startswith("team:")]
    parts = []
    for (name, (seconds, click_wall)), event in zip(figures.items(), team_events):
        written = event.at.timestamp() - click_wall
        parts.append(f"{name}: {seconds:.3f} s (click to written {written:.3f} s, written to console {seconds - written:.3f} s)")
    return "; ".join(parts)


def board_choice(app: ConsoleApp, team: str) -> str | None:
    """What the decisions board shows for a team on the inject, None when the inject is not on it."""
    board = app.screen.query_one(DecisionBoard)
    for line in board.lines or ():
        if line.inject == INJECT:
            return next((a.choice for a in line.answers if a.team == team and a.answered), None)
    return None


def log_texts(app: ConsoleApp, author: str) -> list[str]:
    """The console log's lines written by an author, as the log holds them."""
    return [line.text for line in app.screen.query_one(EventLog).lines.values() if line.author == author]


async def decide(page: Page, option: str, rationale: str) -> float:
    """Pick an option on the team's form, write why, click the button; the monotonic time of the click."""
    form = page.locator("form[action$='/decide']").filter(has=page.locator(f"input[name=inject][value='{INJECT}']"))
    await form.locator(f"input[name=option][value='{option}']").check()
    await form.locator("textarea[name=rationale]").fill(rationale)
    return await press(page, form.locator("button[type=submit]"))


async def press(page: Page, button: Locator) -> float:
    """Bring the tab to the front, scroll to the button and click it, as a person would; the monotonic time
    of the click itself (the tab and the scroll come first, so Chromium's throttling of a tab in the
    background is not counted as the product's time)."""
    await page.bring_to_front()
    await button.scroll_into_view_if_needed()
    clicked = time.monotonic()
    await button.click()
    return clicked


async def says(page: Page, words: str) -> str:
    """The page the server answered a post with, once loaded; it must say `words` (else the test shows what it said)."""
    await page.wait_for_load_state()
    said = await page.inner_text("body")
    assert words in said, f"the page at {page.url} says:\n{said}"
    return said


async def page_text(page: Page) -> str:
    """What the page says and its HTML, for looking for a string anywhere in it."""
    return await page.inner_text("body") + await page.content()


async def test_two_teams_submit_revise_and_ask_and_the_console_sees_it_within_a_second(
    served: Served, browser: BrowserContext, session_path: Path
) -> None:
    """The whole round: both teams decide by clicking, US revises, ROK asks; the console sees each within a
    second; control answers from the inbox; the answer reaches ROK only; the report names the team as source."""
    rok = await open_forms(browser, served.links["rok"])
    us = await open_forms(browser, served.links["us"])
    facilitator = Session.open(session_path)
    app = console(facilitator)
    figures: dict[str, tuple[float, float]] = {}
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            assert board_choice(app, "ROK") is None and board_choice(app, "US") is None

            clicked = await decide(rok, "direct", "Closest hull")
            figures["ROK decision"] = await click_to_console(
                pilot, clicked,
                lambda: board_choice(app, "ROK") == "direct (team)"
                and any("(from the team)" in t for t in log_texts(app, "team:rok")),
            )
            await says(rok, "Received: your decision is recorded.")

            clicked = await decide(us, "alone", "Our cutters suffice")
            figures["US decision"] = await click_to_console(
                pilot, clicked,
                lambda: board_choice(app, "US") == "alone (team)"
                and any("(from the team)" in t for t in log_texts(app, "team:us")),
            )
            await says(us, "Received: your decision is recorded.")
            await us.wait_for_selector("button:has-text('Revise our decision')")

            clicked = await decide(us, "beijing", "Seoul asked us to go through Beijing")
            figures["US revision"] = await click_to_console(
                pilot, clicked,
                lambda: board_choice(app, "US") == "beijing (team)"
                and any(t.startswith("corrected #") for t in log_texts(app, "team:us")),
            )
            await says(us, "Received: your decision is recorded.")

            ask = rok.locator("form[action$='/ask']")
            await ask.locator("select[name=inject]").select_option(INJECT)
            await ask.locator("textarea[name=text]").fill(f"{RFI_MARK} Is the Chinese vessel still on station?")
            clicked = await press(rok, ask.locator("button[type=submit]"))
            figures["ROK RFI"] = await click_to_console(
                pilot, clicked,
                lambda: any(RFI_MARK in t for t in log_texts(app, "team:rok")),
            )
            await says(rok, "Received: your question went to control.")

            said = breakdown(facilitator.state, figures)
            print(f"click to console: {said}")
            slow = [name for name, (seconds, _) in figures.items() if seconds > CONSOLE_WITHIN]
            assert not slow, f"not on the console within {CONSOLE_WITHIN} s of the click: {said}"

            await pilot.press("i")
            await pilot.pause()
            assert isinstance(app.screen, RfiForm)
            picker = app.screen.query_one("#rfi-pick", OptionList)
            first = picker.get_option_at_index(0)
            rfi = facilitator.state.rfis[-1]
            assert first.id == str(rfi.seq) and "NEW" in str(first.prompt) and RFI_MARK in str(first.prompt)
            assert [r.seq for r in facilitator.state.unanswered_rfis()] == [rfi.seq]

            assert picker.highlighted == 0, "the inbox opens on the newest unanswered question"
            assert app.focused is app.screen.query_one("#rfi-answer"), "with the answer line taking the keys"
            await pilot.press(*f"{ANSWER_MARK} yes, two miles north")
            answered = time.monotonic()
            await pilot.press("enter")
            assert await within(pilot, 10.0, lambda: not isinstance(app.screen, RfiForm)) is not None
            assert facilitator.state.unanswered_rfis() == []
    finally:
        facilitator.close()

    with Session.open(session_path, readonly=True) as reader:
        state = reader.state
        rok_decision, us_decision = state.decision(INJECT, "rok"), state.decision(INJECT, "us")
        assert rok_decision is not None and (rok_decision.option, rok_decision.source) == ("direct", "team")
        assert us_decision is not None and (us_decision.option, us_decision.source) == ("beijing", "team")
        decided = [e for e in state.events if isinstance(e, DecidedEvent)]
        assert [(e.team, e.option, e.source, e.author) for e in decided] == [
            ("rok", "direct", "team", "team:rok"),
            ("us", "alone", "team", "team:us"),
        ]
        correction = next(e for e in state.events if isinstance(e, CorrectedEvent))
        assert correction.author == "team:us" and correction.target == decided[1].seq
        assert correction.replacement is not None and correction.replacement["option"] == "beijing"
        (asked,) = [e for e in state.events if isinstance(e, RfiEvent)]
        assert (asked.team, asked.inject, asked.author) == ("rok", INJECT, "team:rok") and RFI_MARK in asked.text
        reply = state.events[-1]
        assert isinstance(reply, RfiReplyEvent)
        assert (reply.rfi, reply.team, reply.text) == (asked.seq, "rok", f"{ANSWER_MARK} yes, two miles north")

    shown_after = float("inf")
    while time.monotonic() - answered < PAGE_WITHIN:
        await rok.goto(served.links["rok"] + "act")
        if f"Control answered: {ANSWER_MARK}" in await rok.inner_text("body"):
            shown_after = time.monotonic() - answered
            break
    print(f"answer sent from the inbox to the ROK page showing it: {shown_after:.3f} s")
    assert shown_after <= PAGE_WITHIN, f"the ROK page did not show the answer within {PAGE_WITHIN} s"
    assert RFI_MARK in await rok.inner_text("body")

    await us.goto(served.links["us"] + "act")
    us_view = await browser.new_page()
    await us_view.goto(served.links["us"])
    await us_view.wait_for_selector(f"article#inject-{INJECT}")
    for page in (us, us_view):
        text = await page_text(page)
        assert RFI_MARK not in text and ANSWER_MARK not in text, page.url
    assert "Your team's standing decision:" in await us.inner_text("body")

    with Session.open(session_path, readonly=True) as reader:
        context = session_context(reader)
    timeline = "\n".join(str(entry) for entry in context["timeline"])
    assert "M1-02: Hail it directly on channel 16 (submitted by the team)" in timeline
    assert "M1-02: Ask Beijing through the embassy first (submitted by the team)" in timeline
    (portal_rfi,) = context["portal"]["rfis"]
    assert RFI_MARK in portal_rfi["text"] and portal_rfi["inject"] == INJECT
    assert [a["text"] for a in portal_rfi["answers"]] == [f"{ANSWER_MARK} yes, two miles north"]
    report = subprocess.run(
        [sys.executable, "-m", "tabletop", "report", str(session_path), "-f", "html", "-o", "-"],
        capture_output=True, text=True, timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert report.stdout.count("the team itself, from its own screen") == 2
    assert RFI_MARK in report.stdout and ANSWER_MARK in report.stdout


async def test_a_decision_waits_for_the_control_cell_then_stands_as_the_teams(
    tmp_path: Path, browser: BrowserContext
) -> None:
    """In a session set to confirm, the team's page says its decision waits; once confirmed it is the team's."""
    path = played_session(tmp_path, confirm=True)
    server = Served(path, ("rok",))
    try:
        rok = await open_forms(browser, server.links["rok"])
        assert "control cell confirms each decision" in await rok.inner_text("body")
        await decide(rok, "direct", "Closest hull")
        await says(rok, "counts once the facilitator confirms it")
        said = await rok.inner_text("body")
        assert "Sent, waiting for the control cell to confirm: Hail it directly on channel 16" in said
        assert "Your team's standing decision" not in said

        view = await browser.new_page()
        await view.goto(server.links["rok"])
        await view.wait_for_selector(f"#inject-{INJECT} .own.waiting")

        with Session.open(path) as facilitator:
            assert facilitator.state.decision(INJECT, "rok") is None
            facilitator.confirm_submission(INJECT, "rok")
            confirmed = facilitator.state.decision(INJECT, "rok")
            assert confirmed is not None and (confirmed.option, confirmed.source) == ("direct", "team")

        await view.wait_for_selector(f"#inject-{INJECT} .own:has-text('Your recorded decision')")
        assert await view.locator(f"#inject-{INJECT} .own.waiting").count() == 0
        await rok.goto(server.links["rok"] + "act")
        said = await rok.inner_text("body")
        assert "Your team's standing decision: Hail it directly on channel 16, because Closest hull" in said
        assert "Sent, waiting" not in said and "entered by the facilitator" not in said
    finally:
        server.stop()


async def test_a_revision_that_changes_only_the_option_keeps_the_rationale_and_the_dissent(
    served: Served, browser: BrowserContext, session_path: Path
) -> None:
    """The revise form starts from the standing decision, every field of it: pressing "Revise our decision"
    after picking another option records the same rationale and dissent, never empty ones."""
    rok = await open_forms(browser, served.links["rok"])
    form = rok.locator("form[action$='/decide']").filter(has=rok.locator(f"input[name=inject][value='{INJECT}']"))
    await form.locator("input[name=option][value='direct']").check()
    await form.locator("textarea[name=text]").fill("We hail it and tell Beijing")
    await form.locator("textarea[name=rationale]").fill("Closest hull")
    await form.locator("textarea[name=dissent]").fill("MOFA wanted Beijing first")
    await press(rok, form.locator("button[type=submit]"))
    await says(rok, "Received: your decision is recorded.")

    form = rok.locator("form[action$='/decide']").filter(has=rok.locator(f"input[name=inject][value='{INJECT}']"))
    assert await form.locator("input[name=option][value='direct']").is_checked()
    assert await form.locator("textarea[name=text]").input_value() == "We hail it and tell Beijing"
    assert await form.locator("textarea[name=rationale]").input_value() == "Closest hull"
    assert await form.locator("textarea[name=dissent]").input_value() == "MOFA wanted Beijing first"
    await form.locator("input[name=option][value='beijing']").check()
    await press(rok, form.locator("button:has-text('Revise our decision')"))
    await says(rok, "Received: your decision is recorded.")

    with Session.open(session_path, readonly=True) as reader:
        revision = reader.state.events[-1]
        assert isinstance(revision, CorrectedEvent) and revision.author == "team:rok"
        standing = reader.state.decision(INJECT, "rok")
        assert standing is not None
        assert (standing.option, standing.text, standing.rationale, standing.dissent) == (
            "beijing", "We hail it and tell Beijing", "Closest hull", "MOFA wanted Beijing first")

    form = rok.locator("form[action$='/decide']").filter(has=rok.locator(f"input[name=inject][value='{INJECT}']"))
    await form.locator("input[name=option][value='']").check()
    await form.locator("textarea[name=text]").fill("Both at once")
    await press(rok, form.locator("button:has-text('Revise our decision')"))
    await says(rok, "Received: your decision is recorded.")
    form = rok.locator("form[action$='/decide']").filter(has=rok.locator(f"input[name=inject][value='{INJECT}']"))
    assert await form.locator("input[name=option][value='']").is_checked(), "own words stay chosen"
    assert await form.locator("textarea[name=dissent]").input_value() == "MOFA wanted Beijing first"


PHONE = {"width": 390, "height": 844}
"""A phone's viewport in CSS pixels (an iPhone 12-14 held upright)."""


async def test_the_text_boxes_are_comfortable_multi_line_boxes_on_a_phone(
    served: Served, browser: BrowserContext, tmp_path: Path
) -> None:
    """On a phone-sized page every text box of the forms spans the column and holds several lines, the
    option labels wrap beside their buttons, and nothing makes the page scroll sideways."""
    page = await browser.new_page()
    await page.set_viewport_size(PHONE)
    await page.goto(served.links["rok"] + "act")
    await page.wait_for_selector("h1:has-text('your submissions')")
    boxes = await page.evaluate(
        """() => Array.from(document.querySelectorAll('textarea')).map(t => {
             const r = t.getBoundingClientRect(), s = getComputedStyle(t);
             return {name: t.name, width: r.width, height: r.height, line: parseFloat(s.lineHeight),
                     font: parseFloat(s.fontSize)};
           })"""
    )
    names = [b["name"] for b in boxes]
    assert {"text", "rationale", "dissent"} <= set(names), names
    column = await page.evaluate("document.querySelector('main').clientWidth")
    for box in boxes:
        assert box["width"] >= 0.85 * column, box
        assert box["font"] >= 16, f"{box}: smaller type makes a phone zoom in on focus"
        lines = 3 if box["name"] == "dissent" else 4
        assert box["height"] >= lines * box["line"], f"{box} holds fewer than {lines} lines"
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    option = page.locator(f"form:has(input[name=inject][value='{INJECT}']) fieldset label").first
    radio, text = option.locator("input[type=radio]"), option.locator("span")
    radio_box, text_box = await radio.bounding_box(), await text.bounding_box()
    assert radio_box is not None and text_box is not None and text_box["x"] > radio_box["x"] + radio_box["width"]
    await page.locator("textarea[name=rationale]").scroll_into_view_if_needed()
    await page.screenshot(path=str(tmp_path / "act-phone.png"))
    assert (tmp_path / "act-phone.png").stat().st_size > 0
