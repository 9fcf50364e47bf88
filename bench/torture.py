"""`python -m bench.torture [--runs N] [--seed S]`: try to lose or garble a session, and say how it went.

A facilitator's laptop crashes, its disk fills, a session file is copied onto a
read-only stick or damaged in transit. This command does each of those things
on purpose, many times, and checks the promises of the session file:

- kill: one, two or three writer processes append at once and are killed with
  SIGKILL at random moments (before, during and after their appends) while a
  reader follows the log. Every append that returned is in the log, seqs run 1..n without a gap or a
  duplicate, nothing was appended twice, the file passes `PRAGMA
  integrity_check`, the state replays to the same snapshot, and the reader
  saw every event once, in order, up to the last.
- full disk: a writer whose file size is capped (RLIMIT_FSIZE, SIGXFSZ
  ignored) gets a clear error, loses nothing it had written, and carries on
  once there is room; `tabletop session note` exits 1 with a message.
- read-only: writers are refused with a message and exit 1; `session status`,
  `session log` and `report` still read a read-only file in a read-only folder.
- damage: copies of a finished session with the header destroyed, truncated at
  several points, or overwritten with random bytes: every reading verb either
  refuses with one `tabletop: FILE: ...` line and exit 1, or prints exactly what
  it printed for the intact file (the damage hit unused space). Never a
  traceback, never a shorter log or report.
- flood: a `tabletop serve --terminal` on loopback, flooded from one team's
  token (32 terminals, each sent three 3 MiB messages) and from no token (256
  static files, 64 wrong tokens, 16 requests whose headers never end), at most
  three rounds of at most 20 s. Every poll of the other teams is answered
  (the table reports the share, goal 100%), every view process ends within
  5 s of its socket closing, and no token reaches the server's stderr.
- portal: `tabletop serve` is killed with SIGKILL at random moments (chosen by
  how many submissions it had acknowledged, from none to dozens) while four
  teams post decisions and questions to control from their links and a
  console process delivers injects and appends notes; the server is started
  again on the same session file with the same links, once per round. Every
  submission the server answered as received is in the log exactly once,
  seqs run without a gap, the file passes `PRAGMA integrity_check` and
  replays to the same state, and no answer was a 5xx or "database is locked".

The normal test suite (tests/test_torture.py) runs a few rounds of each; this
command runs as many as asked and prints a table. Exit 0 when every check held.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from bench.bench_portal import (
    Acked,
    Console,
    Feed,
    Load,
    Served,
    Tally,
    browse,
    make_portal_session,
    recorded_markers,
    start_serve,
)
from bench.generate import exercise_yaml

REPO = Path(__file__).resolve().parent.parent

WRITER = """
import sys
from tabletop.engine import Session
path, author, limit, inject, team, option = sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:7]
with Session.open(path, author=author) as session:
    print("open", flush=True)
    for i in range(limit):
        kind = ("note", "observe", "rule", "deliver", "decide")[i % 5]
        text = f"{author} {i}"
        if kind == "note":
            event = session.note(text)
        elif kind == "observe":
            event = session.observe("OBJ-1", "PSMU"[i % 4], text)
        elif kind == "rule":
            event = session.rule(text)
        elif kind == "deliver":
            event = session.deliver(inject)
        else:
            event = session.decide(team, inject, option=option, rationale=text)
        print(event.seq, kind, i, flush=True)
"""
"""A writer: appends a mix of records as `author` and prints `seq kind i` once each append returned."""

FULL_DISK_WRITER = """
import resource, sys
from tabletop.engine import Session, StoreError
path = sys.argv[1]
with Session.open(path, author="filler") as session:
    before = len(session.state.events)
    try:
        for i in range(100_000):
            event = session.note(f"filler {i} " + "x" * 8000)
            print("ok", event.seq, flush=True)
    except StoreError as error:
        print("refused", str(error).replace("\\n", " "), flush=True)
    phantom = len(session.state.events) != session.state.events[-1].seq
    print("phantom" if phantom else "consistent", flush=True)
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    event = session.note("after the disk was freed")
    print("after", event.seq, flush=True)
"""
"""A writer that fills a capped disk, reports the refusal, then appends once there is room again."""

FOLLOWER = """
import select, sys
from tabletop.engine import Session
with Session.open(sys.argv[1], readonly=True) as session:
    last = session.state.last_seq
    reads = 0
    while True:
        done = select.select([sys.stdin], [], [], 0.005)[0]
        for event in session.refresh():
            if event.seq != last + 1:
                print("gap", last, event.seq, flush=True)
            last = event.seq
        reads += 1
        if done:
            break
    print("followed", last, reads, flush=True)
