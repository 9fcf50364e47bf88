"""`tabletop session ...`: every verb, its one-line output, its refusals, and one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop.cli import main
from tabletop.engine import Session
from tests.engine_fixtures import write_exercise

REPO = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def events(path: Path) -> list:
    with Session.open(path, readonly=True) as s:
        return list(s.state.events)


@pytest.fixture
def started(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    exercise = write_exercise(tmp_path)
    target = tmp_path / "drill.session"
    code, out, _ = run(capsys, "session", "new", str(exercise), "-o", str(target), "--start", "--rate", "2")
    assert code == 0
    assert "STARTEX at 2x" in out
    return target


def ok(capsys: pytest.CaptureFixture[str], path: Path, *argv: str) -> str:
    """Run a writing verb; it succeeds, appends exactly one event and prints one line naming it."""
    before = len(events(path))
    code, out, err = run(capsys, "session", argv[0], str(path), *argv[1:])
    assert code == 0, err
    after = events(path)
    assert len(after) == before + 1
    assert out.count("\n") == 1 and out.startswith(f"#{after[-1].seq} ")
    return out


def refused(capsys: pytest.CaptureFixture[str], path: Path, *argv: str, match: str) -> None:
    """Run a writing verb that must be refused: exit 1, the reason on stderr, nothing written."""
    before = len(events(path))
    code, out, err = run(capsys, "session", argv[0], str(path), *argv[1:])
    assert code == 1
    assert out == ""
    assert match in err and err.startswith("tabletop: ") and "Traceback" not in err
    assert len(events(path)) == before


def test_new_without_start_then_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exercise = write_exercise(tmp_path)
    target = tmp_path / "s.session"
    code, out, _ = run(capsys, "session", "new", str(exercise), "-o", str(target))
    assert code == 0 and "created" in out
    assert events(target) == []
    refused(capsys, target, "deliver", "M1-01", match="not started")
    assert "STARTEX at 1x" in ok(capsys, target, "start")
    refused(capsys, target, "start", match="already started")


def test_new_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exercise = write_exercise(tmp_path)
    code, _, err = run(capsys, "session", "new", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "a"))
    assert code == 1 and "missing.yaml:1:1: no such file" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    code, _, err = run(capsys, "session", "new", str(bad), "-o", str(tmp_path / "b"))
    assert code == 1 and "bad.yaml:" in err and not (tmp_path / "b").exists()
    code, _, err = run(capsys, "session", "new", str(exercise), "-o", str(tmp_path / "c"), "--rate", "2")
    assert code == 1 and "--start" in err
    run(capsys, "session", "new", str(exercise), "-o", str(tmp_path / "d"))
    code, _, err = run(capsys, "session", "new", str(exercise), "-o", str(tmp_path / "d"))
    assert code == 1 and "already exists" in err


def test_injects_and_decisions(started: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "delivered M1-02 to rok, us" in ok(capsys, started, "deliver", "M1-02")
    assert "re-delivered M1-02" in ok(capsys, started, "deliver", "M1-02")
    refused(capsys, started, "deliver", "M1-99", match="unknown inject 'M1-99'")
    refused(capsys, started, "deliver", "M1-04", match="condition does not hold")
    ok(capsys, started, "hold", "M1-03", "--reason", "teams busy")
    refused(capsys, started, "hold", "M1-03", match="already held")
    ok(capsys, started, "skip", "M1-03", "--reason", "time")
    ok(capsys, started, "skip", "M2-01")
    out = ok(capsys, started, "decide", "--team", "rok", "--inject", "M1-02", "--option", "direct",
             "--rationale", "fast", "--dissent", "navy")
    assert "rok decided direct on M1-02" in out
    ok(capsys, started, "decide", "--team", "us", "--inject", "M1-02", "--text", "air search")
    refused(capsys, started, "decide", "--team", "atlantis", "--inject", "M1-02", "--option", "direct",
            match="unknown team")
    refused(capsys, started, "decide", "--team", "china", "--inject", "M1-02", "--option", "direct",
            match="not asked")
    refused(capsys, started, "decide", "--team", "rok", "--inject", "M1-02", "--option", "flee",
            match="not offered")
    refused(capsys, started, "decide", "--team", "japan", "--inject", "M1-01", "--text", "x",
            match="not been delivered")
    assert "delivered M1-04" in ok(capsys, started, "deliver", "M1-04")
    out = ok(capsys, started, "inject", "--title", "Ferry", "--body", "A ferry reports.", "--to", "rok", "china",
             "--channel", "radio", "--source", "KCG")
    assert "ADHOC-1" in out
    refused(capsys, started, "inject", "--title", "x", "--body", "y", "--to", "atlantis", match="unknown team")
    last = events(started)[-1]
    assert last.to == ["rok", "china"] and last.channel.value == "radio"


def test_records(started: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, started, "note", "Teams arrived late", "--inject", "M1-01")
    refused(capsys, started, "note", "x", "--inject", "Z", match="unknown inject")
    out = ok(capsys, started, "observe", "--objective", "OBJ-1", "--rating", "s", "--text", "good relay",
             "--author", "Dr Kim")
    assert "Dr Kim: rated OBJ-1 S" in out and out.split()[2] == "Dr"
    assert out.count("Dr Kim") == 1  # the author once, not again as the evaluator
    out = ok(capsys, started, "observe", "--objective", "OBJ-2", "--rating", "U", "--text", "no call",
             "--evaluator", "Lee")
    assert "Lee rated OBJ-2 U" in out
    refused(capsys, started, "observe", "--objective", "OBJ-7", "--rating", "P", "--text", "x",
            match="unknown objective")
    ok(capsys, started, "rule", "The vessel answers", "--rationale", "keeps play moving", "--team", "china")
    ok(capsys, started, "hotwash", "--kind", "strength", "--text", "Hotlines worked", "--objective", "OBJ-2")
    ok(capsys, started, "hotwash", "--kind", "improvement", "--text", "Slow sharing", "--team", "japan")
    refused(capsys, started, "hotwash", "--kind", "strength", "--text", "x", "--team", "mars", match="unknown team")


def test_clock_verbs(started: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, started, "pause")
    refused(capsys, started, "pause", match="already paused")
    ok(capsys, started, "resume")
    assert "4x" in ok(capsys, started, "rate", "4")
    refused(capsys, started, "rate", "4", match="already runs at 4x")
    refused(capsys, started, "rate", "0", match="above 0")
    code, _, err = run(capsys, "session", "rate", str(started), "fast")
    assert code == 2 and "not a rate" in err
    assert "jumped to +00:50" in ok(capsys, started, "jump", "+00:50")
    refused(capsys, started, "jump", "+00:10", match="only moves forward")
    code, _, err = run(capsys, "session", "jump", str(started), "soon")
    assert code == 2 and "not a scenario time" in err
    assert "move M2 opened, clock jumped to +01:00" in ok(capsys, started, "advance")
    refused(capsys, started, "advance", match="last move")
    assert "ENDEX" in ok(capsys, started, "end")
    refused(capsys, started, "end", match="already ended")
    refused(capsys, started, "resume", match="already ended")


def test_correct(started: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, started, "deliver", "M1-02")
    ok(capsys, started, "decide", "--team", "rok", "--inject", "M1-02", "--option", "direct")
    out = ok(capsys, started, "correct", "3", "--reason", "misheard", "--option", "alone", "--rationale", "cutters")
    assert "corrected #3" in out
    ok(capsys, started, "note", "typo here")
    ok(capsys, started, "correct", "#5", "--reason", "typo", "--set", "text=no typo here")
    assert "retracted #4" in ok(capsys, started, "correct", "4", "--reason", "wrong fix", "--retract")
    refused(capsys, started, "correct", "99", "--reason", "x", "--retract", match="no event #99")
    refused(capsys, started, "correct", "1", "--reason", "x", "--retract", match="cannot be corrected")
    refused(capsys, started, "correct", "3", "--reason", "x", "--set", "colour=red", match="no field 'colour'")
    refused(capsys, started, "correct", "3", "--reason", "x", match="say what to correct")
    refused(capsys, started, "correct", "3", "--reason", "x", "--retract", "--text", "y", match="one or the other")
    refused(capsys, started, "correct", "3", "--reason", "x", "--set", "novalue", match="FIELD=VALUE")
    with Session.open(started, readonly=True) as s:
        assert s.state.decision("M1-02", "rok").option == "direct"
        assert [n.text for n in s.state.notes] == ["no typo here"]


def test_status_and_log(started: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, started, "jump", "+00:20")
    ok(capsys, started, "deliver", "M1-02")
    ok(capsys, started, "hold", "M1-01")
    code, out, _ = run(capsys, "session", "status", str(started))
    assert code == 0
    assert "clock: +00:20 running at 2x" in out
    assert "move: M1 Boats on the water (1 of 2)" in out
    assert "awaited decisions:\n  M1-02: rok, us" in out
    assert "held: M1-01" in out
    assert "due: nothing" in out
    code, out, _ = run(capsys, "session", "log", str(started))
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["#1", "#2", "#3", "#4"]
    code, out, _ = run(capsys, "session", "log", str(started), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4]
    assert [r["type"] for r in rows] == ["started", "jumped", "delivered", "held"]
    assert rows[2]["to"] == ["rok", "us"]


def test_a_question_from_a_team_is_listed_by_status_and_answered_by_reply(
    started: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session.open(started, author="team:rok") as link:
        asked = link.ask("rok", "Where is the cutter?")
    code, out, _ = run(capsys, "session", "status", str(started))
    assert code == 0 and f"  #{asked.seq} rok: Where is the cutter?" in out
    refused(capsys, started, "reply", str(asked.seq + 50), "Nowhere", match=str(asked.seq + 50))
    assert "rok" in ok(capsys, started, "reply", f"#{asked.seq}", "Forty minutes out.")
    code, out, _ = run(capsys, "session", "status", str(started))
    assert "unanswered" not in out
    reply = events(started)[-1]
    assert (reply.type, reply.rfi, reply.team, reply.text) == ("rfi_reply", asked.seq, "rok", "Forty minutes out.")


def test_missing_and_damaged_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "session", "status", str(tmp_path / "nope.session"))
    assert code == 1 and "no such session file" in err
    junk = tmp_path / "junk.session"
    junk.write_text("hello " * 1000)
    for argv in (["status", str(junk)], ["deliver", str(junk), "M1-01"], ["log", str(junk)]):
        code, _, err = run(capsys, "session", *argv)
        assert code == 1 and "not a tabletop session" in err and "Traceback" not in err


def test_session_without_a_verb_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "session")
    assert code == 2 and "deliver" in err


def test_real_subprocess(tmp_path: Path) -> None:
    exercise = write_exercise(tmp_path)
    target = tmp_path / "real.session"

    def tabletop(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tabletop", "session", *argv], capture_output=True, text=True,
                              cwd=REPO, timeout=60)

    done = tabletop("new", str(exercise), "-o", str(target), "--start")
    assert done.returncode == 0, done.stderr
    done = tabletop("deliver", str(target), "M1-02", "--author", "Control Lead")
    assert done.returncode == 0 and done.stdout.startswith("#2 ") and "Control Lead" in done.stdout
    done = tabletop("decide", str(target), "--team", "china", "--inject", "M1-02", "--option", "direct")
    assert done.returncode == 1 and "not asked" in done.stderr and "Traceback" not in done.stderr
    done = tabletop("log", str(target), "--json")
    assert [json.loads(line)["type"] for line in done.stdout.splitlines()] == ["started", "delivered"]


def test_the_log_names_what_a_correction_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tabletop.cli import main
    from tests.engine_fixtures import new_session

    session = new_session(tmp_path)
    session.deliver("M1-02")
    decided = session.decide("us", "M1-02", option="direct")
    session.correct(decided.seq, "recorded under the wrong team", {"team": "rok"})
    path = session.path
    session.close()
    capsys.readouterr()
    assert main(["session", "log", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"corrected #{decided.seq} to team rok: recorded under the wrong team" in out
