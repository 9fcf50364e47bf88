"""Need-to-know: what one team may see of a session, as a rule of the engine layer.

Every participant-facing view (the team view in a terminal, its plain-text
print, the browser page, printed handouts) asks this module and shows only
what it returns, so the rule is written and tested once, not re-implemented
as a filter in each widget or template.

A team sees its own private brief, the situation update and the discussion
questions (for it and for everyone) of every move that has opened, each
inject actually delivered to it with only the fields a participant reads
(title, body, source, channel, when it arrived, discussion questions, the
decision's prompt and option labels), ad-hoc injects sent to it, and its own
recorded decisions as they stand after corrections (with who entered each),
and what it sent from its own link: its RFIs with the answers control sent to
it, its answers to discussion questions, its feedback forms.

What a team may still send is part of what it sees, and is decided here once:
`submission_closed` says why the engine refuses a team's own decision on an
inject (ENDEX, withdrawn from the team, locked, or the move it came in has
ended) and `discussion_closed` why it refuses an answer to a move's discussion
questions. `Session.submit_decision` and `Session.answer_question` refuse with
these functions' words, and every team view offers a form only where they
return None, so a page never offers what the engine would then refuse.

It never sees an undelivered inject, an inject addressed only to other teams,
a facilitator note, expected actions, option postures or consequences (the
facilitator's analysis, which would steer the answer), another team's brief or
decisions, RFIs, answers or feedback, rulings, evaluator observations or hot-wash entries. Observer cells
see what the exercise addresses to them and their own brief. The control cell
is not a participant: it uses the console, which shows everything.

Everything returned is frozen plain data (dataclasses of str, int, float,
datetime and tuples), so a view cannot reach back into the session through it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tabletop.model import ALL, PRESENTATIONS, Attachment, Exercise, Inject, Setting, Team, TeamKind
from tabletop.names import find_team, team_suggestion
from tabletop.state import Delivery, SessionState

if TYPE_CHECKING:
    from tabletop.engine import Session

__all__ = [
    "Closed",
    "DecisionPrompt",
    "InjectSeen",
    "MoveSeen",
    "NotAParticipant",
    "RoomView",
    "OptionLabel",
    "OwnAnswer",
    "OwnDecision",
    "OwnFeedback",
    "OwnRfi",
    "TeamView",
    "discussion_closed",
    "in_world",
    "inject_handout",
    "participant",
    "participants",
    "room_view",
    "submission_closed",
    "team_view",
]


CONTROL_STILL_RECORDS = "the control cell can still record a decision"
"""What a team can still do about a decision closed to its own submissions: the facilitator may record one."""


@dataclass(frozen=True)
class Closed:
    """Why a team's own submission is closed now: the engine's refusal, and the note the team's views show."""

    refusal: str
    """What the engine says when it refuses the submission (after 'Refused: ')."""
    note: str
    """What the team's views say where the form would be, in a phrase ('the move it came in has ended; ...')."""


def submission_closed(state: SessionState, team_id: str, inject_id: str) -> Closed | None:
    """Why the team's own decision on the inject would be refused now, whatever it says; None while it is open.

    The one rule behind both sides: `Session.submit_decision` refuses with it, and the team's
    views offer a decision form only where it returns None (and list the inject as closed, not
    awaited, where it does not). The facilitator is not bound by it: the console records a
    decision after a lock, after the move has ended and after ENDEX.
    """
    received = any(team_id in d.to for d in state.deliveries if d.inject == inject_id)
    return _closed(state, inject_id, received)


def _closed(state: SessionState, inject_id: str, received: bool) -> Closed | None:
    """`submission_closed`, with whether the inject reached the team (still stands for it) already known."""
    if state.ended is not None:
        return Closed("the session has already ended (ENDEX)", f"play has ended (ENDEX); {CONTROL_STILL_RECORDS}")
    if not received:
        return Closed(f"no inject {inject_id!r} has been delivered to your team", "the control cell withdrew it from your team")
    if inject_id in state.locked:
        return Closed(
            f"{inject_id} is locked: the facilitator has closed it to submissions",
            f"the facilitator has closed it to submissions; {CONTROL_STILL_RECORDS}",
        )
    if state.delivered_in_move.get(inject_id, state.move_index) != state.move_index:
        return Closed(
            f"the move in which {inject_id} was delivered has ended; submissions on it are closed",
            f"the move it came in has ended; {CONTROL_STILL_RECORDS}",
        )
    return None


