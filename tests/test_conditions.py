"""Branching conditions evaluated against facts, and described in words."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from pydantic import TypeAdapter

from tabletop.conditions import describe, evaluate
from tabletop.model import Condition

CONDITION = TypeAdapter(Condition)


class Facts:
    """Deliveries and choices given by hand."""

    def __init__(self, delivered: set[str], choices: dict[str, dict[str, str | None]]) -> None:
        self.delivered = delivered
        self._choices = choices

    def was_delivered(self, inject_id: str) -> bool:
        return inject_id in self.delivered

    def choices(self, inject_id: str) -> Mapping[str, str | None]:
        return self._choices.get(inject_id, {})


FACTS = Facts({"I-1", "I-2"}, {"I-1": {"rok": "direct", "us": None}, "I-2": {"japan": "share"}})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"chose": {"inject": "I-1", "option": "direct", "team": "rok"}}, True),
        ({"chose": {"inject": "I-1", "option": "direct", "team": "us"}}, False),
        ({"chose": {"inject": "I-1", "option": "direct"}}, True),
        ({"chose": {"inject": "I-1", "option": "alone"}}, False),
        ({"chose": {"inject": "I-3", "option": "direct"}}, False),
        ({"decided": {"inject": "I-1", "team": "us"}}, True),
        ({"decided": {"inject": "I-1", "team": "china"}}, False),
        ({"decided": {"inject": "I-2"}}, True),
        ({"decided": {"inject": "I-3"}}, False),
        ({"delivered": "I-2"}, True),
        ({"delivered": "I-3"}, False),
        ({"all": [{"delivered": "I-1"}, {"delivered": "I-2"}]}, True),
        ({"all": [{"delivered": "I-1"}, {"delivered": "I-3"}]}, False),
        ({"any": [{"delivered": "I-3"}, {"chose": {"inject": "I-2", "option": "share"}}]}, True),
        ({"any": [{"delivered": "I-3"}, {"delivered": "I-4"}]}, False),
        ({"not": {"delivered": "I-3"}}, True),
        ({"not": {"any": [{"delivered": "I-1"}]}}, False),
    ],
)
def test_evaluate(data: dict, expected: bool) -> None:
    assert evaluate(CONDITION.validate_python(data), FACTS) is expected


def test_describe_nests_with_parentheses() -> None:
    condition = CONDITION.validate_python(
        {"all": [{"chose": {"inject": "I-1", "option": "direct", "team": "rok"}},
                 {"not": {"any": [{"delivered": "I-3"}, {"decided": {"inject": "I-2"}}]}}]}
    )
    assert describe(condition) == "rok chose direct on I-1 and not (I-3 delivered or any team decided on I-2)"


def test_not_a_condition() -> None:
    with pytest.raises(TypeError):
        evaluate("delivered I-1", FACTS)  # type: ignore[arg-type]


def test_describe_names_teams_as_the_face_showing_it_does() -> None:
    condition = CONDITION.validate_python(
        {"any": [{"chose": {"inject": "I-1", "option": "direct", "team": "rok"}},
                 {"not": {"decided": {"inject": "I-2", "team": "china"}}}]}
    )
    labels = {"rok": "ROK", "china": "PRC"}
    assert describe(condition, labels.__getitem__) == "ROK chose direct on I-1 or not PRC decided on I-2"
