"""Session engine benchmarks: durable append and open+replay, each against bare SQLite.

Baselines are measured in the same run on the same disk: a bare insert with the
same settings (WAL, synchronous=FULL, one transaction per row, the same table
shape and JSON body), and a bare `SELECT` of every row.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.common import Figure, best_of, median, peak_memory, percentile, samples, slope
from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.events import (
    DecidedEvent,
    DeliveredEvent,
    EventBase,
    NoteEvent,
    ObservedEvent,
    PausedEvent,
    ResumedEvent,
    RuledEvent,
    StartedEvent,
)
from tabletop.model import Rating
from tabletop.store import Store, exercise_copy

EXERCISE = """\
id: bench-drill
title: Bench Drill
version: "1"
summary: A small exercise to drive the engine benchmarks.
marking: EXERCISE - FOR TRAINING ONLY
setting: {start: "2030-01-01T00:00:00+00:00", timezone: UTC}
duration: "+04:00"
teams:
  - {id: us, name: United States}
  - {id: rok, name: Republic of Korea}
  - {id: control, name: White Cell, kind: control}
objectives:
  - {id: OBJ-1, text: Coordinate the rescue.}
moves:
  - id: M1
    title: One
    situation: Storm.
    injects:
      - id: I-1
        at: "+00:05"
        title: Capsized
        source: Coast Guard
        to: [us, rok]
        channel: radio
        body: A boat capsized.
        decision:
          prompt: Who leads?
          options:
            - {id: a, label: We lead, posture: national}
            - {id: b, label: They lead, posture: deferring}
