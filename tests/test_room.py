"""The room screen's need-to-know: only what every participant may see, on every face of it."""

from __future__ import annotations

import json
from pathlib import Path

from tabletop.engine import Session
from tabletop.need_to_know import room_view
from tests.need_to_know_fixtures import EVERYONE, ALL_MARKERS, markers_in, play_secrets_session

ROOM_MARKERS = {m for m, teams in ALL_MARKERS.items() if teams == EVERYONE}
"""Markers every participant may see: the only ones the room may show."""


def _room_text(path: Path) -> str:
    session = Session.open(path, readonly=True)
    try:
        return json.dumps(room_view(session).as_dict())
    finally:
        session.close()


def test_room_shows_only_what_every_participant_sees(tmp_path: Path) -> None:
    text = _room_text(play_secrets_session(tmp_path))
    shown = markers_in(text)
    assert shown <= ROOM_MARKERS, sorted(shown - ROOM_MARKERS)
    for marker in ("OK-IALL-title-Q", "OK-IALL-body-Q", "OK-IALL-source-Q", "OK-M1-situation-Q",
                   "OK-M1-question-all-Q", "OK-IALL-prompt-Q", "OK-IALL-close-Q"):
        assert marker in shown
    # a team's brief, private injects, decisions, notes and observations are absent
    for marker in ("US-brief-Q", "USROK-body-Q", "ADHOCTWO-body-Q", "ROK-contingency-body-Q",
                   "US-decision-text-Q", "S3-IALL-notes-Q", "S3-observation-Q", "US-M1-question-Q"):
        assert marker not in text
    for posture in ("escalatory", "unilateral", "deferring"):
        assert posture not in text


def test_room_lists_a_redelivered_inject_once_newest_first(tmp_path: Path) -> None:
    session = Session.open(play_secrets_session(tmp_path), readonly=True)
    try:
        view = room_view(session)
    finally:
        session.close()
    assert [i.inject for i in view.newest_first] == ["I-ALL"]
    assert view.injects[0].deliveries == 2 and view.current_move is not None
    assert view.current_move.questions == ("OK-M1-question-all-Q",)
