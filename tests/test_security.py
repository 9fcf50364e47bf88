"""Security: what a user types never runs, templates and YAML build nothing, each team sees only its share.

- Script typed into any field of an exercise or a session (titles, names, inject
  text, notes, decisions, ad-hoc injects, rulings, observations, hot wash, the
  author's name) is loaded in real headless Chromium from the HTML report, the
  Markdown report rendered to HTML, and the handouts; no payload may run. A
  control page with the same payloads unescaped proves the detector detects.
- A planner's report template cannot reach Python objects, globals or files.
- YAML tags cannot construct objects, in an exercise file or in the exercise
  copy kept inside a session file.
- Need-to-know, cross-checked over every team of every bundled exercise played
  through the engine with every inject delivered and a marker planted in every
  place a secret can hide: the rule, the plain-text view, the team web page and
  the printed handouts show a team its own markers and no one else's.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from markdown_it import MarkdownIt

from tabletop.cli import main
from tabletop.clock import FakeClock
from tabletop.engine import Session, StoreError
from tabletop.loader import ExerciseError, load_exercise_text
from tabletop.need_to_know import participants, team_view
from tabletop.report.handouts import render_handouts
from tabletop.report.render import ReportError, render_report
from tabletop.resources import exercises_dir
from tabletop.viewer.plain import render_plain
from tabletop.viewer.server import ServeOptions, TeamServer, new_links
from tests.engine_fixtures import EXERCISE_YAML

# --- payloads and the detector ----------------------------------------------------------------------


def _creates(ident: str) -> str:
    """JavaScript that proves it ran by adding an element with this id."""
    return f"document.body.appendChild(Object.assign(document.createElement('div'),{{id:'{ident}'}}))"


PAYLOADS = {
    "pwned-script": f"<script>document.title='pwned';{_creates('pwned-script')}</script>",
    "pwned-img": f"<img src=x onerror=\"{_creates('pwned-img')}\">",
    "pwned-svg": f"\"'><svg onload=\"{_creates('pwned-svg')}\">",
    "pwned-closer": f"</title></style></textarea><script>{_creates('pwned-closer')}</script>",
    "pwned-details": f"<details open ontoggle=\"{_creates('pwned-details')}\">x</details>",
    "pwned-md": f"[click](javascript:{_creates('pwned-md')}) <b onmouseover=\"{_creates('pwned-md')}\">b</b>",
}
"""Each payload, when it runs, adds an element whose id is its key."""
HOSTILE = " ".join(PAYLOADS.values())
"""Typed into every free-text field of the hostile exercise and session."""


class _Ids(HTMLParser):
    """Ids of every element in a document, and its title."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def chromium() -> str:
    """The Chromium to test with: the system one, or the one Playwright installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        return p.chromium.executable_path


def executed_payloads(page: Path, profile: Path) -> set[str]:
    """Load `page` in headless Chromium, let its timers run, and name every payload that ran."""
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "</html>" in result.stdout, "Chromium printed no document"
    parser = _Ids()
    parser.feed(result.stdout)
    ran = {ident for ident in parser.ids if ident.startswith("pwned")}
    if parser.title.strip() == "pwned":
        ran.add("title")
    return ran


# --- a hostile exercise and session -----------------------------------------------------------------


def _hostile(text: Any) -> Any:
    return f"{text} {HOSTILE}" if isinstance(text, str) else text


def hostile_exercise_text() -> str:
    """The fixture exercise with the payloads appended to every free-text field."""
    data = yaml.safe_load(EXERCISE_YAML)
    for key in ("title", "summary", "disclaimer", "sponsor"):
        data[key] = _hostile(data.get(key) or key)
    data["marking"] = "EXERCISE <script>document.title='pwned'</script>"  # at most 80 characters
    data["setting"]["location"] = _hostile(data["setting"].get("location", "Sea"))
    for team in data["teams"]:
        team["name"] = _hostile(team["name"])
        team["short"] = _hostile(team.get("short") or team["id"])
        team["brief"] = _hostile(team.get("brief") or "Brief.")
        team["members"] = [_hostile("Minister")]
    for objective in data["objectives"]:
        objective["text"] = _hostile(objective["text"])
        objective["capability"] = _hostile(objective.get("capability") or "Planning")
    injects = list(data["contingencies"])
    for move in data["moves"]:
        move["title"] = _hostile(move["title"])
        move["situation"] = _hostile(move["situation"])
        move["questions"] = {"all": [_hostile("Who leads?")]}
        injects += move["injects"]
    for inject in injects:
        for key in ("title", "body", "source", "notes"):
            inject[key] = _hostile(inject.get(key) or key)
        inject["questions"] = [_hostile("What now?")]
        if inject.get("decision"):
            inject["decision"]["prompt"] = _hostile(inject["decision"]["prompt"])
            for option in inject["decision"]["options"]:
                option["label"] = _hostile(option["label"])
                option["consequence"] = _hostile("Consequence.")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def play_hostile(folder: Path) -> Session:
    """The hostile exercise played with the payloads in every record a user types, then ended."""
    clock = FakeClock()
    session = Session.create_from_text(hostile_exercise_text(), "hostile.yaml", folder / "hostile.session",
                                       clock=clock, author=_hostile("facilitator"))
    session.start()
    clock.advance(minutes=15)
    session.deliver("M1-02")
    session.decide("rok", "M1-02", option="direct", text=_hostile("We hail."), rationale=_hostile("Lives first."),
                   dissent=_hostile("Navy disagreed."))
    wrong = session.decide("us", "M1-02", option="alone", rationale="mistake")
    session.correct(wrong.seq, _hostile("wrong option"), {"option": "beijing", "rationale": _hostile("Ask Beijing.")})
    session.note(_hostile("Slow start."), inject="M1-02")
    session.rule(_hostile("The vessel turns."), rationale=_hostile("ROK asked."), inject="M1-02", team="china")
    session.observe("OBJ-1", "S", _hostile("ROK hailed quickly."), evaluator=_hostile("evaluator"))
    session.adhoc(_hostile("Typhoon warning"), _hostile("A second storm."), ["us", "japan"], source=_hostile("JMA"))
    session.hold("M1-03", _hostile("waiting"))
    session.skip("M1-04", _hostile("no time"))
    session.end()
    session.hotwash("strength", _hostile("Hotline answered."), objective="OBJ-2")
    session.hotwash("improvement", _hostile("No shared picture."), objective="OBJ-3", team="japan")
    return session


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    session = play_hostile(tmp_path_factory.mktemp("hostile"))
    yield session
    session.close()


# --- nothing typed runs -------------------------------------------------------------------------------


def test_the_detector_detects(tmp_path: Path) -> None:
    """The payloads unescaped in a page do run: an empty result below means escaping, not a blind detector."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body><p>{HOSTILE}</p></body></html>",
                    encoding="utf-8")
    ran = executed_payloads(page, tmp_path / "profile")
    assert {"pwned-script", "pwned-img", "pwned-svg", "pwned-closer", "title"} <= ran


