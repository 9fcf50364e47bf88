"""The decisions board is a place to act from: r records the highlighted team's answer, y confirms
a team's submission that waits, Y switches the session's submissions mode; each asserted on the file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pytest
from engine_fixtures import new_session
from test_app_actions import START, logged, settle

from tabletop.app import ConsoleApp
from tabletop.app.screens.decision import DecisionForm
from tabletop.app.widgets.board import DecisionBoard
from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.events import DecidedEvent, SubmissionModeEvent


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    clock = FakeClock(START)
    opened = new_session(tmp_path, clock=clock)
    clock.advance(minutes=5)
    opened.deliver("M1-02")
    opened.deliver("M1-03")
    yield opened
    opened.close()


def console(session: Session) -> ConsoleApp:
    return ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0, tick_interval=3600.0)


async def test_r_on_the_board_opens_the_form_for_the_highlighted_team_and_inject(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(DecisionBoard)
        board.focus()
        assert board.select_team("M1-03", "china")
        await pilot.press("r")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DecisionForm)
        assert form.inject.id == "M1-03" and form.initial_team == "china"


async def test_y_first_shows_the_waiting_submission_then_confirms_it(session: Session) -> None:
    session.set_submission_mode(True)
    with Session.open(session.path, clock=FakeClock(START), author="team:rok") as team:
        team.submit_decision("rok", "M1-02", option="alone", rationale="cutters are close")
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.poll_session()  # what the console's poll does: fold what the team's link wrote
        await settle(app, pilot)
        board = app.screen.query_one(DecisionBoard)
        assert "? sent alone, to confirm (y)" in board.text and "1 to confirm" in str(board.border_subtitle)
        before = len(logged(session.path))
        await pilot.press("y")  # from the MSEL: the board takes the focus on the submission, nothing is written
        await settle(app, pilot)
        assert board.has_focus and board.selected == ("M1-02", "rok")
        assert len(logged(session.path)) == before
        await pilot.press("y")
        await settle(app, pilot)
        assert "to confirm" not in board.text
    confirmed = logged(session.path)[-1]
    assert isinstance(confirmed, DecidedEvent) and (confirmed.team, confirmed.option, confirmed.source) == ("rok", "alone", "team")
    assert confirmed.rationale == "cutters are close"


async def test_shift_y_asks_then_switches_the_submissions_mode_for_every_team(session: Session) -> None:
    from tabletop.app.screens.confirm import SubmissionModeForm

    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("Y")
        await pilot.pause()
        assert isinstance(app.screen, SubmissionModeForm), "it changes the rule for every team: asked first"
        assert "wait for your confirmation" in app.screen.question
        await pilot.press("enter")  # Cancel has the focus: a Y pressed for y changes nothing
        await settle(app, pilot)
        assert not [e for e in logged(session.path) if isinstance(e, SubmissionModeEvent)]
        await pilot.press("Y", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("Y")
        await pilot.pause()
        assert isinstance(app.screen, SubmissionModeForm) and "count as decisions at once" in app.screen.question
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    modes = [e.confirm for e in logged(session.path) if isinstance(e, SubmissionModeEvent)]
    assert modes == [True, False]


def test_an_answered_contingency_stays_on_the_board_while_the_move_it_came_in_is_open(tmp_path: Path) -> None:
    from tabletop.app.views import board_lines
    from tabletop.clock import FakeClock

    exercise = Path(__file__).resolve().parent.parent / "exercises" / "yellow-sea-refugees.yaml"
    with Session.create(exercise, tmp_path / "c.tabletop", clock=FakeClock()) as session:
        session.start()
        session.deliver("YS-C1")
        deciders = session.state.deciders("YS-C1")
        for team in deciders:
            session.decide(team, "YS-C1", option="land_shidao")
        lines = {line.inject: line for line in board_lines(session.exercise, session.state, session.msel())}
        assert "YS-C1" in lines and lines["YS-C1"].complete, "answered, and still in sight to correct from"
        assert [a.choice for a in lines["YS-C1"].answers] == ["land_shidao"] * len(deciders)
        session.advance()
        lines = {line.inject for line in board_lines(session.exercise, session.state, session.msel())}
        assert "YS-C1" not in lines, "its move has closed and nothing is awaited"


async def test_after_an_answer_from_the_board_the_highlight_moves_to_the_next_team_still_waiting(session: Session) -> None:
    app = console(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(DecisionBoard)
        board.focus()
        assert board.select_team("M1-02", "rok")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, DecisionForm)
        await pilot.press("down", "enter")  # the first option, confirmed
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, DecisionForm)
        decided = logged(session.path)[-1]
        assert isinstance(decided, DecidedEvent) and (decided.team, decided.inject) == ("rok", "M1-02")
        waiting = board.selected
        assert waiting is not None and waiting != ("M1-02", "rok")
        inject, team = waiting
        assert session.state.decision(inject, team) is None, "the highlight is on a team that still owes an answer"
        index = board.highlighted
        assert index is not None
        top = board.scroll_offset.y
        assert top <= index < top + board.scrollable_content_region.height, "and it is in sight"


async def test_enter_on_the_board_reads_a_waiting_submission_in_full_before_y(session: Session) -> None:
    from tabletop.app.screens.inject import InjectScreen
    from tabletop.app.widgets.card import InjectCard

    session.set_submission_mode(True)
    words = "Keep the cutters south of the line and ask the Chinese vessel to stand by for the survivors"
    with Session.open(session.path, clock=FakeClock(START), author="team:rok") as team:
        team.submit_decision("rok", "M1-02", option="alone", text=words, rationale="cutters are close")
    before = len(logged(session.path))
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.poll_session()
        await settle(app, pilot)
        board = app.screen.query_one(DecisionBoard)
        board.focus()
        assert board.select_team("M1-02", "rok")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InjectScreen)
        view = app.screen.query_one(InjectCard).view
        assert view is not None
        answers = {a.team: a for a in view.answers}
        sent = answers["ROK (sent)"]
        assert sent.waiting and sent.text == words and sent.rationale == "cutters are close"
    assert len(logged(session.path)) == before, "reading it confirms nothing"


async def test_an_empty_board_after_every_answer_says_so_not_that_none_was_put(session: Session) -> None:
    from tabletop.app.widgets.board import EVERY_ONE_ANSWERED
    from test_app_actions import rendered

    for inject in ("M1-02", "M1-03"):
        for team in session.state.deciders(inject):
            option = session.exercise.inject(inject).decision.options[0].id  # type: ignore[union-attr]
            session.decide(team, inject, option=option)
    session.advance()
    app = console(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(DecisionBoard)
        assert board.option_count == 1
        assert rendered(board.get_option_at_index(0).prompt).strip() == EVERY_ONE_ANSWERED
