"""The exercise documents: what each must contain, and the read-ahead's need-to-know."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tabletop.loader import load_exercise
from tabletop.report.documents import KINDS, document_context, render_document
from tabletop.report.render import ReportError
from tabletop.resources import exercises_dir

FIXTURE = Path(__file__).parent / "fixtures" / "harbour-workshop.yaml"
MARKER = re.compile(r"SECRET-[A-Z0-9-]+")


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return load_exercise(FIXTURE)


def _strings(value: object) -> list[str]:
    """Every string inside a context, as written (no escaping)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _markers() -> set[str]:
    return set(MARKER.findall(FIXTURE.read_text(encoding="utf-8")))


def test_the_fixture_plants_a_marker_in_every_later_or_private_field() -> None:
    assert _markers() == {
        "SECRET-BRIEF-NORTH", "SECRET-BRIEF-SOUTH", "SECRET-NOTE-M1", "SECRET-EXPECTED-NORTH",
        "SECRET-CONSEQUENCE-NORTH", "SECRET-CONDITIONAL-TITLE", "SECRET-CONDITIONAL-BODY",
        "SECRET-SITUATION-M2", "SECRET-VARIANT-NORTH", "SECRET-VARIANT-SPLIT", "SECRET-LATER-TITLE",
        "SECRET-LATER-BODY", "SECRET-CONTINGENCY-TITLE", "SECRET-CONTINGENCY-BODY", "SECRET-SCRIPT",
        "SECRET-LOOKFOR", "SECRET-TASK",
    }


@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize("team", ["north", "south", "guard"])
def test_a_teams_read_ahead_holds_only_what_it_knows_at_startex(exercise, fmt: str, team: str) -> None:  # type: ignore[no-untyped-def]
    text = render_document(exercise=exercise, kind="sitman", fmt=fmt, team=team)
    assert isinstance(text, str)
    own = {"north": {"SECRET-BRIEF-NORTH"}, "south": {"SECRET-BRIEF-SOUTH"}, "guard": set()}[team]
    assert set(MARKER.findall(text)) == own
    for expected in ("Non-attribution", "300 passengers", "Vessel Traffic Service", "09:15", "10:30",
                     "The morning ferry leaves North Quay", "Who do you call first?",
                     "North Harbour Joint Emergency Plan", "EXERCISE - FOR TRAINING ONLY",
                     "The scenario is fictional", "Agree a single incident commander"):
        assert expected in text, expected


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_read_ahead_for_every_table_has_no_private_brief_and_nothing_later(exercise, fmt: str) -> None:  # type: ignore[no-untyped-def]
    text = render_document(exercise=exercise, kind="sitman", fmt=fmt)
    assert isinstance(text, str)
    assert set(MARKER.findall(text)) == set(), "a copy for every table carries no team's brief"
    assert "Private brief" not in text
    assert text.count("Situation at STARTEX") == 1
    assert "The morning ferry leaves North Quay" in text and "Every participant team" in text


def test_the_read_ahead_pdf_has_no_marker_of_later_play(exercise) -> None:  # type: ignore[no-untyped-def]
    pdf = render_document(exercise=exercise, kind="sitman", fmt="pdf", team="guard")
    assert isinstance(pdf, bytes)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "SECRET" not in text
    assert "Situation Manual" in text and "Ground rules" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_facilitator_guide_has_the_whole_game(exercise, fmt: str) -> None:  # type: ignore[no-untyped-def]
    text = render_document(exercise=exercise, kind="facilitator", fmt=fmt)
    assert isinstance(text, str)
    for marker in ("SECRET-SCRIPT", "SECRET-NOTE-M1", "SECRET-CONSEQUENCE-NORTH", "SECRET-VARIANT-NORTH",
                   "SECRET-VARIANT-SPLIT", "SECRET-CONDITIONAL-BODY", "SECRET-CONTINGENCY-BODY",
                   "SECRET-BRIEF-SOUTH", "SECRET-EXPECTED-NORTH"):
        assert marker in text, marker
    assert "09:15–10:15" in text and "10:30–11:30" in text
    assert "09:20 wall clock · +00:05" in text and "10:40 wall clock · +01:10" in text
    assert "any team chose each-own on M1-01" in text
    assert "What would you change in your plan tomorrow?" in text


