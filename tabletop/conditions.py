"""Branching: whether a conditional inject is live, given what has been decided and delivered.

Conditions are data (see `tabletop.model.Condition`), evaluated by a `match`
over their classes: no expression strings, nothing to escape from. The facts
they look at come through a small protocol so this module needs only the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from tabletop.model import (
    AllCondition,
    AnyCondition,
    ChoseCondition,
    Condition,
    DecidedCondition,
    DeliveredCondition,
    Move,
    NotCondition,
)


class Facts(Protocol):
    """What a condition may ask of a session: deliveries and each team's latest choice."""

    def was_delivered(self, inject_id: str) -> bool:
        """Whether the inject has been delivered at least once."""
        ...

    def choices(self, inject_id: str) -> Mapping[str, str | None]:
        """Latest decision per team on the inject: team id to option id (None for free text)."""
        ...


def evaluate(condition: Condition, facts: Facts) -> bool:
    """Whether the condition holds against the facts."""
    match condition:
        case ChoseCondition(chose=ref):
            choices = facts.choices(ref.inject)
            if ref.team is not None:
                return choices.get(ref.team) == ref.option
            return any(option == ref.option for option in choices.values())
        case DecidedCondition(decided=ref):
            choices = facts.choices(ref.inject)
            return ref.team in choices if ref.team is not None else bool(choices)
        case DeliveredCondition(delivered=inject_id):
            return facts.was_delivered(inject_id)
        case AllCondition(all=parts):
            return all(evaluate(part, facts) for part in parts)
        case AnyCondition(any=parts):
            return any(evaluate(part, facts) for part in parts)
        case NotCondition(not_=inner):
            return not evaluate(inner, facts)
    raise TypeError(f"not a condition: {condition!r}")


def situation_for(move: Move, facts: Facts) -> tuple[str, int | None]:
    """The situation text a move opens with, and the index of the variant read (None: the default).

    Variants are tried in file order and the first whose condition holds wins, so
    a planner writes the most specific path first, as in an if/elif chain.
    """
    for index, variant in enumerate(move.situation_variants):
        if evaluate(variant.when, facts):
            return variant.text, index
    return move.situation, None


def atoms(condition: object) -> Iterator[object]:
    """The chose, decided and delivered tests inside a condition, whatever `all`, `any` and
    `not` nest them in: what the lint rules look at."""
    match condition:
        case AllCondition(all=items) | AnyCondition(any=items):
            for item in items:
                yield from atoms(item)
        case NotCondition(not_=inner):
            yield from atoms(inner)
        case _:
            yield condition


def describe(condition: Condition, name: Callable[[str], str] = str) -> str:
    """The condition in words, for the MSEL and the facilitator's inject card; `name` says a team
    as the face showing it does (the session state passes the exercise's short labels)."""
    match condition:
        case ChoseCondition(chose=ref):
            who = name(ref.team) if ref.team else "any team"
            return f"{who} chose {ref.option} on {ref.inject}"
        case DecidedCondition(decided=ref):
            who = name(ref.team) if ref.team else "any team"
            return f"{who} decided on {ref.inject}"
        case DeliveredCondition(delivered=inject_id):
            return f"{inject_id} delivered"
        case AllCondition(all=parts):
            return " and ".join(_wrap(part, name) for part in parts)
        case AnyCondition(any=parts):
            return " or ".join(_wrap(part, name) for part in parts)
        case NotCondition(not_=inner):
            return f"not {_wrap(inner, name)}"
    raise TypeError(f"not a condition: {condition!r}")


def _wrap(condition: Condition, name: Callable[[str], str] = str) -> str:
    text = describe(condition, name)
    return f"({text})" if isinstance(condition, (AllCondition, AnyCondition)) else text