"""
"""A reader following the log while writers die: every seq once, in order; stops when stdin closes."""

KILL_LINES = 80
"""A writer is killed after at most this many confirmed appends."""


@dataclass
class Outcome:
    """The result of one kind of torture: how many times it ran, what it checked, what broke."""

    name: str
    runs: int = 0
    checks: int = 0
    problems: list[str] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    def check(self, ok: bool, problem: str) -> None:
        """Count one check; remember the problem when it failed."""
        self.checks += 1
        if not ok:
            self.problems.append(problem)


# --- a session to torture -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A session file and the decision its writers answer."""

    path: Path
    inject: str
    team: str
    option: str


def make_session(folder: Path, *, name: str = "torture.session", injects: int = 30) -> Target:
    """A started session of a generated exercise, with the first decision inject and a team that owes it."""
    from tabletop.engine import Session

    exercise_path = folder / f"generated-{injects}.yaml"
    exercise_path.write_text(exercise_yaml(injects), encoding="utf-8")
    with Session.create(exercise_path, folder / name) as session:
        session.start()
        exercise = session.exercise
        inject = next(i for mv in exercise.moves for i in mv.injects if i.decision is not None and i.condition is None)
        assert inject.decision is not None
        team = exercise.deciders(inject)[0]
        return Target(session.path, inject.id, team, inject.decision.options[0].id)


