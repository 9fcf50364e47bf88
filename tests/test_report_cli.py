"""The `report`, `handouts` and `msel` verbs as a user runs them: files in, files out, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tabletop.cli import main
from tests.engine_fixtures import new_session, write_exercise


@pytest.fixture
def session_file(tmp_path: Path) -> Path:
    """A finished session file of the fixture exercise."""
    s = new_session(tmp_path)
    s.deliver("M1-02")
    s.decide("rok", "M1-02", option="direct")
    s.end()
    s.close()
    return tmp_path / "drill.session"


def test_report_writes_each_format(session_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("html", "md", "pdf"):
        out = tmp_path / f"aar.{fmt}"
        assert main(["report", str(session_file), "-f", fmt, "-o", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert "wrote" in capsys.readouterr().out
    assert len(PdfReader(tmp_path / "aar.pdf").pages) > 5


def test_report_default_name_and_stdout(session_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(session_file)]) == 0
    assert (tmp_path / "drill-aar.html").is_file()
    capsys.readouterr()
    assert main(["report", str(session_file), "-f", "md", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("**EXERCISE - FOR TRAINING ONLY**")


def test_source_date_epoch_makes_the_report_reproducible(session_file: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two renderings of one record are byte for byte the same when SOURCE_DATE_EPOCH fixes the stamp."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030-01-01 00:00 UTC
    for name in ("one.html", "two.html"):
        assert main(["report", str(session_file), "-o", str(tmp_path / name)]) == 0
    first = (tmp_path / "one.html").read_bytes()
    assert first == (tmp_path / "two.html").read_bytes()
    assert b"2030-01-01T00:00:00+00:00" in first
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert main(["report", str(session_file), "-o", str(tmp_path / "now.html")]) == 0
    assert b"2030-01-01T00:00:00+00:00" not in (tmp_path / "now.html").read_bytes()


def test_report_with_custom_template(session_file: Path, tmp_path: Path) -> None:
    template = tmp_path / "mine.html.j2"
    template.write_text("<h1>{{ title }}</h1>{{ summary.decisions }}", encoding="utf-8")
    out = tmp_path / "mine.html"
    assert main(["report", str(session_file), "--template", str(template), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "<h1>Strait Drill</h1>1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "{missing}"], "no such session file"),
        (["report", "{yaml}"], "not a session file"),
        (["report", "{session}", "-f", "odt"], "unknown format 'odt'"),
        (["report", "{session}", "-f", "docx", "-o", "-"], "a Word file is written to a file: give -o FILE.docx"),
        (["report", "{session}", "-f", "docx", "--template", "{evil}"], "not from a template"),
        (["report", "{session}", "-f", "pdf", "-o", "-"], "a PDF is written to a file"),
        (["report", "{session}", "-o", "{tmp}/no/such/folder/x.html"], "cannot write"),
        (["report", "{session}", "--template", "{tmp}/none.j2"], "cannot read template"),
        (["report", "{session}", "--template", "{evil}"], "not allowed in a report template"),
        (["handouts", "{missing}"], "not a valid exercise"),
        (["handouts", "{yaml}", "--team", "control"], "control cell"),
        (["handouts", "{yaml}", "--team", "usa"], "did you mean 'us'"),
        (["handouts", "{yaml}", "-f", "md"], "unknown format 'md'"),
        (["msel", "{yaml}", "-o", "{tmp}/x.txt"], ".csv or .xlsx"),
        (["msel", "{missing}", "-o", "{tmp}/x.csv"], "no such file"),
        (["msel", "{yaml}", "-o", "{tmp}/no/such/folder/x.csv"], "cannot write"),
    ],
)
def test_errors_are_messages_not_tracebacks(argv: list[str], message: str, session_file: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    yaml_path = write_exercise(tmp_path)
    evil = tmp_path / "evil.j2"
    evil.write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    names = {"missing": str(tmp_path / "missing.session"), "yaml": str(yaml_path), "session": str(session_file),
             "tmp": str(tmp_path), "evil": str(evil)}
    code = main([part.format(**names) for part in argv])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_bad_exercise_prints_file_line_col(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    assert main(["msel", str(bad), "-o", str(tmp_path / "m.csv")]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and err.splitlines()[0].startswith(f"{bad}:")


def test_msel_recognises_a_session_by_content(session_file: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "played.yaml"
    renamed.write_bytes(session_file.read_bytes())
    out = tmp_path / "m.csv"
    assert main(["msel", str(renamed), "-o", str(out)]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith("Delivered at (scenario),Delivered at (UTC),Status")


def test_handouts_default_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_exercise(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["handouts", str(path)]) == 0
    assert main(["handouts", str(path), "--team", "rok", "-f", "pdf"]) == 0
    assert (tmp_path / "strait-drill-handouts.html").is_file()
    assert (tmp_path / "strait-drill-rok-packet.pdf").read_bytes().startswith(b"%PDF")
