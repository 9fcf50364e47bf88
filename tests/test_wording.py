"""Times read the same, and unambiguously, on every face."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tabletop.app import formatting as console
from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.need_to_know import team_view
from tabletop.resources import exercises_dir
from tabletop.viewer import formatting as viewer
from tabletop.viewer.plain import render_plain
from tabletop.wording import in_world_text, utc_offset_text, wall_text, zone_text


@pytest.mark.parametrize(("zone", "shown"), [
    ("Asia/Seoul", "KST"), ("Asia/Tokyo", "JST"), ("UTC", "UTC"), ("America/New_York", "EDT"),
    # Manila's PST is Pacific time to an American, China's CST is US Central: offsets instead
    ("Asia/Manila", "UTC+8"), ("Asia/Shanghai", "UTC+8"), ("Asia/Kolkata", "UTC+5:30"),
    # tzdata gives many zones a bare number
    ("Asia/Ho_Chi_Minh", "UTC+7"), ("America/Sao_Paulo", "UTC-3"),
])
def test_a_zone_reads_as_nobody_can_misread_it(zone: str, shown: str) -> None:
    assert zone_text(datetime(2027, 4, 11, 7, 20, tzinfo=ZoneInfo(zone))) == shown


def test_offsets_and_empty_values() -> None:
    assert utc_offset_text(timedelta(hours=-9, minutes=-30)) == "UTC-9:30"
    assert in_world_text(None) == "" and wall_text(None) == ""
    moment = datetime(2027, 4, 11, 7, 20, tzinfo=ZoneInfo("Asia/Manila"))
    assert in_world_text(moment) == "Sun 11 Apr 2027 07:20 UTC+8"
    assert in_world_text(moment, year=False) == "Sun 11 Apr 07:20 UTC+8"
    assert wall_text(moment, timezone.utc) == "23:20:00 UTC"


def test_the_console_and_the_team_view_say_the_same_time(tmp_path: Path) -> None:
    session = Session.create(exercises_dir() / "south-china-sea-incident.yaml", tmp_path / "s.tabletop",
                             clock=FakeClock())
    try:
        session.start()
        session.deliver("SCS-01")
        view = team_view(session, "phl")
        (inject,) = view.injects
        assert inject.minute is not None
        seen = viewer.in_world_text(inject.in_world)
        assert seen == console.in_world_text(session.exercise.setting, inject.minute)
        assert seen.endswith(" UTC+8") and "PST" not in render_plain(view)
    finally:
        session.close()


def test_the_ambiguous_abbreviations_are_those_of_the_pinned_tzdata() -> None:
    from tabletop.wording import AMBIGUOUS_ABBREVIATIONS, ambiguous_abbreviations

    assert ambiguous_abbreviations() == AMBIGUOUS_ABBREVIATIONS


def test_etc_gmt_zone_names_read_with_the_sign_a_room_expects() -> None:
    from tabletop.wording import zone_name_text

    assert zone_name_text("Etc/GMT-10") == "UTC+10"
    assert zone_name_text("Etc/GMT+5") == "UTC-5"
    assert zone_name_text("Etc/UTC") == "UTC"
    assert zone_name_text("Asia/Seoul") == "Asia/Seoul"


def test_the_console_log_names_teams_as_the_msel_and_the_decisions_pane_do(tmp_path: Path) -> None:
    from tabletop.app.views import log_line

    session = Session.create(exercises_dir() / "south-china-sea-incident.yaml", tmp_path / "s.tabletop",
                             clock=FakeClock())
    try:
        session.start()
        session.deliver("SCS-01")
        decided = session.decide("phl", "SCS-01", text="Ask the nearest boat to stand by")
        delivered = session.deliver("SCS-03")
        corrected = session.correct(delivered.seq, "went to the wrong tables", {"to": ["phl", "china"]})
        labels = {team.id: team.label for team in session.exercise.teams}
        assert log_line(session.state, decided).text.startswith(f"{labels['phl']} decided ")
        assert f"SCS-03 to {labels['us']}, " in delivered.summary(labels.__getitem__)
        assert log_line(session.state, delivered).text.endswith(f"SCS-03 to {labels['phl']}, {labels['china']}")
        assert f"to recipients {labels['phl']}, {labels['china']}" in log_line(session.state, corrected).text
        assert "phl" not in log_line(session.state, decided).text
    finally:
        session.close()


def test_the_resume_command_is_one_the_facilitator_can_type_in_the_shell_the_console_was_started_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import shutil
    import sys

    from tabletop.wording import evaluate_command, resume_command

    session = tmp_path / "day one.tabletop"
    started = tmp_path / ".venv" / "bin" / "tabletop"
    monkeypatch.setattr(sys, "argv", [str(started), "run"])
    monkeypatch.setattr(shutil, "which", lambda name: None)  # the venv is not activated
    assert resume_command(session) == f"{started} run --session '{session}'"
    assert evaluate_command(session, "J. Park") == f"{started} evaluate '{session}' --evaluator 'J. Park'"
    monkeypatch.setattr(shutil, "which", lambda name: str(started))  # activated: the bare name finds it
    assert resume_command(session) == f"tabletop run --session '{session}'"
    monkeypatch.setattr(sys, "argv", ["-m"])  # python -m tabletop
    assert resume_command(session).startswith("tabletop run --session ")
