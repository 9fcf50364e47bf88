"""Situation variants: the decision made in move 1 changes how move 2 opens, in every view."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.need_to_know import room_view, team_view
from tabletop.report.render import render_report
from tabletop.state import SessionState
from tabletop.viewer.plain import render_plain
from tabletop.viewer.room import render_room_fragment, room_clock
from tabletop.viewer.server import _environment

FIXTURE = Path(__file__).parent / "fixtures" / "harbour-workshop.yaml"
PLAYERS = ("north", "south", "guard")


def _play(tmp_path: Path, choices: dict[str, str] | None) -> Session:
    """Play move 1 with these choices on M1-01 (None: nobody decides), then open move 2."""
    session = Session.create(FIXTURE, tmp_path / "w.session", clock=FakeClock())
    session.start()
    session.deliver("M1-01")
    for team, option in (choices or {}).items():
        session.decide(team, "M1-01", option=option)
    session.advance()
    return session


def _everywhere(session: Session, team: str) -> dict[str, str]:
    """The move-2 situation as each surface shows it: the team's terminal and web views, the room
    screen and the report."""
    view = team_view(session, team)
    fragment = _environment().get_template("fragment.html.j2").render(view=view, files="file/")
    room = room_view(session)
    room_page = render_room_fragment(_environment(), room, room_clock(session), session.now())
    report = render_report(session=session, fmt="md")
    assert isinstance(report, str)
    return {
        "state": session.state.situation("M2"),
        "team view": view.moves[-1].situation,
        "plain": render_plain(view),
        "web": fragment,
        "room view": room.moves[-1].situation,
        "room screen": room_page,
        "report": report,
    }


def test_the_first_matching_variant_opens_the_move(tmp_path: Path) -> None:
    session = _play(tmp_path, {"north": "north-leads", "south": "guard-leads", "guard": "guard-leads"})
    assert session.state.situation_variant("M2") == 0
    for surface, text in _everywhere(session, "south").items():
        assert "SECRET-VARIANT-NORTH" in text, surface
        assert "SECRET-VARIANT-SPLIT" not in text, surface
        assert "SECRET-SITUATION-M2" not in text, surface
    report = render_report(session=session, fmt="md")
    assert "Opened with the variant for: any team chose north-leads on M1-01" in report


def test_a_condition_union_variant(tmp_path: Path) -> None:
    session = _play(tmp_path, {"north": "each-own", "south": "guard-leads", "guard": "guard-leads"})
    assert session.state.situation_variant("M2") == 1
    for surface, text in _everywhere(session, "guard").items():
        assert "SECRET-VARIANT-SPLIT" in text, surface
        assert "SECRET-VARIANT-NORTH" not in text, surface


def test_no_matching_variant_reads_the_default(tmp_path: Path) -> None:
    session = _play(tmp_path, None)
    assert session.state.situation_variant("M2") is None
    for surface, text in _everywhere(session, "north").items():
        assert "SECRET-SITUATION-M2" in text, surface
        assert "SECRET-VARIANT" not in text, surface
    assert "Opened with the variant" not in render_report(session=session, fmt="md")


def test_a_decision_after_the_opening_does_not_rewrite_what_was_read(tmp_path: Path) -> None:
    session = _play(tmp_path, None)
    session.decide("north", "M1-01", option="north-leads")
    assert session.state.situation("M2").startswith("SECRET-SITUATION-M2")


@pytest.mark.parametrize("option,variant", [("north-leads", 0), ("each-own", 1), ("guard-leads", None)])
def test_a_reopened_session_and_a_replay_agree(tmp_path: Path, option: str, variant: int | None) -> None:
    session = _play(tmp_path, {"north": option})
    path = session.path
    text = session.state.situation("M2")
    session.close()
    reopened = Session.open(path, clock=FakeClock())
    assert reopened.state.situation_variant("M2") == variant
    assert reopened.state.situation("M2") == text
    replayed = SessionState.replay(reopened.exercise, reopened.state.events)
    assert replayed.snapshot() == reopened.state.snapshot()


def test_a_move_not_yet_opened_shows_its_default(tmp_path: Path) -> None:
    session = Session.create(FIXTURE, tmp_path / "w.session", clock=FakeClock())
    session.start()
    assert session.state.situation("M2").startswith("SECRET-SITUATION-M2")
    assert session.state.situation_variant("M2") is None
    assert [m.id for m in team_view(session, "north").moves] == ["M1"]