"""


def _events(count: int) -> list[EventBase]:
    """A realistic mix: deliveries, decisions, notes, observations, rulings, clock changes."""
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    out: list[EventBase] = [StartedEvent(at=start, minute=0.0, rate=1.0, move="M1")]
    out.append(DeliveredEvent(at=start, minute=0.0, inject="I-1", to=["us", "rok"]))
    for i in range(2, count):
        at = start + timedelta(seconds=i)
        minute = i / 60
        kind = i % 10
        if kind in (0, 1, 2):
            out.append(NoteEvent(at=at, minute=minute, text=f"Note {i}: the team asks for the latest position report."))
        elif kind in (3, 4):
            out.append(ObservedEvent(at=at, minute=minute, author="eva", evaluator="eva", objective="OBJ-1",
                                     rating=Rating("PSMU"[i % 4]), text=f"Observation {i}: relayed the position."))
        elif kind in (5, 6):
            out.append(DecidedEvent(at=at, minute=minute, team="us" if i % 2 else "rok", inject="I-1",
                                    option="ab"[i % 2], text="", rationale="Nearest ships first."))
        elif kind == 7:
            out.append(RuledEvent(at=at, minute=minute, text=f"Ruling {i}: the vessel answers.", team="rok"))
        elif kind == 8:
            out.append(DeliveredEvent(at=at, minute=minute, inject="I-1", to=["us", "rok"], redelivery=True))
        else:
            out.append(PausedEvent(at=at, minute=minute) if (i // 10) % 2 else ResumedEvent(at=at, minute=minute))
    return out[:count]


def _build(folder: Path, name: str, count: int) -> Path:
    """A session file with `count` events, written in one transaction (setup, not measured)."""
    path = folder / name
    store = Store.create(path, exercise_copy(EXERCISE, "bench.yaml"))
    with store.transaction() as tx:
        for event in _events(count):
            tx.append(event)
    store.close()
    return path


def _bare_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL)")
    return db


def _append_figures(folder: Path, rounds: int) -> list[Figure]:
    note = NoteEvent(at=datetime(2030, 1, 1, tzinfo=timezone.utc), minute=1.0,
                     text="The team asks for the latest position report.")
    body = note.model_copy(update={"seq": 1}).model_dump_json()

    bare = _bare_db(folder / "bare.sqlite")
    seq = iter(range(1, 10**9))

    def bare_insert() -> None:
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT INTO events (seq, type, body) VALUES (?, ?, ?)", (next(seq), "note", body))
        bare.execute("COMMIT")

    store = Store.create(folder / "append.session", exercise_copy(EXERCISE, "bench.yaml"))
    clock = FakeClock()
    session = Session.create_from_text(EXERCISE, "bench.yaml", folder / "action.session", clock=clock)
    session.start()

    # Interleave so disk weather hits all three alike.
    bare_t: list[float] = []
    store_t: list[float] = []
    action_t: list[float] = []
    for _ in range(rounds // 50):
        bare_t += samples(bare_insert, 50)
        store_t += samples(lambda: store.append(note), 50)
        action_t += samples(lambda: session.note("The team asks for the latest position report."), 50)
    bare.close()
    store.close()
    session.close()

    def figure(name: str, times: list[float]) -> Figure:
        ours_med, base_med = median(times), median(bare_t)
        return Figure(
            name=name,
            value=ours_med * 1000,
            unit="ms",
            baseline=base_med * 1000,
            baseline_name="bare INSERT, WAL+FULL, 1 tx/row",
            goal="<= 1.5x",
            met=ours_med <= 1.5 * base_med,
            extra={"p99": f"{percentile(times, 99) * 1000:.3f}ms",
                   "bare p99": f"{percentile(bare_t, 99) * 1000:.3f}ms", "n": len(times)},
        )

    return [
        figure("durable append (Store.append)", store_t),
        figure("durable action (Session.note: refresh+validate+append+fold)", action_t),
    ]


def _replay_figures(folder: Path, sizes: list[int]) -> list[Figure]:
    figures: list[Figure] = []
    times: list[float] = []
    for size in sizes:
        path = _build(folder, f"replay-{size}.session", size)

        def open_replay() -> None:
            with Session.open(path, readonly=True) as s:
                assert s.state.last_seq == size
                s.state.awaited()
                s.state.msel(s.state.clock.base)

        def bare_select() -> None:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            rows = db.execute("SELECT seq, type, body FROM events ORDER BY seq").fetchall()
            assert len(rows) == size
            db.close()

        ours = best_of(open_replay, repeat=5)
        base = best_of(bare_select, repeat=5)
        times.append(ours)
        extra: dict[str, object] = {}
        goal, met = "", None
        if size == sizes[-1]:
            goal, met = "< 0.5 s", ours < 0.5
            extra["peak"] = f"{peak_memory(open_replay):.1f}MiB"
            extra["slope"] = slope(sizes, times)
        figures.append(Figure(
            name=f"open+replay {size:,} events",
            value=ours,
            unit="s",
            baseline=base,
            baseline_name="bare SELECT of all rows",
            goal=goal,
            met=met,
            extra=extra,
        ))
    return figures


def _follow_figure(folder: Path) -> Figure:
    """What a reader polling every 0.25 s pays when nothing happened."""
    path = _build(folder, "follow.session", 1_000)
    reader = Session.open(path, readonly=True)
    reader.refresh()
    bare = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    ours = median(samples(reader.refresh, 2_000))
    base = median(samples(lambda: bare.execute("PRAGMA data_version").fetchone(), 2_000))
    reader.close()
    bare.close()
    return Figure(
        name="refresh() with nothing new",
        value=ours * 1e6,
        unit="us",
        baseline=base * 1e6,
        baseline_name="bare PRAGMA data_version",
        goal="< 100 us",
        met=ours < 100e-6,
    )


def run(quick: bool) -> list[Figure]:
    """The engine's figures: append cost against bare SQLite, replay time by size, memory."""
    with tempfile.TemporaryDirectory(prefix="tabletop-bench-") as tmp:
        folder = Path(tmp)
        figures = _append_figures(folder, rounds=200 if quick else 1000)
        sizes = [1_000, 5_000] if quick else [1_000, 5_000, 20_000]
        figures += _replay_figures(folder, sizes)
        figures.append(_follow_figure(folder))
    return figures