def child_env() -> dict[str, str]:
    """The environment of child processes: this checkout first on the import path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


# --- kill -------------------------------------------------------------------------------------------


@dataclass
class Confirmed:
    """An append a writer saw return: who, what and which iteration."""

    seq: int
    author: str
    kind: str
    index: int


def _spawn_writer(target: Target, author: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target.path), author, "1000000", target.inject, target.team, target.option],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _parse_confirmed(author: str, lines: list[str]) -> list[Confirmed]:
    """Complete `seq kind i` lines only: a line cut by the kill was never confirmed."""
    out = []
    for line in lines:
        if not line.endswith("\n"):
            continue
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit():
            out.append(Confirmed(int(parts[0]), author, parts[1], int(parts[2])))
    return out


def kill_round(target: Target, writers: int, rng: random.Random, label: str) -> tuple[list[Confirmed], list[str]]:
    """Start `writers` writers at once; kill each after a random number of confirmed appends.

    A third of the kills come before the writer has even opened the file, so
    opening, crash recovery and registration are hit as well as appends. Moments
    are chosen by progress, not by the wall clock, so a slow machine changes
    nothing but the speed.
    """
    follower = subprocess.Popen([sys.executable, "-c", FOLLOWER, str(target.path)], cwd=REPO, env=child_env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs = [_spawn_writer(target, f"{label}w{n}") for n in range(writers)]
    plans = [0 if rng.random() < 0.3 else rng.randrange(1, KILL_LINES) for _ in procs]
    if not any(plans):
        plans[0] = rng.randrange(1, KILL_LINES)
    confirmed: list[Confirmed] = []
    problems: list[str] = []
    lock = threading.Lock()

    def watch(n: int, proc: subprocess.Popen[str], after: int) -> None:
        assert proc.stdout is not None
        lines: list[str] = []
        while after and len(lines) < after + 1:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        proc.send_signal(signal.SIGKILL)
        rest, err = proc.communicate()
        lines.extend(rest.splitlines(keepends=True))
        with lock:
            confirmed.extend(_parse_confirmed(f"{label}w{n}", lines))
            if proc.returncode != -signal.SIGKILL:
                problems.append(f"writer {label}w{n} ended by itself (exit {proc.returncode}): {err.strip()[-300:]}")

    threads = [threading.Thread(target=watch, args=(n, p, k)) for n, (p, k) in enumerate(zip(procs, plans))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out, err = follower.communicate("", timeout=300)
    lines = out.splitlines()
    gaps = [line for line in lines if line.startswith("gap")]
    if follower.returncode != 0 or not lines or not lines[-1].startswith("followed") or gaps:
        problems.append(f"the follower in {label} saw {gaps[:3] or lines[-1:]}; exit {follower.returncode}: {err[-300:]}")
    elif confirmed and int(lines[-1].split()[1]) < max(c.seq for c in confirmed):
        # A writer killed between writing its commit to the -wal file and publishing it in the
        # index leaves a commit that only WAL recovery (the next first connection) reveals: the
        # follower may end before it, never before an append that returned.
        problems.append(f"the follower in {label} stopped at #{lines[-1].split()[1]}, before the confirmed "
                        f"#{max(c.seq for c in confirmed)}")
    return confirmed, problems


def verify_log(path: Path, confirmed: list[Confirmed], outcome: Outcome) -> int:
    """Every confirmed append is in the log as written, once; the file is sound and replays. Returns the event count."""
    from tabletop.engine import Session
    from tabletop.events import DecidedEvent, DeliveredEvent, NoteEvent, ObservedEvent, PausedEvent, RuledEvent
    from tabletop.state import SessionState

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    outcome.check(integrity == "ok", f"integrity_check says {integrity!r}")
    with Session.open(path, readonly=True) as session:
        events = session.state.events
        seqs = [e.seq for e in events]
        outcome.check(seqs == list(range(1, len(seqs) + 1)), f"seqs are not 1..{len(seqs)} without gaps")
        replayed = SessionState.replay(session.exercise, events)
        outcome.check(replayed.snapshot() == session.state.snapshot(), "the replayed state differs from the live one")
        texts: dict[tuple[str, str], int] = {}
        for event in events:
            text = getattr(event, "text", None) or getattr(event, "rationale", None)
            if isinstance(text, str) and text:
                key = (event.author, text)
                outcome.check(key not in texts, f"{text!r} by {event.author} appended twice (#{texts.get(key)} and #{event.seq})")
                texts[key] = event.seq
        kinds = {"note": NoteEvent, "observe": ObservedEvent, "rule": RuledEvent, "deliver": DeliveredEvent,
                 "decide": DecidedEvent}
        by_seq = {e.seq: e for e in events}
        for c in confirmed:
            event = by_seq.get(c.seq)
            if event is None:
                outcome.problems.append(f"#{c.seq} ({c.kind} {c.index} by {c.author}) returned but is not in the log")
                outcome.checks += 1
                continue
            outcome.check(isinstance(event, kinds[c.kind]) and event.author == c.author,
                          f"#{c.seq} is {event.type} by {event.author}, not the {c.kind} by {c.author} that returned")
            if c.kind != "deliver":
                text = getattr(event, "text", None) or getattr(event, "rationale", None)
                outcome.check(text == f"{c.author} {c.index}", f"#{c.seq} holds {text!r}, not {c.author} {c.index}")
        pauses = [e for e in events if isinstance(e, PausedEvent)]
        outcome.check(len(pauses) <= 1, f"{len(pauses)} pauses recorded; crash recovery pauses a running clock once")
        return len(events)


def kill_writers(folder: Path, *, writers: int, rounds: int, seed: int) -> Outcome:
    """`rounds` rounds of `writers` concurrent writers killed at random moments, checked after each round."""
    outcome = Outcome(f"SIGKILL, {writers} concurrent writer{'s' if writers > 1 else ''}")
    started = time.perf_counter()
    rng = random.Random(seed)
    target = make_session(folder, name=f"kill-{writers}.session")
    confirmed: list[Confirmed] = []
    events = 0
    for round_ in range(rounds):
        got, problems = kill_round(target, writers, rng, f"r{round_}")
        confirmed.extend(got)
        outcome.problems.extend(problems)
        events = verify_log(target.path, confirmed, outcome)
        outcome.runs += 1
    outcome.notes.update(kills=rounds * writers, confirmed=len(confirmed), events=events, seed=seed)
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- full disk ------------------------------------------------------------------------------------


def _capped(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))

    return apply


def _size_on_disk(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return max(path.stat().st_size, wal.stat().st_size if wal.exists() else 0)


def full_disk(folder: Path) -> Outcome:
    """A writer runs out of room mid-session; so does `tabletop session note`."""
    from tabletop.engine import Session

    outcome = Outcome("full disk (RLIMIT_FSIZE)")
    started = time.perf_counter()
    target = make_session(folder, name="full.session")
    with Session.open(target.path) as session:
        for i in range(20):
            session.note(f"before the disk filled {i}")
        before = [e.model_dump_json() for e in session.state.events]
    limit = _size_on_disk(target.path) + 96 * 1024
    result = subprocess.run([sys.executable, "-c", FULL_DISK_WRITER, str(target.path)], cwd=REPO, env=child_env(),
                            capture_output=True, text=True, preexec_fn=_capped(limit), timeout=300)
    lines = result.stdout.splitlines()
    oks = [int(line.split()[1]) for line in lines if line.startswith("ok ")]
    refused = [line for line in lines if line.startswith("refused ")]
    outcome.check(result.returncode == 0, f"the filling writer crashed (exit {result.returncode}): {result.stderr[-500:]}")
    outcome.check(bool(oks), "the capped writer could not append anything before the cap")
    outcome.check(len(refused) == 1 and str(target.path) in refused[0],
                  f"no clear refusal naming the file: {refused or lines[-3:]}")
    outcome.check("consistent" in lines, "the session's state kept an append the disk refused")
    after = [int(line.split()[1]) for line in lines if line.startswith("after ")]
    outcome.check(bool(oks) and after == [oks[-1] + 1], f"after room was made the next seq was {after}, not {oks[-1:]}+1")
    with Session.open(target.path, readonly=True) as session:
        events = session.state.events
        kept = [e.model_dump_json() for e in events[: len(before)]]
        outcome.check(kept == before, "events written before the disk filled changed or went missing")
        present = {e.seq for e in events}
        outcome.check(all(seq in present for seq in oks), "an append that returned before the disk filled is lost")
        count = len(events)
    outcome.notes["message"] = refused[0].split(" ", 1)[1] if refused else ""
    # The CLI: one verb that cannot write its event. A writer's clean close checkpoints the log into
    # the main file, so the verb's writes start at the head of a fresh -wal file, under the cap.
    with Session.open(target.path):
        pass
    limit = 16 * 1024
    result = subprocess.run([sys.executable, "-m", "tabletop", "session", "note", str(target.path), "y" * 60_000],
                            cwd=REPO, env=child_env(), capture_output=True, text=True, preexec_fn=_capped(limit),
                            timeout=120)
    outcome.check(result.returncode == 1, f"`session note` on a full disk exited {result.returncode}")
    outcome.check("Traceback" not in result.stderr and result.stderr.startswith(f"tabletop: {target.path}"),
                  f"`session note` on a full disk said {result.stderr[-300:]!r}")
    with Session.open(target.path, readonly=True) as session:
        outcome.check(len(session.state.events) == count, "the refused CLI note left an event behind")
    outcome.notes["cli_message"] = result.stderr.strip()
    outcome.runs = 2
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- read-only --------------------------------------------------------------------------------------


def _without_privileges() -> None:
    """In a child run as root: drop every capability, so file permissions apply as to anyone else."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for cap in range(64):
        if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:  # EINVAL: no such cap
            raise OSError(ctypes.get_errno(), "cannot drop capabilities to test read-only files as root")


