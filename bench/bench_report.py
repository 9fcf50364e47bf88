"""Report rendering time for a large session: 1,000 injects and 5,000 decisions.

The exercise and the session are generated here and played through the engine
(on a RAM disk when the machine has one, so the setup does not measure fsync).
Baselines measured in the same run: the same rows through a bare Jinja
template (what any HTML table of this size costs), and WeasyPrint printing a
minimal document with a table of the same number of rows.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from io import BytesIO

from bench.common import Figure, best_of, peak_memory

TEAMS = ("us", "japan", "rok", "china", "asean")
"""Player teams of the generated exercise; each decides on every inject."""

POSTURES = ("joint", "national", "public", "deferring")


def big_exercise(injects: int, *, moves: int = 10) -> dict[str, Any]:
    """An exercise of `injects` injects spread over `moves` moves, each asking every team to decide."""
    per_move = max(1, injects // moves)
    teams = [{"id": t, "name": f"Team {t.upper()}", "short": t.upper(), "brief": f"Brief of {t}."} for t in TEAMS]
    teams.append({"id": "control", "name": "White Cell", "kind": "control"})
    objectives = [{"id": f"OBJ-{n}", "text": f"Objective {n} of the exercise.", "capability": "Operational Coordination"}
                  for n in range(1, 6)]
    move_list = []
    number = 0
    for m in range(moves):
        items = []
        for k in range(per_move if m < moves - 1 else injects - per_move * (moves - 1)):
            number += 1
            items.append(
                {
                    "id": f"I-{number:05d}",
                    "at": m * per_move + k,
                    "title": f"Report {number} from the coast <b>guard</b> & 海上保安庁",
                    "source": "Coast Guard",
                    "to": "all",
                    "channel": "radio",
                    "body": f"Situation report number {number}: a vessel is in distress.\nSecond line of the body.",
                    "objectives": [f"OBJ-{number % 5 + 1}"],
                    "expected": {"us": "Coordinate with allies.", "rok": "Lead the rescue."},
                    "questions": ["Who leads?"],
                    "decision": {
                        "prompt": "What do you do?",
                        "options": [{"id": p[:3], "label": f"Act {p}", "posture": p} for p in POSTURES],
                    },
                }
            )
        move_list.append({"id": f"M{m + 1}", "title": f"Move {m + 1}", "starts_at": m * per_move,
                          "situation": f"Situation at move {m + 1}.", "injects": items})
    return {
        "id": "bench-big",
        "title": "Benchmark exercise",
        "version": "1",
        "summary": "A generated exercise for measuring report rendering.",
        "marking": "EXERCISE — FOR TRAINING ONLY",
        "setting": {"start": "2030-01-01T06:00:00+09:00", "timezone": "Asia/Seoul"},
        "duration": injects + 10,
        "teams": teams,
        "objectives": objectives,
        "moves": move_list,
    }


def play_big(folder: Path, injects: int) -> Any:
    """Create and play a session of the generated exercise: every inject delivered and decided by every team."""
    from tabletop.clock import FakeClock
    from tabletop.engine import Session

    exercise = big_exercise(injects)
    path = folder / "bench-big.yaml"
    path.write_text(yaml.safe_dump(exercise, allow_unicode=True, sort_keys=False), encoding="utf-8")
    clock = FakeClock(datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc))
    session = Session.create(path, folder / "bench-big.tabletop", clock=clock)
    session.start(rate=1.0)
    n = 0
    for index, move in enumerate(session.exercise.moves):
        if index:
            session.advance()
        for inject in move.injects:
            clock.advance(minutes=1)
            session.deliver(inject.id)
            for t, team in enumerate(TEAMS):
                posture = POSTURES[(n + t) % len(POSTURES)]
                session.decide(team, inject.id, option=posture[:3], rationale=f"Because {n}.", dissent="" if t else "One voice against.")
            n += 1
        session.observe(f"OBJ-{index % 5 + 1}", "PSMU"[index % 4], f"Observation on move {move.id}.")
        session.rule(f"Ruling on move {move.id}.", team=TEAMS[index % len(TEAMS)])
    session.end()
    session.hotwash("strength", "Teams talked to each other.", objective="OBJ-1")
    session.hotwash("improvement", "No shared picture of the situation.", objective="OBJ-2", team="us")
    return session


BARE_TEMPLATE = """<table>{% for r in rows %}<tr><td>{{ r.seq }}</td><td>{{ r.wall }}</td><td>{{ r.scenario }}</td>
<td>{{ r.kind }}</td><td>{{ r.teams }}</td><td>{{ r.text }}</td></tr>{% endfor %}</table>"""


def run(quick: bool) -> list[Figure]:
    """Render HTML and PDF of a large session, with baselines of the same size."""
    import jinja2
    from pypdf import PdfReader

    from tabletop.report.context import session_context
    from tabletop.report.pdf import html_to_pdf
    from tabletop.report.render import render_report

    injects = 100 if quick else 1000
    decisions = injects * len(TEAMS)
    ram = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=ram if ram.is_dir() else None) as tmp:
        session = play_big(Path(tmp), injects)
        try:
            events = len(session.state.events)
            context = session_context(session, name="bench")
            size = f"{injects:,} injects, {decisions:,} decisions"

            html_time = best_of(lambda: render_report(session=session, fmt="html"), repeat=3)
            context_time = best_of(lambda: session_context(session), repeat=3)
            html = render_report(context=context, fmt="html")
            assert isinstance(html, str)
            rows = session_context(session, detail="full")["timeline"]
            bare = jinja2.Environment(autoescape=True).from_string(BARE_TEMPLATE)
            bare_time = best_of(lambda: bare.render(rows=rows), repeat=3)
            html_peak = peak_memory(lambda: render_report(session=session, fmt="html"))
            full_time = best_of(lambda: render_report(session=session, fmt="html", detail="full"), repeat=1)

            pdf_time = best_of(lambda: html_to_pdf(html), repeat=1)
            minimal = "<html><body><table>" + "".join(
                f"<tr><td>{n}</td><td>inject {n}</td></tr>" for n in range(injects)
            ) + "</table></body></html>"
            minimal_time = best_of(lambda: html_to_pdf(minimal), repeat=1)
            pdf = html_to_pdf(html)
            pages = len(PdfReader(BytesIO(pdf)).pages)
            pdf_peak = peak_memory(lambda: html_to_pdf(html))
        finally:
            session.close()
    figures = [
        Figure(
            name=f"report HTML, {size} ({events:,} events)",
            value=html_time,
            unit="s",
            baseline=bare_time,
            baseline_name=f"bare Jinja table of all {len(rows):,} events",
            goal="< 1 s",
            met=html_time < 1.0,
            extra={"context_s": f"{context_time:.3f}", "peak_MiB": f"{html_peak:.0f}", "html_MiB": f"{len(html) / 2**20:.1f}"},
        ),
        Figure(
            name=f"report HTML with --detail full, {size}",
            value=full_time,
            unit="s",
            baseline=bare_time,
            baseline_name=f"bare Jinja table of all {len(rows):,} events",
            goal="< 1 s",
            met=full_time < 1.0,
            extra={"note": "every decision side by side (auto condenses a record this large for print)"},
        ),
        Figure(
            name=f"report PDF, {size}",
            value=pdf_time,
            unit="s",
            baseline=minimal_time,
            baseline_name=f"WeasyPrint of a bare {injects:,}-row table",
            goal="< 15 s",
            met=pdf_time < 15.0,
            extra={"pages": pages, "detail": "condensed" if context["condensed"] else "full", "peak_MiB": f"{pdf_peak:.0f}"},
        ),
    ]
    return figures
