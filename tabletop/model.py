"""The exercise model: what a planner writes in YAML, as pydantic data.

Pure data, no I/O. Every field carries a description because the JSON Schema
generated from these models is what an editor shows the planner while typing.
Cross-references between ids (teams, objectives, injects, options) are checked
by :func:`tabletop.loader.check_references`, not here, so that every broken
reference can be reported at once with its own line and column.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    AwareDatetime,
    WithJsonSchema,
    model_validator,
)

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
"""Ids are short, stable handles a planner can type and a facilitator can say."""

ALL = "all"
"""Recipient keyword: every player and observer team (control sees everything)."""


class StrictModel(BaseModel):
    """Base of every exercise model: unknown keys are typos, so they are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=64)]

OFFSET_PATTERN = (
    r"^\s*(?:[0-9]+|\+?\s*(?:[0-9]+\s*d(?:\s*[0-9]{1,3}:[0-5][0-9])?|[0-9]{1,3}:[0-5][0-9]))\s*$"
)
"""A scenario time written as text: minutes, '+HH:MM', '+Nd' or '+Nd HH:MM'. One pattern serves the
loader and the JSON Schema, so an editor accepts exactly what the tool does (an empty string or a
lone '+' is neither). ASCII digits only, as JSON Schema's ECMA-262 regular expressions read them."""

_OFFSET_RE = re.compile(
    r"^\s*\+?\s*(?:(?P<days>[0-9]+)\s*d\s*)?(?:(?P<hours>[0-9]{1,3}):(?P<minutes>[0-5][0-9]))?\s*$"
)


def parse_offset(value: Any) -> Any:
    """Turn `+00:45`, `+1d 02:00`, `+2d` or a number of minutes into minutes.

    Anything else is passed through unchanged so pydantic reports it with the
    field's own position and message.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a scenario time; write '+HH:MM', '+Nd HH:MM' or a number of minutes")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[0-9]+", text):
            return int(text)
        match = _OFFSET_RE.match(text) if re.match(OFFSET_PATTERN, value) else None
        if match and (match["days"] or match["hours"] is not None):
            days = int(match["days"] or 0)
            hours = int(match["hours"] or 0)
            minutes = int(match["minutes"] or 0)
            return days * 1440 + hours * 60 + minutes
        raise ValueError(
            f"{value!r} is not a scenario time; write '+HH:MM', '+Nd HH:MM' or a number of minutes"
        )
    return value


def format_offset(minutes: int | float) -> str:
    """The planner's notation for a number of minutes: `+01:20`, `+1d 02:00`."""
    total = int(minutes)
    sign = "-" if total < 0 else "+"
    total = abs(total)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}:{mins:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


Offset = Annotated[
    int,
    BeforeValidator(parse_offset),
    Field(ge=0),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "description": "Minutes after STARTEX."},
                {
                    "type": "string",
                    "pattern": OFFSET_PATTERN,
                    "description": "'+HH:MM', '+Nd' or '+Nd HH:MM' after STARTEX, or minutes.",
                },
            ]
        }
    ),
]
"""Scenario time as minutes after STARTEX; written `+00:45`, `+1d 02:00` or `45`."""


class TeamKind(str, Enum):
    """What a team does at the table."""

    player = "player"
    control = "control"
    observer = "observer"


class Posture(str, Enum):
    """How an option acts, described, never judged; the report's posture matrix is built from it.

    The words name the means, not the merit: whether acting with others or
    alone is wiser is what the room discusses, and no government's habitual
    answer is filed under a word that condemns it.
    """

    joint = "joint"
    """Acts together with other governments, or through a mechanism they share."""
    national = "national"
    """Acts on the government's own means and authority."""
    public = "public"
    """Sets out a position in public: a statement, a legal position, a line to the press."""
    deferring = "deferring"
    """Waits, refers the matter to capitals, or asks for more before acting."""


