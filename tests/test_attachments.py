"""Attachments beside an exercise: sniffed, capped, hostile SVGs and renamed executables refused at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from tabletop.attachments import MAX_BYTES
from tabletop.loader import ExerciseError, load
from tests.need_to_know_fixtures import SECRETS_YAML

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CLEAN_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><path id="p" d="M0 0L9 9"/></defs>' \
    b'<use href="#p" stroke="black"/><text x="1" y="5">NLL</text></svg>'

HOSTILE = {
    "script.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "handler.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
    "external.svg": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<image xlink:href="http://evil.example/x.png"/></svg>',
    "foreign.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    "bomb.svg": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
    "cssurl.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://evil.example/f)"/></svg>',
}


def _exercise(tmp_path: Path, file: str) -> tuple[Path, int]:
    text = SECRETS_YAML.replace(
        "        body: OK-IALL-body-Q Gale warning for the western sea.\n",
        "        body: OK-IALL-body-Q Gale warning for the western sea.\n"
        f"        attachments:\n          - file: {file}\n            caption: The sea\n",
        1,
    )
    path = tmp_path / "drill.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"          - file: {file}") + 1
    return path, line


def test_a_clean_svg_and_a_png_load(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "sea.svg").write_bytes(CLEAN_SVG)
    path, _ = _exercise(tmp_path, "maps/sea.svg")
    inject = load(path).exercise.inject("I-ALL")
    assert inject is not None and inject.attachments[0].file == "maps/sea.svg"
    (tmp_path / "photo.png").write_bytes(PNG)
    path, _ = _exercise(tmp_path, "photo.png")
    assert load(path).exercise.inject("I-ALL").attachments[0].caption == "The sea"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_svg_is_refused_at_its_line(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(HOSTILE[name])
    path, line = _exercise(tmp_path, name)
    with pytest.raises(ExerciseError) as caught:
        load(path)
    message = str(caught.value)
    assert f"drill.yaml:{line}:19: {name}: " in message, message


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("map.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "not a PNG, JPEG, SVG or PDF"),
        ("map.png", b"MZ\x90\x00" + b"\x00" * 64, "not a PNG, JPEG, SVG or PDF"),
        ("map.pdf", PNG, "named as PDF but its bytes say it is a PNG file"),
    ],
)
def test_a_renamed_file_is_refused(tmp_path: Path, name: str, data: bytes, words: str) -> None:
    (tmp_path / name).write_bytes(data)
    path, line = _exercise(tmp_path, name)
    with pytest.raises(ExerciseError) as caught:
        load(path)
    assert f"drill.yaml:{line}:19:" in str(caught.value) and words in str(caught.value)


def test_missing_oversized_and_outside_files_are_refused(tmp_path: Path) -> None:
    path, line = _exercise(tmp_path, "nothing.png")
    with pytest.raises(ExerciseError, match=rf"drill.yaml:{line}:19: nothing.png: no such file"):
        load(path)
    (tmp_path / "big.png").write_bytes(PNG + b"\x00" * MAX_BYTES)
    path, _ = _exercise(tmp_path, "big.png")
    with pytest.raises(ExerciseError, match="over the 8 MiB cap"):
        load(path)
    path, _ = _exercise(tmp_path, "../etc.png")
    with pytest.raises(ExerciseError, match="must be inside the exercise.s folder"):
        load(path)


def test_the_bundled_yellow_sea_map_passes_the_attachment_checks() -> None:
    from tabletop.attachments import file_problem

    folder = Path(__file__).resolve().parent.parent / "exercises"
    assert file_problem(folder, "maps/yellow-sea-nll.svg") is None
    text = (folder / "maps" / "yellow-sea-nll.svg").read_text(encoding="utf-8")
    for name in ("Baengnyeong-do", "Daecheong-do", "Socheong-do", "Yeonpyeong-do", "Northern Limit Line", "Incheon"):
        assert name in text


def test_a_session_keeps_its_attachments_and_opens_without_the_exercise_folder(tmp_path: Path) -> None:
    import shutil

    from tabletop.engine import Session
    from tabletop.store import StoreError

    folder = tmp_path / "exercise"
    (folder / "maps").mkdir(parents=True)
    (folder / "maps" / "sea.svg").write_bytes(CLEAN_SVG)
    path, _ = _exercise(folder, "maps/sea.svg")
    session_path = tmp_path / "drill.tabletop"
    Session.create(path, session_path).close()
    shutil.rmtree(folder)  # another machine: the exercise and its maps are not there
    with Session.open(session_path, readonly=True) as session:
        assert session.attachment("maps/sea.svg") == CLEAN_SVG
        assert session.attachment("maps/other.svg") is None
    import sqlite3

    db = sqlite3.connect(session_path)
    db.execute("UPDATE attachments SET data = ? WHERE file = 'maps/sea.svg'", (CLEAN_SVG.replace(b"NLL", b"XXX"),))
    db.commit()
    db.close()
    with Session.open(session_path, readonly=True) as session, pytest.raises(StoreError, match="does not match"):
        session.attachment("maps/sea.svg")
