"""The workshop fields of the format: agenda, ground rules, criteria, situation variants, glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop import model as m
from tabletop.loader import ExerciseError, load_exercise, load_exercise_text

FIXTURE = Path(__file__).parent / "fixtures" / "harbour-workshop.yaml"


def _text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def _errors(text: str) -> list[str]:
    with pytest.raises(ExerciseError) as caught:
        load_exercise_text(text, "w.yaml")
    return [d.format() for d in caught.value.diagnostics]


def test_fixture_loads_every_document_field() -> None:
    exercise = load_exercise(FIXTURE)
    assert exercise.agenda is not None
    assert exercise.agenda.start == 9 * 60
    assert [i.kind for i in exercise.agenda.items][:3] == [m.AgendaKind.welcome, m.AgendaKind.rules, m.AgendaKind.move]
    assert exercise.agenda.items[2].move == "M1"
    assert exercise.ground_rules[1].startswith("No-fault")
    assert exercise.hotwash_questions[0] == "What went well in the first 20 minutes?"
    criteria = exercise.objectives[0].criteria
    assert criteria is not None and len(criteria.critical_tasks) == 2 and criteria.look_for
    assert exercise.objectives[1].criteria is None
    variants = exercise.moves[1].situation_variants
    assert isinstance(variants[0].when, m.ChoseCondition)
    assert isinstance(variants[1].when, m.AnyCondition)
    assert exercise.glossary[0].term == "VTS"
    assert exercise.references[0].url == "https://example.org/plan.pdf"
    assert exercise.background and "300 passengers" in exercise.background


def test_agenda_move_slot_must_name_a_real_move() -> None:
    text = _text().replace("kind: move, move: M2,", "kind: move, move: M9,")
    (error,) = _errors(text)
    assert error.startswith("w.yaml:")
    assert "unknown move 'M9'" in error
    line = int(error.split(":")[1])
    assert "M9" in text.splitlines()[line - 1]


def test_agenda_move_slot_without_move_and_break_with_move() -> None:
    text = _text().replace("kind: move, move: M2,", "kind: move,").replace(
        "{title: Coffee, kind: break, minutes: 15}", "{title: Coffee, kind: break, move: M1, minutes: 15}")
    errors = _errors(text)
    assert any("is a move slot: name its move" in e for e in errors)
    assert any("is a break slot, so it cannot name a move" in e for e in errors)


def test_agenda_start_must_be_a_clock_time() -> None:
    (error,) = _errors(_text().replace('start: "09:00"', 'start: "9h"'))
    assert "is not a wall-clock time" in error


def test_agenda_kind_is_checked() -> None:
    (error,) = _errors(_text().replace("kind: hotwash", "kind: debrief"))
    assert "hotwash" in error and "w.yaml:" in error


def test_variant_condition_names_known_injects() -> None:
    (error,) = _errors(_text().replace("delivered: M1-02", "delivered: M1-99"))
    assert "unknown inject 'M1-99'" in error


def test_variant_condition_cannot_ask_about_its_own_move() -> None:
    (error,) = _errors(_text().replace("delivered: M1-02", "delivered: M2-01"))
    assert "asks about inject 'M2-01'" in error and "never apply" in error


def test_variant_condition_uses_the_condition_union() -> None:
    text = _text().replace("chose: {inject: M1-01, option: north-leads}", "if: north leads")
    (error,) = _errors(text)
    assert "exactly one of the keys" in error


def test_variant_needs_text() -> None:
    text = _text().replace("        text: SECRET-VARIANT-NORTH", "        txt: SECRET-VARIANT-NORTH")
    errors = _errors(text)
    assert any("text" in e for e in errors)


def test_criteria_unknown_key_is_an_error() -> None:
    (error,) = _errors(_text().replace("look_for:", "lookfor:"))
    assert "lookfor" in error
