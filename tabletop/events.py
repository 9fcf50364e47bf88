"""Session events: everything that happens in a session, as pydantic data.

The event log is the truth of a session; every view (console, participant
view, report) is a fold over these models. Each event is one immutable record
with a sequence number, the wall-clock UTC time it was written, the scenario
minute it happened at, who wrote it, and a payload. The union is discriminated
on `type` so a whole log replays with one `TypeAdapter.validate_json` call.

Nothing here is edited in place: a mistake is fixed by a `corrected` event that
points at the record it corrects.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Callable, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from tabletop.model import Channel, Rating, format_offset


TeamName = Callable[[str], str]
"""How a summary names a team from its id: the console and the report pass the exercise's label."""

DecisionSource = Literal["facilitator", "team"]
"""Who entered a decision: the facilitator at the console, or the team from its link."""

FEEDBACK_QUESTIONS: dict[str, str] = {
    "objectives": "The exercise met its objectives.",
    "realism": "The scenario was realistic and useful for my role.",
    "organization": "The exercise was well organized and well run.",
    "preparedness": "I am better prepared for a real incident after this exercise.",
}
"""The rating questions of the participant feedback form, by id."""


class HotwashKind(str, Enum):
    """What a hot-wash entry records: something that went well, or something to fix."""

    strength = "strength"
    improvement = "improvement"


class EventBase(BaseModel):
    """What every event carries besides its payload."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    META_FIELDS: ClassVar[frozenset[str]] = frozenset({"seq", "at", "minute", "author", "type"})
    """Fields that say when and by whom; the rest is the payload a correction may replace."""

    CORRECTABLE: ClassVar[bool] = False
    """Whether a `corrected` event may point at this kind of event."""

    seq: int = Field(default=0, ge=0, description="Position in the log, assigned when appended (1, 2, ...).")
    at: datetime = Field(description="Wall-clock UTC time the event was written.")
    minute: float = Field(description="Scenario minutes after STARTEX when it happened.")
    author: str = Field(default="facilitator", description="Who recorded it: 'facilitator' or an evaluator's name.")

    def payload(self) -> dict[str, Any]:
        """The event's own fields (not seq, time or author), as JSON-ready data."""
        return self.model_dump(mode="json", exclude=set(self.META_FIELDS))

    def summary(self, name: TeamName = str) -> str:
        """One readable line: what happened, for the CLI and the console log."""
        return self.type  # type: ignore[attr-defined,no-any-return]

    def line(self) -> str:
        """`#SEQ +HH:MM author: summary`, the form every CLI verb prints."""
        return f"#{self.seq} {format_offset(self.minute)} {self.author}: {self.summary()}"


class StartedEvent(EventBase):
    """STARTEX: play begins, the scenario clock runs at `rate` and the first move opens."""

    type: Literal["started"] = "started"
    rate: float = Field(gt=0, description="Scenario minutes per wall minute (1 = real time, 4 = compressed).")
    move: str = Field(description="Id of the first move, opened at STARTEX.")

    def summary(self, name: TeamName = str) -> str:
        """STARTEX with its rate."""
        return f"STARTEX at {self.rate:g}x, move {self.move} opened"


class DeliveredEvent(EventBase):
    """An inject (scheduled, contingency or ad hoc) handed to its recipients."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["delivered"] = "delivered"
    inject: str = Field(description="Id of the inject delivered.")
    to: list[str] = Field(description="Team ids it was actually delivered to.")
    redelivery: bool = Field(default=False, description="True when the inject had been delivered before.")

    def summary(self, name: TeamName = str) -> str:
        """What went to whom."""
        verb = "re-delivered" if self.redelivery else "delivered"
        return f"{verb} {self.inject} to {', '.join(map(name, self.to)) or 'nobody'}"


class HeldEvent(EventBase):
    """The facilitator holds an inject back for now; it may be delivered or skipped later."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["held"] = "held"
    inject: str = Field(description="Id of the inject held.")
    reason: str = Field(default="", description="Why it was held.")

    def summary(self, name: TeamName = str) -> str:
        """The hold and its reason."""
        return f"held {self.inject}" + (f" ({self.reason})" if self.reason else "")


