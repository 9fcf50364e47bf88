"""Generated exercises go YAML -> XLSX -> exercise and -> CSV -> exercise and come back equal as models."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tabletop import model as m
from tabletop.msel_import import exercise_yaml, import_msel
from tabletop.report.msel import write_msel

ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="\ufeff")
"""Text a planner types; XML (hence XLSX) cannot hold control characters, so they are left out."""

WORD = st.text(ALPHABET, min_size=1, max_size=20).filter(lambda s: s.strip() == s and s != "")
TEXT = st.lists(st.text(ALPHABET, min_size=0, max_size=30), min_size=1, max_size=3).map("\n".join).filter(
    lambda s: s.strip() != "")
IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,7}", fullmatch=True).filter(
    lambda s: s.lower() not in ("all", "contingency", "contingencies", "reserve"))


@st.composite
def exercises(draw: st.DrawFn) -> m.Exercise:
    """A small exercise using every field the MSEL carries."""
    team_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique_by=str.lower))
    names = draw(st.lists(WORD, min_size=len(team_ids), max_size=len(team_ids), unique_by=str.lower))
    teams = [{"id": t, "name": f"{n} {i}", "members": draw(st.lists(WORD, max_size=2)),
              "brief": draw(st.none() | TEXT)} for i, (t, n) in enumerate(zip(team_ids, names))]
    objectives = [{"id": f"OBJ-{i}", "text": draw(WORD), "capability": draw(st.none() | WORD)}
                  for i in range(draw(st.integers(0, 2)))]
    inject_ids = iter(f"I-{n}" for n in range(100))

    def inject(scheduled: bool) -> dict[str, Any]:
        to = draw(st.just("all") | st.lists(st.sampled_from(team_ids), min_size=1, unique=True))
        data: dict[str, Any] = {
            "id": next(inject_ids), "at": draw(st.integers(0, 5000)) if scheduled else draw(st.none() | st.integers(0, 99)),
            "title": draw(WORD), "body": draw(TEXT), "source": draw(WORD), "to": to,
            "channel": draw(st.sampled_from(list(m.Channel))).value,
            "expected": draw(st.dictionaries(st.sampled_from(team_ids), TEXT, max_size=2)),
            "questions": draw(st.lists(TEXT, max_size=2)),
            "objectives": draw(st.lists(st.sampled_from([o["id"] for o in objectives]), unique=True, max_size=2))
            if objectives else [],
            "notes": draw(st.none() | TEXT),
        }
        if draw(st.booleans()):
            data["decision"] = {"prompt": draw(WORD), "options": [
                {"id": f"o{k}", "label": draw(TEXT), "posture": draw(st.sampled_from(list(m.Posture))).value,
                 "consequence": draw(st.none() | TEXT)} for k in range(draw(st.integers(2, 3)))]}
        if draw(st.booleans()):
            data["condition"] = {"any": [{"delivered": "I-0"},
                                         {"not": {"chose": {"inject": "I-0", "option": "o1", "team": team_ids[0]}}}]}
        return data

    moves = []
    for k in range(draw(st.integers(1, 2))):
        injects = sorted((inject(True) for _ in range(draw(st.integers(0, 3)))), key=lambda i: i["at"])
        moves.append({"id": f"M{k + 1}", "title": draw(WORD), "situation": draw(TEXT), "injects": injects,
                      "starts_at": draw(st.none() | st.integers(0, 100)),
                      "questions": draw(st.dictionaries(st.sampled_from(["all", *team_ids]), st.lists(WORD, min_size=1,
                                                                                                  max_size=2), max_size=2))})
    start = datetime(2027, 4, 11, 6, 0, tzinfo=timezone(timedelta(hours=draw(st.integers(-10, 12)))))
    return m.Exercise.model_validate({
        "id": draw(IDS), "title": draw(WORD), "version": draw(WORD), "summary": draw(TEXT), "marking": draw(WORD),
        "disclaimer": draw(st.none() | TEXT), "setting": {"start": start, "timezone": "UTC", "location": draw(st.none() | WORD)},
        "duration": draw(st.integers(1, 9000)), "authors": draw(st.lists(WORD, max_size=2)),
        "sponsor": draw(st.none() | WORD), "point_of_contact": draw(st.none() | WORD), "scope": draw(st.none() | TEXT),
        "teams": teams, "objectives": objectives, "moves": moves,
        "contingencies": [inject(False) for _ in range(draw(st.integers(0, 2)))],
    })


@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow])
@given(exercises())
def test_generated_exercises_round_trip(exercise: m.Exercise) -> None:
    with tempfile.TemporaryDirectory() as folder:
        xlsx = Path(folder) / "msel.xlsx"
        write_msel(xlsx, exercise)
        assert import_msel(xlsx) == exercise
        sheet = Path(folder) / "msel.csv"
        write_msel(sheet, exercise)
        assert import_msel(sheet, into=exercise) == exercise
    assert m.Exercise.model_validate(yaml.load(exercise_yaml(exercise), Loader=yaml.CSafeLoader)) == exercise
