"""`tabletop run` and `tabletop evaluate`: every bad input is a message and exit 1, never a UI.

The console itself is replaced by a recorder in these tests, so they check
the wiring: which session file is created or opened, in which mode, and what
is printed on the way out.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from engine_fixtures import new_session, write_exercise

from tabletop.app import ConsoleApp, Mode
from tabletop.cli import main
from tabletop.cli.console import default_session_path
from tabletop.clock import FakeClock
from tabletop.engine import Session


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Mode, str]]:
    """Record each console that would open, instead of opening it."""
    seen: list[tuple[Path, Mode, str]] = []

    def fake_run(self: ConsoleApp, *args: object, **kwargs: object) -> None:
        seen.append((self.session.path, self.mode, self.author))

    monkeypatch.setattr(ConsoleApp, "run", fake_run)
    return seen


def test_run_creates_a_session_next_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]
) -> None:
    exercise = write_exercise(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(exercise)]) == 0
    [(path, mode, author)] = opened
    assert path.parent == tmp_path / "sessions"
    assert path.name.startswith("strait-drill-") and path.suffix == ".tabletop"
    assert (mode, author) == (Mode.facilitator, "facilitator")
    out = capsys.readouterr().out
    assert str(path) in out and f"tabletop run --session {path}" in out


def test_run_with_output_and_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]
) -> None:
    exercise = write_exercise(tmp_path)
    target = tmp_path / "drill.tabletop"
    assert main(["run", str(exercise), "-o", str(target)]) == 0
    assert target.exists()
    assert main(["run", "--session", str(target)]) == 0
    assert [p for p, _m, _a in opened] == [target, target]


def test_run_given_a_session_file_resumes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]
) -> None:
    exercise = write_exercise(tmp_path)
    target = tmp_path / "drill.tabletop"
    assert main(["run", str(exercise), "-o", str(target)]) == 0
    capsys.readouterr()
    assert main(["run", str(target)]) == 0
    assert [p for p, _m, _a in opened] == [target, target]
    out = capsys.readouterr().out
    assert out.startswith(f"Session file: {target}\n") and f"Resume with: tabletop run --session {target}" in out
    assert main(["run", str(target), "-o", str(tmp_path / "other.tabletop")]) == 2
    assert "is a session file" in capsys.readouterr().err


def test_default_session_path_is_stamped_in_utc(tmp_path: Path) -> None:
    moment = datetime(2030, 4, 11, 6, 5, 9, tzinfo=timezone.utc)
    assert default_session_path("strait-drill", moment, tmp_path) == tmp_path / "strait-drill-20300411T060509Z.tabletop"


def test_bad_exercise_prints_file_line_col_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(write_exercise(tmp_path).read_text().replace("title: Strait Drill", "titel: Strait Drill"))
    assert main(["run", str(bad), "-o", str(tmp_path / "s.tabletop")]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "Traceback" not in err
    assert any(line.startswith(f"tabletop: {bad}:") or line.startswith(f"{bad}:") for line in err.splitlines())
    assert not opened
    assert not (tmp_path / "s.tabletop").exists()


def test_missing_exercise_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]) -> None:
    assert main(["run", str(tmp_path / "nope.yaml")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert not opened


def test_existing_output_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]
) -> None:
    exercise = write_exercise(tmp_path)
    target = tmp_path / "taken.tabletop"
    target.write_text("something else")
    assert main(["run", str(exercise), "-o", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "something else"
    assert not opened


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_bad_session_file_is_a_message(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]
) -> None:
    target = tmp_path / "broken.tabletop"
    target.write_bytes(content)
    assert main(["run", "--session", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tabletop: ") and "Traceback" not in err
    assert not opened


def test_missing_session_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]) -> None:
    assert main(["run", "--session", str(tmp_path / "gone.tabletop")]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert not opened


@pytest.mark.parametrize(
    "argv",
    [["run"], ["run", "x.yaml", "--session", "y.tabletop"], ["run", "--session", "y.tabletop", "-o", "z.tabletop"]],
)
def test_run_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]) -> None:
    assert main(argv) == 2
    assert "tabletop:" in capsys.readouterr().err
    assert not opened


def test_evaluate_opens_the_console_as_the_evaluator(
    tmp_path: Path, opened: list[tuple[Path, Mode, str]]
) -> None:
    session = new_session(tmp_path, clock=FakeClock())
    session.close()
    assert main(["evaluate", str(session.path), "--evaluator", "J. Park"]) == 0
    assert opened == [(session.path, Mode.evaluator, "J. Park")]
    with Session.open(session.path, readonly=True) as reader:
        assert len(reader.state.events) == 1


def test_evaluate_needs_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]) -> None:
    session = new_session(tmp_path, clock=FakeClock())
    session.close()
    assert main(["evaluate", str(session.path), "--evaluator", "  "]) == 2
    assert "--evaluator" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", str(session.path)])
    assert exit_info.value.code == 2
    assert not opened


def test_evaluate_a_missing_session(tmp_path: Path, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]) -> None:
    assert main(["evaluate", str(tmp_path / "gone.tabletop"), "--evaluator", "J. Park"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert not opened


def test_run_of_an_exercise_with_an_unfinished_session_says_how_to_resume_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], opened: list[tuple[Path, Mode, str]]
) -> None:
    exercise = write_exercise(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sessions").mkdir()
    earlier = tmp_path / "sessions" / "strait-drill-20300410T210000Z.tabletop"
    with Session.create(exercise, earlier, clock=FakeClock()) as crashed:
        crashed.start()
        crashed.note("Said before the crash")
    (tmp_path / "sessions" / "strait-drill-20300409T210000Z.tabletop").write_bytes(b"not a session at all")
    assert main(["run", str(exercise)]) == 1
    err = capsys.readouterr().err
    assert f"{earlier}: an unfinished session of this exercise (2 events" in err
    assert f"tabletop run --session {earlier}" in err and f"tabletop run {exercise} --new" in err
    assert opened == [] and len(list((tmp_path / "sessions").glob("*.tabletop"))) == 2, "nothing opened or created"
    assert main(["run", str(exercise), "--new"]) == 0
    [(fresh, _mode, _author)] = opened
    assert fresh != earlier and fresh.parent == earlier.parent
    with Session.open(earlier) as finishing:
        finishing.end()
    with Session.open(fresh) as finishing:
        finishing.start()
        finishing.end()
    capsys.readouterr()
    monkeypatch.setattr("tabletop.cli.console.default_session_path",
                        lambda exercise_id, now=None, folder=None: tmp_path / "sessions" / f"{exercise_id}-next.tabletop")
    assert main(["run", str(exercise)]) == 0, "only sessions that never reached ENDEX are held up"
