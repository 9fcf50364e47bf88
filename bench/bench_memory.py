"""Peak memory of every operation, against its bare baseline, and how time and memory grow with size.

The other areas time their work in this process; memory is measured here, in
a fresh child process per operation and size, as the growth of the resident
set (RSS, so C allocations in libyaml, SQLite, Pango and Textual count too):
the child imports and sets up, resets its high-water mark (Linux
`/proc/self/clear_refs`), does the one operation, and reports `VmHWM - VmRSS`
before it started. The bare baseline does the same with the bare library.

Each operation runs at growing sizes, and the largest size's row states the
log-log slope of time and of memory over the sizes (1.0 is linear). Replay,
appends and the console read one exercise of 300 injects with a longer and
longer log; reports grow the exercise with the log (about four events per
inject), rendered with every detail so no size crosses into the condensed
layout.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.common import Figure, slope
from bench.generate import exercise_yaml

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, re, sys, time
def status(key):
    return int(re.search(key + r":\s+(\d+)", open("/proc/self/status").read()).group(1))
args = json.loads(sys.argv[1])
exec(args["setup"])
open("/proc/self/clear_refs", "w").write("5")
before = status("VmRSS")
start = time.perf_counter()
exec(args["operation"])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_kib": max(0, status("VmHWM") - before)}))
"""
"""Runs `setup`, resets the RSS high-water mark, runs `operation`, prints its time and RSS growth."""


@dataclass(frozen=True)
class Case:
    """One operation and its bare baseline, as child-process code over `path` and `size`."""

    name: str
    """What is measured, with `{size}` where the size goes."""
    unit: str
    """What the size counts: 'injects', 'events'."""
    setup: str
    operation: str
    bare_name: str
    bare_setup: str
    bare_operation: str


LOAD = Case(
    "load+validate {size} injects", "injects",
    "from tabletop.loader import load_text\ntext = open(path, encoding='utf-8').read()",
    "loaded = load_text(text, 'generated.yaml')",
    "yaml.CSafeLoader",
    "import yaml\ntext = open(path, encoding='utf-8').read()",
    "data = yaml.load(text, Loader=yaml.CSafeLoader)",
)

REPLAY = Case(
    "open+replay {size} events", "events",
    "from tabletop.engine import Session",
    "session = Session.open(path, readonly=True)\nsession.state.awaited()\nsession.msel()",
    "bare SELECT of all rows",
    "import sqlite3",
    "db = sqlite3.connect(f'file:{path}?mode=ro', uri=True)\nrows = db.execute('SELECT seq, type, body FROM events ORDER BY seq').fetchall()",
)

APPEND = Case(
    "200 durable appends after {size} events", "events",
    "from tabletop.engine import Session\nsession = Session.open(path)",
    "for i in range(200):\n    session.note(f'The room asks for the position of vessel {i}.')",
    "bare INSERT, WAL+FULL, 1 tx/row",
    "import sqlite3\ndb = sqlite3.connect(path, isolation_level=None)\ndb.execute('PRAGMA synchronous=FULL')\n"
    "body = db.execute('SELECT body FROM events ORDER BY seq DESC LIMIT 1').fetchone()[0]\n"
    "last = db.execute('SELECT max(seq) FROM events').fetchone()[0]",
    "for i in range(200):\n    db.execute('BEGIN IMMEDIATE')\n"
    "    db.execute('INSERT INTO events (seq, type, body) VALUES (?, ?, ?)', (last + 1 + i, 'note', body))\n"
    "    db.execute('COMMIT')",
)

REPORT_HTML = Case(
    "report HTML --detail full, {size} events", "events",
    "from tabletop.engine import Session\nfrom tabletop.report.render import render_report\n"
    "session = Session.open(path, readonly=True)",
    "html = render_report(session=session, fmt='html', detail='full')",
    "bare Jinja table of every event",
    "import jinja2, json, sqlite3\ndb = sqlite3.connect(f'file:{path}?mode=ro', uri=True)\n"
    "rows = [json.loads(b) for (b,) in db.execute('SELECT body FROM events ORDER BY seq')]\n"
    "template = jinja2.Environment(autoescape=True).from_string("
    "'<table>{% for r in rows %}<tr>{% for k, v in r.items() %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>')",
    "html = template.render(rows=rows)",
)