RETIRED_POSTURES = {
    "cooperative": "joint",
    "unilateral": "national",
    "escalatory": "national, public or joint, whichever describes what the option does",
}
"""Posture words of earlier files, which judged an option, and what describes it now."""


def _posture(value: Any) -> Any:
    """Refuse a retired posture word with the one to use instead (a clear line, not an enum dump)."""
    if isinstance(value, str) and value in RETIRED_POSTURES:
        raise ValueError(
            f"{value!r} is no longer a posture: a posture says how an option acts, not how far it goes; "
            f"write {RETIRED_POSTURES[value]}"
        )
    return value


class Channel(str, Enum):
    """How an inject reaches the table; shown on cards and used to filter the MSEL."""

    news = "news"
    social_media = "social_media"
    cable = "cable"
    phone_call = "phone_call"
    intelligence = "intelligence"
    briefing = "briefing"
    email = "email"
    radio = "radio"
    video = "video"
    meeting = "meeting"
    letter = "letter"
    message = "message"
    statement = "statement"


class Rating(str, Enum):
    """HSEEP performance ratings used by evaluators."""

    P = "P"
    S = "S"
    M = "M"
    U = "U"


RATING_DEFINITIONS: dict[str, str] = {
    "P": "Performed without challenges: the targets and critical tasks were completed "
    "in a manner that achieved the objective and did not negatively impact other activities.",
    "S": "Performed with some challenges: the objective was achieved, but some "
    "opportunities to improve effectiveness or efficiency were identified.",
    "M": "Performed with major challenges: the objective was achieved, but only with "
    "significant delays, negative impacts on other activities, or risks to the public or responders.",
    "U": "Unable to be performed: the targets and critical tasks were not performed "
    "in a manner that achieved the objective.",
}
"""The HSEEP wording, paraphrased, printed beside every rating table."""


START_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
"""An RFC 3339 date-time with its UTC offset (seconds written, 'T' between date and time): the
schema's `date-time` format, spelt out so the loader refuses what an editor refuses (a time
without an offset, a number of seconds since 1970)."""


def check_start(value: Any) -> Any:
    """Refuse a STARTEX that names no UTC offset: the story clock would shift with the machine's zone."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.match(START_PATTERN, value):
        raise ValueError(f"{value!r} is not a date and time with its UTC offset; "
                         "write e.g. '2027-04-11T06:00:00+09:00'")
    return value


Start = Annotated[
    AwareDatetime,
    BeforeValidator(check_start),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": START_PATTERN}),
]


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA zone names of the pinned `tzdata` package. The loader and the committed schema
    accept exactly these, so an editor and `tabletop validate` agree on every machine, whatever
    zone files the system has (a system list also holds names such as 'localtime')."""
    import importlib.resources

    return frozenset(importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())


def check_timezone(value: Any) -> Any:
    """An IANA zone name: a typo would otherwise fall back to UTC without a word."""
    if not isinstance(value, str):
        return value
    if value not in known_zones():
        raise ValueError(f"unknown time zone {value!r}; write an IANA name such as 'Asia/Seoul' or 'UTC'")
    ZoneInfo(value)  # from the system's zone files, or tzdata's where the system has none
    return value


