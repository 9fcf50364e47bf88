"""The AAR shows what teams sent from their links: decision sources, RFIs and answers, discussion answers, feedback."""

from __future__ import annotations

from pathlib import Path

from tabletop.engine import Session
from tabletop.report.context import session_context
from tabletop.report.render import render_report
from tests.need_to_know_fixtures import play_portal_session


def test_the_report_shows_decision_sources_rfis_answers_and_feedback(tmp_path: Path) -> None:
    with Session.open(play_portal_session(tmp_path), readonly=True) as session:
        context = session_context(session)
        html = render_report(session=session, fmt="html")
        md = render_report(session=session, fmt="md")
    portal = context["portal"]
    assert [(r["text"], [a["text"] for a in r["answers"]]) for r in portal["rfis"]] == [
        ("US-rfi-Q", ["US-rfi-reply-Q"]),
        ("ROK-rfi-Q", []),
    ]
    assert {a["text"] for a in portal["answers"]} == {"US-answer-Q", "CHINA-answer-Q"}
    assert portal["forms"] == 2
    realism = next(r for r in portal["ratings"] if "realistic" in r["question"])
    assert (realism["count"], realism["average"]) == (2, "3.0")
    decisions = [e for e in context["timeline"] if e["kind"] == "decision"]
    assert any("ROK-portal-revised-Q" in e["text"] and "(submitted by the team)" in e["text"] for e in decisions)
    assert any(e["kind"] == "RFI answer" and "US-rfi-reply-Q" in e["text"] for e in context["timeline"])
    for text in (html, md):
        for marker in ("US-rfi-Q", "US-rfi-reply-Q", "ROK-rfi-Q", "US-answer-Q", "CHINA-answer-Q",
                       "US-feedback-strength-Q", "ROK-feedback-improve-Q", "US-feedback-name-Q"):
            assert marker in text, marker
        assert "the team itself, from its own screen" in text and "the facilitator" in text
        assert "from its link" not in text


def test_a_revised_decision_is_recorded_at_its_revision_and_says_when_it_was_first(tmp_path: Path) -> None:
    from tabletop.clock import FakeClock
    from tests.engine_fixtures import new_session

    clock = FakeClock()
    with new_session(tmp_path, clock=clock) as session:
        session.deliver("M1-02")
        clock.advance(minutes=3)
        session.submit_decision("rok", "M1-02", "direct", rationale="Closest hull", dissent="MOFA wanted Beijing")
        session.decide("us", "M1-02", "alone")
        clock.advance(minutes=9)
        session.submit_decision("rok", "M1-02", "beijing", rationale="Closest hull", dissent="MOFA wanted Beijing")
        context = session_context(session)
        html = render_report(session=session, fmt="html")
        md = render_report(session=session, fmt="md")
        word = render_report(session=session, fmt="docx")
    (inject,) = [i for m in context["moves"] for i in m["injects"] if i["id"] == "M1-02"]
    by_team = {a["team"]: a["answer"] for a in inject["answers"]}
    rok, us = by_team["rok"], by_team["us"]
    assert (rok["option"], rok["scenario"], rok["first_scenario"], rok["revised"]) == ("beijing", "+00:12", "+00:03", True)
    assert rok["recorded"].startswith("+00:12 (") and ", revised; first recorded +00:03 (" in rok["recorded"]
    assert rok["wall"] != rok["first_wall"]
    assert (us["scenario"], us["revised"]) == ("+00:03", False) and "revised" not in us["recorded"]
    for text in (html, md, _docx_text(word)):
        assert rok["recorded"] in text and us["recorded"] in text


def _docx_text(data: bytes) -> str:
    """Every paragraph of a Word file, its tables' cells included, as one text."""
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_entered_by_is_true_of_the_browser_the_terminal_view_and_a_confirmed_submission(tmp_path: Path) -> None:
    """The terminal view and the browser record the same event (source 'team', author 'team:ID'), so the
    report's words must hold for both; a submission the facilitator confirmed says so."""
    from tabletop.report.context import entered_by
    from tests.engine_fixtures import new_session

    with new_session(tmp_path) as session:
        session.deliver("M1-02")
        session.deliver("M1-03")
        terminal = Session.open(session.path, author="team:rok")  # as `tabletop view` opens it
        try:
            from_view = terminal.submit_decision("rok", "M1-02", "direct")
        finally:
            terminal.close()
        session.refresh()
        from_link = session.submit_decision("us", "M1-02", "alone")  # as the portal's writer records it
        assert (from_view.source, from_view.author) == ("team", "team:rok")
        assert (from_link.source, from_link.author) == ("team", "team:us")
        session.set_submission_mode(True)
        session.submit_decision("japan", "M1-03", "share")
        confirmed = session.confirm_submission("M1-03", "japan")
        by_hand = session.decide("china", "M1-03", "hold")
        md = render_report(session=session, fmt="md")
    assert entered_by(from_view) == entered_by(from_link) == "the team itself, from its own screen"
    assert entered_by(confirmed) == "the team, confirmed by the facilitator"
    assert entered_by(by_hand) == "the facilitator"
    assert "| Entered by | the team itself, from its own screen | the team itself, from its own screen |" in md
    assert "| Entered by | the team, confirmed by the facilitator | the facilitator |" in md


