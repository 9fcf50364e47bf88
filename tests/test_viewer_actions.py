"""The team's actions in the terminal view: decide, ask control, discussion answers, feedback.

Each test drives the view with Pilot as a participant would (keys, clicks,
typing) and asserts on the session log: one event per form sent, none when
the engine refuses, none from a key typed into a form, none on a read-only file.
"""

from __future__ import annotations

import os
import string
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, RadioSet, Select, TabbedContent, TextArea

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.events import FEEDBACK_QUESTIONS
from tabletop.viewer.app import TeamViewApp
from tabletop.viewer.screens.forms import AskForm, DecisionForm, DiscussionForm, FeedbackForm, TeamForm
from tabletop.viewer.screens.team import TABS, TeamScreen
from tabletop.viewer.widgets.inbox import Inbox
from tests.engine_fixtures import EXERCISE_YAML
from tests.test_viewer import screen_text

QUESTIONS_YAML = EXERCISE_YAML.replace(
    "    situation: A storm front crosses the Yellow Sea before dawn.\n",
    "    situation: A storm front crosses the Yellow Sea before dawn.\n"
    "    questions:\n      all: [Who speaks to the press first?]\n      rok: [Which ministry leads for Seoul?]\n",
)
"""The fixture exercise with discussion questions in move 1, for every team and for ROK alone."""

PRINTABLE = "".join(c for c in string.printable if c not in "\t\n\r\x0b\x0c")
"""Every printable ASCII character, the space included: what a participant can type into a field."""

SIZE = (120, 40)


@pytest.fixture
def clock() -> FakeClock:
    """Wall time that moves only when a test says so."""
    return FakeClock(datetime(2030, 4, 10, 21, 0, tzinfo=timezone.utc))