def discussion_closed(state: SessionState, move_id: str) -> Closed | None:
    """Why a team's answer to a discussion question of the move would be refused now; None while it is open.

    A team keeps its answers to the open move's questions: once the move has ended (the
    facilitator opened the next one) its discussion is over, and the answers kept stand as
    they were. `Session.answer_question` refuses with this rule; the views offer its forms by it.
    """
    if state.ended is not None:
        return Closed("the session has already ended (ENDEX)", "play has ended (ENDEX)")
    if move_id not in {m for m, _ in state.move_openings}:
        return Closed(f"move {move_id!r} has not opened", "the move has not opened")
    if state.move is None or state.move.id != move_id:
        return Closed(
            f"the discussion of {move_id} ended with the move; answers are kept for the open move's questions",
            "the move has ended; your answers to it stand as they were kept",
        )
    return None


class NotAParticipant(Exception):
    """The team asked for does not exist or has no participant view (the control cell).

    The message is meant for the person who typed the team id.
    """


@dataclass(frozen=True)
class OptionLabel:
    """An option of a decision as participants read it: no posture, no consequence."""

    id: str
    """Option id, as a facilitator records it."""
    label: str
    """What the team would do, in a line."""


@dataclass(frozen=True)
class DecisionPrompt:
    """The choice an inject puts to the table, as participants read it."""

    prompt: str
    """The question put to the teams."""
    options: tuple[OptionLabel, ...]
    """The options on the table (a free-text answer is always allowed too)."""
    asked: bool
    """Whether this team is one of those that must answer."""


@dataclass(frozen=True)
class InjectSeen:
    """One inject as a team received it (or will receive it, for a handout printed in advance)."""

    inject: str
    """Inject id."""
    title: str
    """Headline."""
    body: str
    """Full text as the team receives it."""
    source: str
    """Who it is from in the story."""
    channel: str
    """How it arrives: news, cable, phone_call..."""
    move: str | None
    """Move it belongs to, if any."""
    questions: tuple[str, ...]
    """Discussion questions the inject raises."""
    decision: DecisionPrompt | None
    """The decision put to the table, if any."""
    adhoc: bool
    """True for an inject written by control during play."""
    delivery: int | None
    """Number of its latest delivery among the deliveries to this team (1, 2, ...; None for a
    handout printed in advance). Counted per team, not the session's seq, so a view cannot tell
    how much happened elsewhere between two deliveries."""
    minute: float | None
    """Scenario minute of its latest delivery."""
    in_world: datetime | None
    """In-world date and time of its latest delivery, in the scenario's zone."""
    at: datetime | None
    """Wall-clock UTC time of its latest delivery."""
    first_minute: float | None
    """Scenario minute it first reached the team."""
    deliveries: int
    """How many times it was delivered to the team (more than 1 when control repeated it)."""
    presentation: str | None = None
    """Name of the channel presentation block it carries ('news', 'cable', ...), if any."""
    attachments: tuple[Attachment, ...] = ()
    """Maps, images or documents that come with it (names; the bytes are the session file's)."""
    header: tuple[tuple[str, str], ...] = ()
    """The block's filled fields as (field, text) pairs, in the order the format lists them."""
    withdrawn: str | None = None
    """Why control withdrew its latest delivery to this team, if it did: the team saw it, so it stays, marked."""


