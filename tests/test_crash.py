"""Durability: writers killed with SIGKILL lose nothing they confirmed; concurrent writers lose nothing.

A writer process appends notes in a loop and prints each seq once the append
has returned; the test kills it at random moments and checks that every seq it
printed is in the log, that the file opens and that the state replays. Set
TABLETOP_TORTURE_RUNS to kill it more times than the normal suite does.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tabletop.engine import REOPENED, Session
from tabletop.events import NoteEvent, ObservedEvent, PausedEvent
from tabletop.state import SessionState
from tests.engine_fixtures import new_session

REPO = Path(__file__).resolve().parent.parent

WRITER = """
import sys
from tabletop.engine import Session
path, author, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Session.open(path, author=author) as session:
    print("open", flush=True)
    for i in range(limit):
        if i % 5 == 4:
            event = session.observe("OBJ-1", "PSMU"[i % 4], f"{author} {i}")
        else:
            event = session.note(f"{author} {i}")
        print(event.seq, flush=True)
"""
"""Appends `limit` records as `author`, printing each seq after its append returned."""

RUNS = int(os.environ.get("TABLETOP_TORTURE_RUNS", "20"))


def _spawn(path: Path, author: str, limit: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), author, str(limit)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _confirmed(output: str) -> list[int]:
    """Seqs from complete lines only: a line cut by the kill was never confirmed."""
    lines = output.split("\n")[:-1]
    return [int(line) for line in lines if line.strip().isdigit()]


def _check_file(path: Path) -> Session:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    session = Session.open(path, readonly=True)
    replayed = SessionState.replay(session.exercise, session.state.events)
    assert replayed.snapshot() == session.state.snapshot()
    return session


def test_sigkilled_writer_loses_no_confirmed_event(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    with new_session(tmp_path) as s:
        path = s.path
    confirmed: list[int] = []
    deadline = time.monotonic() + max(60.0, RUNS * 3.0)
    for run in range(RUNS):
        writer = _spawn(path, f"w{run}", 1_000_000)
        assert writer.stdout is not None
        if rng.random() < 0.8:
            assert writer.stdout.readline() == "open\n", writer.stderr.read() if writer.stderr else ""
            for _ in range(rng.randrange(0, 120)):
                confirmed.extend(_confirmed(writer.stdout.readline()))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        assert writer.returncode == -signal.SIGKILL, f"writer ended on its own (seed {seed})"
        confirmed.extend(_confirmed(out))
        assert time.monotonic() < deadline
    assert confirmed, f"no writer confirmed anything (seed {seed})"
    with _check_file(path) as session:
        seqs = [e.seq for e in session.state.events]
        assert seqs == list(range(1, len(seqs) + 1))
        missing = sorted(set(confirmed) - set(seqs))
        assert not missing, f"confirmed but lost: {missing[:10]} (seed {seed})"
        for seq in confirmed:
            assert isinstance(session.state.event(seq), (NoteEvent, ObservedEvent))
    with Session.open(path) as writer:
        writer.note("still writable")
        pauses = [e for e in writer.state.events if isinstance(e, PausedEvent)]
        assert len(pauses) == 1 and pauses[0].reason == REOPENED


@pytest.mark.parametrize("writers", [2, 3])
def test_concurrent_writers_lose_nothing(tmp_path: Path, writers: int) -> None:
    per_writer = 120
    with new_session(tmp_path) as s:
        path = s.path
    procs = [_spawn(path, f"w{n}", per_writer) for n in range(writers)]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert err == ""
        outputs.append(_confirmed(out))
    with _check_file(path) as session:
        events = session.state.events
        assert len(events) == 1 + writers * per_writer
        seqs = [e.seq for e in events]
        assert len(set(seqs)) == len(seqs) == seqs[-1]
        for n, printed in enumerate(outputs):
            assert len(printed) == per_writer
            mine = [e for e in events if e.author == f"w{n}"]
            assert [e.seq for e in mine] == printed
            assert [e.text.split()[1] for e in mine] == [str(i) for i in range(per_writer)]
        assert not any(isinstance(e, PausedEvent) for e in events)
