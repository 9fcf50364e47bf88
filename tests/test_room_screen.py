"""`tabletop screen`: the terminal room screen shows the room's share and follows the live session."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tabletop.cli import main
from tabletop.engine import Session
from tabletop.viewer.room_app import RoomApp
from tests.need_to_know_fixtures import ALL_MARKERS, EVERYONE, markers_in, play_secrets_session

ROOM_MARKERS = {m for m, teams in ALL_MARKERS.items() if teams == EVERYONE}

DELIVER = """
import sys
from tabletop.engine import Session
session = Session.open(sys.argv[1])
session.deliver(sys.argv[2])
session.close()
"""


def _drawn(app: RoomApp) -> str:
    return app.export_screenshot()


async def test_screen_shows_only_the_rooms_share_and_follows_another_process(tmp_path: Path) -> None:
    path = play_secrets_session(tmp_path)
    session = Session.open(path, readonly=True)
    app = RoomApp(session, poll_interval=0.1)
    try:
        async with app.run_test(size=(200, 60)) as pilot:
            await pilot.pause()
            drawn = _drawn(app)
            shown = markers_in(drawn)
            assert shown <= ROOM_MARKERS, sorted(shown - ROOM_MARKERS)
            assert {"OK-IALL-title-Q", "OK-M1-title-Q"} <= shown
            assert "S3-later-title-Q" not in drawn
            subprocess.run([sys.executable, "-c", DELIVER, str(path), "I-LATER"], check=True)
            deadline = time.monotonic() + 10
            while "S3-later-title-Q" not in drawn and time.monotonic() < deadline:
                await pilot.pause(0.05)
                drawn = _drawn(app)
            assert "S3-later-title-Q" in drawn and "BREAKING" in drawn
            assert "OK-IALL-title-Q" in drawn  # now under 'Earlier'
            assert app.view.newest_first[0].inject == "I-LATER"
    finally:
        session.close()


def test_screen_verb_refuses_a_missing_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["screen", str(tmp_path / "none.session")])
    assert code == 1
    assert "none.session" in capsys.readouterr().err
