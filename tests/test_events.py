"""Session events: the discriminated union, JSON round trips, payloads and readable lines."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from tabletop.events import (
    EVENT_ADAPTER,
    EVENT_LIST_ADAPTER,
    EVENT_TYPES,
    AdhocEvent,
    CorrectedEvent,
    DecidedEvent,
    DeliveredEvent,
    EndedEvent,
    FeedbackEvent,
    HeldEvent,
    HotwashEvent,
    JumpedEvent,
    LockedEvent,
    MoveAdvancedEvent,
    NoteEvent,
    ObservedEvent,
    PausedEvent,
    RateChangedEvent,
    ResumedEvent,
    RfiEvent,
    RfiReplyEvent,
    RuledEvent,
    SkippedEvent,
    StartedEvent,
    SubmissionModeEvent,
    SubmittedEvent,
    TeamAnswerEvent,
    payload_fields,
)

AT = datetime(2030, 4, 11, 6, 0, tzinfo=timezone.utc)

SAMPLES = [
    StartedEvent(seq=1, at=AT, minute=0, rate=2, move="M1"),
    DeliveredEvent(seq=2, at=AT, minute=5, inject="M1-01", to=["us", "rok"]),
    HeldEvent(seq=3, at=AT, minute=6, inject="M1-02", reason="busy"),
    SkippedEvent(seq=4, at=AT, minute=7, inject="M1-03"),
    AdhocEvent(seq=5, at=AT, minute=8, inject="ADHOC-1", title="Ferry", body="A ferry.", to=["rok"], move="M1"),
    DecidedEvent(seq=6, at=AT, minute=9, team="rok", inject="M1-02", option="direct", rationale="fast"),
    NoteEvent(seq=7, at=AT, minute=10, text="A note", inject="M1-02"),
    ObservedEvent(seq=8, at=AT, minute=11, author="Kim", evaluator="Kim", objective="OBJ-1", rating="S", text="ok"),
    RuledEvent(seq=9, at=AT, minute=12, text="The vessel answers", team="china"),
    PausedEvent(seq=10, at=AT, minute=13, reason="reopened"),
    ResumedEvent(seq=11, at=AT, minute=13),
    RateChangedEvent(seq=12, at=AT, minute=14, rate=4),
    JumpedEvent(seq=13, at=AT, minute=15, to=50),
    MoveAdvancedEvent(seq=14, at=AT, minute=50, move="M2", index=1, jump_to=60),
    CorrectedEvent(seq=15, at=AT, minute=60, target=6, reason="misheard", replacement={"option": "alone"}),
    EndedEvent(seq=16, at=AT, minute=61),
    HotwashEvent(seq=17, at=AT, minute=61, kind="strength", text="Hotlines worked"),
    LockedEvent(seq=18, at=AT, minute=20, inject="M1-02"),
    RfiEvent(seq=19, at=AT, minute=21, author="team:rok", team="rok", text="Where is the cutter?", inject="M1-02"),
    RfiReplyEvent(seq=20, at=AT, minute=22, rfi=19, team="rok", text="40 minutes out"),
    TeamAnswerEvent(seq=21, at=AT, minute=23, author="team:us", team="us", move="M1", question="Who leads?", text="ROK"),
    FeedbackEvent(seq=22, at=AT, minute=62, author="team:us", team="us", ratings={"realism": 4}, strengths="pace"),
    SubmissionModeEvent(seq=23, at=AT, minute=24, confirm=True),
    SubmittedEvent(seq=24, at=AT, minute=25, author="team:rok", team="rok", inject="M1-02", option="alone"),
]


def test_every_event_type_has_a_sample() -> None:
    assert {e.type for e in SAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.type)
def test_json_round_trip_through_the_union(event) -> None:
    back = EVENT_ADAPTER.validate_json(event.model_dump_json())
    assert type(back) is type(event)
    assert back == event


def test_a_whole_log_validates_in_one_call() -> None:
    blob = "[" + ",".join(e.model_dump_json() for e in SAMPLES) + "]"
    assert EVENT_LIST_ADAPTER.validate_json(blob) == SAMPLES


def test_unknown_type_and_bad_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_json('{"type": "exploded", "at": "2030-01-01T00:00:00Z", "minute": 0}')
    with pytest.raises(ValidationError):
        StartedEvent(at=AT, minute=0, rate=0, move="M1")
    with pytest.raises(ValidationError):
        NoteEvent(at=AT, minute=0, text="")
    with pytest.raises(ValidationError):
        ObservedEvent(at=AT, minute=0, evaluator="x", objective="O", rating="Q", text="x")
    with pytest.raises(ValidationError):
        NoteEvent(at=AT, minute=0, text="x", colour="red")


def test_events_are_immutable() -> None:
    with pytest.raises(ValidationError):
        SAMPLES[6].text = "changed"  # type: ignore[misc]


def test_payload_leaves_out_when_and_who() -> None:
    decided = SAMPLES[5]
    assert decided.payload() == {
        "team": "rok", "inject": "M1-02", "option": "direct", "text": "", "rationale": "fast", "dissent": "",
        "source": "facilitator",
    }
    assert payload_fields(DecidedEvent) == ["team", "inject", "option", "text", "rationale", "dissent", "source"]


def test_records_and_play_steps_are_correctable_but_not_the_clock() -> None:
    correctable = {name for name, cls in EVENT_TYPES.items() if cls.CORRECTABLE}
    assert correctable == {
        "adhoc", "decided", "note", "observed", "ruled", "hotwash", "corrected", "rfi", "rfi_reply", "team_answer", "feedback",
        "delivered", "held", "skipped", "move_advanced",
    }


def test_lines_are_readable() -> None:
    lines = [e.line() for e in SAMPLES]
    assert lines[0] == "#1 +00:00 facilitator: STARTEX at 2x, move M1 opened"
    assert lines[1] == "#2 +00:05 facilitator: delivered M1-01 to us, rok"
    assert lines[2] == "#3 +00:06 facilitator: held M1-02 (busy)"
    assert lines[5] == "#6 +00:09 facilitator: rok decided direct on M1-02"
    assert lines[7] == "#8 +00:11 Kim: rated OBJ-1 S: ok"
    assert lines[13] == "#14 +00:50 facilitator: move M2 opened, clock jumped to +01:00"
    assert lines[14] == "#15 +01:00 facilitator: corrected #6 to option alone: misheard"
    assert SAMPLES[8].summary(str.upper) == "ruling for CHINA: The vessel answers", "the team ruled for is seen"
    filed = HotwashEvent(seq=18, at=AT, minute=61, kind="improvement", text="No shared picture", objective="OBJ-3")
    assert filed.summary() == "hot-wash improvement on OBJ-3: No shared picture", "a wrong objective is seen"
    long = NoteEvent(seq=9, at=AT, minute=0, text="word " * 40)
    assert long.summary().endswith("…") and len(long.summary()) < 80


def test_validators_are_built_on_first_use_or_when_asked() -> None:
    """Importing the events builds no validator (start-up does not wait); build_validators builds all."""
    import subprocess
    import sys

    code = (
        "import tabletop.events as e\n"
        "assert not any(c.__pydantic_complete__ for c in e.EVENT_TYPES.values())\n"
        "e.build_validators()\n"
        "assert all(c.__pydantic_complete__ for c in e.EVENT_TYPES.values())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