VERBS_IN_CHILD = """
import contextlib, io, json, sys
from tabletop.cli import main
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException as error:
            import traceback
            traceback.print_exc(file=err)
            code = -1
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""
"""Runs several tabletop verbs in one child process and prints [exit code, stdout, stderr] of each as JSON."""


def run_verbs(verbs: list[list[str]], *, cwd: Path, preexec: Callable[[], None] | None = None) -> list[tuple[int, str, str]]:
    """Each verb's (exit code, stdout, stderr), run one after the other in a single child process."""
    result = subprocess.run([sys.executable, "-c", VERBS_IN_CHILD, json.dumps(verbs)], cwd=cwd, env=child_env(),
                            capture_output=True, text=True, preexec_fn=preexec, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"the child running {verbs} failed: {result.stderr[-1000:]}")
    return [(code, out, err) for code, out, err in json.loads(result.stdout)]


def read_only(folder: Path) -> Outcome:
    """A session in a read-only folder, its file read-only, with a -wal left by a crash."""
    outcome = Outcome("read-only file and folder")
    started = time.perf_counter()
    ro = folder / "readonly"
    ro.mkdir()
    target = make_session(ro, name="ro.session")
    crash = subprocess.run([sys.executable, "-c", "import os, signal, sys\nfrom tabletop.engine import Session\n"
                            "s = Session.open(sys.argv[1])\nfor i in range(5): s.note(f'unsaved to the main file {i}')\n"
                            "os.kill(os.getpid(), signal.SIGKILL)", str(target.path)], cwd=REPO, env=child_env())
    outcome.check(crash.returncode == -signal.SIGKILL, "the crashing writer did not crash")
    file = str(target.path)
    readers = [["session", "status", file], ["session", "log", file], ["report", file, "-f", "md", "-o", "-"]]
    writers = [["session", "note", file, "refused"], ["session", "pause", file],
               ["session", "new", str(ro / "generated-30.yaml"), "-o", str(ro / "new.session")],
               ["run", "--session", file], ["evaluate", file, "--evaluator", "J. Park"]]
    pristine = run_verbs(readers, cwd=folder)
    for path in ro.iterdir():
        path.chmod(0o444)
    ro.chmod(0o555)
    try:
        results = run_verbs(readers + writers + readers, cwd=folder, preexec=_without_privileges)
    finally:
        ro.chmod(0o755)
        for path in ro.iterdir():
            path.chmod(0o644)
    for args, (code, stdout, stderr), (_, good, _) in zip(readers, results, pristine):
        outcome.check(code == 0 and stderr == "", f"reader `{' '.join(args[:2])}` failed on a read-only session: "
                      f"{stderr[-300:]}")
        if args[1] == "log":
            outcome.check(stdout == good, "the read-only log differs from the writable one")
            outcome.check("unsaved to the main file 4" in stdout, "the events in the -wal file were not read")
    for args, (code, _, stderr) in zip(writers, results[len(readers):]):
        outcome.check(code == 1 and stderr.startswith("tabletop: ") and stderr.count("\n") == 1,
                      f"writer `{' '.join(args[:2])}` on a read-only session: exit {code}, {stderr[-300:]!r}")
        outcome.notes[f"{args[1] if args[0] == 'session' else args[0]}_message"] = stderr.strip()[:200]
    for (_, stdout, _), (_, good, _) in zip(results[len(readers) + len(writers):], pristine):
        outcome.check(stdout == good, "a refused writer changed what readers see")
    outcome.runs = 1
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- damage ---------------------------------------------------------------------------------------

