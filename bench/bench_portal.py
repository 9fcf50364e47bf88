"""Team portal under a room's load: a real `tabletop serve`, 8 teams of browsers, submissions during play.

A session of an exercise with eight player teams is served by `tabletop serve`
in a process of its own on loopback, with its default settings (the
connection cap included: a 503 from it counts against the goal). Each team has 25 simulated browsers
(aiohttp client tasks) polling its page as the page's script does; five of
each team's browsers also submit decisions and questions to control (RFIs)
while a console-like process delivers injects, opens moves and appends notes
through `Session`, so submissions meet real deliveries and contend for the
file's write lock.

The baseline is the same client load against a bare aiohttp server whose POST
handler does one SQLite insert (WAL, `synchronous=FULL`, one transaction per
request, in a worker thread behind one lock, as the portal does), while a
bare writer process inserts rows at the console's pace. Every POST answered
as received is looked for in the session file afterwards: a lost one is a
broken promise.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Figure, percentile

REPO = Path(__file__).resolve().parent.parent

TEAMS = ("us", "japan", "rok", "china", "taiwan", "philippines", "australia", "vietnam")
"""The eight player teams of the portal exercise."""


def portal_exercise(teams: tuple[str, ...] = TEAMS, moves: int = 3, per_move: int = 6) -> str:
    """YAML of an exercise whose every inject goes to every player team and asks each for a decision."""
    out = [
        "id: portal-bench",
        "title: Portal bench exercise",
        'version: "1"',
        "summary: Every team receives every inject and owes a decision on each.",
        "marking: EXERCISE - FOR TRAINING ONLY",
        'setting: {start: "2030-01-01T00:00:00+00:00", timezone: UTC}',
        'duration: "+06:00"',
        "teams:",
    ]
    out += [f"  - {{id: {t}, name: Team {t.title()}}}" for t in teams]
    out += ["  - {id: control, name: White Cell, kind: control}", "objectives:",
            "  - {id: OBJ-1, text: Coordinate the response.}", "moves:"]
    for m in range(1, moves + 1):
        out += [f"  - id: M{m}", f"    title: Move {m}", f"    starts_at: {(m - 1) * 120}",
                f"    situation: The situation at the opening of move {m}.", "    injects:"]
        for k in range(1, per_move + 1):
            out += [
                f"      - id: I-{m}-{k}",
                f'        at: {(m - 1) * 120 + k * 10}',
                f"        title: Report {m}.{k}",
                "        source: Coast Guard",
                "        to: all",
                "        channel: radio",
                f"        body: Report {m}.{k}, a vessel in distress asks for assistance.",
                "        decision:",
                "          prompt: Do you send help?",
                "          options:",
                "            - {id: help, label: Send help, posture: joint}",
                "            - {id: wait, label: Wait and see, posture: deferring}",
            ]
    return "\n".join(out) + "\n"


def child_env() -> dict[str, str]:
    """The environment of child processes: this checkout first on the import path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def make_portal_session(folder: Path, teams: tuple[str, ...] = TEAMS, name: str = "portal.session") -> Path:
    """A started session of the portal exercise (nothing delivered yet)."""
    from tabletop.engine import Session

    with Session.create_from_text(portal_exercise(teams), "portal.yaml", folder / name) as session:
        session.start()
        return session.path


# --- the processes --------------------------------------------------------------------------------

CONSOLE = """
import select, sys
from tabletop.engine import Session
path, step = sys.argv[1], float(sys.argv[2])

def wait():
    return bool(select.select([sys.stdin], [], [], step)[0])

with Session.open(path, author="control") as session:
    n = 0
    stop = False
    for index, move in enumerate(session.exercise.moves):
        if stop:
            break
        if index:
            session.advance()
            print("move", move.id, flush=True)
        for inject in move.injects:
            session.deliver(inject.id)
            print("delivered", move.id, inject.id, flush=True)
            session.note(f"control note {n} while {inject.id} is out")
            session.heartbeat()
            n += 1
            if wait():
                stop = True
                break
    print("all delivered", flush=True)
    while not stop and not wait():
        session.note(f"control note {n}")
        session.heartbeat()
        n += 1
    print("notes", n, flush=True)
"""
"""The console-like writer: delivers every inject in order (opening each move), a note with each,
then keeps appending notes; stops when its stdin closes."""

