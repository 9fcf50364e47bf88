"""Tests of `tabletop view SESSION --team T --plain` and the verb's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.cli import main
from tabletop.engine import Session
from tabletop.need_to_know import team_view
from tabletop.viewer.plain import render_plain
from tests.engine_fixtures import new_session
from tests.need_to_know_fixtures import (
    PARTICIPANTS,
    posture_words_in,
    hidden_from,
    markers_in,
    play_secrets_session,
    visible_to,
)


@pytest.fixture
def secrets_path(tmp_path: Path) -> Path:
    return play_secrets_session(tmp_path)


@pytest.mark.parametrize("team", PARTICIPANTS)
def test_plain_prints_the_teams_share_and_not_one_secret(
    secrets_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["view", str(secrets_path), "--team", team, "--plain"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    seen = markers_in(out)
    assert seen & hidden_from(team) == set()
    assert visible_to(team) - seen == set()
    assert posture_words_in(out) == []


def test_plain_reads_newest_first_with_every_section(secrets_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["view", str(secrets_path), "--team", "us", "--plain"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == lines[-1] == "EXERCISE - FOR TRAINING ONLY"
    order = [out.index(text) for text in ("YOUR BRIEF", "SITUATION", "INJECTS RECEIVED (3)", "YOUR DECISIONS")]
    assert order == sorted(order)
    assert out.index("[I-ALL]") < out.index("[ADHOC-2]") < out.index("[I-USROK]")
    assert "delivered 2 times, first at +00:05" in out
    assert "Decision asked of your team: OK-IALL-prompt-Q" in out
    assert "Your decision: lead: USROK-lead-Q" in out
    assert "Seated: US-member-Q" in out


def test_an_observer_is_told_the_decision_is_for_the_players(secrets_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["view", str(secrets_path), "--team", "observers", "--plain"]) == 0
    out = capsys.readouterr().out
    assert "Decision put to the deciding teams: OK-IALL-prompt-Q" in out
    assert "No decision of your team has been recorded yet." in out


def test_before_startex_only_the_brief_and_the_exercise_show(tmp_path: Path) -> None:
    with new_session(tmp_path, start=False) as session:
        text = render_plain(team_view(session, "rok"))
    assert "Play has not started yet" in text
    assert "No move has opened yet." in text
    assert "Nothing has been delivered to your team yet." in text


def test_long_lines_are_wrapped_for_print(tmp_path: Path) -> None:
    with new_session(tmp_path) as session:
        session.adhoc("Long", " ".join(["word"] * 60) + "\n\nsecond paragraph", ["us"])
        text = render_plain(team_view(session, "us"), width=40)
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "  second paragraph" in text


def test_the_control_cell_is_sent_to_the_console(secrets_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["view", str(secrets_path), "--team", "control", "--plain"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "control cell" in err and "tabletop run --session" in err
    assert "S3-" not in err


def test_an_unknown_team_is_refused_with_the_teams_that_have_a_view(
    secrets_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["view", str(secrets_path), "--team", "japan"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tabletop: unknown team 'japan'")
    assert "us, rok, china, observers" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("content", [None, b"", b"not a session at all"])
def test_a_bad_session_file_is_refused_without_a_traceback(
    tmp_path: Path, content: bytes | None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.session"
    if content is not None:
        path.write_bytes(content)
    assert main(["view", str(path), "--team", "us", "--plain"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"tabletop: {path}")
    assert "Traceback" not in err


def test_the_team_is_required(secrets_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["view", str(secrets_path)])
    assert exit_info.value.code == 2
    assert "--team" in capsys.readouterr().err


def test_viewing_writes_nothing(secrets_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Session.open(secrets_path, readonly=True) as session:
        before = session.state.last_seq
    data = secrets_path.read_bytes()
    for team in PARTICIPANTS:
        assert main(["view", str(secrets_path), "--team", team, "--plain"]) == 0
    capsys.readouterr()
    with Session.open(secrets_path, readonly=True) as session:
        assert session.state.last_seq == before
    assert secrets_path.read_bytes() == data


@pytest.mark.parametrize("module", ["tabletop.viewer", "tabletop.viewer.plain", "tabletop.viewer.server", "tabletop.cli.serve"])
def test_plain_text_and_the_web_server_do_not_load_textual(module: str) -> None:
    import subprocess
    import sys

    code = f"import sys, {module}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_terminal_view_does_load_textual() -> None:
    """The check above can fail."""
    import subprocess
    import sys

    code = "import sys, tabletop.viewer.app; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


def test_a_decision_whose_move_ended_prints_as_closed_not_awaited(tmp_path: Path) -> None:
    with new_session(tmp_path) as session:
        session.deliver("M1-02")
        assert "Your decision is awaited on: M1-02" in render_plain(team_view(session, "rok"))
        session.advance()
        out = render_plain(team_view(session, "rok"), width=200)
    assert "awaited" not in out
    assert ("Closed without your decision: M1-02: the move it came in has ended; "
            "the control cell can still record a decision") in out
    assert "  Your decision: none; closed: the move it came in has ended" in out