READERS: list[list[str]] = [
    ["session", "status", "{file}"],
    ["session", "log", "{file}"],
    ["session", "log", "--json", "{file}"],
    ["report", "{file}", "-f", "md", "-o", "-"],
    ["report", "{file}", "-f", "html", "-o", "-"],
]
"""Every verb that reads a whole session; each must refuse a damaged one or print it all."""


def finished_session(folder: Path) -> Path:
    """A session played to ENDEX (so its status does not depend on the clock), closed and checkpointed."""
    from tabletop.clock import FakeClock
    from tabletop.engine import Session

    exercise_path = folder / "generated-30.yaml"
    exercise_path.write_text(exercise_yaml(30), encoding="utf-8")
    clock = FakeClock()
    with Session.create(exercise_path, folder / "finished.session", clock=clock) as session:
        session.start()
        exercise = session.exercise
        for move_index, move in enumerate(exercise.moves):
            if move_index:
                session.advance()
            for inject in move.injects:
                if not session.state.is_live(inject.id):
                    continue
                clock.advance(minutes=1)
                session.deliver(inject.id)
                if inject.decision is not None:
                    for team in exercise.deciders(inject):
                        session.decide(team, inject.id, option=inject.decision.options[0].id,
                                       rationale=f"{team} weighed the options for {inject.id}")
            session.note(f"Move {move.id} closed after a long discussion " + "of everything " * 20)
            session.observe("OBJ-1", "S", f"During {move.id} the teams talked to each other.")
        session.end()
        session.hotwash("strength", "The hotline was answered.")
        return session.path