@pytest.fixture
def control(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    """The facilitator's session, started, on the fixture exercise with discussion questions."""
    exercise = tmp_path / "drill.yaml"
    exercise.write_text(QUESTIONS_YAML, encoding="utf-8")
    session = Session.create(exercise, tmp_path / "drill.session", clock=clock)
    session.start()
    yield session
    session.close()


def team_app(control: Session, clock: FakeClock, team: str = "rok", *, readonly: bool = False) -> TeamViewApp:
    """The team's view with its own writer session (as `tabletop view` opens it), no intervals, no bell."""
    session = Session.open(control.path, clock=clock, readonly=readonly, author=f"team:{team}")
    return TeamViewApp(session, team, poll_interval=3600, tick_interval=3600, bell=False)


def logged(path: Path) -> list:  # type: ignore[type-arg]
    """Every event in the session file, read afresh."""
    with Session.open(path, readonly=True) as reader:
        return list(reader.state.events)


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    """Focus a field of the open form and type `text` into it, key by key."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)


async def open_form(pilot: Pilot[None], key: str, kind: type[TeamForm]) -> TeamForm:
    """Press an action key and return the form it opened."""
    await pilot.press(key)
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, kind), f"{key!r} opened {type(form).__name__}, not {kind.__name__}"
    return form


async def send(pilot: Pilot[None]) -> None:
    """Send the open form with its key, and let the app answer."""
    await pilot.press("ctrl+s")
    await pilot.pause()


# Deciding


async def test_a_team_submits_its_decision_then_revises_it_as_a_correction(control: Session, clock: FakeClock) -> None:
    control.deliver("M1-02")
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Press d to submit your decision." in screen_text(app)
        form = await open_form(pilot, "d", DecisionForm)
        assert isinstance(app.focused, RadioSet)  # the first field, not the scrolling frame
        await pilot.click("#option-0")
        await type_into(pilot, "#rationale", "Lives first")
        before = len(logged(control.path))
        await send(pilot)
        assert isinstance(app.screen, TeamScreen), form.refusal
        events = logged(control.path)[before:]
        assert len(events) == 1
        decided = events[0]
        assert (decided.type, decided.team, decided.inject, decided.option, decided.rationale, decided.source) == (
            "decided", "rok", "M1-02", "direct", "Lives first", "team"
        )
        assert decided.author == "team:rok"
        assert "Status: Received; open to revision." in screen_text(app)

        form = await open_form(pilot, "d", DecisionForm)
        assert form.query_one("#rationale", TextArea).text == "Lives first"
        await pilot.click("#option-own")
        await type_into(pilot, "#text", "Call Beijing and hail the vessel")
        await send(pilot)
        assert isinstance(app.screen, TeamScreen), form.refusal
        events = logged(control.path)[before + 1:]
        assert len(events) == 1
        corrected = events[0]
        assert corrected.type == "corrected" and corrected.target == decided.seq
        assert corrected.reason == "revised by team rok"
        assert corrected.replacement["option"] is None and corrected.replacement["text"] == "Call Beijing and hail the vessel"
        text = screen_text(app)
        assert "Received and revised" in text and "free text" in text


async def test_when_submissions_wait_for_control_the_view_says_so_until_it_confirms(
    control: Session, clock: FakeClock
) -> None:
    control.set_submission_mode(True)
    control.deliver("M1-02")
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = await open_form(pilot, "d", DecisionForm)
        await pilot.click("#option-1")
        await type_into(pilot, "#rationale", "Embassy first")
        before = len(logged(control.path))
        await send(pilot)
        assert isinstance(app.screen, TeamScreen), form.refusal
        (submitted,) = logged(control.path)[before:]
        assert (submitted.type, submitted.team, submitted.option) == ("submitted", "rok", "beijing")
        await pilot.press("o")
        await pilot.pause()
        assert "Sent; it counts once the control cell confirms it" in screen_text(app)
        form = await open_form(pilot, "d", DecisionForm)
        assert form.query_one("#rationale", TextArea).text == "Embassy first"
        await send(pilot)
        assert app.screen is form and "already submitted" in form.refusal
        await pilot.press("escape")
        control.confirm_submission("M1-02", "rok")
        app.poll()
        await pilot.pause()
        text = screen_text(app)
        assert "Received and confirmed by the control cell; open to revision." in text
        assert "it counts once the control cell confirms it" not in text, "the team sees that control confirmed it"


async def test_the_decide_key_is_offered_only_on_an_inject_that_puts_a_decision_to_the_team(
    control: Session, clock: FakeClock
) -> None:
    control.deliver("M1-01")  # to everyone, no decision
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.check_action("decide", ()) is False
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is screen
        control.deliver("M1-02")
        app.poll()
        await pilot.pause()
        assert app.screen.query_one(Inbox).selected_inject == "M1-01"
        await pilot.press("up")
        await pilot.pause()
        assert screen.check_action("decide", ()) is True


async def test_once_the_move_has_ended_the_decide_and_discussion_keys_are_gone_and_the_view_says_closed(
    control: Session, clock: FakeClock
) -> None:
    control.deliver("M1-02")
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.check_action("decide", ()) is True and screen.check_action("discuss", ()) is True
        await pilot.press("o")
        await pilot.pause()
        assert "Awaited from your team: M1-02" in screen_text(app)
        await pilot.press("i")
        await pilot.pause()
        control.advance()
        app.poll()
        await pilot.pause()
        assert screen.check_action("decide", ()) is False, "the engine would refuse the decision"
        assert screen.check_action("discuss", ()) is False, "M2 puts no question; M1's discussion is over"
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is screen
        text = screen_text(app)
        assert "Status: Nothing submitted yet; the move it came in has ended;" in text
        assert "Press d" not in text and "decision awaited" not in text
        await pilot.press("o")
        await pilot.pause()
        text = screen_text(app)
        assert "Closed without your decision: M1-02: the move it came in has ended" in text
        assert "Awaited from your team" not in text


REFUSALS = {
    "locked": (lambda s: s.lock("M1-02"), "M1-02 is locked"),
    "after ENDEX": (lambda s: s.end(), "ended"),
    "withdrawn": (lambda s: s.withdraw("M1-02", "sent to the wrong tables", ["rok"]), "has been delivered to your team"),
    "the move ended": (lambda s: s.advance(), "the move in which M1-02 was delivered has ended"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
async def test_a_refused_decision_is_said_in_the_form_keeps_what_was_typed_and_writes_nothing(
    control: Session, clock: FakeClock, case: str
) -> None:
    control.deliver("M1-02")
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = await open_form(pilot, "d", DecisionForm)
        await pilot.click("#option-1")
        await type_into(pilot, "#rationale", "Embassy first")
        act, words = REFUSALS[case]
        act(control)
        before = len(logged(control.path))
        await send(pilot)
        assert app.screen is form
        assert form.refusal.startswith("Refused: ") and words in form.refusal
        assert "Nothing was recorded." in form.refusal
        assert form.query_one("#rationale", TextArea).text == "Embassy first"
        assert form.query_one("#option-1").value is True
        assert len(logged(control.path)) == before
        assert "Refused: " in screen_text(app)


async def test_an_unknown_option_is_refused_by_the_engine_and_shown_in_the_form(control: Session, clock: FakeClock) -> None:
    from tabletop.viewer.messages import DecisionSubmitted

    control.deliver("M1-02")
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = await open_form(pilot, "d", DecisionForm)
        before = len(logged(control.path))
        form.post_message(DecisionSubmitted(form, "M1-02", "surrender", "", "no reason", ""))
        await pilot.pause()
        assert app.screen is form
        assert "Refused: " in form.refusal and "surrender" in form.refusal
        assert len(logged(control.path)) == before


# Asking control, discussion, feedback


async def test_a_team_asks_control_and_reads_the_answer_sent_to_it(control: Session, clock: FakeClock) -> None:
    control.deliver("M1-02")
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = await open_form(pilot, "a", AskForm)
        form.query_one(Select).value = "M1-02"
        await type_into(pilot, "#question", "How many cutters can reach the site?")
        before = len(logged(control.path))
        await send(pilot)
        assert isinstance(app.screen, TeamScreen), form.refusal
        (asked,) = logged(control.path)[before:]
        assert (asked.type, asked.team, asked.inject, asked.text) == (
            "rfi", "rok", "M1-02", "How many cutters can reach the site?"
        )
        control.reply(asked.seq, "Two, within forty minutes")
        app.poll()
        await pilot.press("o")
        await pilot.pause()
        text = screen_text(app)
        assert f"#{asked.seq} on M1-02" in text and "Control answered: Two, within forty minutes" in text

        form = await open_form(pilot, "a", AskForm)
        await send(pilot)  # an empty question
        assert app.screen is form and "may not be empty" in form.refusal


async def test_a_team_keeps_its_discussion_answers_per_question(control: Session, clock: FakeClock) -> None:
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = await open_form(pilot, "w", DiscussionForm)
        await type_into(pilot, "#answer", "The ministry of foreign affairs")
        form.query_one(Select).value = 1
        await pilot.pause()
        assert form.query_one("#answer", TextArea).text == ""
        await type_into(pilot, "#answer", "Unification ministry")
        before = len(logged(control.path))
        await send(pilot)
        assert isinstance(app.screen, TeamScreen), form.refusal
        (answered,) = logged(control.path)[before:]
        assert (answered.type, answered.team, answered.move, answered.question, answered.text) == (
            "team_answer", "rok", "M1", "Which ministry leads for Seoul?", "Unification ministry"
        )
        form = await open_form(pilot, "w", DiscussionForm)
        form.query_one(Select).value = 1
        await pilot.pause()
        assert form.query_one("#answer", TextArea).text == "Unification ministry"
        await pilot.press("escape")
        await pilot.press("o")
        await pilot.pause()
        assert "Which ministry leads for Seoul?" in screen_text(app)


async def test_the_feedback_form_opens_at_endex_and_records_one_form(control: Session, clock: FakeClock) -> None:
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.check_action("feedback", ()) is False
        control.end()
        app.poll()
        await pilot.pause()
        assert app.screen.check_action("ask", ()) is False
        form = await open_form(pilot, "f", FeedbackForm)
        await type_into(pilot, "#participant", "J. Park")
        form.query_one("#rating-realism").query("RadioButton")[3].value = True
        await type_into(pilot, "#strengths", "Clear injects")
        before = len(logged(control.path))
        await send(pilot)
        assert isinstance(app.screen, TeamScreen), form.refusal
        (given,) = logged(control.path)[before:]
        assert (given.type, given.team, given.participant, given.ratings, given.strengths) == (
            "feedback", "rok", "J. Park", {"realism": 4}, "Clear injects"
        )
        assert set(FEEDBACK_QUESTIONS) >= set(given.ratings)


# Need-to-know


async def test_a_team_never_sees_another_teams_submissions_questions_answers_or_feedback(
    control: Session, clock: FakeClock
) -> None:
    control.deliver("M1-02")  # to ROK and the US, both asked
    with Session.open(control.path, clock=clock, author="team:us") as us:
        us.submit_decision("us", "M1-02", "alone", "US-MARKER-DECISION", "US-MARKER-RATIONALE", "US-MARKER-DISSENT")
        asked = us.ask("us", "US-MARKER-RFI", inject="M1-02")
        us.answer_question("us", "M1", "Who speaks to the press first?", "US-MARKER-ANSWER")
    control.reply(asked.seq, "US-MARKER-REPLY")
    app = team_app(control, clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        shown = [screen_text(app)]
        for tab in TABS:
            await pilot.press(tab[0])
            await pilot.pause()
            shown.append(screen_text(app))
        await pilot.press("i")
        for key, kind in (("d", DecisionForm), ("a", AskForm), ("w", DiscussionForm)):
            await open_form(pilot, key, kind)
            shown.append(screen_text(app))
            await pilot.press("escape")
            await pilot.pause()
        control.end()
        with Session.open(control.path, clock=clock, author="team:us") as us:
            us.give_feedback("us", {"realism": 1}, comments="US-MARKER-FEEDBACK")
        app.poll()
        await pilot.press("o")
        await pilot.pause()
        shown.append(screen_text(app))
        await open_form(pilot, "f", FeedbackForm)
        shown.append(screen_text(app))
    text = "\n".join(shown)
    assert "Press d to submit your decision." in text
    assert "US-MARKER" not in text
    assert "Feedback forms" in text and "None sent yet." in text


# Typing never fires a view key


FIELDS = {
    DecisionForm: ("d", ("#text", "#rationale", "#dissent"), "decided"),
    AskForm: ("a", ("#question",), "rfi"),
    DiscussionForm: ("w", ("#answer",), "team_answer"),
    FeedbackForm: ("f", ("#participant", "#strengths", "#improvements", "#comments"), "feedback"),
}


@pytest.mark.parametrize("kind", list(FIELDS), ids=lambda k: k.__name__)
async def test_every_printable_character_typed_into_a_form_stays_in_the_form(
    control: Session, clock: FakeClock, kind: type[TeamForm]
) -> None:
    key, selectors, event_type = FIELDS[kind]
    control.deliver("M1-02")
    if kind is FeedbackForm:
        control.end()
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = len(logged(control.path))
        form = await open_form(pilot, key, kind)
        if kind is DecisionForm:
            await pilot.click("#option-2")
        for selector in selectors:
            await type_into(pilot, selector, PRINTABLE)
            assert app.screen is form, f"typing into {selector} left the form"
            field = form.query_one(selector)
            value = field.value if isinstance(field, Input) else field.text  # type: ignore[attr-defined]
            assert value == PRINTABLE, f"{selector} holds {value!r}"
            assert len(logged(control.path)) == before
        assert app.screen.query_one(TabbedContent).active == "injects" if isinstance(app.screen, TeamScreen) else True
        await send(pilot)
        assert isinstance(app.screen, TeamScreen), form.refusal
        assert app.screen.query_one(TabbedContent).active == "injects"
        events = logged(control.path)[before:]
        assert [e.type for e in events] == [event_type]
        assert events[0].author == "team:rok"


# Read-only


async def test_a_read_only_session_gives_a_view_without_actions_and_says_so(control: Session, clock: FakeClock) -> None:
    control.deliver("M1-02")
    session = Session.open(control.path, clock=clock, readonly=True)
    app = TeamViewApp(
        session, "rok", poll_interval=3600, tick_interval=3600, bell=False,
        readonly_reason="the session file cannot be written from here (permission denied)",
    )
    before = len(logged(control.path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        text = screen_text(app)
        assert "Read-only: the session file cannot be written from here (permission denied)." in text
        assert "are unavailable here" in text
        assert "Press d" not in text and "tell the facilitator" in text
        for key in ("d", "a", "w", "f"):
            assert screen.check_action({"d": "decide", "a": "ask", "w": "discuss", "f": "feedback"}[key], ()) is False
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen
    session.close()
    assert len(logged(control.path)) == before


CHILD = """
import sys
from tabletop.cli.serve import open_for_team
session, reason = open_for_team(sys.argv[1], "rok")
print(session.readonly)
print(reason)
session.close()
"""


def test_a_file_without_write_permission_opens_read_only_with_the_reason(control: Session) -> None:
    from bench.torture import _without_privileges

    path = control.path
    control.close()
    path.chmod(0o444)
    try:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120,
            preexec_fn=_without_privileges, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
        )
    finally:
        path.chmod(0o644)
    assert result.returncode == 0, result.stderr
    readonly, reason = result.stdout.splitlines()
    assert readonly == "True"
    assert reason.startswith("the session file cannot be written from here (") and str(path) in reason
    with Session.open(path, readonly=True) as again:
        assert not any(e.type == "paused" for e in again.state.events)


# The picture


def test_decision_form_snapshot(snap_compare, control: Session, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    """ROK's decision form on M1-02 at 100x30, opened with d from the inbox.

    A framed form over the whole screen: the title 'Decision on M1-02: Boat
    capsized west of the island', the prompt in bold, 'Nothing submitted
    yet.' in italics (these stay in sight above the scrolling fields), the
    three options and 'None of these: our own answer, written below' as radio
    buttons (the list focused, the first highlighted, none chosen), then the boxes
    for the team's own words, the rationale and the dissent (scrolled below),
    the buttons 'Submit our decision' and 'Cancel', and the footer 'tab Next
    field  ^s Send  esc Cancel'.
    """
    clock.advance(minutes=16)
    control.deliver("M1-02")
    app = team_app(control, clock)

    async def open_it(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DecisionForm)

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_it)


async def test_a_team_revising_its_decision_moves_from_the_option_it_chose_and_never_wraps(
    control: Session, clock: FakeClock
) -> None:
    control.deliver("M1-02")
    app = team_app(control, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_form(pilot, "d", DecisionForm)
        await pilot.click("#option-1")  # the second option
        await send(pilot)
        form = await open_form(pilot, "d", DecisionForm)
        options = form.query_one(RadioSet)
        options.focus()
        await pilot.pause()
        await pilot.press("up", "enter")  # one up from the second: the first, not the last line
        await pilot.pause()
        assert options.pressed_index == 0
        await pilot.press("up", "up", "enter")  # up at the top stays at the top
        await pilot.pause()
        assert options.pressed_index == 0
        count = len(list(options.query(RadioButton)))
        for _ in range(count + 2):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert options.pressed_index == count - 1, "down at the bottom stays at the bottom"