REPORT_PDF = Case(
    "report PDF --detail full, {size} events", "events",
    "from tabletop.engine import Session\nfrom tabletop.report.render import render_report\n"
    "session = Session.open(path, readonly=True)\nimport weasyprint",
    "pdf = render_report(session=session, fmt='pdf', detail='full')",
    "WeasyPrint of a bare table of every event",
    "import json, sqlite3, weasyprint, html as h\ndb = sqlite3.connect(f'file:{path}?mode=ro', uri=True)\n"
    "rows = [json.loads(b) for (b,) in db.execute('SELECT body FROM events ORDER BY seq')]\n"
    "page = '<table>' + ''.join('<tr>' + ''.join(f'<td>{h.escape(str(v))}</td>' for v in r.values()) + '</tr>' "
    "for r in rows) + '</table>'",
    "pdf = weasyprint.HTML(string=page).write_pdf()",
)

CONSOLE = Case(
    "console to first screen, {size} events", "events",
    "from tabletop.app import ConsoleApp\nfrom tabletop.engine import Session\n"
    "class FirstPaint(ConsoleApp):\n"
    "    def on_mount(self):\n"
    "        super().on_mount()\n"
    "        self.call_after_refresh(lambda: self.call_after_refresh(self.exit))",
    "session = Session.open(path, readonly=True)\nFirstPaint(session).run(headless=True, size=(120, 36))",
    "hello-world Textual app",
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Hello(App):\n"
    "    def compose(self):\n"
    "        yield Static('Hello, world')\n"
    "    def on_mount(self):\n"
    "        self.call_after_refresh(lambda: self.call_after_refresh(self.exit))",
    "Hello().run(headless=True, size=(120, 36))",
)


