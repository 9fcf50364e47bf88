"""The committed JSON Schema and the loader agree on every scalar with a format: what an editor
accepts, `tabletop validate` accepts, and the reverse. Each field is mutated to many spellings, the
document is checked by the `jsonschema` library (with format checks, as editors do) and by the
loader, and the two must reach the same verdict on that field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tabletop.loader import ExerciseError, load_text, node_at, parse
from tabletop.resources import data_dir
from tests.engine_fixtures import EXERCISE_YAML

SCHEMA = json.loads((data_dir("schema") / "exercise.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

OFFSETS: list[Any] = [
    "", "+", " ", "+00:45", "00:45", "45", " 45 ", "+45", "1d", "+1d", "+2d 02:00", "+1d02:00",
    " +00:45 ", "+00:60", "+000:30", "+1234:00", "+12345:00", "-00:10", "+00:5", "+1:05", "+d",
    "1 d 00:10", "٤٥", "45m", "+1d 2", 45, 0, -1, 2.0, 2.5, None, True, [], {},
]
"""Scenario times, well and badly written."""

STARTS: list[Any] = [
    "2027-04-11T06:00:00+09:00", "2027-04-11T06:00:00", "2027-04-11T06:00:00Z", "2027-04-11t06:00:00z",
    "2027-04-11 06:00:00+09:00", "2027-04-11T06:00+09:00", "2027-04-11T06:00:00.250+09:00",
    "2027-04-11T06:00:00+0900", "2027-04-11", "2027-13-11T06:00:00+09:00", "2027-02-30T06:00:00+00:00",
    "2027-04-11T25:00:00+09:00", "11 Apr 2027 06:00 +09:00", "", 1700000000, None,
]
"""STARTEX date-times, with and without a UTC offset."""

ZONES: list[Any] = [
    "Asia/Seoul", "Asia/Tokyo", "Asia/Manila", "America/New_York", "UTC", "Etc/GMT-9", "US/Eastern",
    "asia/seoul", "Asia/Seol", "Mars/Olympus", "localtime", "posixrules", "Factory", "", " UTC",
    "Asia/Seoul ", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "America", "+09:00", "KST", 9, None,
]
"""Time zone names: IANA names and links, misspellings, file names of the zone database, offsets."""

FIELDS: dict[tuple[Any, ...], list[Any]] = {
    ("duration",): OFFSETS,
    ("moves", 0, "starts_at"): OFFSETS,
    ("moves", 0, "injects", 0, "at"): OFFSETS,
    ("setting", "start"): STARTS,
    ("setting", "timezone"): ZONES,
}


def base() -> dict[str, Any]:
    data = yaml.safe_load(EXERCISE_YAML)
    assert isinstance(data, dict)
    return data


def put(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def schema_accepts(data: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """No schema error at the field (errors anywhere else would be a broken base document)."""
    for error in VALIDATOR.iter_errors(data):
        assert tuple(error.absolute_path)[: len(path)] == path, error
    return not any(True for _ in VALIDATOR.iter_errors(data))


def loader_accepts(data: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """No loader error on the field's line. JSON is YAML, and writes every string quoted, so the
    loader reads the very value the schema saw. Rules across fields (injects in order) may report
    elsewhere; they are not the field's format."""
    text = json.dumps(data, indent=1, ensure_ascii=False)
    line = node_at(parse(text, "x.yaml")[0], path).start_mark.line + 1
    try:
        load_text(text, "x.yaml")
    except ExerciseError as error:
        return not any(d.line == line and "out of order" not in d.message for d in error.diagnostics)
    return True


def test_base_document_passes_both() -> None:
    data = base()
    assert not list(VALIDATOR.iter_errors(data))
    load_text(json.dumps(data), "x.yaml")


@pytest.mark.parametrize("path", list(FIELDS), ids=lambda p: ".".join(map(str, p)))
def test_schema_and_loader_agree(path: tuple[Any, ...]) -> None:
    disagreements = []
    verdicts = set()
    for value in FIELDS[path]:
        data = base()
        put(data, path, copy.deepcopy(value))
        by_schema, by_loader = schema_accepts(data, path), loader_accepts(data, path)
        verdicts.add(by_schema)
        if by_schema != by_loader:
            disagreements.append(f"{value!r}: schema {'accepts' if by_schema else 'refuses'}, "
                                 f"loader {'accepts' if by_loader else 'refuses'}")
    assert not disagreements, "\n".join(disagreements)
    assert verdicts == {True, False}


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Asia/Seol", "", "../../etc/passwd", "America"])
def test_unknown_time_zone_is_an_error_at_its_line(zone: str, tmp_path: Path) -> None:
    text = EXERCISE_YAML.replace("timezone: Asia/Seoul", f"timezone: {json.dumps(zone)}")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith("timezone:"))
    with pytest.raises(ExerciseError) as caught:
        load_text(text, "drill.yaml")
    found = [d for d in caught.value.diagnostics if d.line == line]
    assert found and "unknown time zone" in found[0].message, caught.value.diagnostics
    assert found[0].format().startswith(f"drill.yaml:{line}:")