def test_html_report_runs_no_payload(hostile: Session, tmp_path: Path) -> None:
    report = render_report(session=hostile, fmt="html")
    assert isinstance(report, str)
    for payload in PAYLOADS.values():
        assert html.escape(payload, quote=False) in report or html.escape(payload) in report
    page = tmp_path / "report.html"
    page.write_text(report, encoding="utf-8")
    assert executed_payloads(page, tmp_path / "profile") == set()
    # The same report with one payload unescaped, as an escaping bug would leave it, is caught.
    broken = report.replace(html.escape(PAYLOADS["pwned-img"], quote=False), PAYLOADS["pwned-img"], 1)
    broken = broken.replace(html.escape(PAYLOADS["pwned-img"]), PAYLOADS["pwned-img"], 1)
    page.write_text(broken, encoding="utf-8")
    assert "pwned-img" in executed_payloads(page, tmp_path / "profile")


def test_markdown_report_rendered_to_html_runs_no_payload(hostile: Session, tmp_path: Path) -> None:
    """A wiki renders the Markdown report with raw HTML allowed: what was typed must still be text."""
    markdown = render_report(session=hostile, fmt="md")
    assert isinstance(markdown, str)
    body = MarkdownIt("commonmark", {"html": True}).render(markdown)
    page = tmp_path / "report-md.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>md</title></head><body>{body}</body></html>", encoding="utf-8")
    assert executed_payloads(page, tmp_path / "profile") == set()
    assert 'href="javascript:' not in body


def test_handouts_run_no_payload(hostile: Session, tmp_path: Path) -> None:
    handouts = render_handouts(exercise=hostile.exercise, fmt="html")
    assert isinstance(handouts, str)
    page = tmp_path / "handouts.html"
    page.write_text(handouts, encoding="utf-8")
    assert executed_payloads(page, tmp_path / "profile") == set()


