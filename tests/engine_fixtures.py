"""A compact exercise and session helpers shared by the engine, CLI, console and report tests.

The exercise has two moves, four player teams plus control and an observer
cell, decisions with options, conditional injects (on a choice, on any of
several, on a delivery) and contingencies, so every rule of the engine has
something to bite on while the file stays short.
"""

from __future__ import annotations

from pathlib import Path

from tabletop.clock import FakeClock
from tabletop.engine import Session

EXERCISE_YAML = """\
id: strait-drill
title: Strait Drill
version: "1.0"
summary: >
  A fishing boat capsizes in contested waters; four governments decide who
  leads the rescue and whether to talk to each other while they do.
marking: EXERCISE - FOR TRAINING ONLY
setting:
  start: "2030-04-11T06:00:00+09:00"
  timezone: Asia/Seoul
  location: Yellow Sea
duration: "+02:00"
teams:
  - {id: us, name: United States, short: US}
  - {id: japan, name: Japan, short: JPN}
  - {id: rok, name: Republic of Korea, short: ROK}
  - {id: china, name: People's Republic of China, short: PRC}
  - {id: control, name: White Cell, kind: control}
  - {id: observers, name: Observers, kind: observer}
objectives:
  - {id: OBJ-1, text: Coordinate a multinational search and rescue., capability: Operational Coordination}
  - {id: OBJ-2, text: Keep crisis communication lines open between capitals., capability: Operational Communications}
  - {id: OBJ-3, text: Share maritime information quickly., capability: Intelligence and Information Sharing}
moves:
  - id: M1
    title: Boats on the water
    starts_at: "+00:00"
    situation: A storm front crosses the Yellow Sea before dawn.
    injects:
      - id: M1-01
        at: "+00:05"
        title: Storm warning
        source: Korea Meteorological Administration
        to: all
        channel: news
        body: Gale warning for the western sea; small craft advised to return to port.
        objectives: [OBJ-3]
      - id: M1-02
        at: "+00:15"
        title: Boat capsized west of the island
        source: ROK Coast Guard, Incheon
        to: [rok, us]
        channel: radio
        body: A wooden fishing boat with about 60 people aboard has capsized in two-metre swells.
        objectives: [OBJ-1]
        expected:
          rok: Ask every vessel nearby to assist, whatever its flag.
        decision:
          prompt: Do you ask the Chinese vessel nearby for help?
          options:
            - {id: direct, label: Hail it directly on channel 16, posture: joint}
            - {id: beijing, label: Ask Beijing through the embassy first, posture: deferring}
            - {id: alone, label: Wait for ROK cutters, posture: national}
      - id: M1-03
        at: "+00:30"
        title: Survivors sighted near the median line
        source: Japan Coast Guard
        to: [japan, china]
        channel: intelligence
        body: A patrol aircraft reports survivors in the water close to the median line.
        objectives: [OBJ-1, OBJ-3]
        decision:
          prompt: Do you share the position with the other coast guards?
          options:
            - {id: share, label: Share it with every coast guard at once, posture: joint}
            - {id: hold, label: Keep it until your own ships are there, posture: national}
      - id: M1-04
        at: "+00:40"
        title: Chinese vessel answers
        source: China Coast Guard
        to: [china]
        channel: radio
        body: The Chinese vessel acknowledges the ROK call and turns toward the site.
        condition:
          chose: {inject: M1-02, option: direct, team: rok}
  - id: M2
    title: Who leads
    starts_at: "+01:00"
    situation: Survivors are aboard three ships flying three flags.
    injects:
      - id: M2-01
        at: "+01:00"
        title: Where to land the survivors
        source: UNHCR liaison
        to: all
        channel: meeting
        body: Survivors ask for asylum; three ports are within reach.
        objectives: [OBJ-2]
        decision:
          prompt: Where do the survivors land?
          options:
            - {id: nearest, label: The nearest port whatever its flag, posture: joint}
            - {id: own, label: Your own port only, posture: national}
            - {id: escalate, label: Refer it to the capitals, posture: public}
      - id: M2-02
        at: "+01:20"
        title: Press asks who is in charge
        source: Yonhap News
        to: all
        channel: news
        body: Reporters ask each government who coordinated the rescue.
        condition:
          any:
            - chose: {inject: M2-01, option: escalate}
            - not: {delivered: M1-04}
      - id: M2-03
        at: "+01:30"
        title: Joint statement drafted
        source: ROK Ministry of Foreign Affairs
        to: [us, japan, rok, china]
        channel: cable
        body: Seoul circulates a draft joint statement thanking every coast guard.
        condition:
          delivered: M1-04
contingencies:
  - id: C-1
    title: Chinese vessel turns toward the site on its own
    source: White Cell
    to: [china, rok]
    channel: radio
    body: The Chinese vessel changes course toward the survivors without answering.
  - id: C-2
    title: Japanese aircraft low on fuel
    source: Japan Coast Guard
    to: [japan]
    channel: radio
    body: The patrol aircraft must leave the area in 20 minutes.
    condition:
      decided: {inject: M1-03, team: japan}
"""
"""The exercise text; tests that need a variant edit a copy."""

PLAYERS = ("us", "japan", "rok", "china")
"""Player team ids of the fixture exercise."""


def exercise_yaml() -> str:
    """The YAML text of the compact fixture exercise."""
    return EXERCISE_YAML


def write_exercise(folder: Path, name: str = "strait-drill.yaml") -> Path:
    """Write the fixture exercise into `folder` and return its path."""
    path = folder / name
    path.write_text(EXERCISE_YAML, encoding="utf-8")
    return path


def new_session(
    folder: Path,
    *,
    clock: FakeClock | None = None,
    start: bool = True,
    rate: float = 1.0,
    name: str = "drill.session",
    author: str = "facilitator",
) -> Session:
    """A new session of the fixture exercise in `folder`, started unless told otherwise."""
    session = Session.create(write_exercise(folder), folder / name, clock=clock or FakeClock(), author=author)
    if start:
        session.start(rate=rate)
    return session