BARE_CONSOLE = """
import json, select, sqlite3, sys
path, step, moves, per_move = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
db = sqlite3.connect(path, isolation_level=None, timeout=30)
db.execute("PRAGMA synchronous=FULL")

def insert(kind, body):
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO events (type, body) VALUES (?, ?)", (kind, json.dumps(body)))
    db.execute("COMMIT")

def wait():
    return bool(select.select([sys.stdin], [], [], step)[0])

n = 0
stop = False
for m in range(1, moves + 1):
    if stop:
        break
    if m > 1:
        print("move", f"M{m}", flush=True)
    for k in range(1, per_move + 1):
        insert("delivered", {"inject": f"I-{m}-{k}"})
        print("delivered", f"M{m}", f"I-{m}-{k}", flush=True)
        insert("note", {"text": f"control note {n}"})
        n += 1
        if wait():
            stop = True
            break
print("all delivered", flush=True)
while not stop and not wait():
    insert("note", {"text": f"control note {n}"})
    n += 1
print("notes", n, flush=True)
"""
"""The bare writer of the baseline: the same rows at the same pace, straight into SQLite."""

BARE_SERVER = """
import asyncio, json, sqlite3, sys
from aiohttp import web
path = sys.argv[1]
db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL)")
lock = asyncio.Lock()
FRAGMENT = "<section>" + "<p>Report: a vessel in distress asks for assistance.</p>" * 40 + "</section>"
PAGE = '<html><body><form><input type="hidden" name="csrf" value="0123456789abcdef"></form>' + FRAGMENT + "</body></html>"

def insert(kind, fields):
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO events (type, body) VALUES (?, ?)", (kind, json.dumps(fields)))
    db.execute("COMMIT")

async def page(request):
    return web.Response(text=PAGE, content_type="text/html")

async def fragment(request):
    if request.query.get("since") == "v1":
        return web.Response(status=204, headers={"X-View-Version": "v1"})
    return web.Response(text=FRAGMENT, content_type="text/html", headers={"X-View-Version": "v1"})

async def post(request):
    fields = dict(await request.post())
    async with lock:
        await asyncio.to_thread(insert, request.match_info["route"], fields)
    raise web.HTTPSeeOther(location=f"/t/{request.match_info['token']}/act?received=decision")

async def main():
    app = web.Application()
    app.add_routes([web.get("/t/{token}/", page), web.get("/t/{token}/act", page),
                    web.get("/t/{token}/fragment", fragment), web.post("/t/{token}/{route}", post)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print("listening", site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
"""
"""The baseline server: a bare aiohttp handler doing one durable SQLite insert per POST."""


@dataclass
class Served:
    """A running server process, its base URL and each team's token."""

    process: subprocess.Popen[str]
    base: str
    tokens: dict[str, str]
    stderr: list[str] = field(default_factory=list)

    def peak_rss_mib(self) -> float | None:
        """The process's resident-memory high-water mark (VmHWM), while it lives; None once gone."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        return int(found.group(1)) / 1024 if found else None

    def stop(self) -> str:
        """Stop the process (SIGINT, then SIGKILL after 30 s) and return everything it wrote on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return "".join(self.stderr)