MARKUP = "[/] [bold red]loud[/bold red] [@click=app.quit]quit[/] [link=file:///etc/passwd]p[/link] [/nope]"
"""Console markup typed as text: Rich and Textual must print it, not parse it (an unmatched '[/]' used to
crash the console, and '[@click=...]' would turn typed text into an action)."""


def markup_session(folder: Path) -> Session:
    """The fixture exercise and a session with console markup in every free-text field."""
    data = yaml.safe_load(EXERCISE_YAML)
    data["title"] = f"{data['title']} {MARKUP}"
    data["summary"] = f"{data['summary']} {MARKUP}"
    for team in data["teams"]:
        team["name"] = f"{team['name']} {MARKUP}"
    for inject in [i for move in data["moves"] for i in move["injects"]] + data["contingencies"]:
        for key in ("title", "body", "source", "notes"):
            inject[key] = f"{inject.get(key) or key} {MARKUP}"
        if inject.get("decision"):
            inject["decision"]["prompt"] = f"{inject['decision']['prompt']} {MARKUP}"
            for option in inject["decision"]["options"]:
                option["label"] = f"{option['label']} {MARKUP}"
                option["consequence"] = MARKUP
        inject["expected"] = {team: MARKUP for team in (inject.get("expected") or {"us": ""})}
    clock = FakeClock()
    session = Session.create_from_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "markup.yaml",
                                       folder / "markup.session", clock=clock, author=f"fac {MARKUP}")
    session.start()
    clock.advance(minutes=20)
    session.deliver("M1-02")
    session.decide("rok", "M1-02", option="direct", text=MARKUP, rationale=MARKUP, dissent=MARKUP)
    session.note(MARKUP, inject="M1-02")
    session.rule(MARKUP, rationale=MARKUP)
    session.adhoc(f"ad hoc {MARKUP}", MARKUP, ["us"], source=MARKUP)
    return session


async def test_console_prints_typed_markup_as_text(tmp_path: Path) -> None:
    """Every screen of the console opens over a session full of markup-like text, and the card shows it verbatim."""
    from datetime import timezone

    from rich.console import Console

    from tabletop.app import ConsoleApp
    from tabletop.app.widgets.card import InjectCard, render_card

    session = markup_session(tmp_path)
    app = ConsoleApp(session, wall_zone=timezone.utc, blink=False, bell=False, poll_interval=3600.0,
                     tick_interval=3600.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        for key in ("down", "down", "enter"):
            await pilot.press(key)
            await pilot.pause()
        card = app.screen.query(InjectCard).first()
        assert card.view is not None
        recorder = Console(width=400, record=True, file=io.StringIO())
        recorder.print(render_card(card.view))
        shown = recorder.export_text()
        assert "[/nope]" in shown and "[@click=app.quit]" in shown
        opened = []
        for key in ("escape", "r", "escape", "n", "escape", "w", "escape", "o", "escape", "c", "escape", "a",
                    "escape", "l", "end", "x", "escape", "question_mark", "escape", "E", "escape"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running, f"the console stopped after {key!r}"
            opened.append(type(app.screen).__name__)
        assert {"DecisionForm", "NoteForm", "RulingForm", "ObservationForm", "ContingencyPicker", "AdhocForm",
                "CorrectionForm", "HelpScreen", "EndexForm"} <= set(opened), opened
    session.close()


# --- templates and YAML build nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "{{ '{0.__class__.__mro__}'.format(title) }}",
        "{{ title|attr('__class__') }}",
        "{{ title|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
        "{{ self.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ range.__self__ }}",
        "{{ dict.__base__.__subclasses__() }}",
        "{{ joiner.__init__.__globals__['os'] }}",
        "{% set ns = namespace() %}{{ ns.__class__.__init__.__globals__ }}",
        "{{ title.__len__.__self__.__class__ }}",
        "{{ range(10**9)|list|length }}",
        "{{ 1 / 0 }}",
        "{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}",
        "{{ moves.append(1) }}",
        "{{ exercise.clear() }}",
    ],
)
def test_report_template_cannot_escape_the_sandbox(hostile: Session, template: str) -> None:
    with pytest.raises(ReportError):
        render_report(session=hostile, fmt="html", template=template)