class _ZoneSchema:
    """The zone names as an `enum` in the JSON Schema, built when the schema is, so an editor
    completes and checks them."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "enum": sorted(known_zones())}


TimeZone = Annotated[str, BeforeValidator(check_timezone), _ZoneSchema()]


class Setting(StrictModel):
    """Where and when the scenario begins in the story world."""

    start: Start = Field(
        description="In-world date and time of STARTEX, with its UTC offset, "
        "e.g. '2027-04-11T06:00:00+09:00'.",
    )
    timezone: TimeZone = Field(
        description="IANA name of the time zone the scenario is told in, e.g. 'Asia/Seoul'.",
    )
    location: str | None = Field(
        default=None, description="Region or place the scenario is set in."
    )


ATTACHMENT_PATTERN = r"^[^/\\:][^\\:]*\.(?:png|PNG|jpe?g|JPE?G|svg|SVG|pdf|PDF)$"
"""A path relative to the exercise file, inside its folder, ending in .png, .jpg, .jpeg, .svg or .pdf."""


class Attachment(StrictModel):
    """A map, image or document shown with an inject, a brief or a situation."""

    file: str = Field(
        pattern=ATTACHMENT_PATTERN,
        description="Path relative to the exercise file, e.g. 'maps/yellow-sea.svg'; PNG, JPEG, SVG or PDF. "
        "The loader checks it exists, is the type its name says (by its bytes) and is under the size cap; "
        "an SVG with script, event handlers, foreignObject, entities or external references is refused.",
    )
    caption: str | None = Field(default=None, description="Caption printed under it, e.g. 'The NLL and the five islands'.")


class Team(StrictModel):
    """A cell at the table: a national team, the control (white) cell, or observers."""

    id: Id = Field(description="Short id used everywhere else in the file, e.g. 'us', 'rok'.")
    name: str = Field(description="Full name shown to the room, e.g. 'Republic of Korea'.")
    kind: TeamKind = Field(
        default=TeamKind.player,
        description="player (decides), control (runs the clock, sees everything) or observer.",
    )
    short: str | None = Field(
        default=None, description="Abbreviation for narrow columns, e.g. 'ROK'."
    )
    members: list[str] = Field(
        default_factory=list,
        description="People or roles seated in this team, e.g. 'Foreign Minister'.",
    )
    brief: str | None = Field(
        default=None,
        description="Private brief handed to this team only at STARTEX.",
    )
    brief_attachments: list[Attachment] = Field(
        default_factory=list, description="Maps, images or documents handed out with the private brief."
    )

    @property
    def label(self) -> str:
        """The shortest readable name of the team."""
        return self.short or self.id.upper()


class Criteria(StrictModel):
    """What an evaluator checks for one objective: the body of its Exercise Evaluation Guide."""

    critical_tasks: list[str] = Field(
        default_factory=list,
        description="Critical tasks the teams must perform for the objective to be met, "
        "e.g. 'Agree who coordinates the search within 30 minutes'.",
    )
    look_for: list[str] = Field(
        default_factory=list,
        description="What an evaluator watches or listens for at the table, "
        "e.g. 'Does the ROK team inform the US before hailing the Chinese vessel?'.",
    )


class Objective(StrictModel):
    """What the exercise tests; observations and the AAR are organised by objective."""

    id: Id = Field(description="Short id, e.g. 'OBJ-1'.")
    text: str = Field(description="The objective as a sentence the sponsor would sign.")
    capability: str | None = Field(
        default=None,
        description="HSEEP core capability it exercises, e.g. 'Operational Coordination'.",
    )
    criteria: Criteria | None = Field(
        default=None,
        description="Evaluation criteria printed in this objective's Exercise Evaluation Guide.",
    )


class Option(StrictModel):
    """One answer a team may give to a decision."""

    id: Id = Field(description="Short id of the option, unique within its decision.")
    label: str = Field(description="What the team would do, in a line.")
    posture: Annotated[Posture, BeforeValidator(_posture)] = Field(
        description="How the option acts: joint (with other governments or through a shared mechanism), "
        "national (on the government's own means and authority), public (a position set out in public) "
        "or deferring (waits, refers to capitals, asks for more)."
    )
    consequence: str | None = Field(
        default=None,
        description="Facilitator-only note on what choosing this sets in motion.",
    )


class Decision(StrictModel):
    """A choice the inject puts to teams; each team records its own answer."""

    prompt: str = Field(description="The question put to the team.")
    teams: list[Id] | None = Field(
        default=None,
        description="Player teams that must answer; default: the inject's player recipients.",
    )
    options: list[Option] = Field(
        min_length=2, description="The options on the table (free text is always allowed too)."
    )

    def option(self, option_id: str) -> Option | None:
        """The option with this id, if the decision offers it."""
        return next((o for o in self.options if o.id == option_id), None)


class ChoiceRef(StrictModel):
    """A recorded decision to match: which team chose which option at which inject."""

    inject: Id = Field(description="Inject whose decision is looked at.")
    option: Id = Field(description="Option id that must have been chosen.")
    team: Id | None = Field(
        default=None, description="Team that must have chosen it; omitted: any team."
    )


class ChoseCondition(StrictModel):
    """True when a team (or any team) chose the option."""

    chose: ChoiceRef = Field(description="The decision that must have been recorded.")


class DecidedCondition(StrictModel):
    """True when the team (or any team) has recorded any decision on the inject."""

    decided: ChoiceAnyRef = Field(description="The inject (and team) that must have decided.")


class ChoiceAnyRef(StrictModel):
    """A decision recorded on an inject, whatever the option."""

    inject: Id = Field(description="Inject whose decision is looked at.")
    team: Id | None = Field(default=None, description="Team that must have decided; omitted: any.")


class DeliveredCondition(StrictModel):
    """True when the inject has been delivered."""

    delivered: Id = Field(description="Id of the inject that must have been delivered.")


class AllCondition(StrictModel):
    """True when every condition in the list is true."""

    all: list[Condition] = Field(min_length=1, description="Conditions that must all hold.")


class AnyCondition(StrictModel):
    """True when at least one condition in the list is true."""

    any: list[Condition] = Field(min_length=1, description="Conditions of which one must hold.")


class NotCondition(StrictModel):
    """True when the inner condition is false."""

    not_: Condition = Field(alias="not", description="The condition that must not hold.")


CONDITION_KEYS = ("chose", "decided", "delivered", "all", "any", "not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = [k for k in value if k in CONDITION_KEYS]
        if len(keys) == 1:
            return keys[0]
        return None
    if isinstance(value, BaseModel):
        for key, cls in _CONDITION_CLASSES.items():
            if isinstance(value, cls):
                return key
    return None


Condition = Annotated[
    Union[
        Annotated[ChoseCondition, Tag("chose")],
        Annotated[DecidedCondition, Tag("decided")],
        Annotated[DeliveredCondition, Tag("delivered")],
        Annotated[AllCondition, Tag("all")],
        Annotated[AnyCondition, Tag("any")],
        Annotated[NotCondition, Tag("not")],
    ],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition is a mapping with exactly one of the keys: "
        + ", ".join(CONDITION_KEYS),
    ),
]
"""Structured branching: data evaluated by the engine, never an expression string."""

_CONDITION_CLASSES = {
    "chose": ChoseCondition,
    "decided": DecidedCondition,
    "delivered": DeliveredCondition,
    "all": AllCondition,
    "any": AnyCondition,
    "not": NotCondition,
}


class NewsStory(StrictModel):
    """How a news inject reads as an article: the masthead and the lines above the text."""

    outlet: str | None = Field(default=None, description="Newspaper, agency or channel, e.g. 'Yonhap News Agency'.")
    headline: str | None = Field(default=None, description="Headline as printed; default: the inject's title.")
    dateline: str | None = Field(default=None, description="Place (and date) the story is filed from, e.g. 'INCHEON, April 11'.")
    byline: str | None = Field(default=None, description="Who wrote it, e.g. 'By Kim Soo-jin'.")


class SocialPost(StrictModel):
    """How a social media inject reads as a post."""

    account: str | None = Field(default=None, description="Display name of the account, e.g. 'Yeonpyeong Fishermen'.")
    handle: str | None = Field(
        default=None, pattern=r"^@?[A-Za-z0-9_.]{1,30}$", description="Handle of the account, e.g. '@ypfishers'."
    )
    reposts: int | None = Field(default=None, ge=0, description="How many times it has been reposted.")
    likes: int | None = Field(default=None, ge=0, description="How many likes it shows.")


class CableHeader(StrictModel):
    """How a diplomatic cable reads: the classification banner and the header block."""

    classification: str | None = Field(
        default=None, max_length=80, description="Banner printed top and bottom, e.g. 'SECRET//NOFORN (EXERCISE)'."
    )
    from_: str | None = Field(default=None, alias="from", description="Sending post, e.g. 'AMEMBASSY SEOUL'.")
    to: str | None = Field(default=None, description="Addressees, e.g. 'SECSTATE WASHDC PRIORITY'.")
    subject: str | None = Field(default=None, description="Subject line; default: the inject's title.")
    reference: str | None = Field(default=None, description="Cable reference, e.g. '27 SEOUL 000412'.")


class CallHeader(StrictModel):
    """How a phone call reads: who calls whom; the inject's body is the transcript."""

    caller: str | None = Field(default=None, description="Who is calling, e.g. 'PRC Vice Foreign Minister'.")
    callee: str | None = Field(default=None, description="Who picks up, e.g. 'ROK First Vice Minister'.")


