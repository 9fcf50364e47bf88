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


CABLE_BLOCK = """        channel: cable
        cable: {classification: OK-class-Q, from: OK-from-Q, to: OK-to-Q, subject: OK-subject-Q}
"""


def test_the_presentation_reads_on_the_cards_the_report_and_the_console(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tabletop.app.app import ConsoleApp
    from tabletop.clock import FakeClock
    from tabletop.engine import Session
    from tabletop.report.documents import render_document
    from tabletop.report.handouts import render_handouts
    from tabletop.report.render import render_report

    text = SECRETS_YAML.replace("        channel: cable\n", CABLE_BLOCK, 1)
    assert text != SECRETS_YAML
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    exercise = load_text(text, str(path)).exercise
    cabled = next(i for i in exercise.all_injects() if i.cable is not None)
    deck = render_handouts(exercise=exercise)
    cards = render_document(exercise=exercise, kind="cards", fmt="md")
    assert isinstance(deck, str) and isinstance(cards, str)
    assert "<dt>Classification</dt><dd>OK-class-Q</dd>" in deck and "<dt>Subject</dt><dd>OK-subject-Q</dd>" in deck
    assert "**Subject:** OK-subject-Q" in cards
    with Session.create(path, tmp_path / "x.session", clock=FakeClock()) as session:
        session.start()
        session.deliver(cabled.id)
        report = render_report(session=session, fmt="html")
        assert isinstance(report, str) and "<dt>From</dt><dd>OK-from-Q</dd>" in report
        app = ConsoleApp(session, blink=False, bell=False, poll_interval=3600.0, tick_interval=3600.0)
        view = app.inject_view(cabled.id)
        assert view is not None and ("Subject", "OK-subject-Q") in view.header
