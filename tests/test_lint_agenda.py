"""Lint of the workshop fields: the agenda adds up, and every written consequence shows later."""

from __future__ import annotations

from pathlib import Path

from tabletop.cli import main
from tabletop.lint import lint
from tabletop.loader import load_text

FIXTURE = Path(__file__).parent / "fixtures" / "harbour-workshop.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")


def warnings_of(text: str, consequences: bool = True) -> list[str]:
    return [d.format() for d in lint(load_text(text, "w.yaml"), consequences=consequences)]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_fixture_agenda_adds_up() -> None:
    assert warnings_of(TEXT) == []


def test_a_move_whose_injects_outrun_its_slot() -> None:
    text = TEXT.replace('{title: "Move 2: Who speaks", kind: move, move: M2, minutes: 60}',
                        '{title: "Move 2: Who speaks", kind: move, move: M2, minutes: 5}')
    text = text.replace('duration: "+02:00"', 'duration: "+01:05"')
    (warning,) = warnings_of(text)
    assert warning.startswith(f"w.yaml:{line_of(text, 'Move 2: Who speaks')}:")
    assert "move 'M2' runs its injects over 10 minutes, longer than its 5-minute slot" in warning


def test_a_long_session_without_a_break() -> None:
    text = TEXT.replace("{title: Coffee, kind: break, minutes: 15}", "{title: Coffee, kind: plenary, minutes: 15}")
    text = text.replace("kind: move, move: M2, minutes: 60}", "kind: move, move: M2, minutes: 60}\n"
                        "    - {title: Plenary, kind: plenary, minutes: 40}")
    (warning,) = warnings_of(text)
    assert "190 minutes without a break by the end of 'Plenary'" in warning
    assert warning.startswith(f"w.yaml:{line_of(text, 'title: Plenary')}:")


def test_totals_must_match_the_duration() -> None:
    (warning,) = warnings_of(TEXT.replace('duration: "+02:00"', 'duration: "+02:30"'))
    assert "the agenda gives the moves 120 minutes, but the exercise's duration is 150 minutes" in warning
    assert warning.startswith(f"w.yaml:{line_of(TEXT, 'duration:')}:")


def test_a_move_missing_from_the_agenda() -> None:
    text = TEXT.replace('    - {title: "Move 2: Who speaks", kind: move, move: M2, minutes: 60}\n', "")
    text = text.replace('duration: "+02:00"', 'duration: "+01:00"')
    assert warnings_of(text) == [f"w.yaml:{line_of(text, '- id: M2')}:9: warning: move 'M2' has no slot on the agenda"]


def test_a_consequence_nothing_later_shows_is_named() -> None:
    assert warnings_of(TEXT, consequences=True) == []
    text = TEXT.replace("- {id: guard-leads, label: The coast guard leads, posture: deferring}",
                        "- {id: guard-leads, label: The coast guard leads, posture: deferring, consequence: CG runs it.}")
    (warning,) = warnings_of(text, consequences=True)
    assert warning.startswith(f"w.yaml:{line_of(text, 'id: guard-leads')}:")
    assert "the consequence of option 'guard-leads' of 'M1-01' never shows" in warning
    assert warnings_of(text, consequences=False) == []
    noted = text.replace("SECRET-NOTE-M1 Watch who takes the lead.", "SECRET-NOTE-M1 If guard-leads, play the CG.")
    assert warnings_of(noted, consequences=True) == []


def test_an_option_shown_only_by_a_variant_counts() -> None:
    text = TEXT.replace("chose: {inject: M1-01, option: north-leads}", "decided: {inject: M1-01}")
    (warning,) = warnings_of(text, consequences=True)
    assert "option 'north-leads'" in warning


def test_the_lint_verb_names_consequences_unless_told_not_to(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "w.yaml"
    path.write_text(TEXT.replace("chose: {inject: M1-01, option: north-leads}", "decided: {inject: M1-01}"),
                    encoding="utf-8")
    assert main(["lint", "--strict", str(path)]) == 1
    assert "the consequence of option 'north-leads'" in capsys.readouterr().err
    assert main(["lint", "--strict", "--no-consequences", str(path)]) == 0


NORTH_ONLY = TEXT.replace("chose: {inject: M1-01, option: each-own}",
                          "chose: {inject: M1-01, team: north, option: each-own}")


def _noted(text: str, note: str) -> str:
    return text.replace("notes: SECRET-NOTE-M1 Watch who takes the lead.", f"notes: {note}")


def test_a_note_naming_a_team_the_condition_does_not_ask_is_named() -> None:
    assert warnings_of(NORTH_ONLY) == []
    text = _noted(NORTH_ONLY, "Watch who takes the lead. If only the SPA chose each-own, read M1-02.")
    (warning,) = warnings_of(text)
    assert warning.startswith(f"w.yaml:{line_of(text, 'Watch who takes the lead.')}:16: warning:")
    assert ("the note says 'If only the SPA chose each-own, read M1-02.', but 'M1-02' fires only if "
            "'north' chooses 'each-own' on 'M1-01'") in warning


def test_a_note_naming_an_option_the_condition_does_not_ask_is_named() -> None:
    (warning,) = warnings_of(_noted(TEXT, "M1-02 fires when the coast guard leads."))
    assert "but 'M1-02' fires only if 'each-own' is chosen on 'M1-01'" in warning


def test_a_note_on_the_conditional_inject_itself_is_read_against_its_own_condition() -> None:
    text = NORTH_ONLY.replace("        condition:\n          chose: {inject: M1-01, team: north",
                              "        notes: Only if the Coast Guard decided each-own.\n"
                              "        condition:\n          chose: {inject: M1-01, team: north")
    (warning,) = warnings_of(text)
    assert warning.startswith(f"w.yaml:{line_of(text, 'Only if the Coast Guard')}:")
    assert "'M1-02' fires only if 'north' chooses 'each-own'" in warning


def test_notes_that_agree_with_the_condition_or_only_mention_teams_pass() -> None:
    for note in ("If the North Port Authority chose each-own, M1-02 fires.",
                 "If NORTH or the SPA picks each-own, M1-02 may fire.",
                 "If M1-02 fires, ask the Coast Guard how it feels about it.",
                 "M1-02 shows the South Port Authority choosing a different quay.",
                 "Read M1-02 if the agencies each run their own response."):
        assert warnings_of(_noted(NORTH_ONLY, note)) == [], note


def test_a_team_is_recognised_by_an_id_that_is_a_name() -> None:
    text = NORTH_ONLY.replace("- {id: south, name: South Port Authority, short: SPA,",
                              "- {id: southport, name: South Port Authority, short: SPA,")
    text = text.replace("to: [south]", "to: [southport]")
    (warning,) = warnings_of(_noted(text, "If only Southport chose each-own, read M1-02."))
    assert "'M1-02' fires only if 'north' chooses 'each-own'" in warning
    assert warnings_of(_noted(text, "Tell us if anyone chose each-own; read M1-02 then.")) == []
