"""Synthetic exercises of any size, valid and lint-clean, for benchmarks and torture tests."""

from __future__ import annotations

import random

TEAMS = ["us", "japan", "rok", "china"]
CHANNELS = ["news", "social_media", "cable", "phone_call", "intelligence", "briefing", "radio"]
POSTURES = ["joint", "national", "public", "deferring"]


def exercise_yaml(injects: int, *, moves: int | None = None, seed: int = 7) -> str:
    """YAML text of an exercise with `injects` scheduled injects spread over several moves.

    Every third inject asks for a decision and every tenth is conditional on an
    earlier decision, so loading, replay and reports meet the same shapes as in
    a real exercise, at a size no real one reaches.
    """
    rng = random.Random(seed)
    moves = moves or max(3, min(50, injects // 40))
    per_move = -(-injects // moves)
    out = [
        "# yaml-language-server: $schema=../schema/exercise.schema.json",
        f"id: generated-{injects}",
        f"title: Generated exercise with {injects:,} injects",
        'version: "1.0"',
        "summary: |",
        "  A synthetic scenario used to measure tabletop at sizes beyond any real exercise.",
        "marking: EXERCISE — FOR TRAINING ONLY — FICTIONAL SCENARIO",
        "setting:",
        '  start: "2027-04-11T06:00:00+09:00"',
        "  timezone: Asia/Seoul",
        "  location: Yellow Sea",
        'duration: "+03:30"',
        "teams:",
    ]
    for team in TEAMS:
        out += [f"  - id: {team}", f"    name: Team {team.upper()}", "    brief: |",
                f"      Private brief of team {team}: what only this team knows at STARTEX."]
    out += ["  - id: control", "    name: Control", "    kind: control",
            "  - id: observers", "    name: Observers", "    kind: observer", "objectives:"]
    for k in range(1, 6):
        out += [f"  - id: OBJ-{k}", f"    text: Objective number {k} of the generated exercise.",
                "    capability: Operational Coordination"]
    out.append("moves:")
    number = 0
    decisions: list[tuple[str, list[str]]] = []
    for mv in range(moves):
        start = mv * 1440
        out += [f"  - id: M{mv + 1}", f"    title: Move {mv + 1}", f'    starts_at: {start}',
                "    situation: |", f"      Situation update opening move {mv + 1}.",
                "    questions:", "      all:", "        - What do you do next, and who do you tell?",
                "    injects:"]
        count = min(per_move, injects - number)
        for k in range(count):
            number += 1
            ident = f"G-{number:05d}"
            at = start + (k * 40) // max(1, count)
            recipients = "all" if k % 4 == 0 else "[" + ", ".join(rng.sample(TEAMS, 2)) + "]"
            out += [
                f"      - id: {ident}",
                f"        at: {at}",
                f"        title: Generated inject {number}",
                "        body: |",
                f"          Report {number}: a vessel {rng.randint(2, 40)} nautical miles west of the",
                "          island reports people in the water and asks for assistance.",
                "        source: Coast Guard operations centre",
                f"        to: {recipients}",
                f"        channel: {CHANNELS[number % len(CHANNELS)]}",
                f"        objectives: [OBJ-{number % 5 + 1}]",
                "        expected:",
                "          us: Offer air search and tell allies.",
                "        questions:",
                "          - Who coordinates the rescue?",
                "        notes: Facilitator note for this generated inject.",
            ]
            if number % 3 == 0:
                options = ["help", "wait", "alone"]
                out += ["        decision:", "          prompt: Do you help?", "          options:"]
                for opt, posture in zip(options, POSTURES):
                    out.append(f"            - {{id: {opt}, label: Option {opt}, posture: {posture}}}")
                decisions.append((ident, recipients_list(recipients)))
            elif number % 10 == 1 and decisions:
                source, teams = decisions[-1]
                out.append(f"        condition: {{chose: {{inject: {source}, team: {teams[0]}, option: help}}}}")
    out += ["contingencies:", "  - id: G-C1", "    title: Contingency", "    body: Use when play stalls.",
            "    source: Control", "    to: all", "    channel: briefing"]
    return "\n".join(out) + "\n"


def recipients_list(recipients: str) -> list[str]:
    """The team ids a generated `to:` value names."""
    if recipients == "all":
        return list(TEAMS)
    return [t.strip() for t in recipients.strip("[]").split(",")]