class SkippedEvent(EventBase):
    """The facilitator decides an inject will not be played."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["skipped"] = "skipped"
    inject: str = Field(description="Id of the inject skipped.")
    reason: str = Field(default="", description="Why it was skipped.")

    def summary(self, name: TeamName = str) -> str:
        """The skip and its reason."""
        return f"skipped {self.inject}" + (f" ({self.reason})" if self.reason else "")


class AdhocEvent(EventBase):
    """An unplanned inject written during play and delivered at once to its recipients.

    Its text lives only here, so every view that shows what a team received reads it
    from this event.
    """

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["adhoc"] = "adhoc"
    inject: str = Field(description="Id given to it, 'ADHOC-1', 'ADHOC-2', ...")
    title: str = Field(min_length=1, description="Headline the facilitator reads out.")
    body: str = Field(min_length=1, description="Full text as the teams receive it.")
    to: list[str] = Field(min_length=1, description="Team ids it was delivered to.")
    channel: Channel = Field(default=Channel.briefing, description="How it reached the table.")
    source: str = Field(default="Control", description="Who it is from in the story.")
    move: str | None = Field(default=None, description="Move it was written in.")

    def summary(self, name: TeamName = str) -> str:
        """The new inject and its recipients."""
        return f"ad-hoc inject {self.inject} {self.title!r} delivered to {', '.join(map(name, self.to))}"


class DecidedEvent(EventBase):
    """A team's answer to an inject: an option, free text, or both."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["decided"] = "decided"
    team: str = Field(description="Team id that decided.")
    inject: str = Field(description="Inject answered.")
    option: str | None = Field(default=None, description="Option id chosen, if the team chose one.")
    text: str = Field(default="", description="What the team said it would do, in its words.")
    rationale: str = Field(default="", description="Why, as the team put it.")
    dissent: str = Field(default="", description="Who disagreed inside the team, and how.")
    source: DecisionSource = Field(
        default="facilitator",
        description="Who entered it: 'facilitator' (typed at the console) or 'team' (submitted from the team's link).",
    )

    def summary(self, name: TeamName = str) -> str:
        """Which team chose what, and who entered it when the team did."""
        choice = self.option or repr(self.text)
        by = " (from the team)" if self.source == "team" else ""
        return f"{name(self.team)} decided {choice} on {self.inject}{by}"


class LockedEvent(EventBase):
    """The facilitator closes an inject to submissions: teams may no longer submit or revise on it."""

    type: Literal["locked"] = "locked"
    inject: str = Field(description="Id of the inject locked.")

    def summary(self, name: TeamName = str) -> str:
        """The lock."""
        return f"locked {self.inject} to team submissions"


class SubmissionModeEvent(EventBase):
    """The facilitator sets how team submissions count: at once, or only once the facilitator confirms each."""

    type: Literal["submission_mode"] = "submission_mode"
    confirm: bool = Field(description="True: a team's submission waits for the facilitator; False: it is the decision.")

    def summary(self, name: TeamName = str) -> str:
        """The mode in words."""
        return ("team submissions now wait for the facilitator's confirmation" if self.confirm
                else "team submissions now count as decisions at once")


class SubmittedEvent(EventBase):
    """A team's decision from its link while submissions wait for confirmation: not yet a decision.

    The latest submission per (inject, team) waits until a decision is recorded for
    that team on that inject, by confirming it or otherwise.
    """

    type: Literal["submitted"] = "submitted"
    team: str = Field(description="Team id that submitted.")
    inject: str = Field(description="Inject answered.")
    option: str | None = Field(default=None, description="Option id chosen, if the team chose one.")
    text: str = Field(default="", description="What the team said it would do, in its words.")
    rationale: str = Field(default="", description="Why, as the team put it.")
    dissent: str = Field(default="", description="Who disagreed inside the team, and how.")

    def summary(self, name: TeamName = str) -> str:
        """What the team proposes."""
        choice = self.option or repr(_short(self.text, 40))
        return f"{name(self.team)} submitted {choice} on {self.inject}, to confirm"


