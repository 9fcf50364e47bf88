"""The exercise verbs as a planner runs them: validate, lint, list, schema, new."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tabletop.cli import main
from tabletop.cli.exercise import schema_text
from tabletop.resources import data_dir, exercises_dir
from tests.test_loader import GOOD

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("to: [rok, us]", "to: [rok, usa]").replace("title: Boat capsized", "titel: Boat capsized"),
                    encoding="utf-8")
    return path


def test_validate_ok(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good)]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "1 exercise file valid"


def test_validate_reports_every_error_and_exits_1(good: Path, bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good.parent)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{bad}:33:9: unknown field 'titel'; did you mean 'title'?",
        f"{bad}:36:19: unknown team 'usa'; did you mean 'us'?",
        "1 of 2 exercise files invalid",
    ]
    assert f"ok  {good}" in captured.out


def test_validate_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate"])
    assert caught.value.code == 2
    assert main(["validate", str(tmp_path)]) == 2
    assert "no exercise files" in capsys.readouterr().err


def test_lint_strict(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--strict", str(good)]) == 0
    gappy = tmp_path / "gappy.yaml"
    gappy.write_text(GOOD.replace('at: "+00:40"', 'at: "+02:00"'), encoding="utf-8")
    assert main(["lint", str(gappy)]) == 0
    assert main(["lint", "--strict", str(gappy)]) == 1
    err = capsys.readouterr().err
    assert f"{gappy}:47:13: warning: 110 minutes of silence before 'B'" in err


def test_list_json_of_a_folder(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json", str(good.parent)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "id": "drill",
            "title": "Harbour drill",
            "version": "1.0",
            "path": str(good),
            "teams": ["us", "rok", "control"],
            "moves": 1,
            "injects": 2,
            "contingencies": 1,
            "objectives": 1,
            "duration_minutes": 180,
        }
    ]


def test_list_defaults_to_the_bundled_exercises(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    bundled = sorted(p.name for p in exercises_dir().glob("*.yaml"))
    assert sorted(Path(r["path"]).name for r in rows) == bundled
    assert main(["list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["ID", "TITLE", "TEAMS", "MOVES", "INJECTS", "DURATION", "PATH"]
    assert len(table) == 1 + len(bundled)


def test_committed_schema_is_current() -> None:
    committed = (data_dir("schema") / "exercise.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "schema is stale: run `tabletop schema -o schema/exercise.schema.json`"


def test_schema_documents_every_field() -> None:
    schema = json.loads(schema_text())
    undocumented = [
        f"{name}.{field}"
        for name, definition in {"Exercise": schema, **schema["$defs"]}.items()
        for field, spec in definition.get("properties", {}).items()
        if "description" not in spec
    ]
    assert undocumented == []


def test_schema_to_file(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["title"] == "Exercise"


def test_new_writes_a_starter_that_validates_and_lints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "harbour.yaml"
    assert main(["new", "harbour-blackout", "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=./exercise.schema.json\n")
    assert "id: harbour-blackout" in text
    assert main(["validate", str(target)]) == 0
    assert main(["lint", "--strict", str(target)]) == 0
    assert main(["new", "harbour-blackout", "-o", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["new", "bad id!"]) == 2


def test_new_given_a_file_name_writes_that_file_with_its_name_as_the_id(tmp_path: Path) -> None:
    target = tmp_path / "harbour-blackout.yaml"
    assert main(["new", str(target)]) == 0
    assert "id: harbour-blackout\n" in target.read_text(encoding="utf-8")
    assert not list(tmp_path.glob("*.yaml.yaml"))
    assert main(["validate", str(target)]) == 0


def test_python_dash_m_and_no_traceback(bad: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "tabletop", "validate", str(bad)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{bad}:33:9: ")


MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


def _resolved_schema(exercise: Path) -> dict[str, object]:
    """The schema an editor finds from the file's modeline, read as the YAML language server does
    (a relative path is taken from the file's folder)."""
    match = MODELINE.search(exercise.read_text(encoding="utf-8"))
    assert match, "no modeline"
    reference = match[1]
    assert "://" not in reference and not reference.startswith("/")
    return json.loads((exercise.parent / reference).read_text(encoding="utf-8"))


def test_new_modeline_resolves_after_moving_file_and_schema(tmp_path: Path) -> None:
    first = tmp_path / "laptop" / "drills"
    first.mkdir(parents=True)
    assert main(["new", "harbour-blackout", "-o", str(first / "harbour.yaml")]) == 0
    assert (first / "exercise.schema.json").is_file()
    second = tmp_path / "other-machine" / "shared"
    second.mkdir(parents=True)
    for name in ("harbour.yaml", "exercise.schema.json"):
        shutil.move(first / name, second / name)
    assert _resolved_schema(second / "harbour.yaml") == json.loads(schema_text())


def test_new_in_a_project_points_at_its_schema_folder(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    (project / "schema").mkdir(parents=True)
    (project / "schema" / "exercise.schema.json").write_text(schema_text(), encoding="utf-8")
    (project / "exercises").mkdir()
    target = project / "exercises" / "harbour.yaml"
    assert main(["new", "harbour-blackout", "-o", str(target)]) == 0
    assert "$schema=../schema/exercise.schema.json" in target.read_text(encoding="utf-8")
    assert not (project / "exercises" / "exercise.schema.json").exists()
    moved = tmp_path / "clone"
    shutil.move(project, moved)
    assert _resolved_schema(moved / "exercises" / "harbour.yaml") == json.loads(schema_text())


def test_new_with_the_package_schema_names_this_install(tmp_path: Path) -> None:
    target = tmp_path / "harbour.yaml"
    assert main(["new", "harbour-blackout", "--schema", "package", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=file://")
    assert not (tmp_path / "exercise.schema.json").exists()


def _walk(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        return [node] + [d for value in node.values() for d in _walk(value)]
    if isinstance(node, list):
        return [d for value in node for d in _walk(value)]
    return []


def test_schema_completion_inserts_no_null_and_every_property_has_a_title() -> None:
    schema = json.loads(schema_text())
    nodes = _walk(schema)
    assert not [n for n in nodes if "default" in n and n["default"] is None]
    properties = [(name, prop) for n in nodes if isinstance(n.get("properties"), dict)
                  for name, prop in n["properties"].items()]  # type: ignore[union-attr]
    assert any("$ref" in prop for _, prop in properties)
    assert not [name for name, prop in properties if "title" not in prop]
