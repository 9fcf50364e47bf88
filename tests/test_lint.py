"""Lint: quality warnings on valid exercises, each at the node to look at."""

from __future__ import annotations

from tabletop.lint import lint
from tabletop.loader import load_text
from tests.test_loader import GOOD


def warnings_of(text: str) -> list[str]:
    return [d.format() for d in lint(load_text(text, "x.yaml"))]


def test_good_exercise_is_clean() -> None:
    assert warnings_of(GOOD) == []


def test_objective_exercised_by_no_inject() -> None:
    text = GOOD.replace(
        "    capability: Mass Search and Rescue Operations\n",
        "    capability: Mass Search and Rescue Operations\n  - id: OBJ-2\n    text: Inform the public.\n",
    )
    assert warnings_of(text) == ["x.yaml:23:9: warning: objective 'OBJ-2' is exercised by no inject"]


def test_team_receiving_nothing_in_a_move() -> None:
    text = GOOD.replace("        to: all\n        channel: intelligence", "        to: [rok]\n        channel: intelligence")
    text = text.replace("to: [rok, us]", "to: [rok]")
    assert warnings_of(text) == ["x.yaml:24:9: warning: team 'us' receives no inject in move 'M1'"]


def test_decision_put_to_no_player_team() -> None:
    text = GOOD.replace("          prompt: Do you hail", "          teams: [control]\n          prompt: Do you hail")
    text = text.replace("chose: {inject: A, team: rok, option: direct}", "chose: {inject: A, option: direct}")
    assert warnings_of(text) == ["x.yaml:42:11: warning: the decision on 'A' is put to no player team"]


def test_unreachable_conditional_inject() -> None:
    text = GOOD.replace(
        "          any:\n            - chose: {inject: A, team: rok, option: direct}\n            - not: {delivered: A}\n",
        "          all:\n            - chose: {inject: A, team: rok, option: direct}\n"
        "            - chose: {inject: A, team: rok, option: alone}\n",
    )
    assert warnings_of(text) == [
        "x.yaml:54:11: warning: inject 'B' can never fire: no combination of decisions "
        "and deliveries before it satisfies its condition"
    ]


def test_condition_on_a_later_inject_is_unreachable() -> None:
    text = GOOD.replace(
        "      - id: A\n        at: \"+00:10\"",
        "      - id: A\n        at: \"+00:10\"\n        condition: {delivered: B}",
    )
    lines = warnings_of(text)
    assert lines == [
        "x.yaml:33:20: warning: inject 'A' can never fire: no combination of decisions "
        "and deliveries before it satisfies its condition"
    ]


def test_two_teams_choosing_differently_is_reachable() -> None:
    text = GOOD.replace(
        "          any:\n            - chose: {inject: A, team: rok, option: direct}\n            - not: {delivered: A}\n",
        "          all:\n            - chose: {inject: A, team: rok, option: direct}\n"
        "            - chose: {inject: A, team: us, option: alone}\n",
    )
    assert warnings_of(text) == []


def test_long_silent_gap_inside_a_move() -> None:
    text = GOOD.replace('at: "+00:40"', 'at: "+01:30"')
    assert warnings_of(text) == [
        "x.yaml:47:13: warning: 80 minutes of silence before 'B' (more than 45); add an inject or move it earlier"
    ]


def test_a_situation_variant_no_earlier_play_selects() -> None:
    from pathlib import Path

    from tabletop.loader import load_text

    text = (Path(__file__).parent / "fixtures" / "harbour-workshop.yaml").read_text(encoding="utf-8")
    both = ("all: [{chose: {inject: M1-01, team: north, option: north-leads}}, "
            "{chose: {inject: M1-01, team: north, option: each-own}}]")
    text = text.replace("          chose: {inject: M1-01, option: north-leads}", "          " + both)
    (warning,) = [d.format() for d in lint(load_text(text, "w.yaml"))]
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "all: [{chose" in row)
    assert warning.startswith(f"w.yaml:{line}:")
    assert "situation variant 1 of move 'M2' can never be read" in warning