@dataclass(frozen=True)
class MoveSeen:
    """A move that has opened, as every team hears it."""

    id: str
    """Move id."""
    title: str
    """Title of the move."""
    situation: str
    """Situation update read to the teams when the move opened."""
    questions: tuple[str, ...]
    """Discussion questions of the move for this team and for everyone."""
    minute: float
    """Scenario minute the move opened."""
    attachments: tuple[Attachment, ...] = ()
    """Maps, images or documents shown with the situation update."""


@dataclass(frozen=True)
class OwnDecision:
    """A decision the team itself recorded, as it stands after corrections."""

    inject: str
    """Inject answered."""
    inject_title: str
    """Headline of that inject."""
    option: str | None
    """Option id chosen, if any."""
    option_label: str | None
    """What the option says, if one was chosen."""
    text: str
    """What the team said it would do."""
    rationale: str
    """Why, as the team put it."""
    dissent: str
    """Dissent inside the team, as recorded."""
    minute: float
    """Scenario minute it was recorded."""
    source: str = "facilitator"
    """Who entered it: 'facilitator' or 'team' (the team itself, from its browser link or its terminal view)."""


@dataclass(frozen=True)
class OwnRfi:
    """A request for information the team sent, with the answers sent to it."""

    seq: int
    """Its number in the log, which the control cell answers by."""
    text: str
    """The question."""
    inject: str | None
    """Inject it is about, if any."""
    minute: float
    """Scenario minute it was sent."""
    answers: tuple[str, ...]
    """Answers the control cell sent to this team, in order."""


@dataclass(frozen=True)
class OwnAnswer:
    """The team's standing answer to one discussion question."""

    move: str
    """Move whose question it answers."""
    question: str
    """The question."""
    text: str
    """The team's answer."""


@dataclass(frozen=True)
class OwnFeedback:
    """A feedback form sent from the team's link."""

    participant: str
    """Participant's name, if given."""
    ratings: tuple[tuple[str, int], ...]
    """(question id, rating 1-5)."""
    strengths: str
    """What went well."""
    improvements: str
    """What to improve."""
    comments: str
    """Anything else."""


