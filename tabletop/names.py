"""How a person may name a team or an inject, and what to suggest when the name is not known.

The console shows `PHL`, the team brief says "Republic of the Philippines", the
file says `phl`: all three name the same team, in any case, wherever a team is
named (the CLI, team links, documents). Inject ids are matched without regard
to case or to leading zeros in their numbers, so `scs-1` finds `SCS-01`; a near
miss gets the id the person most likely meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from tabletop.model import Exercise, Team

_NUMBER = re.compile(r"0+(?=\d)")


def team_aliases(team: Team) -> list[str]:
    """Every name the team answers to, folded: id, short label, full name."""
    names = [team.id, team.label, team.name]
    return list(dict.fromkeys(name.casefold() for name in names))


def find_team(exercise: Exercise, text: str) -> Team | None:
    """The team `text` names by id, label or name, in any case; None if it names none."""
    wanted = text.strip().casefold()
    return next((team for team in exercise.teams if wanted in team_aliases(team)), None)


def team_suggestion(exercise: Exercise, text: str, teams: Iterable[Team] | None = None) -> str:
    """'; did you mean ...?' for the team closest to `text`, or '' when none is close."""
    pool = list(teams if teams is not None else exercise.teams)
    by_alias = {alias: team for team in pool for alias in team_aliases(team)}
    for team in pool:  # "Philipines" is near a word of "Republic of the Philippines", not the whole name
        for word in team.name.casefold().split():
            if len(word) >= 4:
                by_alias.setdefault(word, team)
    close = difflib.get_close_matches(text.strip().casefold(), list(by_alias), n=1, cutoff=0.6)
    if not close:
        return ""
    team = by_alias[close[0]]
    return f"; did you mean {team.id!r} ({team.name})?"


def _inject_key(ident: str) -> str:
    return _NUMBER.sub("", ident.casefold())


def find_inject(known: Iterable[str], text: str) -> str | None:
    """The inject id `text` names, exactly, in another case, or with other leading zeros."""
    ids = list(known)
    if text in ids:
        return text
    key = _inject_key(text.strip())
    found = [ident for ident in ids if _inject_key(ident) == key]
    return found[0] if len(found) == 1 else None


def inject_suggestion(known: Iterable[str], text: str) -> str:
    """'; did you mean ...?' for the inject id closest to `text`, or ''."""
    ids = list(known)
    found = find_inject(ids, text)
    if found is not None and found != text:
        return f"; did you mean {found!r}?"
    by_key = {_inject_key(ident): ident for ident in ids}
    close = difflib.get_close_matches(_inject_key(text.strip()), list(by_key), n=1)
    return f"; did you mean {by_key[close[0]]!r}?" if close else ""


def word_suggestion(word: str, known: Iterable[str]) -> str:
    """'; did you mean ...?' for the closest of `known` in any case (a subcommand, a column, a
    posture), spelled as `known` spells it, or ''."""
    folded: dict[str, str] = {}
    for choice in known:
        folded.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""


def canonical_team(exercise: Exercise, text: str | None) -> str | None:
    """The id of the team `text` names, as the file spells it; `text` itself when it names none
    (the caller's own check then refuses it with a suggestion)."""
    if text is None:
        return None
    team = find_team(exercise, text)
    return team.id if team is not None else text
