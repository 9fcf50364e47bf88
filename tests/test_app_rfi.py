"""The console's RFI inbox and how team submissions show in its log, driven with Pilot."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

from engine_fixtures import new_session
from test_app_actions import type_text
from textual.widgets import Input, OptionList

from tabletop.app import ConsoleApp
from tabletop.app.screens.rfi import RfiForm
from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.events import RfiReplyEvent


def console(session: Session) -> ConsoleApp:
    return ConsoleApp(
        session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0, tick_interval=3600.0
    )  # type: ignore[arg-type]


async def test_the_facilitator_answers_the_unanswered_rfi_from_the_inbox(tmp_path: Path) -> None:
    clock = FakeClock()
    session = new_session(tmp_path, clock=clock)
    try:
        old = session.ask("us", "Old question")
        session.reply(old.seq, "Old answer")
        new = session.ask("rok", "Where is the cutter?")
        app = console(session)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("i")
            await pilot.pause()
            assert isinstance(app.screen, RfiForm)
            picker = app.screen.query_one("#rfi-pick", OptionList)
            first = picker.get_option_at_index(0)
            assert first.id == str(new.seq) and "NEW" in str(first.prompt)
            await type_text(pilot, "Forty minutes out.")  # typed at once, as the inbox opens
            assert app.screen.query_one("#rfi-answer", Input).value == "Forty minutes out."
            await pilot.press("ctrl+s")
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            assert not isinstance(app.screen, RfiForm)
        with Session.open(session.path, readonly=True) as reader:
            reply = reader.state.events[-1]
            assert isinstance(reply, RfiReplyEvent)
            assert (reply.rfi, reply.team, reply.text) == (new.seq, "rok", "Forty minutes out.")
            assert reader.state.unanswered_rfis() == []
    finally:
        session.close()


async def test_an_empty_answer_keeps_the_inbox_open_and_writes_nothing(tmp_path: Path) -> None:
    session = new_session(tmp_path, clock=FakeClock())
    try:
        session.ask("rok", "Anyone?")
        before = session.state.last_seq
        app = console(session)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one("#rfi-pick", OptionList).highlighted = 0
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, RfiForm)
            assert "Write the answer first." in str(app.screen.query_one("#form-error").render())
        assert session.state.last_seq == before
    finally:
        session.close()


async def test_a_team_submission_is_marked_as_from_the_team_on_the_board_and_in_the_log(tmp_path: Path) -> None:
    clock = FakeClock()
    session = new_session(tmp_path, clock=clock)
    try:
        session.deliver("M1-02")
        submitted = session.submit_decision("rok", "M1-02", "direct")
        typed = session.decide("us", "M1-02", "alone")
        app = console(session)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            line = next(l for l in app.board_lines(session.msel()) if l.inject == "M1-02")
            choices = {a.team: a.choice for a in line.answers}
            assert choices["ROK"] == "direct (team)" and choices["US"] == "alone"
            team_line = app.log_line(submitted)
            assert team_line.author == "team:rok" and "(from the team)" in team_line.text
            assert "(from the team)" not in app.log_line(typed).text
    finally:
        session.close()


async def test_a_question_sent_while_the_console_is_open_is_announced_counted_and_marked_once_answered(
    tmp_path: Path,
) -> None:
    from textual.notifications import Notify

    from test_viewer import screen_text

    from tabletop.app.widgets.status import StatusBar

    clock = FakeClock()
    session = new_session(tmp_path, clock=clock)
    notes: list[tuple[str, str]] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            notes.append((message.notification.title, message.notification.message))

    try:
        waiting = session.ask("us", "Asked before the console opened")
        app = console(session)
        async with app.run_test(size=(120, 30), notifications=True, message_hook=hook) as pilot:
            await pilot.pause()
            bar = app.screen.query_one(StatusBar)
            assert bar.view is not None and bar.view.rfis == 1
            assert not [t for t, _ in notes if t.startswith("Question from")], "a question already waiting is counted, not announced"
            with Session.open(session.path, clock=clock, author="team:rok") as link:
                link.ask("rok", "Where is the cutter?", inject=None)
            app.poll_session()
            await pilot.pause()
            await pilot.pause()
            asked = [(t, m) for t, m in notes if t.startswith("Question from")]
            assert asked == [("Question from ROK", "Where is the cutter?\ni opens the inbox to answer it.")]
            assert bar.view.rfis == 2 and "2 RFI (i)" in screen_text(app).splitlines()[1]
            app.poll_session()
            await pilot.pause()
            assert len([t for t, _ in notes if t.startswith("Question from")]) == 1, "announced once"
            session.reply(waiting.seq, "Answered from elsewhere")
            app.refresh_views()
            await pilot.pause()
            assert bar.view.rfis == 1
            await pilot.press("i")
            await pilot.pause()
            picker = app.screen.query_one("#rfi-pick", OptionList)
            prompts = [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)]
            assert prompts[0].startswith("NEW #") and "ROK" in prompts[0]
            assert prompts[1].startswith("✓") and "answered: Answered from elsewhere" in prompts[1]
    finally:
        session.close()


async def test_leaving_names_the_questions_still_waiting_for_an_answer(tmp_path: Path) -> None:
    from textual.widgets import Static

    from tabletop.app.screens.confirm import QuitForm

    session = new_session(tmp_path, clock=FakeClock())
    try:
        session.ask("rok", "Where is the cutter?")
        app = console(session)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, QuitForm)
            facts = str(app.screen.query_one("#confirm-facts", Static).content)
            assert "1 question from a team still waits for an answer" in facts
    finally:
        session.close()