def _drain(stream: object, into: list[str]) -> threading.Thread:
    def run() -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def start_serve(session: Path, *, new_links: bool, max_connections: int | None = None,
                refresh: float = 2.0) -> Served:
    """`tabletop serve SESSION` on a free loopback port, with the links it prints read from its stdout.

    Without `max_connections` the server keeps its default cap, as a facilitator would run it.
    """
    argv = [sys.executable, "-m", "tabletop", "serve", str(session), "--port", "0", "--refresh", str(refresh)]
    if max_connections is not None:
        argv += ["--max-connections", str(max_connections)]
    process = subprocess.Popen(argv + (["--new-links"] if new_links else []), cwd=REPO, env=child_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    served = Served(process, "", {})
    _drain(process.stderr, served.stderr)
    seen_links = False
    for line in process.stdout:
        found = re.match(r"\s+(\S+)\s+(http://127\.0\.0\.1:\d+)/t/([A-Za-z0-9_-]+)/$", line)
        if found:
            served.base, served.tokens[found.group(1)] = found.group(2), found.group(3)
            seen_links = True
        elif seen_links and "links" in line.lower():
            break
    _drain(process.stdout, [])
    if not served.tokens:
        served.stop()
        raise RuntimeError(f"tabletop serve printed no links: {''.join(served.stderr)[-400:]}")
    return served


def start_bare_server(db: Path, teams: tuple[str, ...]) -> Served:
    """The baseline server on a free loopback port; any token opens it, so each team gets a made-up one."""
    process = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(db)], cwd=REPO, env=child_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    served = Served(process, "", {team: f"bare-{team}" for team in teams})
    _drain(process.stderr, served.stderr)
    line = process.stdout.readline()
    if not line.startswith("listening"):
        served.stop()
        raise RuntimeError(f"the bare server did not start: {''.join(served.stderr)[-400:]}")
    served.base = f"http://127.0.0.1:{int(line.split()[1])}"
    _drain(process.stdout, [])
    return served


@dataclass
class Feed:
    """What the console has delivered so far, as its stdout says: the open move and its injects."""

    move: str = "M1"
    injects: dict[str, list[str]] = field(default_factory=dict)
    first: threading.Event = field(default_factory=threading.Event)
    lines: list[str] = field(default_factory=list)

    def current(self) -> list[str]:
        """Injects delivered in the open move."""
        return list(self.injects.get(self.move, []))