@dataclass(frozen=True)
class TeamView:
    """Everything one team may see of a session, and nothing more."""

    exercise_title: str
    """Title of the exercise."""
    marking: str
    """Handling marking shown on every screen and page."""
    summary: str
    """What the exercise is about."""
    setting_start: datetime
    """In-world date and time of STARTEX."""
    team: str
    """Team id."""
    team_name: str
    """Full name of the team."""
    team_label: str
    """Short label of the team."""
    kind: str
    """'player' or 'observer'."""
    members: tuple[str, ...]
    """People or roles seated in the team."""
    brief: str | None
    """The team's own private brief."""
    started: bool
    """Whether play has begun (STARTEX)."""
    ended: bool
    """Whether play is over (ENDEX)."""
    moves: tuple[MoveSeen, ...]
    """Moves opened so far, in order."""
    injects: tuple[InjectSeen, ...]
    """Injects delivered to the team, in order of their latest delivery (oldest first)."""
    decisions: tuple[OwnDecision, ...]
    """The team's own latest decision per inject, in the order recorded."""
    awaited: tuple[str, ...]
    """Ids of delivered injects on which the team still owes a decision."""
    rfis: tuple[OwnRfi, ...] = ()
    """The team's own requests for information and the answers sent to it."""
    answers: tuple[OwnAnswer, ...] = ()
    """The team's own answers to discussion questions."""
    feedback: tuple[OwnFeedback, ...] = ()
    """Feedback forms sent from the team's link."""
    locked: tuple[str, ...] = ()
    """Injects delivered to the team that are closed to its submissions."""
    brief_attachments: tuple[Attachment, ...] = ()
    """Maps or documents handed out with the brief."""
    waiting: tuple[OwnDecision, ...] = ()
    """The team's submissions the control cell has not confirmed yet (when submissions wait for it)."""
    confirm_submissions: bool = False
    """Whether the team's submissions wait for the control cell's confirmation before they count."""
    closed: tuple[tuple[str, str], ...] = ()
    """(inject id, why) for each inject that puts a decision to the team and is closed to its own
    submissions now (`submission_closed`'s note): shown as closed, never offered, never awaited."""
    discussion: str | None = None
    """Id of the move whose discussion questions the team may answer now (the open move during
    play; None before STARTEX and after ENDEX), by `discussion_closed`."""

    def closed_on(self, inject_id: str) -> str | None:
        """Why the team's own submissions on an inject are closed, if they are (None while it may submit)."""
        return next((why for inject, why in self.closed if inject == inject_id), None)

    @property
    def closed_unanswered(self) -> tuple[tuple[str, str], ...]:
        """(inject id, why) of the closed decisions the team has neither answered nor sent, withdrawn ones
        left out: what is no longer awaited of it, said instead of 'awaited'."""
        withdrawn = {i.inject for i in self.injects if i.withdrawn}
        return tuple((inject, why) for inject, why in self.closed
                     if inject not in withdrawn and self.decision_on(inject) is None and self.waiting_on(inject) is None)

    @property
    def open_discussion(self) -> MoveSeen | None:
        """The move whose discussion questions the team may answer now, if any."""
        return next((m for m in self.moves if m.id == self.discussion), None)

    def waiting_on(self, inject_id: str) -> OwnDecision | None:
        """The team's submission on an inject that waits for confirmation, if any."""
        return next((d for d in self.waiting if d.inject == inject_id), None)

    def attachment_files(self) -> frozenset[str]:
        """Every attached file the team may open: its brief's, the opened moves' and its injects'."""
        return frozenset(a.file for a in (*self.brief_attachments,
                                          *(a for mv in self.moves for a in mv.attachments),
                                          *(a for i in self.injects for a in i.attachments)))

    @property
    def newest_first(self) -> tuple[InjectSeen, ...]:
        """Injects, the latest delivery first: the order a team reads its inbox in."""
        return tuple(reversed(self.injects))

    @property
    def current_move(self) -> MoveSeen | None:
        """The move open now, if play has begun."""
        return self.moves[-1] if self.moves else None

    def decision_on(self, inject_id: str) -> OwnDecision | None:
        """The team's own decision on an inject, if recorded."""
        return next((d for d in self.decisions if d.inject == inject_id), None)

    def as_dict(self) -> dict[str, Any]:
        """The view as JSON-ready data (times as ISO 8601 strings), for scripts and the browser."""
        return _jsonable(asdict(self))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RoomView:
    """What the whole room may see on the projector: the intersection of every participant's view.

    An inject is on the room screen only if one delivery of it reached every participant
    (every player and observer team): an inject for some teams shown on a wall would tell the
    others what it says. No brief, no decision, no note, no observation is ever here.
    """

    exercise_title: str
    """Title of the exercise."""
    marking: str
    """Handling marking shown on every screen."""
    setting_start: datetime
    """In-world date and time of STARTEX."""
    started: bool
    """Whether play has begun (STARTEX)."""
    ended: bool
    """Whether play is over (ENDEX)."""
    moves: tuple[MoveSeen, ...]
    """Moves opened so far, each with only the questions put to every team."""
    injects: tuple[InjectSeen, ...]
    """Injects delivered to every participant, in order of their latest such delivery (oldest first)."""

    @property
    def newest_first(self) -> tuple[InjectSeen, ...]:
        """Injects, the latest delivery first: the order the room screen lists them in."""
        return tuple(reversed(self.injects))

    @property
    def current_move(self) -> MoveSeen | None:
        """The move open now, if play has begun."""
        return self.moves[-1] if self.moves else None

    def attachment_files(self) -> frozenset[str]:
        """Every attached file the room may show: the opened moves' and the injects to everyone."""
        return frozenset(a.file for a in (*(a for mv in self.moves for a in mv.attachments),
                                          *(a for i in self.injects for a in i.attachments)))

    def as_dict(self) -> dict[str, Any]:
        """The view as JSON-ready data (times as ISO 8601 strings)."""
        return _jsonable(asdict(self))  # type: ignore[no-any-return]


ROOM = "\x00room"
"""Pseudo team id under which room deliveries are counted; no team id can contain NUL."""


