"""How an inject's channel presentation reads on every face: labels, grades in words.

Pure functions over the need-to-know rule's `InjectSeen`; the Jinja partial
`_presentation.html.j2` and the terminal room screen both use them, so a cable's
header or an intelligence grade reads the same on the wall and on a team's page.
"""

from __future__ import annotations

from typing import Any

from tabletop.need_to_know import InjectSeen
from tabletop.viewer.formatting import in_world_text

LABELS: dict[str, str] = {
    "outlet": "Outlet", "headline": "Headline", "dateline": "Dateline", "byline": "Byline",
    "account": "Account", "handle": "Handle", "reposts": "Reposts", "likes": "Likes",
    "classification": "Classification", "from": "From", "to": "To", "cc": "Cc",
    "subject": "Subject", "reference": "Ref", "caller": "Caller", "callee": "Callee",
    "source": "Source", "reliability": "Source reliability", "credibility": "Information credibility",
    "issuer": "Issued by", "speaker": "Spokesperson", "embargo": "Release",
    "briefer": "Briefer", "audience": "Audience",
}
"""How each presentation field is labelled on every face."""

RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "cannot be judged"}
CREDIBILITY = {"1": "confirmed", "2": "probably true", "3": "possibly true",
               "4": "doubtful", "5": "improbable", "6": "cannot be judged"}
"""The Admiralty grades in words, printed beside the letter and digit."""


def header_lines(inject: InjectSeen) -> list[tuple[str, str]]:
    """The inject's presentation fields as (label, text), grades spelled out."""
    lines = []
    for name, value in inject.header:
        if name == "reliability":
            value = f"{value} ({RELIABILITY.get(value, '')})"
        elif name == "credibility":
            value = f"{value} ({CREDIBILITY.get(value, '')})"
        elif name == "handle" and not value.startswith("@"):
            value = "@" + value
        lines.append((LABELS.get(name, name.capitalize()), value))
    return lines


def header_value(inject: InjectSeen, name: str) -> str:
    """One presentation field's text, '' when the inject does not carry it."""
    return next((value for key, value in inject.header if key == name), "")


def install(env: Any) -> None:
    """Give a Jinja environment what the presentation partial and the room templates call."""
    env.globals.update(header_lines=header_lines, header_value=header_value)
    env.filters.update(world=in_world_text)
