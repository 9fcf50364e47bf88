"""One way to name a team or an inject on every face: id, label or name in any case, and the right hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.cli import main
from tabletop.engine import ActionRefused, Session
from tabletop.loader import load_exercise
from tabletop.names import canonical_team, find_inject, find_team, inject_suggestion, team_suggestion
from tabletop.need_to_know import participant
from tabletop.resources import exercises_dir

SCS = exercises_dir() / "south-china-sea-incident.yaml"


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return load_exercise(SCS)


@pytest.mark.parametrize("name", ["phl", "PHL", "Phl", "Republic of the Philippines", "republic of the philippines "])
def test_a_team_answers_to_its_id_label_and_name_in_any_case(exercise, name: str) -> None:  # type: ignore[no-untyped-def]
    assert find_team(exercise, name).id == "phl"
    assert canonical_team(exercise, name) == "phl"
    assert participant(exercise, name).id == "phl"


def test_an_unknown_team_gets_the_nearest_team_or_nothing(exercise) -> None:  # type: ignore[no-untyped-def]
    assert find_team(exercise, "Philipines") is None
    assert team_suggestion(exercise, "Philipines") == "; did you mean 'phl' (Republic of the Philippines)?"
    assert team_suggestion(exercise, "jpan").startswith("; did you mean 'japan'")
    assert team_suggestion(exercise, "zzzz") == ""
    assert canonical_team(exercise, "zzzz") == "zzzz" and canonical_team(exercise, None) is None


def test_inject_ids_ignore_case_and_zero_padding() -> None:
    known = ["SCS-01", "SCS-02", "SCS-C1", "SCS-10"]
    assert find_inject(known, "SCS-01") == "SCS-01"
    assert find_inject(known, "scs-01") == "SCS-01"
    assert find_inject(known, "SCS-1") == "SCS-01"
    assert find_inject(known, "scs-c01") == "SCS-C1"
    assert find_inject(known, "SCS-3") is None
    assert inject_suggestion(known, "SCS-1") == "; did you mean 'SCS-01'?"
    assert inject_suggestion(known, "SCS-100") == "; did you mean 'SCS-10'?"


def test_the_session_verbs_take_any_spelling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.tabletop"
    assert main(["session", "new", str(SCS), "-o", str(path), "--start"]) == 0
    assert main(["session", "deliver", str(path), "scs-1"]) == 0
    assert main(["session", "decide", str(path), "--team", "PHL", "--inject", "Scs-01", "--option", "call_us"]) == 0
    capsys.readouterr()
    assert main(["session", "decide", str(path), "--team", "Philipines", "--inject", "SCS-01", "--option", "call_us"]) == 1
    assert "did you mean 'phl' (Republic of the Philippines)?" in capsys.readouterr().err
    session = Session.open(path, readonly=True)
    try:
        decisions = session.state.records("decided")
        assert [(d.team, d.inject, d.option) for d in decisions] == [("phl", "SCS-01", "call_us")]
        with pytest.raises(ActionRefused, match="did you mean 'SCS-09'"):
            session._check_inject("SCS-99")  # noqa: SLF001
    finally:
        session.close()


def test_a_mistyped_command_gets_the_nearest_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["runn"])
    assert exit_.value.code == 2 and "did you mean 'run'?" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["session", "delivr"])
    assert "did you mean 'deliver'?" in capsys.readouterr().err


def test_documents_and_the_team_view_take_a_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "phl.md"
    assert main(["docs", str(SCS), "--kind", "sitman", "--team", "PHL", "-f", "md", "-o", str(out)]) == 0
    assert "Republic of the Philippines" in out.read_text(encoding="utf-8")
    path = tmp_path / "s.tabletop"
    assert main(["session", "new", str(SCS), "-o", str(path), "--start"]) == 0
    capsys.readouterr()
    assert main(["view", str(path), "--team", "PHL", "--plain"]) == 0
    assert "Republic of the Philippines (PHL)" in capsys.readouterr().out