def test_a_revision_the_facilitator_confirmed_reads_as_confirmed_in_every_format(tmp_path: Path) -> None:
    """Who entered a revised decision is read from the revision: a team that first sent its decision
    itself, then revised it while submissions wait, had the revision confirmed by the facilitator; a
    confirmed decision the team then revised itself was sent by the team itself."""
    from tests.engine_fixtures import new_session

    with new_session(tmp_path) as session:
        session.deliver("M1-02")
        session.submit_decision("rok", "M1-02", "direct")  # counts at once: the team itself
        session.set_submission_mode(True)
        session.submit_decision("us", "M1-02", "alone")
        session.confirm_submission("M1-02", "us")  # confirmed by the facilitator
        session.submit_decision("rok", "M1-02", "beijing")
        session.confirm_submission("M1-02", "rok")  # the revision waits, then is confirmed
        session.set_submission_mode(False)
        session.submit_decision("us", "M1-02", "beijing")  # the team revises its confirmed decision itself
        context = session_context(session)
        md = render_report(session=session, fmt="md")
        html = render_report(session=session, fmt="html")
        word = _docx_text(render_report(session=session, fmt="docx"))
    (inject,) = [i for m in context["moves"] for i in m["injects"] if i["id"] == "M1-02"]
    by_team = {a["team"]: a["answer"] for a in inject["answers"]}
    assert by_team["rok"]["entered_by"] == "the team, confirmed by the facilitator"
    assert by_team["us"]["entered_by"] == "the team itself, from its own screen"
    assert "| Entered by | the team, confirmed by the facilitator | the team itself, from its own screen |" in md
    assert ('<td class="small">the team, confirmed by the facilitator</td>'
            '<td class="small">the team itself, from its own screen</td>') in html
    assert "the team, confirmed by the facilitator" in word and "the team itself, from its own screen" in word
    decisions = {e["teams"]: e["text"] for e in context["timeline"] if e["kind"] == "decision"}
    assert decisions["ROK"].endswith("(submitted by the team, confirmed by the facilitator)")
    assert decisions["US"].endswith("(submitted by the team)")


def test_no_table_of_the_report_names_a_record_by_its_event_type(tmp_path: Path) -> None:
    """The timeline's 'What' and the corrections' 'Record' say what each record is in the timeline's
    words ('decision', 'move', 'discussion answer'), never the log's type tags ('decided', 'move_advanced')."""
    from tabletop.events import EVENT_TYPES
    from tests.engine_fixtures import new_session

    (tmp_path / "portal").mkdir()
    path = play_portal_session(tmp_path / "portal")
    with Session.open(path) as session:
        events = session.state.events
        answer = next(e for e in events if e.type == "team_answer")
        reply = next(e for e in events if e.type == "rfi_reply")
        form = next(e for e in events if e.type == "feedback")
        session.correct(answer.seq, "typed in the wrong box", {"text": "US-answer-fixed-Q"})
        session.correct(reply.seq, "answer went out garbled", {"text": "US-rfi-reply-fixed-Q"})
        fix = session.correct(form.seq, "wrong participant", {"participant": "A. Kim"})
        session.correct(fix.seq, "the participant was right after all")
        portal = session_context(session)
        portal_md = render_report(context=portal, fmt="md")
    (tmp_path / "drill").mkdir()
    with new_session(tmp_path / "drill") as session:
        session.deliver("M1-02")
        decided = session.decide("rok", "M1-02", "direct")
        session.correct(decided.seq, "wrong option", {"option": "alone"})
        session.hold("M1-03", "later")
        session.take_back("M1-03", "held by mistake")
        advanced = session.advance()
        session.reopen_move("advanced by mistake")
        drill = session_context(session)
        drill_md = render_report(context=drill, fmt="md")
        drill_html = render_report(context=drill, fmt="html")
    kinds = {c["target_kind"] for context in (portal, drill) for c in context["corrections"]}
    assert kinds == {"discussion answer", "RFI answer", "feedback", "correction", "decision", "held", "move"}
    raw = {t for t in EVENT_TYPES if t not in {"held", "skipped", "note", "feedback", "locked"}}
    for context in (portal, drill):
        for entry in context["timeline"]:
            assert entry["kind"] not in raw and "_" not in entry["kind"], entry
    assert {"discussion answer", "feedback"} <= {e["kind"] for e in portal["timeline"]}
    for text in (portal_md, drill_md, drill_html):
        assert "move_advanced" not in text and "team_answer" not in text and "rfi_reply" not in text
    assert f"| #{decided.seq} decision |" in drill_md and f"| #{advanced.seq} move |" in drill_md
    assert f"<td>#{advanced.seq} move</td>" in drill_html