def test_report_template_cannot_read_files_through_the_cli(hostile: Session, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "mine.html.j2"
    template.write_text("{% include '/etc/passwd' %}{{ lipsum.__globals__.os.popen('id').read() }}", encoding="utf-8")
    code = main(["report", str(hostile.path), "--template", str(template), "-o", str(tmp_path / "out.html")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("tabletop: ") and "root:" not in err
    assert not (tmp_path / "out.html").exists()


TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:argparse.Namespace {{a: 1}}",
]


@pytest.mark.parametrize("tag", TAGS)
def test_yaml_tags_build_nothing(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    text = EXERCISE_YAML.replace("title: Strait Drill", f"title: {tag.format(marker=marker)}", 1)
    with pytest.raises(ExerciseError) as caught:
        load_exercise_text(text, "tagged.yaml")
    assert "is not allowed: exercises hold plain data only" in str(caught.value)
    with pytest.raises(ExerciseError):
        Session.create_from_text(text, "tagged.yaml", tmp_path / "s.session")
    assert not marker.exists()
    assert not (tmp_path / "s.session").exists()


def test_tagged_exercise_copy_inside_a_session_file_builds_nothing(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A crafted session file whose exercise copy (with a matching hash) carries an object tag."""
    marker = tmp_path / "constructed"
    session = Session.create_from_text(EXERCISE_YAML, "drill.yaml", tmp_path / "s.session")
    session.close()
    text = EXERCISE_YAML.replace("title: Strait Drill", f"title: !!python/object/apply:os.system ['touch {marker}']")
    db = sqlite3.connect(tmp_path / "s.session")
    with db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'exercise_text'", (text,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'exercise_sha256'", (hashlib.sha256(text.encode()).hexdigest(),))
    db.close()
    with pytest.raises(StoreError, match="no longer loads"):
        Session.open(tmp_path / "s.session", readonly=True)
    assert main(["session", "log", str(tmp_path / "s.session")]) == 1
    assert "not allowed" in capsys.readouterr().err
    assert not marker.exists()


# --- need-to-know over every bundled exercise -----------------------------------------------------


MARKER = re.compile(r"Qx\d+xQ")


@dataclass
class Planted:
    """Markers planted in an exercise and a session, and who may see each."""

    owners: dict[str, frozenset[str]] = field(default_factory=dict)
    """marker -> the teams whose views may show it (empty: no participant may)."""
    from_exercise: set[str] = field(default_factory=set)
    """Markers that come from the exercise file (what printed handouts can hold)."""
    brief_of: dict[str, str] = field(default_factory=dict)
    """team -> the marker planted in its brief (what its STARTEX packet must hold)."""
    in_injects: set[str] = field(default_factory=set)
    """Markers planted in inject bodies: played at delivery, never printed in a team's packet."""

    def plant(self, teams: list[str] | tuple[str, ...] = (), *, exercise: bool = False) -> str:
        """A fresh marker that only `teams` may see."""
        marker = f"Qx{len(self.owners) + 1}xQ"
        self.owners[marker] = frozenset(teams)
        if exercise:
            self.from_exercise.add(marker)
        return marker

    def visible_to(self, team: str, *, exercise_only: bool = False) -> set[str]:
        """Markers this team's views must show."""
        pool = self.from_exercise if exercise_only else set(self.owners)
        return {m for m in pool if team in self.owners[m]}

    def hidden_from(self, team: str) -> set[str]:
        """Markers this team's views must not show."""
        return {m for m, teams in self.owners.items() if team not in teams}


def plant_in_exercise(text: str, planted: Planted) -> str:
    """The exercise with a marker in every secret and every routed text, each owned by who may read it."""
    exercise = load_exercise_text(text, "bundled.yaml", files=False)
    data = yaml.safe_load(text)
    for key in ("scope", "point_of_contact"):
        data[key] = f"{planted.plant(exercise=True)} {data.get(key) or key}"
    for team in data["teams"]:
        owners = [team["id"]] if team.get("kind", "player") != "control" else []
        brief = planted.plant(owners, exercise=True)
        if owners:
            planted.brief_of[team["id"]] = brief
        team["brief"] = f"{brief} {team.get('brief') or 'Brief.'}"
    for objective in data["objectives"]:
        objective["capability"] = f"{planted.plant(exercise=True)} {objective.get('capability') or ''}"
    by_id = {i.id: i for i in exercise.all_injects()}
    injects = list(data.get("contingencies") or [])
    for move in data["moves"]:
        questions = move.get("questions") or {}
        for team_id in list(questions):
            if team_id != "all":
                owners = [team_id] if team_id in {t.id for t in participants(exercise)} else []
                questions[team_id] = [f"{planted.plant(owners, exercise=True)} {q}" for q in questions[team_id]]
        injects += move["injects"]
    for inject in injects:
        recipients = exercise.recipients(by_id[inject["id"]])
        body = planted.plant(recipients, exercise=True)
        planted.in_injects.add(body)
        inject["body"] = f"{body} {inject['body']}"
        inject["notes"] = f"{planted.plant(exercise=True)} {inject.get('notes') or ''}"
        inject["expected"] = {team: f"{planted.plant(exercise=True)} {what}"
                              for team, what in (inject.get("expected") or {}).items()}
        for option in (inject.get("decision") or {}).get("options", []):
            option["consequence"] = f"{planted.plant(exercise=True)} {option.get('consequence') or ''}"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def play_everything(exercise_path: Path, folder: Path, planted: Planted) -> Session:
    """Every inject and contingency delivered (forced past conditions), every decider answering with a
    marker only it may see, ad-hoc injects to one team and to all, and every facilitator record marked."""
    text = plant_in_exercise(exercise_path.read_text(encoding="utf-8"), planted)
    clock = FakeClock()
    session = Session.create_from_text(text, str(exercise_path), folder / f"{exercise_path.stem}.session", clock=clock)
    exercise = session.exercise
    players = [t.id for t in exercise.player_teams]
    viewers = [t.id for t in participants(exercise)]
    session.start()
    for index, move in enumerate(exercise.moves):
        if index:
            session.advance()
        for inject in move.injects:
            clock.advance(minutes=1)
            session.deliver(inject.id, force=True)
            for team in exercise.deciders(inject):
                mine = planted.plant([team])
                session.decide(team, inject.id, option=inject.decision.options[-1].id if inject.decision else None,
                               text=mine, rationale=mine, dissent=mine)
            session.note(planted.plant(), inject=inject.id)
        session.rule(planted.plant(), team=players[0])
        session.observe(exercise.objectives[0].id, "M", planted.plant())
    for inject in exercise.contingencies:
        session.deliver(inject.id, force=True)
    one = planted.plant([players[0]])
    session.adhoc(f"{one} ad-hoc title", f"{one} ad-hoc body", [players[0]])
    everyone = planted.plant(viewers)
    session.adhoc(f"{everyone} ad-hoc title", f"{everyone} ad-hoc body", "all")
    session.end()
    session.hotwash("improvement", planted.plant(), team=players[-1])
    return session


BUNDLED = sorted(exercises_dir().glob("*.yaml"))


@pytest.mark.parametrize("exercise_path", BUNDLED, ids=[p.stem for p in BUNDLED])
async def test_need_to_know_over_every_team_of_a_bundled_exercise(exercise_path: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    planted = Planted()
    writer = play_everything(exercise_path, tmp_path, planted)
    writer.close()
    session = Session.open(tmp_path / f"{exercise_path.stem}.session", readonly=True, clock=FakeClock())
    server = TeamServer(session, new_links(session), ServeOptions(max_connections=8, refresh=0.5))
    try:
        teams = [t.id for t in participants(session.exercise)]
        assert len(teams) >= 3
        async with TestClient(TestServer(server.app())) as client:
            for team in teams:
                visible, hidden = planted.visible_to(team), planted.hidden_from(team)
                assert visible, f"nothing planted for {team}"
                rule = json.dumps(team_view(session, team).as_dict(), ensure_ascii=False)
                assert main(["view", str(session.path), "--team", team, "--plain"]) == 0
                plain = capsys.readouterr().out
                token = next(link.token for link in server.links if link.team == team)
                page = await (await client.get(f"/t/{token}/")).text()
                data = await (await client.get(f"/t/{token}/view.json")).text()
                for name, text in (("rule", rule), ("plain", plain), ("page", page), ("json", data)):
                    seen = set(MARKER.findall(text))
                    assert seen & hidden == set(), f"{team} sees {sorted(seen & hidden)[:5]} in the {name} view"
                    assert visible - seen == set(), f"{team} misses {sorted(visible - seen)[:5]} in the {name} view"
                packet = render_handouts(exercise=session.exercise, fmt="html", team=team)
                seen = set(MARKER.findall(str(packet)))
                assert seen & hidden == set(), f"{team}'s packet holds {sorted(seen & hidden)[:5]}"
                assert planted.brief_of[team] in seen, f"{team}'s packet lacks its brief"
                assert seen & planted.in_injects == set(), f"{team}'s packet prints injects before they are played"
    finally:
        session.close()
