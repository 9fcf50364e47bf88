"""Channel presentation blocks: optional, validated against the channel, positioned errors."""

from __future__ import annotations

import pytest

from tabletop.loader import ExerciseError, load_text
from tests.need_to_know_fixtures import SECRETS_YAML

NEWS_BLOCK = """        channel: news
        news: {outlet: OK-outlet-Q, headline: OK-headline-Q, dateline: "INCHEON, April 11", byline: By Kim}
"""


def _with(block: str) -> str:
    text = SECRETS_YAML.replace("        channel: news\n", block, 1)
    assert text != SECRETS_YAML
    return text


def test_news_block_loads_and_is_the_presentation() -> None:
    exercise = load_text(_with(NEWS_BLOCK), "x.yaml").exercise
    inject = exercise.inject("I-ALL")
    assert inject is not None and inject.news is not None
    assert inject.news.outlet == "OK-outlet-Q"
    assert inject.presentation() is inject.news


def test_block_for_another_channel_is_refused_at_its_inject() -> None:
    text = _with("        channel: news\n        cable: {classification: SECRET, from: AMEMBASSY SEOUL}\n")
    with pytest.raises(ExerciseError) as caught:
        load_text(text, "x.yaml")
    message = str(caught.value)
    assert "x.yaml:" in message and "'cable' describes a cable inject" in message and "'news'" in message


@pytest.mark.parametrize(
    "block, words",
    [
        ("        channel: intelligence\n        intel: {reliability: G}\n", "reliability"),
        ("        channel: social_media\n        social: {handle: 'not a handle!', reposts: 3}\n", "handle"),
        ("        channel: social_media\n        social: {reposts: -1}\n", "reposts"),
        ("        channel: news\n        news: {outlet: X, masthead: Y}\n", "masthead"),
    ],
)
def test_bad_field_is_reported_with_line_and_column(block: str, words: str) -> None:
    text = _with(block)
    line = text.splitlines().index(block.splitlines()[1]) + 1
    with pytest.raises(ExerciseError) as caught:
        load_text(text, "x.yaml")
    message = str(caught.value)
    assert f"x.yaml:{line}:" in message and words in message