def room_view(source: Session | SessionState) -> RoomView:
    """What the room screen may show of the session right now."""
    state = source if isinstance(source, SessionState) else source.state
    exercise = state.exercise
    everyone = {t.id for t in participants(exercise)}
    zone = _zone(exercise.setting)
    return RoomView(
        exercise_title=exercise.title,
        marking=exercise.marking,
        setting_start=exercise.setting.start,
        started=state.started is not None,
        ended=state.ended is not None,
        moves=_moves(state, ROOM),
        injects=_injects(state, ROOM, zone, lambda d: bool(everyone) and everyone <= set(d.to)),
    )


def participants(exercise: Exercise) -> list[Team]:
    """Teams that have a participant view: players and observers, in file order."""
    return [t for t in exercise.teams if t.kind != TeamKind.control]


def participant(exercise: Exercise, team_id: str) -> Team:
    """The team this id, label or name (any case) names, if it may have a participant view;
    `NotAParticipant` otherwise."""
    team = find_team(exercise, team_id)
    viewable = [t.id for t in participants(exercise)]
    if team is None:
        hint = team_suggestion(exercise, team_id, participants(exercise))
        raise NotAParticipant(f"unknown team {team_id!r}{hint} (teams with a view: {', '.join(viewable) or 'none'})")
    if team.kind == TeamKind.control:
        raise NotAParticipant(
            f"{team.id!r} is the control cell, which sees everything: use the facilitator console "
            f"(tabletop run --session FILE). Teams with a participant view: {', '.join(viewable) or 'none'}"
        )
    return team


def team_view(source: Session | SessionState, team_id: str) -> TeamView:
    """What team `team_id` may see of the session (or of a state) right now.

    Raises `NotAParticipant` for an unknown team or the control cell.
    """
    state = source if isinstance(source, SessionState) else source.state
    exercise = state.exercise
    team = participant(exercise, team_id)
    zone = _zone(exercise.setting)
    injects = _injects(state, team.id, zone)
    closed = _closed_to(state, team.id, injects)
    discussion = state.move.id if state.move is not None else None
    return TeamView(
        exercise_title=exercise.title,
        marking=exercise.marking,
        summary=exercise.summary,
        setting_start=exercise.setting.start,
        team=team.id,
        team_name=team.name,
        team_label=team.label,
        kind=team.kind.value,
        members=tuple(team.members),
        brief=team.brief,
        brief_attachments=tuple(team.brief_attachments),
        started=state.started is not None,
        ended=state.ended is not None,
        moves=_moves(state, team.id),
        injects=injects,
        decisions=_decisions(state, team.id),
        waiting=_decisions(state, team.id, waiting=True),
        confirm_submissions=state.confirm_submissions,
        # what is closed to the team's own submissions (ENDEX, locked, the move ended) is not awaited of it:
        # the facilitator may still record a late answer
        awaited=tuple(inject for inject, teams in state.awaited().items() if team.id in teams and inject not in closed),
        closed=tuple(closed.items()),
        discussion=discussion if discussion is not None and discussion_closed(state, discussion) is None else None,
        rfis=tuple(
            OwnRfi(r.seq, r.text, r.inject, r.minute, tuple(a.text for a in state.replies_to(r.seq) if a.team == team.id))
            for r in state.rfis
            if r.team == team.id
        ),
        answers=tuple(OwnAnswer(a.move, a.question, a.text) for a in state.team_answers(team.id)),
        feedback=tuple(
            OwnFeedback(f.participant, tuple(sorted(f.ratings.items())), f.strengths, f.improvements, f.comments)
            for f in state.feedback
            if f.team == team.id
        ),
        locked=tuple(sorted(i for i in state.locked if any(team.id in d.to for d in state.deliveries if d.inject == i))),
    )


