"""Torture of the session file: concurrent writers killed, a full disk, read-only files, deliberate damage,
and a `tabletop serve` killed while teams submit from their links.

tests/test_crash.py kills one writer at a time and runs concurrent writers to
completion; here two and three writers are killed together at random moments,
which also hits crash recovery racing with appends. The machinery lives in
`bench/torture.py`, whose command (`python -m bench.torture --runs N`) runs the
same tortures for as long as one likes; the suite runs a few rounds of each.
Set TABLETOP_TORTURE_ROUNDS for more rounds here.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bench.torture import (
    READERS,
    child_env,
    damage,
    finished_session,
    flood,
    full_disk,
    kill_writers,
    portal_kills,
    read_all,
    read_only,
)

REPO = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("TABLETOP_TORTURE_ROUNDS", "3"))


@pytest.mark.parametrize("writers", [1, 2, 3])
def test_killed_writers_lose_no_returned_append(tmp_path: Path, writers: int) -> None:
    seed = random.randrange(1 << 30)
    outcome = kill_writers(tmp_path, writers=writers, rounds=ROUNDS, seed=seed)
    assert outcome.problems == [], f"seed {seed}"
    assert outcome.runs == ROUNDS
    assert outcome.notes["confirmed"] > 0, f"no append returned before the kills (seed {seed})"


def test_full_disk_is_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    outcome = full_disk(tmp_path)
    assert outcome.problems == []
    assert "the disk is full or failing" in str(outcome.notes["message"])
    assert str(outcome.notes["cli_message"]).startswith("tabletop: ")


def test_read_only_session_refuses_writers_and_serves_readers(tmp_path: Path) -> None:
    outcome = read_only(tmp_path)
    assert outcome.problems == []
    assert "cannot write to the session file" in str(outcome.notes["note_message"])
    assert "cannot create the session file" in str(outcome.notes["new_message"])


def test_damaged_copies_are_refused_or_read_in_full(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    outcome = damage(tmp_path, runs=2 * ROUNDS, seed=seed)
    assert outcome.problems == [], f"seed {seed}"
    assert outcome.notes["refusals"] > 0


def test_every_reading_verb_reads_an_intact_session_whole(tmp_path: Path) -> None:
    path = finished_session(tmp_path)
    results = read_all(path)
    assert len(results) == len(READERS)
    for code, stdout, stderr in results:
        assert (code, stderr) == (0, "")
        assert stdout.strip()


def test_damaged_header_in_a_real_process_is_one_line(tmp_path: Path) -> None:
    """The in-process checks above cannot see what Python prints on a crash; a child process can."""
    path = finished_session(tmp_path)
    data = bytearray(path.read_bytes())
    data[:100] = bytes(range(100))
    path.write_bytes(bytes(data))
    for verb in (["session", "log", str(path)], ["report", str(path), "-f", "md", "-o", "-"]):
        result = subprocess.run([sys.executable, "-m", "tabletop", *verb], cwd=REPO, env=child_env(),
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"tabletop: {path}")


def test_a_serve_flood_leaves_every_other_teams_poll_answered(tmp_path: Path) -> None:
    outcome = flood(tmp_path, runs=1)
    assert outcome.problems == []
    assert outcome.runs == 1 and outcome.notes["answered"] == "100.0%"
    assert 0 < int(str(outcome.notes["terminals"])) < 32, "one token was given every terminal it asked for"


def test_a_killed_serve_loses_no_submission_it_answered_as_received(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    outcome = portal_kills(tmp_path, rounds=ROUNDS, seed=seed)
    assert outcome.problems == [], f"seed {seed}"
    assert outcome.runs == ROUNDS
    assert int(str(outcome.notes["acknowledged"])) > 0, f"no submission was acknowledged before the kills (seed {seed})"
