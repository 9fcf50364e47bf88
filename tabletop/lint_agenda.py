"""Warnings on the workshop fields: an agenda that does not add up, a choice that changes nothing.

Kept apart from `tabletop.lint` because these rules read the agenda and the
situation variants, which only the documents use; `lint.lint` runs them all.
Agenda slots are wall-clock minutes and injects are scenario minutes: the
rules compare them at scenario speed (rate 1), the speed a planner writes for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tabletop import model as m
from tabletop.conditions import atoms
from tabletop.loader import Diagnostic, LoadedExercise

MAX_WITHOUT_BREAK = 180
"""Minutes of workshop before a break is due (HSEEP: sessions over three hours need one)."""


def _warn(loaded: LoadedExercise, path: tuple[str | int, ...], message: str) -> Diagnostic:
    return loaded.diagnostic(path, message, severity="warning")


def agenda_warnings(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """The agenda adds up: every move has a slot its injects fit in, breaks come, totals match."""
    exercise = loaded.exercise
    agenda = exercise.agenda
    if agenda is None:
        return
    slots: dict[str, list[int]] = {}
    for ai, item in enumerate(agenda.items):
        if item.kind == m.AgendaKind.move and item.move is not None:
            slots.setdefault(item.move, []).append(ai)
    for mi, move in enumerate(exercise.moves):
        found = slots.get(move.id, [])
        if not found:
            yield _warn(loaded, ("moves", mi, "id"), f"move {move.id!r} has no slot on the agenda")
            continue
        for extra in found[1:]:
            yield _warn(loaded, ("agenda", "items", extra, "move"), f"move {move.id!r} has more than one agenda slot")
        ai = found[0]
        item = agenda.items[ai]
        times = [i.at for i in move.injects if i.at is not None]
        span = max(times) - exercise.move_start(move) if times else 0
        if span > item.minutes:
            yield _warn(loaded, ("agenda", "items", ai, "minutes"),
                        f"move {move.id!r} runs its injects over {span} minutes, longer than its "
                        f"{item.minutes}-minute slot, before any discussion")
    run = 0
    for ai, item in enumerate(agenda.items):
        if item.kind == m.AgendaKind.break_:
            run = 0
            continue
        before = run
        run += item.minutes
        if before <= MAX_WITHOUT_BREAK < run:
            yield _warn(loaded, ("agenda", "items", ai),
                        f"{run} minutes without a break by the end of {item.title!r}; "
                        f"plan a break in every {MAX_WITHOUT_BREAK // 60} hours")
    played = sum(item.minutes for item in agenda.items if item.kind == m.AgendaKind.move)
    if slots and played != exercise.duration:
        yield _warn(loaded, ("duration",),
                    f"the agenda gives the moves {played} minutes, but the exercise's duration is "
                    f"{exercise.duration} minutes ({m.format_offset(exercise.duration)})")


def _chosen(condition: object) -> Iterator[tuple[str, str]]:
    for atom in atoms(condition):
        if isinstance(atom, m.ChoseCondition):
            yield atom.chose.inject, atom.chose.option


def unseen_consequences(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """An option whose written consequence nothing later shows: the room will never see what choosing it did.

    Only options with a `consequence` are looked at: that is the planner saying
    the choice sets something in motion, so some later inject condition, a
    situation variant, or a note must carry it.
    """
    exercise = loaded.exercise
    used: set[tuple[str, str]] = set()
    for inject in exercise.all_injects():
        if inject.condition is not None:
            used.update(_chosen(inject.condition))
    for move in exercise.moves:
        for variant in move.situation_variants:
            used.update(_chosen(variant.when))
    notes = [i.notes for i in exercise.all_injects() if i.notes]
    if exercise.agenda is not None:
        notes += [item.script for item in exercise.agenda.items if item.script]
    located = [(("moves", mi, "injects", ii), i) for mi, mv in enumerate(exercise.moves) for ii, i in enumerate(mv.injects)]
    located += [(("contingencies", ci), i) for ci, i in enumerate(exercise.contingencies)]
    for path, inject in located:
        if inject.decision is None:
            continue
        for oi, option in enumerate(inject.decision.options):
            if option.consequence is None or (inject.id, option.id) in used:
                continue
            word = re.compile(rf"(?<![\w-]){re.escape(option.id)}(?![\w-])")
            if any(word.search(note) for note in notes):
                continue
            yield _warn(loaded, path + ("decision", "options", oi, "id"),
                        f"the consequence of option {option.id!r} of {inject.id!r} never shows: no later inject, "
                        "situation variant or note depends on the option or names it")