def measure(code_setup: str, operation: str, path: Path, size: int) -> tuple[float, float]:
    """(seconds, peak RSS growth in MiB) of `operation` in a fresh child process."""
    setup = f"path = {str(path)!r}\nsize = {size}\n{code_setup}"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps({"setup": setup, "operation": operation})],
        cwd=REPO, capture_output=True, text=True, timeout=1800,
    )
    if result.returncode != 0:
        raise RuntimeError(f"measuring {operation!r} failed: {result.stderr[-1500:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return float(data["seconds"]), data["peak_kib"] / 1024


def session_file(folder: Path, events: int, *, injects: int = 300) -> Path:
    """A session of a generated exercise with `events` events: deliveries, decisions, notes, observations.

    Written in one transaction (setup, not measured) with the events a played
    session holds, so replay, reports and the console meet their real shapes.
    """
    from tabletop.events import (
        DecidedEvent,
        DeliveredEvent,
        EventBase,
        NoteEvent,
        ObservedEvent,
        RuledEvent,
        StartedEvent,
    )
    from tabletop.loader import load_exercise_text
    from tabletop.model import Rating
    from tabletop.store import Store, exercise_copy

    text = exercise_yaml(injects)
    exercise = load_exercise_text(text, "generated.yaml")
    rng = random.Random(events)
    start = datetime(2030, 4, 11, tzinfo=timezone.utc)
    out: list[EventBase] = [StartedEvent(at=start, minute=0.0, rate=1.0, move=exercise.moves[0].id)]
    scheduled = [i for i in exercise.all_injects() if i.condition is None and i.at is not None]
    n = 0
    while len(out) < events:
        inject = scheduled[n % len(scheduled)]
        n += 1
        minute = float(inject.at or 0) + n / 100
        at = start + timedelta(minutes=minute)
        out.append(DeliveredEvent(at=at, minute=minute, inject=inject.id, to=exercise.recipients(inject),
                                  redelivery=n > len(scheduled)))
        for team in exercise.deciders(inject):
            assert inject.decision is not None
            option = rng.choice(inject.decision.options).id
            out.append(DecidedEvent(at=at, minute=minute, team=team, inject=inject.id, option=option, text="",
                                    rationale=f"{team} weighed the options on {inject.id} against each other."))
        out.append(NoteEvent(at=at, minute=minute, text=f"The room discussed {inject.id} at length."))
        if n % 3 == 0:
            out.append(ObservedEvent(at=at, minute=minute, author="eva", evaluator="eva", objective="OBJ-1",
                                     rating=Rating("PSMU"[n % 4]), text=f"Teams shared the picture of {inject.id}."))
        if n % 7 == 0:
            out.append(RuledEvent(at=at, minute=minute, text=f"Control plays the answer to {inject.id}.", team="us"))
    path = folder / f"session-{events}-{injects}.tabletop"
    store = Store.create(path, exercise_copy(text, "generated.yaml"))
    try:
        with store.transaction() as tx:
            for event in out[:events]:
                tx.append(event)
    finally:
        store.close()
    return path


def _run_case(case: Case, sizes: list[int], inputs: dict[int, Path], copies: bool = False) -> list[Figure]:
    """The case at every size: one row per size; the largest carries both slopes."""
    figures: list[Figure] = []
    seconds: list[float] = []
    peaks: list[float] = []
    for size in sizes:
        path = inputs[size]
        ours_path, bare_path = path, path
        if copies:
            ours_path = path.with_name(f"ours-{path.name}")
            bare_path = path.with_name(f"bare-{path.name}")
            ours_path.write_bytes(path.read_bytes())
            bare_path.write_bytes(path.read_bytes())
        ours_s, ours_mib = measure(case.setup, case.operation, ours_path, size)
        _, bare_mib = measure(case.bare_setup, case.bare_operation, bare_path, size)
        seconds.append(ours_s)
        peaks.append(max(ours_mib, 0.01))
        figure = Figure(
            name=f"peak RSS, {case.name.format(size=f'{size:,}')}",
            value=ours_mib,
            unit="MiB",
            baseline=bare_mib if bare_mib > 0.05 else None,
            baseline_name=case.bare_name,
            extra={"s": f"{ours_s:.3f}"},
        )
        if bare_mib <= 0.05:
            figure.extra["bare_MiB"] = f"{bare_mib:.2f}"
        if size == sizes[-1] and len(sizes) > 1:
            figure.extra["time slope"] = slope(sizes, seconds)
            figure.extra["memory slope"] = slope(sizes, peaks)
        figures.append(figure)
    return figures


def run(quick: bool) -> list[Figure]:
    """Peak RSS of loading, replaying, appending, reporting and the console, at growing sizes."""
    inject_sizes = [100, 1_000] if quick else [100, 1_000, 10_000]
    event_sizes = [1_000, 5_000] if quick else [1_000, 5_000, 20_000]
    pdf_sizes = [200, 600] if quick else [200, 600, 2_000]
    ram = Path("/dev/shm")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="tabletop-bench-memory-", dir=ram if ram.is_dir() else None) as tmp:
        folder = Path(tmp)
        exercises = {}
        for size in inject_sizes:
            exercises[size] = folder / f"generated-{size}.yaml"
            exercises[size].write_text(exercise_yaml(size), encoding="utf-8")
        figures += _run_case(LOAD, inject_sizes, exercises)
        # Replay, appends and the console: one exercise of 300 injects, a longer and longer log.
        sessions = {size: session_file(folder, size) for size in event_sizes}
        figures += _run_case(REPLAY, event_sizes, sessions)
        figures += _run_case(APPEND, event_sizes, sessions, copies=True)
        figures += _run_case(CONSOLE, event_sizes, sessions)
        # Reports: a bigger exercise played further (about four events per inject).
        played = {size: session_file(folder, size, injects=max(50, size // 4)) for size in set(event_sizes + pdf_sizes)}
        figures += _run_case(REPORT_HTML, event_sizes, played)
        figures += _run_case(REPORT_PDF, pdf_sizes, played)
    return figures
