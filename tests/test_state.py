"""SessionState as a pure fold: statuses, the MSEL, what each team received, corrections."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tabletop.events import (
    AdhocEvent,
    CorrectedEvent,
    DecidedEvent,
    DeliveredEvent,
    EndedEvent,
    EventBase,
    HeldEvent,
    HotwashEvent,
    MoveAdvancedEvent,
    NoteEvent,
    ObservedEvent,
    RuledEvent,
    SkippedEvent,
    StartedEvent,
)
from tabletop.loader import load_exercise_text
from tabletop.state import InjectStatus, SessionState
from tests.engine_fixtures import exercise_yaml

EXERCISE = load_exercise_text(exercise_yaml(), "drill.yaml")
T0 = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)


class Log:
    """Builds a log with consecutive seqs, each event at its scenario minute."""

    def __init__(self) -> None:
        self.events: list[EventBase] = []

    def add(self, cls: type[EventBase], minute: float = 0.0, **fields: object) -> EventBase:
        event = cls(seq=len(self.events) + 1, at=T0 + timedelta(minutes=minute), minute=minute, **fields)
        self.events.append(event)
        return event

    def state(self) -> SessionState:
        return SessionState.replay(EXERCISE, self.events)


@pytest.fixture
def log() -> Log:
    started = Log()
    started.add(StartedEvent, rate=1.0, move="M1")
    return started


def status(state: SessionState, minute: float) -> dict[str, str]:
    return {row.inject: row.status.value for row in state.msel(minute)}


def test_before_startex_everything_is_upcoming_or_inactive() -> None:
    state = SessionState(EXERCISE)
    assert state.move is None and state.last_seq == 0
    assert set(status(state, 500).values()) == {"upcoming", "inactive"}
    assert state.due(500) == []


def test_statuses_over_time(log: Log) -> None:
    state = log.state()
    assert status(state, 0)["M1-01"] == "upcoming"
    assert status(state, 5)["M1-01"] == "due"
    at_30 = status(state, 30)
    assert [k for k, v in at_30.items() if v == "due"] == ["M1-01", "M1-02", "M1-03"]
    assert at_30["M1-04"] == "inactive" and at_30["M2-03"] == "inactive"
    assert status(state, 200)["M2-01"] == "upcoming", "a later move's injects wait for the move"
    assert status(state, 200)["C-1"] == "upcoming"


def test_actions_set_the_status(log: Log) -> None:
    log.add(DeliveredEvent, 5, inject="M1-01", to=["us"])
    log.add(HeldEvent, 16, inject="M1-02", reason="busy")
    log.add(SkippedEvent, 17, inject="M1-03", reason="time")
    state = log.state()
    assert (state.status("M1-01", 30), state.status("M1-02", 30), state.status("M1-03", 30)) == (
        InjectStatus.delivered, InjectStatus.held, InjectStatus.skipped)
    log.add(DeliveredEvent, 20, inject="M1-02", to=["rok", "us"])
    assert log.state().status("M1-02", 30) is InjectStatus.delivered
    assert log.state().due(30) == []


def test_nothing_is_due_after_endex(log: Log) -> None:
    log.add(EndedEvent, 30)
    state = log.state()
    assert state.due(30) == []
    assert state.status("M1-01", 30) is InjectStatus.passed, "never delivered, and play has ended: not played"


def test_an_undelivered_inject_of_a_closed_move_has_passed_and_is_not_due(log: Log) -> None:
    log.add(MoveAdvancedEvent, 20, move="M2", index=1, jump_to=60)
    state = log.state()
    assert state.status("M1-01", 60) is InjectStatus.passed
    assert "M1-01" not in {i.id for i in state.due(60)}, "a closed move's injects do not swell what is due now"


def test_msel_order_places_adhoc_injects_in_their_move(log: Log) -> None:
    log.add(AdhocEvent, 12, inject="ADHOC-1", title="Ferry", body="A ferry.", to=["rok"], move="M1")
    log.add(MoveAdvancedEvent, 20, move="M2", index=1, jump_to=60)
    log.add(AdhocEvent, 70, inject="ADHOC-2", title="Press", body="Press.", to=["us"], move="M2")
    rows = log.state().msel(70)
    assert [r.inject for r in rows] == [
        "M1-01", "ADHOC-1", "M1-02", "M1-03", "M1-04", "M2-01", "ADHOC-2", "M2-02", "M2-03", "C-1", "C-2"]
    adhoc = rows[1]
    assert (adhoc.kind, adhoc.status, adhoc.to, adhoc.at) == ("adhoc", InjectStatus.delivered, ("rok",), 12)
    assert rows[-1].kind == "contingency" and rows[-1].condition == "JPN decided on M1-03"
    assert rows[0].kind == "scheduled" and rows[0].at == 5 and rows[0].move == "M1"


def test_what_each_team_received(log: Log) -> None:
    log.add(DeliveredEvent, 5, inject="M1-01", to=["us", "japan", "rok", "china", "observers"])
    log.add(AdhocEvent, 6, inject="ADHOC-1", title="Ferry", body="A ferry in distress.", to=["rok", "china"])
    log.add(DeliveredEvent, 7, inject="ADHOC-1", to=["rok", "china"], redelivery=True)
    state = log.state()
    china = state.delivered_to("china")
    assert [(r.inject, r.redelivery) for r in china] == [("M1-01", False), ("ADHOC-1", False), ("ADHOC-1", True)]
    assert china[1].body == "A ferry in distress." and china[1].source == "Control" and china[1].minute == 6
    assert china[0].title == "Storm warning" and china[0].channel == "news"
    assert [r.inject for r in state.delivered_to("us")] == ["M1-01"]
    assert state.delivered_to("control") == []
    assert state.first_delivery("ADHOC-1").seq == 3


def test_decisions_awaited_and_branches(log: Log) -> None:
    log.add(DeliveredEvent, 15, inject="M1-02", to=["rok", "us"])
    assert log.state().awaited() == {"M1-02": ["rok", "us"]}
    log.add(DecidedEvent, 16, team="rok", inject="M1-02", option="direct")
    state = log.state()
    assert state.awaited() == {"M1-02": ["us"]}
    assert state.choices("M1-02") == {"rok": "direct"}
    assert state.live_conditionals() == ["M1-04", "M2-02"]
    assert state.status("M1-04", 40) is InjectStatus.due
    log.add(DecidedEvent, 17, team="rok", inject="M1-02", option="alone")
    state = log.state()
    assert state.decision("M1-02", "rok").option == "alone"
    assert len(state.decisions) == 2
    assert state.team_decisions("rok") == {"M1-02": state.decision("M1-02", "rok")}
    assert state.status("M1-04", 40) is InjectStatus.inactive
    row = next(r for r in state.msel(40) if r.inject == "M1-02")
    assert (row.decided, row.awaited) == (("rok",), ("us",))


def test_corrections_chain(log: Log) -> None:
    note = log.add(NoteEvent, 1, text="first")
    fix = log.add(CorrectedEvent, 2, target=note.seq, reason="typo", replacement={"text": "second", "inject": None})
    state = log.state()
    assert [n.text for n in state.notes] == ["second"]
    assert state.event(note.seq).text == "first"
    assert state.root_of(fix.seq) == note.seq
    assert [c.seq for c in state.corrections_of(note.seq)] == [fix.seq]
    undo = log.add(CorrectedEvent, 3, target=fix.seq, reason="was right")
    assert [n.text for n in log.state().notes] == ["first"]
    log.add(CorrectedEvent, 4, target=undo.seq, reason="no, the fix was right")
    assert [n.text for n in log.state().notes] == ["second"]
    log.add(CorrectedEvent, 5, target=note.seq, reason="never said")
    state = log.state()
    assert state.notes == [] and state.is_retracted(note.seq)
    assert len(state.corrections) == 4


def test_records_are_listed_as_they_stand(log: Log) -> None:
    log.add(ObservedEvent, 1, evaluator="Kim", objective="OBJ-1", rating="S", text="ok")
    log.add(RuledEvent, 2, text="The vessel answers")
    log.add(HotwashEvent, 3, kind="improvement", text="Slow")
    log.add(CorrectedEvent, 4, target=2, reason="wrong rating",
            replacement={"evaluator": "Kim", "objective": "OBJ-1", "rating": "M", "text": "ok", "inject": None})
    state = log.state()
    assert [o.rating.value for o in state.observations] == ["M"]
    assert [r.text for r in state.rulings] == ["The vessel answers"]
    assert [h.kind.value for h in state.hotwash] == ["improvement"]


def test_incremental_fold_equals_replay(log: Log) -> None:
    log.add(DeliveredEvent, 15, inject="M1-02", to=["rok", "us"])
    log.add(DecidedEvent, 16, team="rok", inject="M1-02", option="direct")
    log.add(CorrectedEvent, 17, target=3, reason="x", replacement=None)
    live = SessionState(EXERCISE)
    for event in log.events:
        live.apply(event)
        live.msel(event.minute)
        live.awaited()
    assert live.snapshot() == log.state().snapshot()