class RfiEvent(EventBase):
    """A team's request for information (or message) to the control cell, from its link."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["rfi"] = "rfi"
    team: str = Field(description="Team id that asked.")
    text: str = Field(min_length=1, max_length=4000, description="The question, in the team's words.")
    inject: str | None = Field(default=None, description="Inject it is about, if any.")

    def summary(self, name: TeamName = str) -> str:
        """Who asked what."""
        about = f" on {self.inject}" if self.inject else ""
        return f"RFI from {name(self.team)}{about}: {_short(self.text)}"


class RfiReplyEvent(EventBase):
    """The control cell's answer to an RFI, delivered to the asking team only."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["rfi_reply"] = "rfi_reply"
    rfi: int = Field(ge=1, description="Seq of the RFI answered.")
    team: str = Field(description="Team id the answer goes to (the one that asked).")
    text: str = Field(min_length=1, max_length=4000, description="The answer.")

    def summary(self, name: TeamName = str) -> str:
        """The answer and to whom."""
        return f"answer to RFI #{self.rfi} for {name(self.team)}: {_short(self.text)}"


class TeamAnswerEvent(EventBase):
    """A team's notes on one discussion question of a move; the latest per question stands."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["team_answer"] = "team_answer"
    team: str = Field(description="Team id that answered.")
    move: str = Field(description="Move whose question it answers.")
    question: str = Field(min_length=1, description="The question, as the exercise words it.")
    text: str = Field(min_length=1, max_length=8000, description="The team's answer.")

    def summary(self, name: TeamName = str) -> str:
        """Which team answered which question."""
        return f"{name(self.team)} answered {_short(self.question, 40)!r} in {self.move}"


class FeedbackEvent(EventBase):
    """One participant's feedback form at ENDEX (after HSEEP's Participant Feedback Form)."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["feedback"] = "feedback"
    team: str = Field(description="Team id of the participant.")
    participant: str = Field(default="", max_length=200, description="Participant's name; may be left empty.")
    ratings: dict[str, int] = Field(
        default_factory=dict, description="Rating per feedback question id, 1 (poor) to 5 (excellent)."
    )
    strengths: str = Field(default="", max_length=8000, description="What went well.")
    improvements: str = Field(default="", max_length=8000, description="What to improve.")
    comments: str = Field(default="", max_length=8000, description="Anything else.")

    def summary(self, name: TeamName = str) -> str:
        """Whose form."""
        return f"feedback form from {name(self.team)}" + (f" ({self.participant})" if self.participant else "")


class NoteEvent(EventBase):
    """A facilitator's note for the record."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["note"] = "note"
    text: str = Field(min_length=1, description="The note.")
    inject: str | None = Field(default=None, description="Inject it is about, if any.")

    def summary(self, name: TeamName = str) -> str:
        """The note, shortened."""
        about = f" on {self.inject}" if self.inject else ""
        return f"note{about}: {_short(self.text)}"


class ObservedEvent(EventBase):
    """An evaluator's observation against an objective, with an HSEEP rating."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["observed"] = "observed"
    evaluator: str = Field(description="Name of the evaluator who observed it.")
    objective: str = Field(description="Objective id observed.")
    rating: Rating = Field(description="P, S, M or U.")
    text: str = Field(min_length=1, description="What was observed.")
    inject: str | None = Field(default=None, description="Inject it relates to, if any.")

    def summary(self, name: TeamName = str) -> str:
        """Objective, rating and the start of the text; the evaluator only when someone else wrote
        it down (the line already begins with its author)."""
        who = f"{self.evaluator} " if self.evaluator != self.author else ""
        return f"{who}rated {self.objective} {self.rating.value}: {_short(self.text)}"


