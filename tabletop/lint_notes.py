"""Lint of facilitator notes against the conditions they talk about.

A note is the planner telling the facilitator when something happens: "read
M2-03 only if Japan chose to escort". When the inject's condition says
otherwise (it asks the United States, or another option), the facilitator
reads the note, the engine follows the condition, and the room is told a
branch that is not the one being played. The rule reads the note sentence by
sentence and names a sentence whose teams or options the condition rules out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tabletop import model as m
from tabletop.loader import Diagnostic, LoadedExercise

CONDITIONAL_WORDS = re.compile(r"\b(if|only|when|unless|once|after|fires?|live)\b", re.IGNORECASE)
"""A sentence without one of these describes the inject, not when it plays."""

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n\s*\n")


@dataclass(frozen=True)
class _Asked:
    """What a condition's positive `chose` tests ask of one decision inject."""

    options: frozenset[str]
    teams: frozenset[str] | None
    """Teams named by every test on this decision; None when one of them takes any team."""


def _word(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])", re.IGNORECASE)


CHOICE_VERBS = r"cho(?:se|oses?)|picks?|picked|decides?|decided|approves?|approved|opts?|opted|selects?|selected|goes\s+for|went\s+for|agrees?\s+to|agreed\s+to"
"""Verbs that make a team the one choosing, as in "if only Japan chose 'move'"."""


def _team_chooses(team: m.Team) -> re.Pattern[str]:
    """The team said to choose: its name, short name or id, then a choice verb within four words,
    so that "the US or Japan chose" names both. Only then is the team the decider the sentence
    speaks of ("ask the ROK team how it feels" is not). An id longer than three letters counts in
    any case ('China chose'); a shorter one only in capitals, since `us` or `un` is an ordinary word."""
    names = [re.escape(team.name)] + ([re.escape(team.short)] if team.short else [])
    # an id of a few letters ('us', 'un') is an ordinary word: only in capitals; 'china' in any case
    ident = re.escape(team.id) if len(team.id) > 3 else "(?-i:" + re.escape(team.id.upper()) + ")"
    name = "|".join([*names, ident])
    return re.compile(rf"(?<![\w-])(?:{name})(?![\w-])(?:[\s,]+[\w'-]+){{0,3}}?\s+(?:{CHOICE_VERBS})\b",
                      re.IGNORECASE)


def _positive_chose(condition: object) -> Iterator[m.ChoseCondition]:
    """The `chose` tests a condition needs to hold for some way of making it true: those not under `not`."""
    match condition:
        case m.NotCondition():
            return
        case m.AllCondition(all=items) | m.AnyCondition(any=items):
            for item in items:
                yield from _positive_chose(item)
        case m.ChoseCondition():
            yield condition


def _asked(condition: m.Condition) -> dict[str, _Asked]:
    """Per decision inject, the options and teams the condition's `chose` tests ask for."""
    options: dict[str, set[str]] = {}
    teams: dict[str, set[str] | None] = {}
    for test in _positive_chose(condition):
        ref = test.chose
        options.setdefault(ref.inject, set()).add(ref.option)
        named = teams.setdefault(ref.inject, set())
        if ref.team is None or named is None:
            teams[ref.inject] = None
        else:
            named.add(ref.team)
    return {ident: _Asked(frozenset(opts), None if teams[ident] is None else frozenset(teams[ident] or ()))
            for ident, opts in options.items()}


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def contradicting_notes(loaded: LoadedExercise) -> Iterator[Diagnostic]:
    """A facilitator note whose sentence about when an inject plays contradicts that inject's condition.

    A sentence speaks of an inject when it names its id, or, with no inject
    named, of the note's own inject. It contradicts the condition when it names
    options of a decision the condition looks at and none of them is one the
    condition asks for, or says teams choose and none of them is a team the
    condition asks to have chosen. Options are recognised by id and label.
    """
    exercise = loaded.exercise
    by_id = {inject.id: inject for inject in exercise.all_injects()}
    conditions = {ident: _asked(inject.condition) for ident, inject in by_id.items()
                  if inject.condition is not None}
    inject_words = {ident: _word(ident) for ident in by_id}
    team_words = {team.id: _team_chooses(team) for team in exercise.teams}
    option_words: dict[str, dict[str, list[re.Pattern[str]]]] = {}
    for ident, inject in by_id.items():
        if inject.decision is not None:
            option_words[ident] = {o.id: [_word(o.id), _word(o.label)] for o in inject.decision.options}

    located = [(("moves", mi, "injects", ii), inj) for mi, mv in enumerate(exercise.moves)
               for ii, inj in enumerate(mv.injects)]
    located += [(("contingencies", ci), inj) for ci, inj in enumerate(exercise.contingencies)]
    for path, inject in located:
        if not inject.notes:
            continue
        for sentence in _sentences(inject.notes):
            if not CONDITIONAL_WORDS.search(sentence):
                continue
            named = [ident for ident, word in inject_words.items() if word.search(sentence)]
            targets = [ident for ident in named if ident != inject.id] or [inject.id]
            for target in targets:
                problem = _contradiction(sentence, target, conditions.get(target), team_words, option_words)
                if problem:
                    quoted = " ".join(sentence.split())
                    yield loaded.diagnostic(
                        path + ("notes",),
                        f"the note says {quoted!r}, but {target!r} fires only if {problem}",
                        severity="warning")


def _contradiction(sentence: str, target: str, asked: dict[str, _Asked] | None,
                   team_words: dict[str, re.Pattern[str]],
                   option_words: dict[str, dict[str, list[re.Pattern[str]]]]) -> str | None:
    """What the condition asks that the sentence contradicts, in words; None if nothing."""
    if not asked:
        return None
    for decision, wanted in asked.items():
        mentioned = {option for option, words in option_words.get(decision, {}).items()
                     if any(w.search(sentence) for w in words)}
        if mentioned and not mentioned & wanted.options:
            return f"{_or(sorted(wanted.options))} is chosen on {decision!r}"
    choosers = {team for team, chooses in team_words.items() if chooses.search(sentence)}
    if not choosers or any(wanted.teams is None for wanted in asked.values()):
        return None
    # "if Kalaya chose receive" may speak of another decision (receive is an option of DR-12 itself):
    # teams are compared only when every option the sentence names belongs to a decision the condition asks
    elsewhere = {option for decision, words in option_words.items() if decision not in asked
                 for option, patterns in words.items() if any(p.search(sentence) for p in patterns)}
    if elsewhere:
        return None
    if choosers & {team for wanted in asked.values() for team in wanted.teams or ()}:
        return None
    return " and ".join(f"{_or(sorted(wanted.teams or ()))} chooses {_or(sorted(wanted.options))} on {decision!r}"
                        for decision, wanted in asked.items())


def _or(items: list[str]) -> str:
    quoted = [repr(item) for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
