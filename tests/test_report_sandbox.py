"""A planner's own report template runs sandboxed: plain data in, nothing else reachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tabletop.engine import Session
from tabletop.report.render import ReportError, render_report
from tests.engine_fixtures import new_session


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A started session with one decision recorded."""
    s = new_session(tmp_path)
    s.deliver("M1-02")
    s.decide("rok", "M1-02", option="direct", rationale="<b>now</b>")
    yield s
    s.close()


def test_custom_template_sees_the_context(session: Session) -> None:
    template = "{{ title }}|{{ summary.decisions }}|{% for m in moves %}{{ m.id }}{% endfor %}|{{ moves[0].injects[1].answers[0].answer.rationale }}"
    out = render_report(session=session, fmt="html", template=template)
    assert out == "Strait Drill|1|M1M2|&lt;b&gt;now&lt;/b&gt;"


def test_custom_markdown_template_is_not_html_escaped(session: Session) -> None:
    out = render_report(session=session, fmt="md", template="{{ moves[0].injects[1].answers[0].answer.rationale|md }}")
    assert out == "\\<b\\>now\\</b\\>"


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ title.__class__ }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ cycler.__init__.__globals__.os.environ }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ moves.pop() }}",
        "{{ summary.update({'x': 1}) }}",
        "{{ title.format.__globals__ }}",
    ],
)
def test_escape_attempts_are_refused(session: Session, template: str) -> None:
    with pytest.raises(ReportError) as error:
        render_report(session=session, fmt="html", template=template)
    assert "<template>" in str(error.value)


@pytest.mark.parametrize(
    "template",
    [
        "{% include '/etc/passwd' %}",
        "{% import 'report.html.j2' as r %}",
        "{% extends 'report.html.j2' %}",
        "{% from 'report.md.j2' import cell %}",
    ],
)
def test_templates_cannot_read_files(session: Session, template: str) -> None:
    with pytest.raises(ReportError):
        render_report(session=session, fmt="html", template=template)


def test_the_context_holds_no_objects(session: Session) -> None:
    template = "{{ session.__class__.__name__ }}:{{ exercise.__class__.__name__ }}"
    with pytest.raises(ReportError):
        render_report(session=session, fmt="html", template=template)
    out = render_report(session=session, fmt="html", template="{{ exercise is mapping }} {{ exercise.keys is defined }}")
    assert out == "True True"


def test_syntax_error_names_the_line(session: Session) -> None:
    with pytest.raises(ReportError, match=r"mine\.j2:2: "):
        render_report(session=session, fmt="html", template="ok\n{% for x in %}", template_name="mine.j2")


def test_undefined_names_fail_loudly(session: Session) -> None:
    with pytest.raises(ReportError, match="no_such_thing"):
        render_report(session=session, fmt="html", template="{{ no_such_thing }}")


def test_custom_template_to_pdf(session: Session) -> None:
    pdf = render_report(session=session, fmt="pdf", template="<html><body><h1>{{ title }}</h1><img src='file:///etc/passwd'></body></html>")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