class RuledEvent(EventBase):
    """A white-cell ruling: what control adjudicated, and why."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["ruled"] = "ruled"
    text: str = Field(min_length=1, description="What control ruled.")
    rationale: str = Field(default="", description="Why.")
    inject: str | None = Field(default=None, description="Inject the ruling is about, if any.")
    team: str | None = Field(default=None, description="Team the ruling concerns, if any.")

    def summary(self, name: TeamName = str) -> str:
        """The ruling, shortened, with the team it concerns: a wrong team is seen on the log line."""
        return f"ruling{f' for {name(self.team)}' if self.team else ''}: {_short(self.text)}"


class PausedEvent(EventBase):
    """The scenario clock stops at `minute`."""

    type: Literal["paused"] = "paused"
    reason: str = Field(default="", description="Why: empty when the facilitator paused, 'console closed' when the console was left running, 'reopened' after a crash.")

    def summary(self, name: TeamName = str) -> str:
        """The pause."""
        return "clock paused" + (f" ({self.reason})" if self.reason else "")


class ResumedEvent(EventBase):
    """The scenario clock runs again from `minute`."""

    type: Literal["resumed"] = "resumed"

    def summary(self, name: TeamName = str) -> str:
        """The resume."""
        return "clock resumed"


class RateChangedEvent(EventBase):
    """The clock runs at a new rate from `minute` on."""

    type: Literal["rate_changed"] = "rate_changed"
    rate: float = Field(gt=0, description="New scenario minutes per wall minute.")

    def summary(self, name: TeamName = str) -> str:
        """The new rate."""
        return f"clock rate set to {self.rate:g}x"


class JumpedEvent(EventBase):
    """The scenario clock jumps forward from `minute` to `to`."""

    type: Literal["jumped"] = "jumped"
    to: float = Field(ge=0, description="Scenario minute after the jump.")

    def summary(self, name: TeamName = str) -> str:
        """Where the clock went."""
        return f"clock jumped to {format_offset(self.to)}"


class MoveAdvancedEvent(EventBase):
    """The next move opens; the clock jumps to its start when that lies ahead."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["move_advanced"] = "move_advanced"
    move: str = Field(description="Id of the move opened.")
    index: int = Field(ge=0, description="Position of the move in the exercise (0-based).")
    jump_to: float | None = Field(
        default=None, description="Scenario minute the clock jumped to, when the move starts later than now."
    )

    def summary(self, name: TeamName = str) -> str:
        """The move, and the jump if any."""
        jump = f", clock jumped to {format_offset(self.jump_to)}" if self.jump_to is not None else ""
        return f"move {self.move} opened{jump}"


class CorrectedEvent(EventBase):
    """A correction of an earlier record, never an edit in place.

    `replacement` is the full payload of the corrected record as it should read
    (same kind of event); `None` retracts the record. A correction may itself be
    corrected: its replacement then has the payload of a correction.
    """

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["corrected"] = "corrected"
    target: int = Field(ge=1, description="Seq of the event corrected.")
    reason: str = Field(min_length=1, description="Why the record was wrong.")
    replacement: dict[str, Any] | None = Field(
        default=None, description="The corrected payload; absent when the record is retracted."
    )

    def summary(self, name: TeamName = str, before: dict[str, Any] | None = None) -> str:
        """What was corrected, to what, and why. Given the record's fields `before` the correction,
        it names the fields that changed (a decision moved to another team says so first)."""
        if self.replacement is None:
            return f"retracted #{self.target}: {_short(self.reason)}"
        now = self.replacement
        while isinstance(now.get("replacement"), dict):  # a correction of a correction: its record's fields
            now = now["replacement"]

        def shown(key: str) -> str:
            value = now[key]
            if isinstance(value, list):
                return ", ".join(map(name, value)) or "nobody"
            return name(value) if key == "team" else str(value)

        keys = ("team", "inject", "option", "text", "to", "title", "body", "reason", "rating", "objective")
        if before is not None:
            changed = [key for key in keys if key in now and now.get(key) != before.get(key)]
        else:
            changed = [key for key in keys[2:] if now.get(key) not in (None, "", [])]
        said = {"to": "recipients"}  # 'corrected #4 to recipients US, JPN', never 'to to'
        parts = [f"{said.get(key, key)} {_short(shown(key), 30)}" if now.get(key) not in (None, "") else f"no {key}"
                 for key in changed]
        to = f" to {'; '.join(parts[:2])}" if parts else ""
        return f"corrected #{self.target}{to}: {_short(self.reason)}"


