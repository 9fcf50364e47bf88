"""Tests of the team portal over a real server on 127.0.0.1: submissions, RFIs, answers, feedback, hostile input."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tabletop.clock import FakeClock
from tabletop.engine import Session
from tabletop.viewer.portal import MAX_BODY
from tabletop.viewer.server import ServeOptions, TeamServer, new_links
from tests.need_to_know_fixtures import PARTICIPANTS, play_secrets_session


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[TestClient, TeamServer]]:
    path = play_secrets_session(tmp_path)
    session = Session.open(path, readonly=True, clock=FakeClock())
    server = TeamServer(session, new_links(session), ServeOptions(max_connections=8))
    async with TestClient(TestServer(server.app(), host="127.0.0.1")) as client:
        yield client, server
    session.close()


def token_of(server: TeamServer, team: str) -> str:
    return next(link.token for link in server.links if link.team == team)


async def form_secret(client: TestClient, token: str) -> str:
    page = await (await client.get(f"/t/{token}/act")).text()
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


def events_in(server: TeamServer) -> int:
    with Session.open(server.session.path, readonly=True) as fresh:
        return fresh.state.last_seq


async def post(client: TestClient, token: str, route: str, fields: dict[str, str], **kw: object):  # type: ignore[no-untyped-def]
    origin = f"http://{client.server.host}:{client.server.port}"
    headers = {"Origin": origin, **kw.pop("headers", {})}  # type: ignore[dict-item]
    return await client.post(f"/t/{token}/{route}", data=fields, headers=headers, **kw)


async def test_a_team_submits_and_revises_from_its_link_and_the_page_says_received(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "china")
    secret = await form_secret(client, token)
    page = await (await client.get(f"/t/{token}/act")).text()
    assert 'action="/t/%s/decide"' % token in page and "I-ALL" in page
    before = events_in(server)
    response = await post(client, token, "decide", {"csrf": secret, "inject": "I-ALL", "option": "open", "rationale": "calm"})
    assert response.status == 200
    assert "Received: your decision is recorded." in await response.text()
    assert events_in(server) == before + 1
    revised = await post(client, token, "decide", {"csrf": secret, "inject": "I-ALL", "option": "close"})
    assert revised.status == 200
    with Session.open(server.session.path, readonly=True) as fresh:
        decision = fresh.state.decision("I-ALL", "china")
        assert decision is not None and (decision.option, decision.source) == ("close", "team")
        assert fresh.state.events[-1].type == "corrected"


async def test_an_rfi_and_its_answer_reach_the_asking_team_only(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    us, rok = token_of(server, "us"), token_of(server, "rok")
    response = await post(client, us, "ask", {"csrf": await form_secret(client, us), "text": "Where is the cutter?", "inject": "I-USROK"})
    assert response.status == 200 and "Received" in await response.text()
    with Session.open(server.session.path) as control:
        control.reply(control.state.rfis[-1].seq, "Forty minutes out.")
    assert "Forty minutes out." in await (await client.get(f"/t/{us}/act")).text()
    assert "Forty minutes out." in await (await client.get(f"/t/{us}/view.json")).text()
    for route in ("act", "view.json", "", "fragment"):
        text = await (await client.get(f"/t/{rok}/{route}")).text()
        assert "Forty minutes out." not in text and "Where is the cutter?" not in text


async def test_markup_is_stored_as_text_and_shown_escaped(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "us")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = await post(client, token, "ask", {"csrf": await form_secret(client, token), "text": hostile})
    text = await response.text()
    assert response.status == 200
    assert hostile not in text and "&lt;script&gt;" in text
    assert "script-src" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("team", "fields", "message"),
    [
        ("china", {"inject": "I-USROK", "option": "lead"}, "no inject &#39;I-USROK&#39; has been delivered to your team"),
        ("us", {"inject": "I-CHINA", "text": "ours now"}, "no inject &#39;I-CHINA&#39; has been delivered"),
        ("us", {"inject": "I-USROK", "option": "sink"}, "option &#39;sink&#39; is not offered"),
        ("observers", {"inject": "I-ALL", "option": "close"}, "was not asked to decide"),
        ("us", {"inject": "I-USROK"}, "a decision needs an option or a text"),
    ],
)
async def test_a_refused_submission_says_why_and_writes_nothing(served, team: str, fields: dict[str, str], message: str) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, team)
    before = events_in(server)
    response = await post(client, token, "decide", {"csrf": await form_secret(client, token), **fields})
    assert response.status == 409
    text = await response.text()
    assert "Refused:" in text and message in text and "Nothing was recorded." in text
    assert events_in(server) == before


async def test_wrong_token_forged_origin_missing_secret_and_huge_bodies_are_refused(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "us")
    secret = await form_secret(client, token)
    before = events_in(server)
    fields = {"csrf": secret, "text": "hello"}
    wrong = await post(client, token[:-1] + ("A" if token[-1] != "A" else "B"), "ask", fields)
    assert wrong.status == 403 and "United States" not in await wrong.text()
    other = await post(client, token_of(server, "rok"), "ask", fields)
    assert other.status == 403 and "not one this server gave your link" in await other.text()
    forged = await post(client, token, "ask", fields, headers={"Origin": "http://evil.example"})
    assert forged.status == 403 and "another site" in await forged.text()
    missing = await post(client, token, "ask", {"text": "hello"})
    assert missing.status == 403
    huge = await post(client, token, "ask", {"csrf": secret, "text": "x" * (1024 * 1024)})
    assert huge.status == 413 and "larger than" in await huge.text()
    assert events_in(server) == before


async def test_a_chunked_body_past_the_limit_is_refused(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "us")
    before = events_in(server)

    async def chunks():  # type: ignore[no-untyped-def]
        yield b"text="
        for _ in range(MAX_BODY // 1024 + 2):
            yield b"y" * 1024

    response = await client.post(
        f"/t/{token}/ask", data=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{client.server.port}"},
    )
    assert response.status == 413
    assert events_in(server) == before


async def test_a_link_that_posts_too_fast_is_slowed_down(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "rok")
    secret = await form_secret(client, token)
    statuses = [
        (await post(client, token, "ask", {"csrf": secret, "text": f"question {n}"})).status for n in range(25)
    ]
    assert statuses[:20] == [200] * 20
    assert 429 in statuses[20:]
    other = token_of(server, "us")
    assert (await post(client, other, "ask", {"csrf": await form_secret(client, other), "text": "still open"})).status == 200


async def test_after_endex_submissions_are_refused_and_the_feedback_form_opens(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "rok")
    secret = await form_secret(client, token)
    with Session.open(server.session.path, clock=FakeClock()) as control:
        control.end()
    before = events_in(server)
    for route, fields in (
        ("decide", {"inject": "I-ALL", "option": "close"}),
        ("ask", {"text": "late"}),
        ("answer", {"move": "M1", "question": "ROK-M1-question-Q", "text": "late"}),
    ):
        response = await post(client, token, route, {"csrf": secret, **fields})
        assert response.status == 409, route
        assert "ENDEX" in await response.text()
    assert events_in(server) == before
    page = await (await client.get(f"/t/{token}/act")).text()
    assert "Participant feedback form" in page
    response = await post(client, token, "feedback", {"csrf": secret, "rating_realism": "4", "strengths": "pace"})
    assert response.status == 200 and "your form is recorded" in await response.text()
    bad = await post(client, token, "feedback", {"csrf": secret, "rating_realism": "9"})
    assert bad.status == 409 and "1 to 5" in await bad.text()
    assert events_in(server) == before + 1


async def test_a_team_keeps_its_answer_to_a_discussion_question(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "us")
    secret = await form_secret(client, token)
    page = await (await client.get(f"/t/{token}/act")).text()
    assert "US-M1-question-Q" in page and "ROK-M1-question-Q" not in page
    ok = await post(client, token, "answer", {"csrf": secret, "move": "M1", "question": "US-M1-question-Q", "text": "Call Seoul"})
    assert ok.status == 200 and "Call Seoul" in await ok.text()
    other = await post(client, token, "answer", {"csrf": secret, "move": "M1", "question": "ROK-M1-question-Q", "text": "x"})
    assert other.status == 409 and "not put to your team" in await other.text()


@pytest.mark.parametrize("team", PARTICIPANTS)
async def test_the_forms_page_needs_the_token(served, team: str) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    assert (await client.get("/t/nope/act")).status == 403
    assert (await client.get(f"/t/{token_of(server, team)}/act")).status == 200


async def test_when_the_control_cell_confirms_submissions_the_page_says_it_waits(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    with Session.open(server.session.path, clock=FakeClock()) as facilitator:
        facilitator.set_submission_mode(True)
    token = token_of(server, "china")
    secret = await form_secret(client, token)
    response = await post(client, token, "decide", {"csrf": secret, "inject": "I-ALL", "option": "open", "rationale": "calm"})
    page = await response.text()
    assert response.status == 200 and "counts once the facilitator confirms it" in page
    assert "Sent, waiting for the control cell to confirm" in page and "control cell confirms each decision" in page
    other = await (await client.get(f"/t/{token_of(server, 'us')}/act")).text()
    assert "waiting for the control cell" not in other
    with Session.open(server.session.path, clock=FakeClock()) as facilitator:
        standing = facilitator.state.decision("I-ALL", "china")
        assert standing is not None and standing.source == "facilitator", "the earlier decision stands until confirmed"
        facilitator.confirm_submission("I-ALL", "china")
        confirmed = facilitator.state.decision("I-ALL", "china")
        assert confirmed is not None and (confirmed.option, confirmed.source) == ("open", "team")
    page = await (await client.get(f"/t/{token}/act")).text()
    assert "Your team's standing decision:" in page and "Sent, waiting" not in page


async def test_once_the_move_has_ended_its_decisions_and_questions_are_shown_closed_not_offered(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "rok")
    page = await (await client.get(f"/t/{token}/act")).text()
    assert 'name="inject" value="I-ALL"' in page and 'name="move" value="M1"' in page
    with Session.open(server.session.path, clock=FakeClock()) as control:
        control.advance()
    page = await (await client.get(f"/t/{token}/act")).text()
    why = "the move it came in has ended; the control cell can still record a decision"
    assert "Decision on I-ALL" in page and f"Closed to your team's submissions: {why}." in page
    assert 'name="inject" value="I-ALL"' not in page and 'name="inject" value="I-USROK"' not in page
    assert 'name="move" value="M1"' not in page and 'name="move" value="M2"' in page
    team_page = await (await client.get(f"/t/{token}/")).text()
    assert "awaited" not in team_page and f"Closed without your decision: I-ALL: {why}." in team_page
    secret = await form_secret(client, token)
    before = events_in(server)
    late = await post(client, token, "decide", {"csrf": secret, "inject": "I-ALL", "option": "close"})
    assert late.status == 409 and "has ended" in await late.text()
    answer = await post(client, token, "answer", {"csrf": secret, "move": "M1", "question": "ROK-M1-question-Q", "text": "x"})
    assert answer.status == 409 and "discussion of M1 ended" in await answer.text()
    assert events_in(server) == before


async def test_answers_kept_in_an_ended_move_stay_on_the_page_without_a_form(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "us")
    secret = await form_secret(client, token)
    kept = await post(client, token, "answer", {"csrf": secret, "move": "M1", "question": "US-M1-question-Q", "text": "Call Seoul"})
    assert kept.status == 200
    with Session.open(server.session.path, clock=FakeClock()) as control:
        control.advance()
    page = await (await client.get(f"/t/{token}/act")).text()
    assert "Your answers from discussions that have ended" in page and "Call Seoul" in page
    assert "M2 discussion: S3-M2-question-Q" in page and "M1 discussion:" not in page


async def test_the_revise_form_starts_from_the_standing_decision_every_field_of_it(served) -> None:  # type: ignore[no-untyped-def]
    client, server = served
    token = token_of(server, "us")
    page = await (await client.get(f"/t/{token}/act")).text()
    form = page[page.index('value="I-USROK"'):]
    form = form[: form.index("</form>")]
    assert 'value="lead" checked' in form and 'value="follow">' in form
    assert ">US-decision-text-Q</textarea>" in form
    assert ">US-decision-rationale-Q</textarea>" in form and ">US-decision-dissent-Q</textarea>" in form
    assert "Revise our decision" in form
    china = await (await client.get(f"/t/{token_of(server, 'china')}/act")).text()
    assert "CHINA-decision-rationale-Q</textarea>" in china
    secret = await form_secret(client, token)
    revised = await post(client, token, "decide", {"csrf": secret, "inject": "I-USROK", "option": "follow",
                                                    "text": "US-decision-text-Q", "rationale": "US-decision-rationale-Q",
                                                    "dissent": "US-decision-dissent-Q"})
    assert revised.status == 200
    page = await revised.text()
    form = page[page.index('value="I-USROK"'):]
    assert 'value="follow" checked' in form[: form.index("</form>")]


async def test_the_team_page_and_the_serve_banner_say_team_links_are_two_way(served) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import io

    from tabletop.viewer.server import TeamLink, run

    client, server = served
    page = await (await client.get(f"/t/{token_of(server, 'us')}/")).text()
    status = re.search(r'<span id="status" role="status">([^<]*)</span>', page)
    assert status is not None and "read-only" not in status.group(1).lower()
    assert "your team submits from this link" in status.group(1) and "Submit a decision or ask control" in page
    out = io.StringIO()
    stop, ready = asyncio.Event(), asyncio.Event()
    links = [TeamLink(team="us", name="United States", token="t" * 32)]
    task = asyncio.create_task(
        run(server.session, ServeOptions(port=0), out=out, links=links, room_token="r" * 32, stop=stop, ready=ready))
    await asyncio.wait_for(ready.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    banner = out.getvalue()
    team_lines = banner[: banner.index("Room screen")]
    assert "read-only" not in team_lines.lower() and "Team links are two-way" in team_lines
    assert "Room screen (read-only" in banner