class Reliability(str, Enum):
    """Admiralty (NATO) grade of the source: A completely reliable .. E unreliable, F cannot be judged."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class Credibility(str, Enum):
    """Admiralty (NATO) grade of the information: 1 confirmed .. 5 improbable, 6 cannot be judged."""

    one = "1"
    two = "2"
    three = "3"
    four = "4"
    five = "5"
    six = "6"


class IntelNote(StrictModel):
    """How an intelligence note reads: its source and the grades an analyst gives it."""

    source: str | None = Field(default=None, description="Kind of source, e.g. 'SIGINT', 'liaison service'.")
    reliability: Reliability | None = Field(
        default=None, description="Reliability of the source, A (completely reliable) to F (cannot be judged)."
    )
    credibility: Credibility | None = Field(
        default=None, description="Credibility of the information, 1 (confirmed) to 6 (cannot be judged)."
    )
    classification: str | None = Field(default=None, max_length=80, description="Banner, e.g. 'SECRET (EXERCISE)'.")


class StatementHeader(StrictModel):
    """How a press statement reads: who issues it and for when."""

    issuer: str | None = Field(default=None, description="Office issuing it, e.g. 'Ministry of Foreign Affairs, PRC'.")
    speaker: str | None = Field(default=None, description="Spokesperson reading it, if any.")
    embargo: str | None = Field(default=None, description="Release line, e.g. 'For immediate release'.")


class EmailHeader(StrictModel):
    """How an email reads: the header lines above the body."""

    from_: str | None = Field(default=None, alias="from", description="Sender, e.g. 'J. Park <j.park@mofa.example>'.")
    to: str | None = Field(default=None, description="Recipients as shown.")
    cc: str | None = Field(default=None, description="Copied recipients as shown.")
    subject: str | None = Field(default=None, description="Subject line; default: the inject's title.")


class BriefingHeader(StrictModel):
    """How a briefing reads: who gives it, to whom, and its banner."""

    briefer: str | None = Field(default=None, description="Who gives the briefing, e.g. 'J2, USFK'.")
    audience: str | None = Field(default=None, description="Who it is given to.")
    classification: str | None = Field(default=None, max_length=80, description="Banner, e.g. 'UNCLASSIFIED (EXERCISE)'.")


PRESENTATIONS: dict[str, tuple[str, ...]] = {
    "news": ("news",),
    "social": ("social_media",),
    "cable": ("cable",),
    "call": ("phone_call", "radio"),
    "intel": ("intelligence",),
    "statement": ("statement",),
    "email": ("email", "message", "letter"),
    "briefing": ("briefing", "meeting", "video"),
}
"""Which presentation block an inject of each channel may carry (block name -> channels)."""


class Inject(StrictModel):
    """One piece of scenario information delivered to teams at a scenario time."""

    id: Id = Field(description="Unique id across the whole file, e.g. 'YS-07'.")
    at: Offset | None = Field(
        default=None,
        description="Scenario time after STARTEX: '+00:45', '+1d 02:00' or minutes. "
        "Required for scheduled injects; contingency injects may omit it.",
    )
    title: str = Field(description="Headline the facilitator reads out.")
    body: str = Field(description="Full text of the inject as the teams receive it.")
    source: str = Field(description="Who it is from in the story, e.g. 'ROK Coast Guard, Incheon'.")
    to: list[Id] | Literal["all"] = Field(
        description="Recipient team ids, or 'all' for every player and observer team."
    )
    channel: Channel = Field(description="How it arrives: news, cable, phone_call...")
    expected: dict[Id, str] = Field(
        default_factory=dict,
        description="Expected actions, keyed by team id; for the facilitator and the AAR only.",
    )
    questions: list[str] = Field(
        default_factory=list, description="Discussion questions the inject raises."
    )
    objectives: list[Id] = Field(
        default_factory=list, description="Ids of the objectives this inject exercises."
    )
    notes: str | None = Field(
        default=None,
        description="Facilitator-only notes: what it tests, what to probe, which contingency to use.",
    )
    decision: Decision | None = Field(
        default=None, description="A choice the recipients must make, with options."
    )
    condition: Condition | None = Field(
        default=None,
        description="Fire only when recorded decisions or deliveries match this condition.",
    )
    attachments: list[Attachment] = Field(
        default_factory=list, description="Maps, images or documents delivered with the inject."
    )
    news: NewsStory | None = Field(
        default=None, description="Channel 'news': outlet, headline, dateline and byline of the article."
    )
    social: SocialPost | None = Field(
        default=None, description="Channel 'social_media': account, handle and reposts of the post."
    )
    cable: CableHeader | None = Field(
        default=None, description="Channel 'cable': classification banner, from, to, subject and reference."
    )
    call: CallHeader | None = Field(
        default=None, description="Channel 'phone_call' or 'radio': caller and callee; the body is the transcript."
    )
    intel: IntelNote | None = Field(
        default=None, description="Channel 'intelligence': source and its reliability (A-F) and credibility (1-6)."
    )
    statement: StatementHeader | None = Field(
        default=None, description="Channel 'statement': the issuing office and spokesperson."
    )
    email: EmailHeader | None = Field(
        default=None, description="Channel 'email', 'message' or 'letter': from, to, cc and subject."
    )
    briefing: BriefingHeader | None = Field(
        default=None, description="Channel 'briefing', 'meeting' or 'video': briefer, audience and banner."
    )

    @model_validator(mode="after")
    def _presentation_matches_channel(self) -> Inject:
        """A block for another channel is a planner's slip (a copied inject), so it is an error."""
        for block, channels in PRESENTATIONS.items():
            if getattr(self, block) is not None and self.channel.value not in channels:
                raise ValueError(
                    f"'{block}' describes a {' or '.join(channels)} inject, but this inject's channel is "
                    f"{self.channel.value!r}"
                )
        return self

    def presentation(self) -> BaseModel | None:
        """The presentation block this inject carries, if any."""
        for block in PRESENTATIONS:
            value = getattr(self, block)
            if value is not None:
                return value  # type: ignore[no-any-return]
        return None


