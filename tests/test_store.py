"""The session file: exercise copy, append-only log, format checks, damage, readers and writers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tabletop.engine import Session
from tabletop.events import NoteEvent
from tabletop.store import APPLICATION_ID, SCHEMA_VERSION, Store, StoreError, exercise_copy
from tests.engine_fixtures import exercise_yaml

AT = datetime(2030, 1, 1, tzinfo=timezone.utc)


def note(text: str = "a note") -> NoteEvent:
    return NoteEvent(at=AT, minute=1.5, text=text)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.create(tmp_path / "s.session", exercise_copy(exercise_yaml(), "drill.yaml"))
    yield s
    s.close()


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_new_file_settings(store: Store) -> None:
    db = raw(store.path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_exercise_copy_round_trips(store: Store) -> None:
    copy = store.exercise()
    assert copy.text == exercise_yaml() and copy.filename == "drill.yaml" and len(copy.sha256) == 64


def test_create_refuses_existing_files_and_missing_folders(tmp_path: Path, store: Store) -> None:
    with pytest.raises(StoreError, match="already exists"):
        Store.create(store.path, exercise_copy("x", "x"))
    with pytest.raises(StoreError, match="does not exist"):
        Store.create(tmp_path / "no" / "such" / "s.session", exercise_copy("x", "x"))


def test_append_assigns_consecutive_seqs(store: Store) -> None:
    appended = [store.append(note(f"n{i}")) for i in range(5)]
    assert [e.seq for e in appended] == [1, 2, 3, 4, 5]
    assert [e.text for e in store.events()] == ["n0", "n1", "n2", "n3", "n4"]
    assert [e.seq for e in store.events(after=3)] == [4, 5]
    assert store.count() == 5
    assert [seq for seq, _ in store.raw_events(after=4)] == [5]


def test_the_log_is_append_only(store: Store) -> None:
    store.append(note())
    db = raw(store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET body = '{}'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")
    db.close()
    assert store.count() == 1


def test_a_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.append(note("one"))
        raise RuntimeError("refused halfway")
    assert store.count() == 0
    with store.transaction() as tx:
        tx.append(note("a"))
        tx.append(note("b"))
    assert [e.seq for e in store.events()] == [1, 2]


def test_reader_sees_commits_of_others_through_data_version(store: Store) -> None:
    reader = Store.open(store.path, readonly=True)
    try:
        assert reader.changed()
        assert not reader.changed()
        store.append(note())
        assert reader.changed()
        assert not reader.changed()
        assert len(reader.events()) == 1
        with pytest.raises(StoreError, match="read-only"), reader.transaction():
            pass
    finally:
        reader.close()


def test_writers_register_and_unregister(store: Store) -> None:
    other = Store.open(store.path)
    assert store.live_writers() == 1 and store.dead_writers() == []
    other.close()
    other.close()
    assert store.live_writers() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a tabletop session"),
        (b"hello, I am a text file\n" * 200, "not a tabletop session"),
        (b"SQLite format 3\x00" + b"\x00" * 20, "damaged or not a tabletop session"),
    ],
)
def test_foreign_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.session"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store.open(path, readonly=True)
    with pytest.raises(StoreError, match=message):
        Session.open(path)


def test_another_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = raw(path)
    db.execute("CREATE TABLE t (x)")
    db.close()
    with pytest.raises(StoreError, match="not a tabletop session file"):
        Store.open(path)


def test_newer_and_unknown_formats_are_refused(store: Store) -> None:
    db = raw(store.path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer tabletop"):
        Store.open(store.path)
    db = raw(store.path)
    db.execute("PRAGMA user_version=0")
    db.close()
    with pytest.raises(StoreError, match="unknown session format"):
        Store.open(store.path)


def test_a_tampered_exercise_copy_is_reported(store: Store) -> None:
    db = raw(store.path)
    db.execute("UPDATE meta SET value = 'id: other' WHERE key = 'exercise_text'")
    db.close()
    with pytest.raises(StoreError, match="does not match its hash"):
        Session.open(store.path)


def test_an_unreadable_event_is_reported(store: Store) -> None:
    db = raw(store.path)
    db.execute("INSERT INTO events (seq, type, body) VALUES (1, 'note', '{\"type\": \"note\"}')")
    db.close()
    with pytest.raises(StoreError, match="does not read back"):
        Session.open(store.path, readonly=True)


def test_an_event_changed_on_disk_but_still_valid_is_refused(tmp_path: Path) -> None:
    """A changed digit keeps the JSON valid and the event readable: only its checksum tells."""
    store = Store.create(tmp_path / "s.session", exercise_copy(exercise_yaml(), "drill.yaml"))
    for i in range(3):
        store.append(note(f"ROK reports 4{i} survivors"))
    store.close()
    data = (tmp_path / "s.session").read_bytes()
    assert data.count(b"ROK reports 41 survivors") == 1
    (tmp_path / "s.session").write_bytes(data.replace(b"ROK reports 41 survivors", b"ROK reports 71 survivors"))
    for readonly in (True, False):
        with pytest.raises(StoreError, match=r"event #2 does not match its checksum"):
            Session.open(tmp_path / "s.session", readonly=readonly)
    reader = Store.open(tmp_path / "s.session", readonly=True)
    with pytest.raises(StoreError, match=r"event #2 does not match its checksum"):
        reader.raw_events()
    reader.close()


def _format_1(path: Path) -> None:
    """Turn a session file into the format before checksums (no crc column, user_version 1)."""
    db = raw(path)
    db.execute("ALTER TABLE events DROP COLUMN crc")
    db.execute("PRAGMA user_version=1")
    db.close()


def test_a_format_1_file_is_read_as_is_and_upgraded_by_its_first_writer(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "old.session", exercise_copy(exercise_yaml(), "drill.yaml"))
    for i in range(3):
        store.append(note(f"before {i}"))
    store.close()
    _format_1(tmp_path / "old.session")

    reader = Store.open(tmp_path / "old.session", readonly=True)
    assert [e.text for e in reader.events()] == ["before 0", "before 1", "before 2"]
    reader.close()
    assert raw(tmp_path / "old.session").execute("PRAGMA user_version").fetchone()[0] == 1

    writer = Store.open(tmp_path / "old.session")
    writer.append(note("after"))
    writer.close()
    db = raw(tmp_path / "old.session")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    crcs = [row[0] for row in db.execute("SELECT crc FROM events ORDER BY seq")]
    db.close()
    assert crcs[:3] == [None, None, None] and isinstance(crcs[3], int)
    with Session.open(tmp_path / "old.session", readonly=True) as session:
        assert [e.text for e in session.state.events] == ["before 0", "before 1", "before 2", "after"]


def _big_session(tmp_path: Path) -> Path:
    path = tmp_path / "big.session"
    store = Store.create(path, exercise_copy(exercise_yaml(), "drill.yaml"))
    with store.transaction() as tx:
        for i in range(1500):
            tx.append(note(f"note number {i} " * 3))
    store.close()
    return path


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.95])
def test_a_truncated_file_gives_a_clear_error(tmp_path: Path, fraction: float) -> None:
    path = _big_session(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(StoreError, match="damaged"):
        Session.open(path, readonly=True)
    with pytest.raises(StoreError, match="damaged"):
        Session.open(path)


def test_scribbled_pages_never_give_a_traceback(tmp_path: Path) -> None:
    path = _big_session(tmp_path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data), page * 7):
        data[start + 8 : start + 400] = b"\xde\xad\xbe\xef" * 98
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        Session.open(path, readonly=True)