def _closed_to(state: SessionState, team_id: str, injects: tuple[InjectSeen, ...]) -> dict[str, str]:
    """Inject id to why, for the injects put to the team that are closed to its own submissions now."""
    received = {d.inject for d in state.deliveries if team_id in d.to}
    out = {}
    for inject in injects:
        if inject.decision is None or not inject.decision.asked:
            continue
        closed = _closed(state, inject.inject, inject.inject in received)
        if closed is not None:
            out[inject.inject] = closed.note
    return out


def inject_handout(exercise: Exercise, inject_id: str, team_id: str) -> InjectSeen:
    """An inject as a handout for one of its recipients, printed before it is delivered.

    Raises `NotAParticipant` for a team without a view, and `KeyError` (with a message)
    when the inject is unknown or not addressed to the team.
    """
    team = participant(exercise, team_id)
    inject = exercise.inject(inject_id)
    if inject is None:
        raise KeyError(f"unknown inject {inject_id!r}")
    if team.id not in exercise.recipients(inject):
        raise KeyError(f"{inject_id} is not addressed to {team.id}")
    move = exercise.move_of(inject.id)
    return _seen(exercise, inject, team.id, move.id if move is not None else None, None, None)


# Building the view


def _moves(state: SessionState, team_id: str) -> tuple[MoveSeen, ...]:
    moves = {m.id: m for m in state.exercise.moves}
    seen = []
    for move_id, event in state.move_openings:
        move = moves.get(move_id)
        if move is None:
            continue
        questions = list(move.questions.get(ALL, [])) + list(move.questions.get(team_id, []))
        minute = getattr(event, "jump_to", None)
        seen.append(
            MoveSeen(
                id=move.id,
                title=move.title,
                situation=state.situation(move.id),
                questions=tuple(questions),
                minute=float(minute if minute is not None else event.minute),
                attachments=tuple(move.attachments),
            )
        )
    return tuple(seen)


@dataclass(frozen=True)
class _Received:
    delivery: Delivery
    number: int
    """Its place among the deliveries to this team."""
    withdrawn: str | None
    """The control cell's reason, when this delivery was withdrawn from the team."""


def _injects(
    state: SessionState,
    team_id: str,
    zone: tzinfo | None,
    reaches: Callable[[Delivery], bool] | None = None,
) -> tuple[InjectSeen, ...]:
    exercise = state.exercise
    received: dict[str, list[_Received]] = {}
    count = 0
    for delivery in state.sent:
        if not (reaches(delivery) if reaches is not None else team_id in delivery.to):
            continue
        taken = state.withdrawals.get(delivery.seq)
        reason = taken.reason if taken is not None and (team_id in taken.teams or reaches is not None) else None
        count += 1
        received.setdefault(delivery.inject, []).append(_Received(delivery, count, reason))
    # A delivery withdrawn by mistake and sent again is one delivery to the team, not two: it is shown
    # as withdrawn only when no delivery of it stands.
    latest: dict[str, Delivery] = {}
    numbers: dict[str, int] = {}
    withdrawn: dict[str, str | None] = {}
    arrivals: dict[str, tuple[float, int]] = {}
    standing_of = {inject: [r for r in all_ if r.withdrawn is None] for inject, all_ in received.items()}
    for inject_id, all_ in sorted(received.items(), key=lambda item: (standing_of[item[0]] or item[1])[-1].number):
        standing = standing_of[inject_id]
        shown = standing or all_
        latest[inject_id] = shown[-1].delivery
        numbers[inject_id] = shown[-1].number
        withdrawn[inject_id] = None if standing else shown[-1].withdrawn
        arrivals[inject_id] = (shown[0].delivery.minute, len(shown))
    out = []
    for inject_id, delivery in latest.items():
        first_minute, deliveries = arrivals[inject_id]
        when = {
            "delivery": numbers[inject_id],
            "minute": delivery.minute,
            "in_world": in_world(exercise.setting, delivery.minute, zone),
            "at": delivery.at,
            "first_minute": first_minute,
            "deliveries": deliveries,
            "withdrawn": withdrawn[inject_id],
        }
        if delivery.adhoc:
            received = state.received(delivery)
            record = state.adhoc(inject_id)
            out.append(
                InjectSeen(
                    inject=inject_id,
                    title=received.title,
                    body=received.body,
                    source=received.source,
                    channel=received.channel,
                    move=record.move if record is not None else None,
                    questions=(),
                    decision=None,
                    adhoc=True,
                    **when,
                )
            )
            continue
        inject = exercise.inject(inject_id)
        if inject is None:
            continue
        move = exercise.move_of(inject_id)
        out.append(_seen(exercise, inject, team_id, move.id if move is not None else None, when, zone))
    return tuple(out)