class SituationVariant(StrictModel):
    """A move's opening text for one path through the scenario, so earlier choices carry forward."""

    when: Condition = Field(
        description="Condition on decisions and deliveries before the move opens, "
        "with the same keys an inject's condition uses (chose, decided, delivered, all, any, not).",
    )
    text: str = Field(description="Situation update read instead of the move's default situation.")


class Move(StrictModel):
    """A block of the scenario, opened by a situation update and closed by discussion."""

    id: Id = Field(description="Short id, e.g. 'M1'.")
    title: str = Field(description="Title of the move, e.g. 'Boats on the water'.")
    starts_at: Offset | None = Field(
        default=None,
        description="Scenario time the move opens; default: the time of its first inject.",
    )
    situation: str = Field(
        description="Situation update read to every team when the move opens; "
        "the default when no situation variant applies."
    )
    situation_variants: list[SituationVariant] = Field(
        default_factory=list,
        description="Situation updates that replace 'situation' when earlier play matches: "
        "the first variant whose condition holds when the move opens is read instead.",
    )
    attachments: list[Attachment] = Field(
        default_factory=list, description="Maps, images or documents shown with the situation update."
    )
    questions: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Discussion questions keyed by team id, or 'all' for every team.",
    )
    injects: list[Inject] = Field(
        default_factory=list, description="The move's injects in scenario-time order."
    )