def test_the_facilitator_guide_says_which_branches_each_option_opens(exercise) -> None:  # type: ignore[no-untyped-def]
    context = document_context(exercise, "facilitator")
    options = {o["id"]: o["opens"] for o in context["moves"][0]["injects"][0]["decision"]["options"]}
    assert options == {
        "north-leads": ["move M2 situation variant 1"],
        "guard-leads": [],
        "each-own": ["inject M1-02", "move M2 situation variant 2"],
    }


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_evaluator_handbook_has_an_eeg_per_objective(exercise, fmt: str) -> None:  # type: ignore[no-untyped-def]
    text = render_document(exercise=exercise, kind="evaluator", fmt=fmt)
    assert isinstance(text, str)
    assert text.count("Exercise Evaluation Guide — ") == 2
    assert "SECRET-TASK" in text and "SECRET-LOOKFOR" in text
    assert "Operational Coordination" in text
    assert "Performed without challenges" in text and "Unable to be performed" in text
    assert "M1-01" in text and "SECRET-EXPECTED-NORTH" in text


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_feedback_form_asks_the_hotwash_questions_and_about_each_objective(exercise, fmt: str) -> None:  # type: ignore[no-untyped-def]
    text = render_document(exercise=exercise, kind="feedback", fmt=fmt)
    assert isinstance(text, str)
    assert "What went well in the first 20 minutes?" in text
    assert "Inform the public with one voice." in text
    assert not MARKER.findall(text)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_cards_are_the_control_decks_with_conditions_and_no_facilitator_fields(exercise, fmt: str) -> None:  # type: ignore[no-untyped-def]
    text = render_document(exercise=exercise, kind="cards", fmt=fmt)
    assert isinstance(text, str)
    assert "SECRET-CONDITIONAL-BODY" in text and "SECRET-CONTINGENCY-BODY" in text
    assert "any team chose each-own on M1-01" in text
    for private in ("SECRET-NOTE-M1", "SECRET-EXPECTED-NORTH", "SECRET-CONSEQUENCE-NORTH", "SECRET-BRIEF"):
        assert private not in text
    south = document_context(exercise, "cards", "south")
    assert [c["id"] for c in south["cards"]] == ["M1-01", "M2-01", "C-1"]


def test_documents_refuse_what_they_cannot_print(exercise) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReportError, match="--team works with"):
        render_document(exercise=exercise, kind="facilitator", team="north")
    with pytest.raises(ReportError, match="control cell"):
        render_document(exercise=exercise, kind="sitman", team="control")
    with pytest.raises(ReportError, match="unknown document"):
        render_document(exercise=exercise, kind="aar")
    with pytest.raises(ReportError, match="unknown document format"):
        render_document(exercise=exercise, kind="sitman", fmt="docx")


@pytest.mark.parametrize("path", sorted(exercises_dir().glob("*.yaml")), ids=lambda p: p.stem)
@pytest.mark.parametrize("kind", KINDS)
def test_every_bundled_exercise_prints_every_document(path: Path, kind: str) -> None:
    bundled = load_exercise(path)
    for fmt in ("html", "md"):
        text = render_document(exercise=bundled, kind=kind, fmt=fmt)
        assert isinstance(text, str) and bundled.marking in text and bundled.title in text


