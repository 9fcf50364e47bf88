"""The bundled exercises: each validates, lints clean and has what a first day needs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tabletop import model as m
from tabletop.lint import lint
from tabletop.loader import LoadedExercise, load
from tabletop.resources import exercises_dir

BUNDLED = ["disaster-relief.yaml", "south-china-sea-incident.yaml", "yellow-sea-refugees.yaml"]
PLAYERS = {"us", "japan", "rok", "china"}
MODELINE = "# yaml-language-server: $schema=../schema/exercise.schema.json"


def test_the_three_exercises_ship() -> None:
    assert sorted(p.name for p in exercises_dir().glob("*.yaml")) == BUNDLED


@pytest.fixture(params=BUNDLED, scope="module")
def loaded(request: pytest.FixtureRequest) -> LoadedExercise:
    return load(exercises_dir() / request.param)


def test_modeline_and_marking(loaded: LoadedExercise) -> None:
    assert loaded.text.splitlines()[0] == MODELINE
    marking = loaded.exercise.marking.upper()
    assert "EXERCISE" in marking and ("FICTIONAL" in marking or "NOT REAL" in marking)
    assert loaded.exercise.disclaimer and "invented" in loaded.exercise.disclaimer


def test_lints_clean(loaded: LoadedExercise) -> None:
    assert [d.format() for d in lint(loaded)] == []


def test_teams(loaded: LoadedExercise) -> None:
    ex = loaded.exercise
    assert PLAYERS <= {t.id for t in ex.player_teams}
    kinds = Counter(t.kind for t in ex.teams)
    assert kinds[m.TeamKind.control] == 1
    assert kinds[m.TeamKind.observer] >= 1
    for team in ex.teams:
        assert team.brief and len(team.brief.split()) >= 60, f"{team.id} needs a real private brief"
    briefs = [t.brief for t in ex.teams]
    assert len(set(briefs)) == len(briefs)


def test_size_and_pacing(loaded: LoadedExercise) -> None:
    ex = loaded.exercise
    assert len(ex.moves) >= 3
    scheduled = [i for mv in ex.moves for i in mv.injects]
    assert len(scheduled) >= 24
    assert 180 <= ex.duration <= 240
    channels = {i.channel for i in scheduled}
    assert {m.Channel.news, m.Channel.social_media, m.Channel.cable, m.Channel.phone_call,
            m.Channel.intelligence} <= channels
    assert ex.contingencies, "contingency injects for a stalled room"
    for move in ex.moves:
        assert move.questions, f"move {move.id} has no discussion questions"


def test_every_team_reached_in_every_move(loaded: LoadedExercise) -> None:
    ex = loaded.exercise
    for move in ex.moves:
        reached = {t for inject in move.injects for t in ex.recipients(inject)}
        assert {t.id for t in ex.teams if t.kind != m.TeamKind.control} <= reached, move.id


def test_decisions_per_player_team_in_every_move(loaded: LoadedExercise) -> None:
    ex = loaded.exercise
    for move in ex.moves:
        deciding = {t for inject in move.injects for t in ex.deciders(inject)}
        assert {t.id for t in ex.player_teams} <= deciding, move.id
        for inject in move.injects:
            if inject.decision:
                assert len(inject.decision.options) >= 3, inject.id
                assert len({o.posture for o in inject.decision.options}) >= 3, inject.id


def test_branches_depend_on_decisions(loaded: LoadedExercise) -> None:
    ex = loaded.exercise

    def names_a_decision(condition: object) -> bool:
        match condition:
            case m.AllCondition(all=items) | m.AnyCondition(any=items):
                return any(names_a_decision(c) for c in items)
            case m.NotCondition(not_=inner):
                return names_a_decision(inner)
            case m.ChoseCondition() | m.DecidedCondition():
                return True
        return False

    branching = [i for i in ex.all_injects() if i.condition is not None and names_a_decision(i.condition)]
    assert len(branching) >= 3
    # every conditional inject is reachable: lint reports the unreachable ones
    assert not [d for d in lint(loaded) if "can never fire" in d.message]


def test_objectives_exercised_several_times(loaded: LoadedExercise) -> None:
    ex = loaded.exercise
    assert len(ex.objectives) >= 5
    uses = Counter(o for inject in ex.all_injects() for o in inject.objectives)
    for objective in ex.objectives:
        assert objective.capability, objective.id
        assert uses[objective.id] >= 3, f"{objective.id} is exercised by {uses[objective.id]} injects"


def test_facilitator_support(loaded: LoadedExercise) -> None:
    scheduled = [i for mv in loaded.exercise.moves for i in mv.injects]
    with_notes = [i for i in scheduled if i.notes]
    assert len(with_notes) >= len(scheduled) * 0.6
    for inject in scheduled:
        if inject.decision:
            assert inject.expected, f"{inject.id}: a decision inject needs expected actions"


def test_files_are_the_bundled_ones_on_disk(loaded: LoadedExercise) -> None:
    assert Path(loaded.filename).parent == exercises_dir()