class AgendaKind(str, Enum):
    """What happens in an agenda slot; the facilitator guide and the lint read it."""

    welcome = "welcome"
    rules = "rules"
    move = "move"
    break_ = "break"
    plenary = "plenary"
    hotwash = "hotwash"
    closing = "closing"


_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(value: Any) -> Any:
    """Turn a wall-clock time '09:00' into minutes after midnight; pass anything else on."""
    if isinstance(value, str):
        match = _CLOCK_RE.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a wall-clock time; write 'HH:MM', e.g. '09:00'")
        return int(match[1]) * 60 + int(match[2])
    return value


def format_clock(minutes: int | float) -> str:
    """Minutes after midnight as 'HH:MM' (wrapping past midnight)."""
    total = int(minutes) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


Clock = Annotated[
    int,
    BeforeValidator(parse_clock),
    Field(ge=0, lt=1440),
    WithJsonSchema({"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$",
                    "description": "Wall-clock time 'HH:MM'."}),
]
"""A wall-clock time of day, written '09:00', held as minutes after midnight."""


class AgendaItem(StrictModel):
    """One slot of the workshop's wall-clock plan."""

    title: str = Field(description="What the slot is called on the agenda, e.g. 'Move 1: Boats on the water'.")
    kind: AgendaKind = Field(
        description="welcome, rules, move, break, plenary, hotwash or closing.",
    )
    minutes: int = Field(ge=1, le=1440, description="Planned length of the slot in minutes.")
    move: Id | None = Field(
        default=None,
        description="Id of the move played in this slot; required when kind is 'move', "
        "not allowed otherwise.",
    )
    script: str | None = Field(
        default=None,
        description="What the facilitator says in this slot (printed in the facilitator guide only).",
    )


