"""A session in which every kind of secret exists, each carrying a unique marker.

Used by the need-to-know tests of every participant view (the rule itself, the
plain text, the terminal view, the browser page). Every marker ends in `-Q` so
none is a prefix of another. `visible_to(team)` names the markers a team's view
must show; `ALL_MARKERS` minus those must appear nowhere in it.
"""

from __future__ import annotations

import re
from pathlib import Path

from tabletop.clock import FakeClock
from tabletop.engine import Session

SECRETS_YAML = """\
id: secrets-drill
title: Secrets Drill
version: "1.0"
summary: OK-summary-Q A drill with a secret in every place a secret can hide.
marking: EXERCISE - FOR TRAINING ONLY
scope: S3-scope-Q
point_of_contact: S3-poc-Q
setting:
  start: "2030-04-11T06:00:00+09:00"
  timezone: Asia/Seoul
duration: "+02:00"
teams:
  - {id: us, name: United States, short: US, brief: "US-brief-Q Your private brief.", members: [US-member-Q]}
  - {id: rok, name: Republic of Korea, short: ROK, brief: "ROK-brief-Q Your private brief."}
  - {id: china, name: China, short: PRC, brief: "CHINA-brief-Q Your private brief."}
  - {id: control, name: White Cell, kind: control, brief: "S3-control-brief-Q"}
  - {id: observers, name: Observers, kind: observer, brief: "OBS-brief-Q What to watch."}
objectives:
  - {id: OBJ-1, text: S3-objective-Q Coordinate the rescue., capability: S3-capability-Q}
moves:
  - id: M1
    title: OK-M1-title-Q
    starts_at: "+00:00"
    situation: OK-M1-situation-Q A storm crosses the sea.
    questions:
      all: [OK-M1-question-all-Q]
      us: [US-M1-question-Q]
      rok: [ROK-M1-question-Q]
      observers: [OBS-M1-question-Q]
      control: [S3-M1-question-control-Q]
    injects:
      - id: I-ALL
        at: "+00:05"
        title: OK-IALL-title-Q
        source: OK-IALL-source-Q
        to: all
        channel: news
        body: OK-IALL-body-Q Gale warning for the western sea.
        questions: [OK-IALL-question-Q]
        objectives: [OBJ-1]
        notes: S3-IALL-notes-Q
        expected:
          us: S3-IALL-expected-us-Q
          rok: S3-IALL-expected-rok-Q
        decision:
          prompt: OK-IALL-prompt-Q Do you close the ports?
          options:
            - {id: close, label: OK-IALL-close-Q, posture: public, consequence: S3-IALL-close-consequence-Q}
            - {id: open, label: OK-IALL-open-Q, posture: national, consequence: S3-IALL-open-consequence-Q}
      - id: I-USROK
        at: "+00:10"
        title: USROK-title-Q
        source: USROK-source-Q
        to: [us, rok]
        channel: radio
        body: USROK-body-Q A boat capsized.
        questions: [USROK-question-Q]
        notes: S3-USROK-notes-Q
        expected:
          us: S3-USROK-expected-us-Q
          rok: S3-USROK-expected-rok-Q
        decision:
          prompt: USROK-prompt-Q Who leads?
          options:
            - {id: lead, label: USROK-lead-Q, posture: public, consequence: S3-USROK-lead-consequence-Q}
            - {id: follow, label: USROK-follow-Q, posture: deferring, consequence: S3-USROK-follow-consequence-Q}
      - id: I-CHINA
        at: "+00:15"
        title: CHINA-title-Q
        source: CHINA-source-Q
        to: [china]
        channel: cable
        body: CHINA-body-Q Your vessel is nearest.
        notes: S3-CHINA-notes-Q
        expected:
          china: S3-CHINA-expected-Q
      - id: I-OBS
        at: "+00:16"
        title: OBS-title-Q
        source: OBS-source-Q
        to: [observers]
        channel: briefing
        body: OBS-body-Q Watch how the capitals talk.
      - id: I-HELD
        at: "+00:20"
        title: S3-held-title-Q
        source: S3-held-source-Q
        to: [us]
        channel: email
        body: S3-held-body-Q
      - id: I-SKIPPED
        at: "+00:21"
        title: S3-skipped-title-Q
        source: S3-skipped-source-Q
        to: [rok]
        channel: email
        body: S3-skipped-body-Q
      - id: I-LATER
        at: "+00:50"
        title: S3-later-title-Q
        source: S3-later-source-Q
        to: all
        channel: news
        body: S3-later-body-Q
        questions: [S3-later-question-Q]
  - id: M2
    title: S3-M2-title-Q
    starts_at: "+01:00"
    situation: S3-M2-situation-Q
    questions:
      all: [S3-M2-question-Q]
    injects:
      - id: M2-01
        at: "+01:00"
        title: S3-M2-01-title-Q
        source: S3-M2-01-source-Q
        to: all
        channel: meeting
        body: S3-M2-01-body-Q
contingencies:
  - id: C-UNUSED
    title: S3-contingency-title-Q
    source: S3-contingency-source-Q
    to: [us, rok, china]
    channel: radio
    body: S3-contingency-body-Q
  - id: C-ROK
    title: ROK-contingency-title-Q
    source: ROK-contingency-source-Q
    to: [rok]
    channel: phone_call
    body: ROK-contingency-body-Q
    notes: S3-contingency-notes-Q
"""
"""The exercise: markers `OK-` are for every participant, `US-`/`ROK-`/... for one team, `S3-` for nobody."""