class Console:
    """A console-like writer process and the feed of what it delivered."""

    def __init__(self, argv: list[str]) -> None:
        self.process = subprocess.Popen(argv, cwd=REPO, env=child_env(), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.feed = Feed()
        self.stderr: list[str] = []
        _drain(self.process.stderr, self.stderr)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def tabletop(cls, session: Path, step: float) -> Console:
        """The writer appending through `Session`."""
        return cls([sys.executable, "-c", CONSOLE, str(session), str(step)])

    @classmethod
    def bare(cls, db: Path, step: float, moves: int = 3, per_move: int = 6) -> Console:
        """The bare writer of the baseline."""
        return cls([sys.executable, "-c", BARE_CONSOLE, str(db), str(step), str(moves), str(per_move)])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.feed.lines.append(line)
            parts = line.split()
            if parts[:1] == ["delivered"]:
                self.feed.injects.setdefault(parts[1], []).append(parts[2])
                self.feed.first.set()
            elif parts[:1] == ["move"]:
                self.feed.move = parts[1]

    def wait_first(self, timeout: float = 60) -> None:
        """Wait until the first inject is delivered (or the writer failed)."""
        if not self.feed.first.wait(timeout):
            raise RuntimeError(f"the console delivered nothing: {''.join(self.stderr)[-400:]}")

    def stop(self) -> tuple[int, str]:
        """Close its stdin (it stops), and return its exit code and stderr."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(timeout=5)
        return code, "".join(self.stderr)


# --- the browsers ---------------------------------------------------------------------------------


@dataclass
class Acked:
    """A submission the server answered as received: which team, what kind, and its unique text."""

    team: str
    kind: str
    marker: str


@dataclass
class Tally:
    """What the simulated browsers saw."""

    poll_times: list[float] = field(default_factory=list)
    post_times: list[float] = field(default_factory=list)
    acked: list[Acked] = field(default_factory=list)
    refused: int = 0
    throttled: int = 0
    server_errors: int = 0
    locked: int = 0
    other: dict[str, int] = field(default_factory=dict)
    failed_posts: int = 0
    failed_polls: int = 0

    def odd(self, what: str) -> None:
        """Count an answer that is neither success, refusal nor throttling."""
        self.other[what] = self.other.get(what, 0) + 1


@dataclass(frozen=True)
class Load:
    """The shape of the client load."""

    browsers: int = 25
    """Browsers per team, each polling its page."""
    submitters: int = 5
    """Of those, how many also submit."""
    refresh: float = 2.0
    """Seconds between a page's polls."""
    think: tuple[float, float] = (8.0, 16.0)
    """Seconds a submitter waits between two submissions (uniform)."""
    decide_share: float = 0.6
    """Share of submissions that are decisions; the rest are RFIs."""


CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def browse(base: str, tokens: dict[str, str], feed: Feed, load: Load, tally: Tally, stop: asyncio.Event,
                 rng: random.Random, label: str, *, on_ack: asyncio.Event | None = None, kill_after: int = -1) -> None:
    """Every team's browsers poll its page; some also submit, until `stop` is set.

    With `kill_after` >= 0, `on_ack` is set once that many submissions were acknowledged
    (the torture uses it to pick its moment).
    """
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=120)

    async def poll(http: aiohttp.ClientSession, token: str) -> None:
        version = ""
        await asyncio.sleep(rng.uniform(0, load.refresh))
        while not stop.is_set():
            started = time.perf_counter()
            try:
                async with http.get(f"{base}/t/{token}/fragment", params={"since": version}) as response:
                    text = await response.text()
                    elapsed = time.perf_counter() - started
                    if response.status in (200, 204):
                        tally.poll_times.append(elapsed)
                        version = response.headers.get("X-View-Version", version)
                    elif response.status >= 500:
                        tally.server_errors += 1
                        tally.locked += "database is locked" in text
                        tally.odd(f"poll {response.status}")
                    else:
                        tally.odd(f"poll {response.status}")
            except (aiohttp.ClientError, asyncio.TimeoutError):
                tally.failed_polls += 1
                if stop.is_set():
                    return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), load.refresh * rng.uniform(0.8, 1.2))

    async def submit(http: aiohttp.ClientSession, team: str, token: str, number: int) -> None:
        origin = {"Origin": base}
        secret = ""
        count = 0
        pause = rng.uniform(0, load.think[1])  # browsers opened at different moments
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            pause = rng.uniform(*load.think)
            if stop.is_set():
                return
            try:
                if not secret:
                    async with http.get(f"{base}/t/{token}/act") as response:
                        found = CSRF.search(await response.text())
                    if found is None:
                        tally.odd(f"act page {response.status}")
                        continue
                    secret = found.group(1)
                injects = feed.current()
                marker = f"{label} {team} s{number} n{count}"
                count += 1
                if injects and rng.random() < load.decide_share:
                    kind = "decide"
                    fields = {"csrf": secret, "inject": rng.choice(injects), "option": rng.choice(["help", "wait"]),
                              "rationale": marker}
                else:
                    kind = "ask"
                    fields = {"csrf": secret, "text": marker}
                started = time.perf_counter()
                # the acknowledgement is the answer to the post: a 303 to the page saying what was received
                async with http.post(f"{base}/t/{token}/{kind}", data=fields, headers=origin,
                                     allow_redirects=False) as response:
                    text = await response.text()
                    elapsed = time.perf_counter() - started
                    status = response.status
                    location = response.headers.get("Location", "")
            except (aiohttp.ClientError, asyncio.TimeoutError):
                tally.failed_posts += 1
                continue
            tally.locked += "database is locked" in text
            if status == 303 and "received=" in location:
                tally.post_times.append(elapsed)
                tally.acked.append(Acked(team, kind, marker))
                if on_ack is not None and kill_after >= 0 and len(tally.acked) >= kill_after:
                    on_ack.set()
            elif status == 409:
                tally.refused += 1
            elif status == 429:
                tally.throttled += 1
            elif status >= 500:
                tally.server_errors += 1
                tally.odd(f"post {status}")
            else:
                tally.odd(f"post {status}")

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        tasks = []
        for team, token in tokens.items():
            for n in range(load.browsers):
                tasks.append(asyncio.create_task(poll(http, token)))
                if n < load.submitters:
                    tasks.append(asyncio.create_task(submit(http, team, token, n)))
        if on_ack is not None and kill_after == 0:
            on_ack.set()
        await stop.wait()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    broken = [r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
    if broken:  # a fault of the simulated browsers themselves must not pass for a quiet server
        raise broken[0]


def run_load(base: str, tokens: dict[str, str], feed: Feed, load: Load, seconds: float, seed: int,
             label: str, tally: Tally | None = None) -> Tally:
    """The client load for `seconds` against one server, counted into `tally` (a new one by default)."""
    tally = tally if tally is not None else Tally()

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(seconds, stop.set)
        await browse(base, tokens, feed, load, tally, stop, random.Random(seed), label)

    asyncio.run(main())
    return tally


# --- the check --------------------------------------------------------------------------------------


def recorded_markers(path: Path) -> dict[str, int]:
    """Every team-submitted text in the session file (decision rationales, revisions, RFIs), with its count."""
    from tabletop.engine import Session
    from tabletop.events import CorrectedEvent, DecidedEvent, RfiEvent

    found: dict[str, int] = {}
    with Session.open(path, readonly=True) as session:
        for event in session.state.events:
            text = None
            if isinstance(event, DecidedEvent):
                text = event.rationale
            elif isinstance(event, CorrectedEvent) and isinstance(event.replacement, dict):
                text = event.replacement.get("rationale")
            elif isinstance(event, RfiEvent):
                text = event.text
            if text:
                found[text] = found.get(text, 0) + 1
    return found


def lost(path: Path, acked: list[Acked]) -> list[Acked]:
    """Acknowledged submissions that are not in the session file."""
    found = recorded_markers(path)
    return [a for a in acked if a.marker not in found]


# --- the figures ------------------------------------------------------------------------------------


@dataclass
class Phase:
    """One measured run: the client tally, the server's peak memory and what it wrote on stderr."""

    tally: Tally
    peak_mib: float
    stderr: str
    console_code: int
    console_err: str
    console_events: int
    """Deliveries, move openings and notes the console appended meanwhile."""


SLICES = 3
"""Slices of the run: the load alternates between the bare server and ours, so both meet the same machine."""


def _phase(served: Served, console: Console, tally: Tally, peak: float) -> Phase:
    code, console_err = console.stop()
    stderr = served.stop()
    lines = console.feed.lines
    notes = next((int(line.split()[1]) for line in lines if line.startswith("notes ")), 0)
    written = notes + sum(line.startswith(("delivered ", "move ")) for line in lines)
    return Phase(tally, peak, stderr, code, console_err, written)


def _measure(bare: tuple[Served, Console], ours: tuple[Served, Console], load: Load, seconds: float,
             seed: int) -> tuple[Phase, Phase]:
    """The same load on each server for `seconds`, in alternating slices while both consoles write."""
    tallies = (Tally(), Tally())
    peaks = [0.0, 0.0]
    try:
        for _, console in (bare, ours):
            console.wait_first()
        for k in range(SLICES):
            order = [0, 1] if k % 2 == 0 else [1, 0]
            for which in order:
                served, console = (bare, ours)[which]
                run_load(served.base, served.tokens, console.feed, load, seconds / SLICES, seed + k,
                         f"{('bare', 'portal')[which]}{k}", tallies[which])
        peaks = [served.peak_rss_mib() or 0.0 for served, _ in (bare, ours)]
    finally:
        phases = [_phase(served, console, tally, peak) for (served, console), tally, peak in zip((bare, ours), tallies, peaks)]
    return phases[0], phases[1]


def run(quick: bool) -> list[Figure]:
    """The portal's figures against a bare aiohttp+SQLite server under the same client load."""
    seconds = 8.0 if quick else 60.0
    load = Load(browsers=6, submitters=2, think=(1.0, 3.0)) if quick else Load()
    step = 2 * seconds / 20  # 18 injects and two move openings spread over both servers' runs
    seed = random.randrange(1 << 30)
    with tempfile.TemporaryDirectory(prefix="tabletop-bench-portal-") as tmp:
        folder = Path(tmp)
        session = make_portal_session(folder)
        bare_db = folder / "bare.sqlite"
        bare_server = start_bare_server(bare_db, TEAMS)
        served = start_serve(session, new_links=True, refresh=load.refresh)
        bare, ours = _measure((bare_server, Console.bare(bare_db, step)), (served, Console.tabletop(session, step)),
                              load, seconds, seed)
        missing = lost(session, ours.tally.acked)
        with contextlib.closing(sqlite3.connect(f"file:{session}?mode=ro", uri=True)) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    if not ours.tally.acked:
        raise RuntimeError(f"no submission was acknowledged: {ours.tally.other} {ours.stderr[-400:]}")
    t, b = ours.tally, bare.tally
    locked = t.locked + ours.stderr.count("database is locked") + ours.console_err.count("database is locked")
    tracebacks = ours.stderr.count("Traceback")
    size = (f"8 teams x {load.browsers} browsers, {len(TEAMS) * load.submitters} submitting, {seconds:.0f} s, "
            "default --max-connections")
    ms = 1000.0
    return [
        Figure(
            name=f"portal: acknowledged submissions lost ({size})",
            value=len(missing), unit="", goal="0", met=not missing,
            extra={"acked": len(t.acked), "decisions": sum(a.kind == "decide" for a in t.acked),
                   "rfis": sum(a.kind == "ask" for a in t.acked), "refused": t.refused, "throttled": t.throttled,
                   "integrity": integrity, "console appends": ours.console_events, "seed": seed},
        ),
        Figure(
            name="portal: POST to durable ack, p50",
            value=percentile(t.post_times, 50) * ms, unit="ms",
            baseline=percentile(b.post_times, 50) * ms, baseline_name="bare aiohttp + INSERT, WAL+FULL",
            goal="<= 2.0x", met=percentile(t.post_times, 50) <= 2.0 * percentile(b.post_times, 50),
            extra={"n": len(t.post_times), "bare n": len(b.post_times)},
        ),
        Figure(
            name="portal: POST to durable ack, p99",
            value=percentile(t.post_times, 99) * ms, unit="ms",
            baseline=percentile(b.post_times, 99) * ms, baseline_name="bare aiohttp + INSERT, WAL+FULL",
            extra={"max": f"{max(t.post_times) * ms:.1f}ms", "bare max": f"{max(b.post_times) * ms:.1f}ms"},
        ),
        Figure(
            name="portal: page poll, p99",
            value=percentile(t.poll_times, 99) * ms, unit="ms",
            baseline=percentile(b.poll_times, 99) * ms, baseline_name="bare aiohttp static fragment",
            extra={"p50": f"{percentile(t.poll_times, 50) * ms:.1f}ms", "polls": len(t.poll_times),
                   "failed": t.failed_polls},
        ),
        Figure(
            name="portal: server peak RSS, VmHWM",
            value=ours.peak_mib, unit="MiB", baseline=bare.peak_mib or None, baseline_name="bare aiohttp server",
        ),
        Figure(
            name="portal: 'database is locked' + 5xx answers",
            value=locked + t.server_errors, unit="", goal="0",
            met=locked + t.server_errors == 0 and not tracebacks and ours.console_code == 0,
            extra={"locked": locked, "5xx": t.server_errors, "tracebacks": tracebacks,
                   "console": "ok" if ours.console_code == 0 else
                   f"exit {ours.console_code}: {ours.console_err.strip().splitlines()[-1:] or ''}",
                   "other": ";".join(f"{k}:{v}" for k, v in sorted(t.other.items())) or "none",
                   "failed posts": t.failed_posts},
        ),
    ]


if __name__ == "__main__":
    from bench.__main__ import format_table

    print(format_table(run(quick="--quick" in sys.argv)))