def read_all(path: Path) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of every reading verb on `path`, in this process.

    Reports stamp the time they are generated; a fixed SOURCE_DATE_EPOCH lets
    two readings of one record compare byte for byte.
    """
    from tabletop.cli import main

    out = []
    for template in READERS:
        args = [part.replace("{file}", str(path)) for part in template]
        stdout, stderr = io.StringIO(), io.StringIO()
        with (mock.patch.dict(os.environ, SOURCE_DATE_EPOCH="1893456000"),
              contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr)):
            try:
                code = main(args)
            except SystemExit as exit_:
                code = int(exit_.code or 0)
        out.append((code, stdout.getvalue(), stderr.getvalue()))
    return out


def damaged_copies(original: bytes, rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """Named damaged copies: header destroyed, truncations, random overwrites, zeroed pages."""
    page = 4096
    pages = len(original) // page
    yield "header destroyed", bytes(rng.randrange(256) for _ in range(100)) + original[100:]
    yield "header magic zeroed", bytes(16) + original[16:]
    for fraction in (0.0, 0.1, 0.5, 0.9):
        cut = int(len(original) * fraction)
        yield f"truncated at {cut} bytes", original[:cut]
    yield "last page cut off", original[: (pages - 1) * page]
    yield "one byte short", original[:-1]
    # One letter of a recorded text changed: the file, the JSON and the event all still read.
    texts = [m.start() + len(b'"text":"') for m in re.finditer(rb'"text":"[A-Za-z]', original)]
    for at in rng.sample(texts, min(len(texts), max(2, count // 5))):
        data = bytearray(original)
        data[at] ^= 0x01  # a letter becomes a neighbouring letter, `@` or a backtick: still valid JSON
        yield f"one letter of an event's text changed at {at}", bytes(data)
    for _ in range(count):
        data = bytearray(original)
        kind = rng.choice(["overwrite", "zero page", "random page"])
        if kind == "overwrite":
            at, size = rng.randrange(100, len(data)), rng.randint(16, 512)
            data[at:at + size] = bytes(rng.randrange(256) for _ in range(size))
            name = f"{size} random bytes at {at}"
        elif kind == "zero page":
            number = rng.randrange(1, pages)
            data[number * page:(number + 1) * page] = bytes(page)
            name = f"page {number} zeroed"
        else:
            number = rng.randrange(1, pages)
            data[number * page:(number + 1) * page] = bytes(rng.randrange(256) for _ in range(page))
            name = f"page {number} random"
        yield name, bytes(data[: len(original)])


def damage(folder: Path, *, runs: int, seed: int) -> Outcome:
    """Every reading verb on damaged copies: a one-line refusal, or exactly the intact output."""
    outcome = Outcome("damaged session file")
    started = time.perf_counter()
    rng = random.Random(seed)
    source = finished_session(folder)
    original = source.read_bytes()
    copy = folder / "damaged.session"
    shutil.copy(source, copy)
    pristine = read_all(copy)
    for code, stdout, stderr in pristine:
        outcome.check(code == 0 and stdout and not stderr, f"the intact session does not read: {stderr[-300:]}")
    refused = identical = 0
    for name, data in damaged_copies(original, rng, runs):
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        copy.write_bytes(data)
        for template, (code, stdout, stderr), (_, good, _) in zip(READERS, read_all(copy), pristine):
            verb = " ".join(template[:3]).replace("{file}", "FILE")
            if code == 0:
                identical += 1
                outcome.check(stdout == good, f"{name}: `{verb}` printed a different record with exit 0")
            else:
                refused += 1
                lines = stderr.strip().splitlines()
                outcome.check(code == 1 and len(lines) == 1 and lines[0].startswith(f"tabletop: {copy}"),
                              f"{name}: `{verb}` exit {code} with {stderr[-300:]!r}")
                outcome.check(not stdout.strip(), f"{name}: `{verb}` printed part of the record before refusing")
        outcome.runs += 1
    outcome.notes.update(refusals=refused, unaffected=identical, seed=seed)
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- flood ------------------------------------------------------------------------------------------

FLOOD_SECONDS = 20.0
"""Longest a flood round may take before it is cut short (and reported as a problem)."""


def _serve_process(session: Path) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    """`tabletop serve --terminal` on a free loopback port; its base URL and team tokens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tabletop", "serve", str(session), "--port", "0", "--terminal", "--new-links"],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    tokens: dict[str, str] = {}
    base = ""
    for line in process.stdout:
        found = re.match(r"\s+(\S+)\s+(http://127\.0\.0\.1:\d+)/t/([A-Za-z0-9_-]+)/$", line)
        if found:
            base, tokens[found.group(1)] = found.group(2), found.group(3)
        if line.startswith("New links"):
            break
    return process, base, tokens


def _view_children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid and fields[0] != "Z":
                    found.add(int(entry.name))
    return found