def _seen(
    exercise: Exercise,
    inject: Inject,
    team_id: str,
    move: str | None,
    when: dict[str, Any] | None,
    zone: tzinfo | None,
) -> InjectSeen:
    decision = None
    if inject.decision is not None:
        decision = DecisionPrompt(
            prompt=inject.decision.prompt,
            options=tuple(OptionLabel(id=o.id, label=o.label) for o in inject.decision.options),
            asked=team_id in exercise.deciders(inject),
        )
    timing = when or {
        "delivery": None,
        "minute": None,
        "in_world": None,
        "at": None,
        "first_minute": None,
        "deliveries": 0,
        "withdrawn": None,
    }
    return InjectSeen(
        inject=inject.id,
        title=inject.title,
        body=inject.body,
        source=inject.source,
        channel=inject.channel.value,
        move=move,
        questions=tuple(inject.questions),
        decision=decision,
        adhoc=False,
        **timing,
        **_presentation(inject),
        attachments=tuple(inject.attachments),
    )


def presentation_header(inject: Inject) -> tuple[tuple[str, str], ...]:
    """The inject's presentation fields as (field, text) pairs in the format's order; () if none."""
    return _presentation(inject)["header"]  # type: ignore[no-any-return]


def _presentation(inject: Inject) -> dict[str, Any]:
    block = inject.presentation()
    if block is None:
        return {"presentation": None, "header": ()}
    name = next(name for name in PRESENTATIONS if getattr(inject, name) is block)
    fields = block.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {"presentation": name, "header": tuple((k, str(v)) for k, v in fields.items())}


def _own(state: SessionState, team_id: str, waiting: bool) -> list[tuple[str, Any]]:
    """(inject id, record) of the team's standing decisions, or of its submissions waiting for confirmation."""
    if waiting:
        return [(s.inject, s) for s in state.pending_submissions() if s.team == team_id]
    return list(state.team_decisions(team_id).items())


def _decisions(state: SessionState, team_id: str, *, waiting: bool = False) -> tuple[OwnDecision, ...]:
    exercise = state.exercise
    own: list[OwnDecision] = []
    order: list[int] = []
    for inject_id, decision in _own(state, team_id, waiting):
        inject = exercise.inject(inject_id)
        if inject is not None:
            title = inject.title
        else:
            record = state.adhoc(inject_id)
            title = record.title if record is not None else inject_id
        label = None
        if decision.option and inject is not None and inject.decision is not None:
            option = inject.decision.option(decision.option)
            label = option.label if option is not None else None
        own.append(
            OwnDecision(
                inject=inject_id,
                inject_title=title,
                option=decision.option,
                option_label=label,
                text=decision.text,
                rationale=decision.rationale,
                dissent=decision.dissent,
                minute=decision.minute,
                source=getattr(decision, "source", "team"),
            )
        )
        order.append(decision.seq)
    return tuple(d for _, d in sorted(zip(order, own), key=lambda pair: pair[0]))


def _zone(setting: Setting) -> tzinfo | None:
    try:
        return ZoneInfo(setting.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return setting.start.tzinfo


def in_world(setting: Setting, minute: float, zone: tzinfo | None = None) -> datetime:
    """The in-world date and time at a scenario minute, in the scenario's time zone."""
    zone = zone if zone is not None else _zone(setting)
    moment = setting.start + timedelta(minutes=minute)
    return moment.astimezone(zone) if zone is not None else moment


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Attachment):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