class Agenda(StrictModel):
    """The wall-clock plan of the workshop, from welcome to closing."""

    start: Clock = Field(
        default=9 * 60,
        description="Wall-clock time the workshop starts, 'HH:MM'; default '09:00'.",
    )
    items: list[AgendaItem] = Field(
        min_length=1, description="The slots in order: welcome, ground rules, moves, breaks, hot wash, closing."
    )


class GlossaryEntry(StrictModel):
    """A term participants meet in the read-ahead and the injects."""

    term: str = Field(description="The term or acronym, e.g. 'NLL'.")
    meaning: str = Field(description="What it means, in a sentence, e.g. 'Northern Limit Line'.")


class Reference(StrictModel):
    """A document participants or planners may consult."""

    title: str = Field(description="Title of the document, e.g. 'HSEEP 2020, chapter 4'.")
    url: str | None = Field(default=None, description="Where to find it, if it is public.")
    note: str | None = Field(default=None, description="Why it matters to this exercise.")


class Exercise(StrictModel):
    """One scenario file: metadata, teams, objectives, moves and their injects."""

    id: Id = Field(description="Stable id of the exercise, e.g. 'yellow-sea-refugees'.")
    title: str = Field(description="Title printed on the console, packets and the report.")
    version: str = Field(description="Version of this scenario text, e.g. '1.2'.")
    summary: str = Field(description="What the exercise is about, in a paragraph.")
    marking: str = Field(
        max_length=80,
        description="Short handling marking shown on every screen and page header, "
        "e.g. 'EXERCISE — FOR TRAINING ONLY'. Put longer wording in 'disclaimer'.",
    )
    disclaimer: str | None = Field(
        default=None,
        description="Longer statement that the scenario is fictional, printed on covers, "
        "packets and cards under the marking.",
    )
    setting: Setting = Field(description="In-world start date, time and time zone.")
    duration: Offset = Field(description="Planned length of play: '+03:30' or minutes.")
    authors: list[str] = Field(default_factory=list, description="Who wrote the scenario.")
    sponsor: str | None = Field(default=None, description="Organisation sponsoring the exercise.")
    point_of_contact: str | None = Field(
        default=None, description="Who to ask about the exercise (name, organisation, e-mail)."
    )
    scope: str | None = Field(
        default=None, description="Scope and limits of play, printed in the AAR overview."
    )
    teams: list[Team] = Field(min_length=1, description="Every cell at the table.")
    objectives: list[Objective] = Field(
        default_factory=list, description="What the exercise tests."
    )
    moves: list[Move] = Field(min_length=1, description="The moves, in order of play.")
    contingencies: list[Inject] = Field(
        default_factory=list,
        description="Injects kept in reserve, pulled in by the facilitator when play stalls.",
    )
    agenda: Agenda | None = Field(
        default=None,
        description="Wall-clock plan of the workshop: welcome, ground rules, moves, breaks, "
        "hot wash, closing, each with its planned minutes.",
    )
    ground_rules: list[str] = Field(
        default_factory=list,
        description="Rules of play read at the start and printed in the read-ahead, "
        "e.g. non-attribution, no-fault, whom participants speak for.",
    )
    hotwash_questions: list[str] = Field(
        default_factory=list,
        description="Questions the facilitator asks in the hot wash, printed in the guide "
        "and the feedback form.",
    )
    background: str | None = Field(
        default=None,
        description="Background known to every participant at STARTEX, printed in the read-ahead.",
    )
    glossary: list[GlossaryEntry] = Field(
        default_factory=list, description="Terms and acronyms explained in the read-ahead."
    )
    references: list[Reference] = Field(
        default_factory=list, description="Documents participants or planners may consult."
    )

    # Lookups used by every layer; computed on demand (models are frozen and small).

    def team(self, team_id: str) -> Team | None:
        """The team with this id."""
        return next((t for t in self.teams if t.id == team_id), None)

    @property
    def player_teams(self) -> list[Team]:
        """Teams that decide."""
        return [t for t in self.teams if t.kind == TeamKind.player]

    def all_injects(self) -> list[Inject]:
        """Scheduled injects in move order, then contingencies."""
        return [i for m in self.moves for i in m.injects] + list(self.contingencies)

    def inject(self, inject_id: str) -> Inject | None:
        """The inject (scheduled or contingency) with this id."""
        return next((i for i in self.all_injects() if i.id == inject_id), None)

    def move_of(self, inject_id: str) -> Move | None:
        """The move that schedules this inject; None for contingencies."""
        return next((m for m in self.moves if any(i.id == inject_id for i in m.injects)), None)

    def recipients(self, inject: Inject) -> list[str]:
        """Team ids an inject is addressed to, with 'all' expanded (control excluded)."""
        if inject.to == ALL:
            return [t.id for t in self.teams if t.kind != TeamKind.control]
        return list(inject.to)

    def deciders(self, inject: Inject) -> list[str]:
        """Player team ids expected to answer the inject's decision."""
        if inject.decision is None:
            return []
        if inject.decision.teams is not None:
            return list(inject.decision.teams)
        players = {t.id for t in self.player_teams}
        return [t for t in self.recipients(inject) if t in players]

    def move(self, move_id: str) -> Move | None:
        """The move with this id."""
        return next((mv for mv in self.moves if mv.id == move_id), None)

    def move_start(self, move: Move) -> int:
        """Scenario minute at which a move opens."""
        if move.starts_at is not None:
            return move.starts_at
        times = [i.at for i in move.injects if i.at is not None]
        return min(times) if times else 0
