"""Participant packets and inject cards carry only what the team may see."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from pypdf import PdfReader

from tabletop.loader import load_exercise_text
from tabletop.model import Exercise
from tabletop.report.handouts import handouts_context, render_handouts, team_handout
from tabletop.report.render import ReportError
from tests.engine_fixtures import exercise_yaml

SECRETS = {
    "note": "SECRET-NOTE facilitator only",
    "expected": "SECRET-EXPECTED action",
    "consequence": "SECRET-CONSEQUENCE of hailing",
    "control_brief": "SECRET-CONTROL brief",
}


def exercise_with_secrets() -> Exercise:
    """The fixture exercise with briefs, facilitator notes, expectations and consequences added."""
    data = yaml.safe_load(exercise_yaml())
    for team in data["teams"]:
        team["brief"] = f"BRIEF-OF-{team['id']} <script>alert(1)</script>"
        team["members"] = [f"Minister of {team['id']}"]
    data["teams"][4]["brief"] = SECRETS["control_brief"]
    inject = data["moves"][0]["injects"][1]
    inject["notes"] = SECRETS["note"]
    inject["expected"] = {"rok": SECRETS["expected"]}
    inject["questions"] = ["Who coordinates a rescue among three flags?"]
    inject["decision"]["options"][0]["consequence"] = SECRETS["consequence"]
    data["moves"][0]["questions"] = {"all": ["QUESTION-FOR-ALL"], "rok": ["QUESTION-FOR-ROK"]}
    return load_exercise_text(yaml.safe_dump(data, allow_unicode=True))


def dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_a_packet_holds_its_own_brief_and_nothing_secret() -> None:
    exercise = exercise_with_secrets()
    packet = team_handout(exercise, "rok")
    text = dump(packet)
    assert "BRIEF-OF-rok" in text
    for other in ("us", "japan", "china", "observers"):
        assert f"BRIEF-OF-{other}" not in text
    for secret in SECRETS.values():
        assert secret not in text
    assert "posture" not in text and "joint" not in text
    assert packet["moves"][0]["questions"] == ["QUESTION-FOR-ALL", "QUESTION-FOR-ROK"]
    assert "QUESTION-FOR-ROK" not in dump(team_handout(exercise, "us"))


def test_a_packet_holds_no_later_move_and_no_card() -> None:
    exercise = exercise_with_secrets()
    packet = team_handout(exercise, "japan")
    assert [m["id"] for m in packet["moves"]] == [exercise.moves[0].id]
    assert "cards" not in packet
    text = dump(packet)
    for move in exercise.moves[1:]:
        assert move.situation not in text
    for inject in exercise.all_injects():
        assert inject.body not in text


def test_the_control_deck_has_a_card_per_inject_with_what_recipients_see() -> None:
    exercise = exercise_with_secrets()
    card = next(c for c in handouts_context(exercise)["cards"] if c["id"] == "M1-02")
    assert card["decision"]["options"][0] == {"id": "direct", "label": "Hail it directly on channel 16"}
    assert card["to"] == ["ROK", "US"]
    assert card["time"] == "+00:15"
    assert card["questions"] == ["Who coordinates a rescue among three flags?"]
    assert handouts_context(exercise, "japan")["cards"] == []


def test_the_control_cell_and_unknown_teams_get_no_packet() -> None:
    exercise = exercise_with_secrets()
    with pytest.raises(ReportError, match="control cell"):
        team_handout(exercise, "control")
    with pytest.raises(ReportError, match="unknown team"):
        team_handout(exercise, "nobody")


def test_without_a_team_every_participant_gets_a_packet_and_every_inject_a_card() -> None:
    exercise = exercise_with_secrets()
    context = handouts_context(exercise)
    assert [p["team"] for p in context["packets"]] == ["us", "japan", "rok", "china", "observers"]
    assert [c["id"] for c in context["cards"]] == [i.id for i in exercise.all_injects()]
    text = dump(context)
    for secret in SECRETS.values():
        assert secret not in text


def test_html_packet_escapes_and_hides() -> None:
    exercise = exercise_with_secrets()
    html = render_handouts(exercise=exercise, fmt="html", team="us")
    assert isinstance(html, str)
    assert "<script>" not in html and "BRIEF-OF-us &lt;script&gt;" in html
    assert "BRIEF-OF-rok" not in html
    for secret in SECRETS.values():
        assert secret not in html
    assert "Inject cards" not in html
    assert all(i.body not in html for i in exercise.all_injects())


def test_pdf_handouts_start_each_packet_on_a_new_page() -> None:
    exercise = exercise_with_secrets()
    pdf = render_handouts(exercise=exercise, fmt="pdf", paper="letter")
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    pages = ["".join(p.extract_text().split()).replace("\x00", "") for p in reader.pages]
    starts = [n for n, text in enumerate(pages) if "Participantpacket:" in text]
    assert len(starts) == 5
    assert all("EXERCISE-FORTRAININGONLY" in text for text in pages)
    assert round(float(reader.pages[0].mediabox.width)) == 612
    everything = "".join(pages)
    for secret in SECRETS.values():
        assert "".join(secret.split()) not in everything