class EndedEvent(EventBase):
    """ENDEX: play stops; the clock stops for good."""

    type: Literal["ended"] = "ended"

    def summary(self, name: TeamName = str) -> str:
        """ENDEX."""
        return "ENDEX"


class HotwashEvent(EventBase):
    """One hot-wash entry: a strength or an area for improvement, said in the room."""

    CORRECTABLE: ClassVar[bool] = True
    type: Literal["hotwash"] = "hotwash"
    kind: HotwashKind = Field(description="strength or improvement.")
    text: str = Field(min_length=1, description="What was said.")
    objective: str | None = Field(default=None, description="Objective it relates to, if any.")
    team: str | None = Field(default=None, description="Team that said it or that it concerns, if any.")

    def summary(self, name: TeamName = str) -> str:
        """Kind, the objective it is filed under (a wrong one is seen on the log line), the start of the text."""
        return f"hot-wash {self.kind.value}{f' on {self.objective}' if self.objective else ''}: {_short(self.text)}"


Event = Annotated[
    Union[
        StartedEvent,
        DeliveredEvent,
        HeldEvent,
        SkippedEvent,
        AdhocEvent,
        DecidedEvent,
        NoteEvent,
        ObservedEvent,
        RuledEvent,
        PausedEvent,
        ResumedEvent,
        RateChangedEvent,
        JumpedEvent,
        MoveAdvancedEvent,
        CorrectedEvent,
        EndedEvent,
        HotwashEvent,
        LockedEvent,
        RfiEvent,
        RfiReplyEvent,
        TeamAnswerEvent,
        FeedbackEvent,
        SubmissionModeEvent,
        SubmittedEvent,
    ],
    Field(discriminator="type"),
]
"""Any session event."""

EVENT_TYPES: dict[str, type[EventBase]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        StartedEvent,
        DeliveredEvent,
        HeldEvent,
        SkippedEvent,
        AdhocEvent,
        DecidedEvent,
        NoteEvent,
        ObservedEvent,
        RuledEvent,
        PausedEvent,
        ResumedEvent,
        RateChangedEvent,
        JumpedEvent,
        MoveAdvancedEvent,
        CorrectedEvent,
        EndedEvent,
        HotwashEvent,
        LockedEvent,
        RfiEvent,
        RfiReplyEvent,
        TeamAnswerEvent,
        FeedbackEvent,
        SubmissionModeEvent,
        SubmittedEvent,
    )
}
"""Event class by its `type` tag."""

# Validators are built on first use, not at import: a console opening a new
# session reads no event back, and the build is a noticeable part of start-up.
EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event, config=ConfigDict(defer_build=True))
"""Validates one event from JSON or Python data."""

EVENT_LIST_ADAPTER: TypeAdapter[list[Any]] = TypeAdapter(list[Event], config=ConfigDict(defer_build=True))
"""Validates a whole log at once: the replay hot path."""


def build_validators() -> None:
    """Build every event validator now instead of at its first use.

    They are deferred so that opening a console does not wait for them; a
    console builds them in the background once its first frame is up, so the
    first key press does not wait either.
    """
    for cls in EVENT_TYPES.values():
        cls.model_rebuild()
    EVENT_ADAPTER.rebuild()
    EVENT_LIST_ADAPTER.rebuild()


def payload_fields(cls: type[EventBase]) -> list[str]:
    """Names of the fields a correction of this kind of event may replace."""
    return [name for name in cls.model_fields if name not in EventBase.META_FIELDS]


def _short(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