async def _flood_once(base: str, tokens: dict[str, str], server_pid: int, outcome: Outcome) -> tuple[int, int]:
    """One flood from the first team's token and from no token, while the other teams poll; (polls, answered)."""
    import aiohttp

    loop = asyncio.get_running_loop()
    flooder, *others = sorted(tokens)
    statuses: list[int] = []
    stop = asyncio.Event()

    async def poll(http: aiohttp.ClientSession, team: str) -> None:
        while not stop.is_set():
            try:
                async with http.get(f"{base}/t/{tokens[team]}/fragment") as response:
                    await response.read()
                    statuses.append(response.status)
            except aiohttp.ClientError:
                statuses.append(0)
            await asyncio.sleep(0.05)

    async def get(http: aiohttp.ClientSession, url: str) -> None:
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(url) as response:
                await response.read()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        pollers = [asyncio.create_task(poll(http, team)) for team in others]
        sockets = []
        for _ in range(32):  # one token asks for 32 terminals
            with contextlib.suppress(aiohttp.ClientError):
                sockets.append(await http.ws_connect(f"{base.replace('http', 'ws', 1)}/t/{tokens[flooder]}/ws"))
        for ws in sockets:  # each wait for its view to draw, then three 3 MiB messages
            with contextlib.suppress(asyncio.TimeoutError, aiohttp.ClientError):
                await asyncio.wait_for(ws.receive(), timeout=30)
        children = _view_children(server_pid)
        big = json.dumps(["stdin", "x" * (3 * 1024 * 1024)])
        for ws in sockets:
            for _ in range(3):
                with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                    if not ws.closed:
                        await ws.send_str(big)
        slow = []
        for _ in range(16):  # headers that never end
            _, writer = await asyncio.open_connection(*base.removeprefix("http://").split(":"))
            writer.write(b"GET /static/team.js HTTP/1.1\r\nHost: x\r\n")
            slow.append(writer)
        await asyncio.gather(*(get(http, f"{base}/static/team.js") for _ in range(256)),
                             *(get(http, f"{base}/t/{'x' * 32}/fragment") for _ in range(64)))
        for ws in sockets:
            await ws.close()
        closed_at = loop.time()
        while any(_alive(pid) for pid in children) and loop.time() - closed_at < 5:
            await asyncio.sleep(0.05)
        outcome.check(not any(_alive(pid) for pid in children),
                      f"{sum(_alive(pid) for pid in children)} view processes outlived their sockets by 5 s")
        outcome.notes["terminals"] = len(sockets)
        stop.set()
        await asyncio.gather(*pollers)
        for writer in slow:
            writer.close()
    return len(statuses), statuses.count(200)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def flood(folder: Path, *, runs: int) -> Outcome:
    """`runs` floods of a `tabletop serve` on loopback; other teams' polls must all be answered (goal 100%)."""
    outcome = Outcome("serve flood")
    started = time.perf_counter()
    target = make_session(folder, injects=10)
    process, base, tokens = _serve_process(target.path)
    polls = answered = 0
    try:
        outcome.check(len(tokens) >= 2 and bool(base), f"serve printed {len(tokens)} links")
        if len(tokens) >= 2:
            for _ in range(runs):
                try:
                    got, ok = asyncio.run(asyncio.wait_for(_flood_once(base, tokens, process.pid, outcome),
                                                           FLOOD_SECONDS))
                except asyncio.TimeoutError:
                    outcome.check(False, f"a flood round took over {FLOOD_SECONDS:.0f} s")
                    continue
                polls, answered = polls + got, answered + ok
                outcome.runs += 1
                outcome.check(got > 0 and ok == got, f"other teams' polls: {ok} of {got} answered")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
    outcome.check(not any(token in err for token in tokens.values()), "a token reached the server's stderr")
    outcome.check("Traceback" not in err, f"the server printed a traceback: {err[-300:]!r}")
    outcome.notes.update(polls=polls, answered=f"{100 * answered / polls:.1f}%" if polls else "none")
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- portal -----------------------------------------------------------------------------------------

PORTAL_TEAMS = ("us", "japan", "rok", "china")
"""The teams that submit while their server is killed."""

PORTAL_WAIT = 20.0
"""Longest a round waits for its planned number of acknowledgements before it kills the server anyway."""


async def _kill_serving(served: Served, feed: Feed, tally: Tally, rng: random.Random, label: str,
                        kill_after: int) -> bool:
    """Teams submit and poll until `kill_after` submissions were acknowledged, then the server is SIGKILLed.

    Returns whether the planned moment was reached (False: killed after PORTAL_WAIT seconds instead).
    """
    load = Load(browsers=2, submitters=2, refresh=0.5, think=(0.01, 0.15))
    stop = asyncio.Event()
    reached = asyncio.Event()
    task = asyncio.create_task(browse(served.base, served.tokens, feed, load, tally, stop, rng, label,
                                      on_ack=reached, kill_after=kill_after))
    try:
        await asyncio.wait_for(reached.wait(), PORTAL_WAIT)
        on_time = True
    except asyncio.TimeoutError:
        on_time = False
    await asyncio.sleep(rng.uniform(0, 0.03))  # land among requests in flight, not just after an answer
    served.process.send_signal(signal.SIGKILL)
    stop.set()
    await task
    return on_time


