"""Quality warnings on a valid exercise: what a planner wants to know before the workshop.

A file can be valid and still play badly: an objective nothing exercises, a
team left idle for a whole move, a branch no group of players can ever reach.
Each rule returns diagnostics at the node the planner should look at.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from tabletop import model as m
from tabletop.conditions import atoms
from tabletop.lint_agenda import agenda_warnings, unseen_consequences
from tabletop.lint_notes import contradicting_notes
from tabletop.loader import Diagnostic, LoadedExercise

MAX_SILENT_GAP = 45
"""Minutes without an inject inside a move before the room is left waiting."""

MAX_COMBINATIONS = 200_000
"""Beyond this many decision combinations a condition is assumed reachable."""


@dataclass(frozen=True)
class _Located:
    """An inject with its place in the file and the time it becomes possible."""

    path: tuple[str | int, ...]
    inject: m.Inject
    order: tuple[int, int]


def _located(exercise: m.Exercise) -> list[_Located]:
    out = []
    for mi, move in enumerate(exercise.moves):
        for ii, inject in enumerate(move.injects):
            out.append(_Located(("moves", mi, "injects", ii), inject, (mi, inject.at or 0)))
    for ci, inject in enumerate(exercise.contingencies):
        out.append(_Located(("contingencies", ci), inject, (-1, -1)))
    return out


def lint(loaded: LoadedExercise, *, consequences: bool = True) -> list[Diagnostic]:
    """Every warning for the exercise, sorted by position.

    `consequences` False leaves out the rule that names options whose written
    consequence nothing later shows (`lint --no-consequences`), for a file written
    before situation variants existed, which trips it on nearly every option.
    """
    warnings = [
        *unexercised_objectives(loaded),
        *idle_teams(loaded),
        *undecided_decisions(loaded),
        *unreachable_injects(loaded),
        *silent_gaps(loaded),
        *agenda_warnings(loaded),
        *contradicting_notes(loaded),
        *(unseen_consequences(loaded) if consequences else ()),
    ]
    return sorted(set(warnings))


def _warn(loaded: LoadedExercise, path: tuple[str | int, ...], message: str) -> Diagnostic:
    return loaded.diagnostic(path, message, severity="warning")


def unexercised_objectives(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """An objective no inject links to will have nothing to evaluate."""
    exercise = loaded.exercise
    used = {o for inject in exercise.all_injects() for o in inject.objectives}
    for i, objective in enumerate(exercise.objectives):
        if objective.id not in used:
            yield _warn(loaded, ("objectives", i, "id"), f"objective {objective.id!r} is exercised by no inject")


def idle_teams(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """A player or observer team that receives nothing in a move sits idle through it."""
    exercise = loaded.exercise
    for mi, move in enumerate(exercise.moves):
        reached = {team for inject in move.injects for team in exercise.recipients(inject)}
        for team in exercise.teams:
            if team.kind != m.TeamKind.control and team.id not in reached:
                yield _warn(loaded, ("moves", mi, "id"),
                            f"team {team.id!r} receives no inject in move {move.id!r}")


def undecided_decisions(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """A decision that no player team is asked to make will never be answered."""
    exercise = loaded.exercise
    players = {t.id for t in exercise.player_teams}
    for item in _located(exercise):
        if item.inject.decision is not None and not set(exercise.deciders(item.inject)) & players:
            yield _warn(loaded, item.path + ("decision",),
                        f"the decision on {item.inject.id!r} is put to no player team")


def silent_gaps(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """Long stretches of scenario time with nothing delivered leave the room waiting."""
    exercise = loaded.exercise
    for mi, move in enumerate(exercise.moves):
        previous = exercise.move_start(move)
        for ii, inject in enumerate(move.injects):
            if inject.at is None:
                continue
            gap = inject.at - previous
            if gap > MAX_SILENT_GAP:
                yield _warn(loaded, ("moves", mi, "injects", ii, "at"),
                            f"{gap} minutes of silence before {inject.id!r} "
                            f"(more than {MAX_SILENT_GAP}); add an inject or move it earlier")
            previous = max(previous, inject.at)


def unreachable_injects(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """A conditional inject that no combination of decisions can make live, and a situation
    variant that no play before its move can select."""
    exercise = loaded.exercise
    dead = dead_branches(exercise)
    for item in _located(exercise):
        if item.inject.id in dead.injects:
            yield _warn(loaded, item.path + ("condition",),
                        f"inject {item.inject.id!r} can never fire: no combination of decisions "
                        "and deliveries before it satisfies its condition")
    for mi, move in enumerate(exercise.moves):
        for vi, _ in enumerate(move.situation_variants):
            if (move.id, vi) in dead.variants:
                yield _warn(loaded, ("moves", mi, "situation_variants", vi, "when"),
                            f"situation variant {vi + 1} of move {move.id!r} can never be read: no "
                            "combination of decisions and deliveries before the move satisfies it")


@dataclass(frozen=True)
class DeadBranches:
    """What no play can reach: the branch map greys these out and the lint names them."""

    injects: frozenset[str]
    """Conditional injects whose condition no decisions and deliveries before them satisfy."""
    variants: frozenset[tuple[str, int]]
    """(move id, variant index) of situation variants no play before the move selects."""


def dead_branches(exercise: m.Exercise) -> DeadBranches:
    """The conditional injects and situation variants that can never be live."""
    items = _located(exercise)
    by_id = {item.inject.id: item for item in items}
    reachable: dict[str, bool] = {}

    def is_reachable(item: _Located, trail: frozenset[str]) -> bool:
        ident = item.inject.id
        if ident in reachable:
            return reachable[ident]
        if item.inject.condition is None:
            reachable[ident] = True
            return True
        if ident in trail:
            return False
        result = _satisfiable(item.inject.condition, ident, item.order, item.path, by_id, exercise,
                              lambda other: is_reachable(other, trail | {ident}))
        reachable[ident] = result
        return result

    injects = frozenset(item.inject.id for item in items
                        if item.inject.condition is not None and not is_reachable(item, frozenset()))
    variants = set()
    for mi, move in enumerate(exercise.moves):
        for vi, variant in enumerate(move.situation_variants):
            # Read when the move opens: before every inject of the move, after every earlier move.
            if not _satisfiable(variant.when, f"{move.id}#v{vi}", (mi, -1), ("moves", mi), by_id, exercise,
                                lambda other: is_reachable(other, frozenset())):
                variants.add((move.id, vi))
    return DeadBranches(injects, frozenset(variants))


def _satisfiable(condition: m.Condition, ident_of_item: str, order: tuple[int, int], path: tuple[str | int, ...],
                 by_id: dict[str, _Located], exercise: m.Exercise, reachable) -> bool:
    """Whether some assignment of choices and deliveries before a point of play satisfies `condition`.

    The point is an inject's or a move opening's `order` and `path`. An inject
    referenced by the condition can only have been delivered (and decided) if
    it is itself reachable and comes before that point.
    """
    injects: set[str] = set()
    for atom in atoms(condition):
        match atom:
            case m.DeliveredCondition(delivered=ident):
                injects.add(ident)
            case m.ChoseCondition(chose=ref) | m.DecidedCondition(decided=ref):
                injects.add(ref.inject)

    def possible(ident: str) -> bool:
        other = by_id.get(ident)
        if other is None or ident == ident_of_item:
            return False
        before = other.order[0] == -1 or order[0] == -1 or other.order < order or (
            other.order == order and other.path < path)
        return before and reachable(other)

    candidates = sorted(i for i in injects if possible(i))
    # Decision variables: for each candidate inject with a decision, each decider's option or None.
    variables: list[tuple[str, str, list[str | None]]] = []
    for ident in candidates:
        decision = by_id[ident].inject.decision
        if decision is not None:
            for team in exercise.deciders(by_id[ident].inject):
                variables.append((ident, team, [None, *(o.id for o in decision.options)]))
    delivered_choices = [(False, True)] * len(candidates)
    total = 1
    for _, _, values in variables:
        total *= len(values)
    total *= 2 ** len(candidates)
    if total > MAX_COMBINATIONS:
        return True
    for delivered_values in itertools.product(*delivered_choices):
        delivered = {ident for ident, flag in zip(candidates, delivered_values) if flag}
        for values in itertools.product(*(v for _, _, v in variables)):
            choices = {}
            consistent = True
            for (ident, team, _), value in zip(variables, values):
                if value is not None and ident not in delivered:
                    consistent = False
                    break
                choices[(ident, team)] = value
            if consistent and _evaluate(condition, delivered, choices):
                return True
    return False


def _evaluate(condition: object, delivered: set[str], choices: dict[tuple[str, str], str | None]) -> bool:
    match condition:
        case m.AllCondition(all=items):
            return all(_evaluate(c, delivered, choices) for c in items)
        case m.AnyCondition(any=items):
            return any(_evaluate(c, delivered, choices) for c in items)
        case m.NotCondition(not_=inner):
            return not _evaluate(inner, delivered, choices)
        case m.DeliveredCondition(delivered=ident):
            return ident in delivered
        case m.ChoseCondition(chose=ref):
            return any(value == ref.option for (ident, team), value in choices.items()
                       if ident == ref.inject and (ref.team is None or team == ref.team))
        case m.DecidedCondition(decided=ref):
            return any(value is not None for (ident, team), value in choices.items()
                       if ident == ref.inject and (ref.team is None or team == ref.team))
    return False