PARTICIPANTS = ("us", "rok", "china", "observers")
"""Teams with a participant view in the secrets exercise."""

POSTURE_WORDS = ("public", "national", "deferring")
"""Postures used by the options and by no other text of the exercise: no participant view may say them."""


def posture_words_in(text: str) -> list[str]:
    """The posture words `text` says as words ('Republic' does not say 'public', nor 'international' 'national')."""
    return [word for word in POSTURE_WORDS if re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", text)]

_MARKER = re.compile(r"\b[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*-Q\b")


def _shared(*teams: str) -> frozenset[str]:
    return frozenset(teams)


EVERYONE = _shared(*PARTICIPANTS)

SESSION_MARKERS: dict[str, frozenset[str]] = {
    # ad-hoc injects
    "ADHOCONE-title-Q": _shared("rok"),
    "ADHOCONE-body-Q": _shared("rok"),
    "ADHOCONE-source-Q": _shared("rok"),
    "ADHOCTWO-title-Q": _shared("us", "observers"),
    "ADHOCTWO-body-Q": _shared("us", "observers"),
    # decisions: each team sees only its own
    "US-decision-text-Q": _shared("us"),
    "US-decision-rationale-Q": _shared("us"),
    "US-decision-dissent-Q": _shared("us"),
    "ROK-decision-text-Q": _shared("rok"),
    "ROK-decision-rationale-Q": _shared("rok"),
    "ROK-decision-dissent-Q": _shared("rok"),
    "CHINA-decision-text-Q": _shared("china"),
    "CHINA-decision-rationale-Q": _shared("china"),
    "US-corrected-rationale-Q": _shared("us"),
    # records nobody at a team's table sees
    "S3-superseded-rationale-Q": frozenset(),
    "S3-hold-reason-Q": frozenset(),
    "S3-skip-reason-Q": frozenset(),
    "S3-session-note-Q": frozenset(),
    "S3-ruling-Q": frozenset(),
    "S3-ruling-rationale-Q": frozenset(),
    "S3-observation-Q": frozenset(),
    "S3-evaluator-Q": frozenset(),
    "S3-hotwash-Q": frozenset(),
    "S3-correction-reason-Q": frozenset(),
    "S3-retracted-text-Q": frozenset(),
}
"""Markers written during play, and who may see each."""


def exercise_markers() -> dict[str, frozenset[str]]:
    """Markers of the exercise text, and who may see each once the session below has been played."""
    owners = {
        "OK": EVERYONE,
        "US": _shared("us"),
        "ROK": _shared("rok"),
        "CHINA": _shared("china"),
        "OBS": _shared("observers"),
        "USROK": _shared("us", "rok"),
        "S3": frozenset(),
    }
    found: dict[str, frozenset[str]] = {}
    for marker in _MARKER.findall(SECRETS_YAML):
        found[marker] = owners[marker.split("-", 1)[0]]
    return found


ALL_MARKERS: dict[str, frozenset[str]] = {**exercise_markers(), **SESSION_MARKERS}
"""Every marker of the secrets session and the teams that may see it."""


def visible_to(team: str) -> set[str]:
    """Markers a team's view must show."""
    return {marker for marker, teams in ALL_MARKERS.items() if team in teams}


def hidden_from(team: str) -> set[str]:
    """Markers that must appear nowhere in a team's view."""
    return {marker for marker, teams in ALL_MARKERS.items() if team not in teams}


def markers_in(text: str) -> set[str]:
    """Every marker that appears in a text."""
    return {marker for marker in ALL_MARKERS if marker in text}


def write_secrets_exercise(folder: Path) -> Path:
    """Write the secrets exercise into `folder`."""
    path = folder / "secrets-drill.yaml"
    path.write_text(SECRETS_YAML, encoding="utf-8")
    return path


def play_secrets_session(folder: Path, *, clock: FakeClock | None = None) -> Path:
    """Create and play the secrets session; returns the session file (closed)."""
    clock = clock or FakeClock()
    path = folder / "secrets.session"
    session = Session.create(write_secrets_exercise(folder), path, clock=clock)
    try:
        session.start()
        clock.advance(minutes=5)
        session.deliver("I-ALL")
        session.deliver("I-USROK")
        session.deliver("I-CHINA")
        session.deliver("I-OBS")
        session.hold("I-HELD", reason="S3-hold-reason-Q")
        session.skip("I-SKIPPED", reason="S3-skip-reason-Q")
        session.deliver("C-ROK")
        session.adhoc("ADHOCONE-title-Q", "ADHOCONE-body-Q", ["rok"], source="ADHOCONE-source-Q")
        session.adhoc("ADHOCTWO-title-Q", "ADHOCTWO-body-Q", ["us", "observers"])
        clock.advance(minutes=3)
        session.decide(
            "us", "I-USROK", option="lead", text="US-decision-text-Q",
            rationale="US-decision-rationale-Q", dissent="US-decision-dissent-Q",
        )
        session.decide(
            "rok", "I-USROK", option="follow", text="ROK-decision-text-Q",
            rationale="ROK-decision-rationale-Q", dissent="ROK-decision-dissent-Q",
        )
        session.decide("china", "I-ALL", option="close", text="CHINA-decision-text-Q", rationale="CHINA-decision-rationale-Q")
        first = session.decide("us", "I-ALL", option="open", rationale="S3-superseded-rationale-Q")
        session.correct(first.seq, "S3-correction-reason-Q", {"rationale": "US-corrected-rationale-Q"})
        retracted = session.decide("rok", "I-ALL", text="S3-retracted-text-Q")
        session.correct(retracted.seq, "S3-correction-reason-Q")
        session.note("S3-session-note-Q", inject="I-ALL")
        session.rule("S3-ruling-Q", rationale="S3-ruling-rationale-Q", inject="I-USROK", team="us")
        session.observe("OBJ-1", "S", "S3-observation-Q", inject="I-ALL", evaluator="S3-evaluator-Q")
        session.hotwash("strength", "S3-hotwash-Q", objective="OBJ-1", team="us")
        session.deliver("I-ALL")
    finally:
        session.close()
    return path


PORTAL_MARKERS: dict[str, frozenset[str]] = {
    # what teams send from their own links: each team sees only its own
    "ROK-portal-revised-Q": _shared("rok"),
    "ROK-portal-rationale-Q": _shared("rok"),
    "S3-portal-first-Q": frozenset(),
    "US-rfi-Q": _shared("us"),
    "US-rfi-reply-Q": _shared("us"),
    "ROK-rfi-Q": _shared("rok"),
    "US-answer-Q": _shared("us"),
    "CHINA-answer-Q": _shared("china"),
    "US-feedback-name-Q": _shared("us"),
    "US-feedback-strength-Q": _shared("us"),
    "ROK-feedback-improve-Q": _shared("rok"),
}
"""Markers the team portal writes (submissions, RFIs, answers, feedback), and who may see each."""

PORTAL_ALL_MARKERS: dict[str, frozenset[str]] = {**ALL_MARKERS, **PORTAL_MARKERS}
"""Every marker of the portal session and the teams that may see it."""


def portal_visible_to(team: str) -> set[str]:
    """Markers a team's view of the portal session must show."""
    return {marker for marker, teams in PORTAL_ALL_MARKERS.items() if team in teams}


def portal_hidden_from(team: str) -> set[str]:
    """Markers that must appear nowhere in a team's view of the portal session."""
    return {marker for marker, teams in PORTAL_ALL_MARKERS.items() if team not in teams}


def portal_markers_in(text: str) -> set[str]:
    """Every portal-session marker that appears in a text."""
    return {marker for marker in PORTAL_ALL_MARKERS if marker in text}


def play_portal_session(folder: Path, *, clock: FakeClock | None = None) -> Path:
    """The secrets session, then what teams do from their links: submit, revise, ask, answer, give feedback."""
    clock = clock or FakeClock()
    path = play_secrets_session(folder, clock=clock)
    session = Session.open(path, clock=clock)
    try:
        session.submit_decision("rok", "I-ALL", text="S3-portal-first-Q")
        session.submit_decision(
            "rok", "I-ALL", option="close", text="ROK-portal-revised-Q", rationale="ROK-portal-rationale-Q"
        )
        asked = session.ask("us", "US-rfi-Q", inject="I-USROK")
        session.reply(asked.seq, "US-rfi-reply-Q")
        session.ask("rok", "ROK-rfi-Q")
        session.answer_question("us", "M1", "US-M1-question-Q", "US-answer-Q")
        session.answer_question("china", "M1", "OK-M1-question-all-Q", "CHINA-answer-Q")
        session.lock("I-ALL")
        session.end()
        session.give_feedback(
            "us", {"realism": 4, "objectives": 5}, strengths="US-feedback-strength-Q", participant="US-feedback-name-Q"
        )
        session.give_feedback("rok", {"realism": 2}, improvements="ROK-feedback-improve-Q")
    finally:
        session.close()
    return path