def portal_kills(folder: Path, *, rounds: int, seed: int) -> Outcome:
    """`rounds` SIGKILLs of `tabletop serve` while teams submit; every acknowledged submission must survive."""
    outcome = Outcome("SIGKILL tabletop serve during submissions")
    started = time.perf_counter()
    rng = random.Random(seed)
    path = make_portal_session(folder, PORTAL_TEAMS)
    console = Console.tabletop(path, 0.3)
    acked: list[Acked] = []
    links: dict[str, str] = {}
    refused = throttled = failed = late = 0
    try:
        console.wait_first()
        for round_ in range(rounds):
            served = start_serve(path, new_links=round_ == 0, refresh=0.5)
            outcome.check(set(served.tokens) == set(PORTAL_TEAMS), f"serve printed links for {sorted(served.tokens)}")
            links = links or dict(served.tokens)
            outcome.check(served.tokens == links, f"round {round_}: the restarted serve answers other links")
            tally = Tally()
            kill_after = 0 if rng.random() < 0.15 else rng.randrange(1, 60)
            if not kill_after and not acked and round_ == rounds - 1:
                kill_after = 1  # a run whose every kill lands before any answer would check nothing it promises
            late += not asyncio.run(_kill_serving(served, console.feed, tally, rng, f"k{round_}", kill_after))
            served.process.wait(timeout=30)
            err = served.stop()
            outcome.check(served.process.returncode == -signal.SIGKILL,
                          f"round {round_}: serve ended by itself (exit {served.process.returncode}): {err[-300:]}")
            outcome.check(tally.server_errors == 0 and tally.locked == 0,
                          f"round {round_}: {tally.server_errors} 5xx, {tally.locked} 'database is locked' ({tally.other})")
            outcome.check("Traceback" not in err and "database is locked" not in err,
                          f"round {round_}: serve's stderr: {err[-300:]!r}")
            acked.extend(tally.acked)
            refused, throttled, failed = refused + tally.refused, throttled + tally.throttled, failed + tally.failed_posts
            verify_log(path, [], outcome)
            found = recorded_markers(path)
            for a in acked:
                count = found.get(a.marker, 0)
                outcome.check(count == 1, f"{a.kind} {a.marker!r} was answered as received but is in the log "
                                          f"{count} times")
            outcome.runs += 1
    finally:
        code, err = console.stop()
    outcome.check(code == 0, f"the console writer failed (exit {code}): {err[-300:]}")
    outcome.check(bool(acked), "no submission was acknowledged in any round")
    outcome.notes.update(kills=outcome.runs, acknowledged=len(acked), refused=refused, throttled=throttled,
                         cut_by_kill=failed, seed=seed)
    if late:
        outcome.notes["late_kills"] = late
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- the command ----------------------------------------------------------------------------------


def format_outcomes(outcomes: list[Outcome]) -> str:
    """The outcomes as a fixed-width table, then every problem."""
    rows = [("torture", "runs", "checks", "problems", "seconds", "notes")]
    for o in outcomes:
        notes = ", ".join(f"{k}={v}" for k, v in o.notes.items() if not k.endswith("message"))
        rows.append((o.name, str(o.runs), str(o.checks), str(len(o.problems)), f"{o.seconds:.1f}", notes))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for o in outcomes:
        for key, value in o.notes.items():
            if key.endswith("message"):
                lines.append(f"{o.name}: {key.replace('_', ' ')}: {value}")
    for o in outcomes:
        lines.extend(f"PROBLEM {o.name}: {p}" for p in o.problems[:20])
        if len(o.problems) > 20:
            lines.append(f"PROBLEM {o.name}: ... and {len(o.problems) - 20} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every torture `--runs` times and print the table; exit 1 when any check failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.torture", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, metavar="N",
                        help="kill rounds per writer count and damaged copies (default 50; CI may use 5)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--only", choices=("kill", "full", "readonly", "damage", "flood", "portal"), action="append",
                        help="run only these tortures (repeatable)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed {seed}, {args.runs} runs", file=sys.stderr, flush=True)
    wanted = set(args.only or ("kill", "full", "readonly", "damage", "flood", "portal"))
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="tabletop-torture-") as tmp:
        folder = Path(tmp)
        steps: list[tuple[str, Callable[[Path], Outcome]]] = []
        if "kill" in wanted:
            steps += [("kill", lambda f, n=n: kill_writers(f, writers=n, rounds=args.runs, seed=seed + n))
                      for n in (1, 2, 3)]
        if "full" in wanted:
            steps.append(("full", full_disk))
        if "readonly" in wanted:
            steps.append(("readonly", read_only))
        if "damage" in wanted:
            steps.append(("damage", lambda f: damage(f, runs=args.runs, seed=seed)))
        if "flood" in wanted:
            steps.append(("flood", lambda f: flood(f, runs=min(args.runs, 3))))
        if "portal" in wanted:
            steps.append(("portal", lambda f: portal_kills(f, rounds=args.runs, seed=seed)))
        for index, (name, step) in enumerate(steps):
            sub = folder / f"{index}-{name}"
            sub.mkdir()
            print(f"running {name}...", file=sys.stderr, flush=True)
            outcomes.append(step(sub))
    print(format_outcomes(outcomes))
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