def test_the_docs_verb_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "guide.md"
    done = subprocess.run(
        [sys.executable, "-m", "tabletop", "docs", str(FIXTURE), "--kind", "facilitator", "-f", "md", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "SECRET-VARIANT-NORTH" in out.read_text(encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "tabletop", "docs", str(FIXTURE), "--kind", "evaluator", "--team", "north"],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "--team works with" in bad.stderr


@pytest.mark.parametrize("path", sorted(exercises_dir().glob("*.yaml")), ids=lambda p: p.stem)
def test_a_bundled_read_ahead_holds_nothing_of_later_play(path: Path) -> None:
    from tabletop.need_to_know import participants

    bundled = load_exercise(path)
    later = [mv.situation for mv in bundled.moves[1:]] + [v.text for mv in bundled.moves for v in mv.situation_variants]
    private = [i.body for i in bundled.all_injects()] + [i.notes for i in bundled.all_injects() if i.notes]
    private += [o.consequence for i in bundled.all_injects() if i.decision for o in i.decision.options if o.consequence]
    for team in participants(bundled):
        text = render_document(exercise=bundled, kind="sitman", fmt="md", team=team.id)
        assert isinstance(text, str)
        context = "\n".join(_strings(document_context(bundled, "sitman", team.id)))
        for secret in later + private + [t.brief for t in bundled.teams if t.brief and t.id != team.id]:
            assert secret not in context, (team.id, secret[:60])
        others = [t.brief for t in bundled.teams if t.brief and t.id != team.id]
        for secret in later + private + others:
            assert secret.strip()[:60] not in text, (team.id, secret[:60])
        if team.brief:
            assert team.brief.strip().splitlines()[0][:40] in text


@pytest.mark.parametrize("path", sorted(exercises_dir().glob("*.yaml")), ids=lambda p: p.stem)
def test_a_bundled_exercise_fills_every_document(path: Path) -> None:
    """The bundled exercises carry what the documents are for, and each document prints it."""
    bundled = load_exercise(path)
    assert bundled.agenda is not None and bundled.ground_rules and bundled.hotwash_questions
    assert bundled.background and bundled.glossary and bundled.references
    assert all(o.criteria and o.criteria.critical_tasks and o.criteria.look_for for o in bundled.objectives)
    assert all(mv.situation_variants for mv in bundled.moves[1:])
    sitman = render_document(exercise=bundled, kind="sitman", fmt="md")
    facilitator = render_document(exercise=bundled, kind="facilitator", fmt="md")
    evaluator = render_document(exercise=bundled, kind="evaluator", fmt="md")
    feedback = render_document(exercise=bundled, kind="feedback", fmt="md")
    assert isinstance(sitman, str) and isinstance(facilitator, str)
    assert isinstance(evaluator, str) and isinstance(feedback, str)
    flat = {name: " ".join(text.split()) for name, text in
            (("sitman", sitman), ("facilitator", facilitator), ("evaluator", evaluator), ("feedback", feedback))}
    for rule in bundled.ground_rules:
        assert " ".join(rule.split())[:50] in flat["sitman"] and " ".join(rule.split())[:50] in flat["facilitator"]
    for item in bundled.agenda.items:
        assert item.title in flat["sitman"] and item.title in flat["facilitator"]
    for question in bundled.hotwash_questions:
        assert " ".join(question.split())[:50] in flat["facilitator"]
    for objective in bundled.objectives:
        assert objective.criteria is not None
        for task in objective.criteria.critical_tasks:
            assert " ".join(task.split())[:50] in flat["evaluator"], task
    for mv in bundled.moves:
        for variant in mv.situation_variants:
            assert " ".join(variant.text.split())[:50] in flat["facilitator"]
            assert " ".join(variant.text.split())[:50] not in flat["sitman"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_of_a_bundled_exercise_prints_as_pdf(kind: str) -> None:
    bundled = load_exercise(exercises_dir() / "disaster-relief.yaml")
    pdf = render_document(exercise=bundled, kind=kind, fmt="pdf")
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0].extract_text()
    assert bundled.marking.split()[0] in first and len(reader.pages) >= 2
