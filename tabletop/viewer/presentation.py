"""How an inject's channel presentation reads on every face: labels, grades in words.

Pure functions over the need-to-know rule's `InjectSeen`; the Jinja partial
`_presentation.html.j2` and the terminal room screen both use them, so a cable's
header or an intelligence grade reads the same on the wall and on a team's page.
"""

from __future__ import annotations

from typing import Any

from tabletop.need_to_know import InjectSeen
from tabletop.viewer.formatting import in_world_text
from tabletop.wording import presentation_lines

def header_lines(inject: InjectSeen) -> list[tuple[str, str]]:
    """The inject's presentation fields as (label, text), grades spelled out."""
    return presentation_lines(inject.header)


def header_value(inject: InjectSeen, name: str) -> str:
    """One presentation field's text, '' when the inject does not carry it."""
    return next((value for key, value in inject.header if key == name), "")


def install(env: Any) -> None:
    """Give a Jinja environment what the presentation partial and the room templates call."""
    env.globals.update(header_lines=header_lines, header_value=header_value)
    env.filters.update(world=in_world_text)
