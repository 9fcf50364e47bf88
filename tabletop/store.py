"""The session file: one SQLite database holding an exercise copy and an append-only event log.

Durability is the point: WAL with `synchronous=FULL` and one transaction per
event means an event whose append has returned survives a crash of the process
or of the machine. Several processes (the facilitator's console, evaluators'
terminals, CLI verbs) write the same file at once: every write is a
`BEGIN IMMEDIATE` transaction with a generous busy timeout and a retry, and the
writer reads the events it has not seen yet inside that transaction, so it
validates against the latest log. Readers open the file read-only and poll
`PRAGMA data_version`, which changes only when another connection commits.

Nothing else in tabletop writes SQL.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tabletop.events import EVENT_LIST_ADAPTER, EventBase

SCHEMA_VERSION = 2
"""Stored in `PRAGMA user_version`; bumped when the file layout changes.

1: events without checksums. 2: each event carries the CRC-32 of its JSON, so
damage that still reads as a valid event (a changed digit, a flipped letter)
is refused instead of replayed. A writer upgrades a version 1 file in place
the first time it opens it; readers read both."""

READABLE_VERSIONS = (1, 2)
"""Session formats this tabletop opens."""

APPLICATION_ID = 0x54544F50
"""`PRAGMA application_id` of a session file ('TTOP'), so we never misread another database."""

BUSY_TIMEOUT_MS = 60_000
"""How long a writer waits for another writer's transaction before retrying."""

_SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    crc INTEGER
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'session events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'session events are append-only'); END;
CREATE TABLE attachments (
    file TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    sha256 TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE writers (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    alive_at TEXT
);
"""


class StoreError(Exception):
    """The file is missing, is not a tabletop session, or is damaged; the message says which."""


@dataclass(frozen=True)
class ExerciseCopy:
    """The exercise text a session was started from, kept so the session opens anywhere."""

    text: str
    """The YAML text as it was at `session new`."""
    sha256: str
    """Hex SHA-256 of the text, checked on every open."""
    filename: str
    """Name of the file it came from, for messages."""


def _process_start(pid: int) -> str:
    """An identifier of the process's start, so a recycled pid is not taken for a live writer."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def _process_alive(host: str, pid: int, started: str) -> bool:
    """Whether the writer registered as (host, pid, started) is still running on this host."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not started or _process_start(pid) in ("", started)


class Store:
    """One open session file. Writers append events; readers follow them.

    A `Store` may be used from several threads (the console polls in a worker);
    a lock serialises use of its one connection.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, *, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._db = connection
        self._lock = threading.RLock()
        self._data_version = -1
        self._writer_id: int | None = None
        self._checksummed = True
        """Whether the events table has the `crc` column (format 2); a reader of a format 1 file has not."""

    # Opening and creating

    @classmethod
    def create(cls, path: str | os.PathLike[str], exercise: ExerciseCopy,
               attachments: dict[str, bytes] | None = None) -> Store:
        """Create a new session file holding `exercise` and the files it attaches; refuse if the file exists."""
        target = Path(path)
        if target.exists():
            raise StoreError(f"{target}: already exists; choose another file name")
        if not target.parent.is_dir():
            raise StoreError(f"{target}: folder {target.parent} does not exist")
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise StoreError(f"{target}: already exists; choose another file name") from None
        except OSError as error:
            raise StoreError(f"{target}: cannot create the session file ({error.strerror})") from None
        try:
            db = sqlite3.connect(
                f"file:{_uri_path(target)}?mode=rwc", uri=True, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise StoreError(f"{target}: cannot create the session file ({error})") from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            _configure_writer(db)
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    db.execute(statement)
            now = datetime.now(timezone.utc).isoformat()
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("exercise_text", exercise.text),
                    ("exercise_sha256", exercise.sha256),
                    ("exercise_filename", exercise.filename),
                    ("created_at", now),
                ],
            )
            db.executemany(
                "INSERT INTO attachments (file, data, sha256) VALUES (?, ?, ?)",
                [(name, data, hashlib.sha256(data).hexdigest()) for name, data in (attachments or {}).items()],
            )
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("COMMIT")
        except sqlite3.Error as error:
            db.close()
            raise StoreError(f"{target}: cannot create the session file ({error})") from None
        store = cls(target, db, readonly=False)
        store._register_writer()
        return store

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool = False) -> Store:
        """Open an existing session file; a reader never writes to it."""
        target = Path(path)
        if not target.exists():
            raise StoreError(f"{target}: no such session file")
        if target.is_dir():
            raise StoreError(f"{target}: is a folder, not a session file")
        mode = "ro" if readonly else "rw"
        try:
            db = sqlite3.connect(
                f"file:{_uri_path(target)}?mode={mode}", uri=True, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise StoreError(f"{target}: cannot open ({error})") from None
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise StoreError(f"{target}: not a tabletop session file")
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{target}: written by a newer tabletop (session format {version}, "
                    f"this one reads up to {SCHEMA_VERSION}); upgrade tabletop"
                )
            if version not in READABLE_VERSIONS:
                raise StoreError(f"{target}: unknown session format {version}")
            if not readonly:
                _configure_writer(db)
                if version < SCHEMA_VERSION:
                    _upgrade(db)
                    version = SCHEMA_VERSION
                _add_heartbeat(db)
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as error:
            db.close()
            raise StoreError(_damaged(target, error)) from None
        store = cls(target, db, readonly=readonly)
        store._checksummed = version >= 2
        if not readonly:
            store._register_writer()
        return store

    def close(self) -> None:
        """Unregister this writer and close the file; safe to call twice."""
        with self._lock:
            if self._db is None:  # type: ignore[comparison-overlap]
                return
            if self._writer_id is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._retrying(lambda: self._execute_tx("DELETE FROM writers WHERE id = ?", (self._writer_id,)))
                self._writer_id = None
            self._db.close()
            self._db = None  # type: ignore[assignment]

    # Reading

    def exercise(self) -> ExerciseCopy:
        """The exercise copy; its hash is checked so damage is reported, not replayed."""
        rows = dict(self._query("SELECT key, value FROM meta"))
        try:
            copy = ExerciseCopy(rows["exercise_text"], rows["exercise_sha256"], rows["exercise_filename"])
        except KeyError as missing:
            raise StoreError(f"{self.path}: damaged session file (no {missing.args[0]})") from None
        if hashlib.sha256(copy.text.encode()).hexdigest() != copy.sha256:
            raise StoreError(f"{self.path}: damaged session file (the exercise copy does not match its hash)")
        return copy

    def attachment(self, file: str) -> bytes | None:
        """The kept copy of an attached file, checked against its hash; None if the file keeps none
        (made before sessions kept attachments) or the name is not attached."""
        try:
            rows = self._query("SELECT data, sha256 FROM attachments WHERE file = ?", (file,))
        except StoreError:
            if not self._query("SELECT name FROM sqlite_master WHERE name = 'attachments'"):
                return None
            raise
        if not rows:
            return None
        data, digest = bytes(rows[0][0]), rows[0][1]
        if hashlib.sha256(data).hexdigest() != digest:
            raise StoreError(f"{self.path}: damaged session file (the copy of {file} does not match its hash)")
        return data

    def events(self, after: int = 0) -> list[EventBase]:
        """Every event with a seq above `after`, in order, checked and validated in one pass."""
        return self._decode(self._query(self._select_events, (after,)))

    def raw_events(self, after: int = 0) -> list[tuple[int, str]]:
        """(seq, JSON) of every event above `after`, as stored and checked; for `session log --json`."""
        rows = self._query(self._select_events, (after,))
        self._verify(rows)
        return [(seq, body) for seq, body, _crc in rows]

    @property
    def _select_events(self) -> str:
        crc = "crc" if self._checksummed else "NULL"
        return f"SELECT seq, body, {crc} FROM events WHERE seq > ? ORDER BY seq"

    def count(self) -> int:
        """Number of events in the log."""
        return int(self._query("SELECT count(*) FROM events")[0][0])

    def changed(self) -> bool:
        """Whether another connection has committed since the last call (cheap: one pragma)."""
        with self._lock:
            try:
                version = self._db.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as error:
                raise StoreError(_damaged(self.path, error)) from None
            changed = version != self._data_version
            self._data_version = version
            return changed

    # Writing

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction (`BEGIN IMMEDIATE`): read what is new, decide, append, commit.

        An exception inside the block rolls back, so a refused action writes nothing.
        """
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only")
        with self._lock:
            self._begin()
            tx = Transaction(self)
            try:
                yield tx
            except sqlite3.Error as error:
                self._rollback()
                raise StoreError(_damaged(self.path, error)) from None
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                if "disk is full" in str(error) or "disk I/O error" in str(error):
                    raise StoreError(_damaged(self.path, error)) from None
                raise StoreError(f"{self.path}: could not save ({error})") from None

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")

    def append(self, event: EventBase) -> EventBase:
        """Append one event in its own transaction; returns it with its seq."""
        with self.transaction() as tx:
            return tx.append(event)

    def dead_writers(self) -> list[int]:
        """Ids of writers registered in the file whose process is gone (they crashed)."""
        rows = self._query("SELECT id, host, pid, started FROM writers")
        return [row[0] for row in rows if row[0] != self._writer_id and not _process_alive(row[1], row[2], row[3])]

    def heartbeat(self, at: datetime) -> None:
        """Record that this writer is alive at `at`, so a reopen after its crash knows when it died."""
        if self._writer_id is None:
            return
        with self._lock:
            try:
                self._retrying(lambda: self._execute_tx("UPDATE writers SET alive_at = ? WHERE id = ?",
                                                        (at.isoformat(), self._writer_id)))
            except sqlite3.Error as error:
                raise StoreError(_damaged(self.path, error)) from None

    def last_alive(self, ids: list[int]) -> datetime | None:
        """The latest heartbeat of these writers (None if none of them beat)."""
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        rows = self._query(f"SELECT max(alive_at) FROM writers WHERE id IN ({marks})", tuple(ids))
        value = rows[0][0] if rows else None
        return datetime.fromisoformat(value) if value else None

    def live_writers(self, *, beating: bool = False) -> int:
        """How many other writers registered in the file are still running.

        With `beating`, only those that have sent a heartbeat: the consoles that run the clock,
        not a team's view or the portal, which write submissions and never beat.
        """
        rows = self._query("SELECT id, host, pid, started, alive_at FROM writers")
        return sum(1 for row in rows if row[0] != self._writer_id and (row[4] is not None or not beating)
                   and _process_alive(row[1], row[2], row[3]))

    # Internals

    def _begin(self) -> None:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise StoreError(_damaged(self.path, error)) from None
                if time.monotonic() > deadline:
                    raise StoreError(f"{self.path}: another program holds the session file; try again") from None
            except sqlite3.Error as error:
                raise StoreError(_damaged(self.path, error)) from None

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise StoreError(_damaged(self.path, error)) from None

    def _verify(self, rows: list[Any]) -> None:
        """Refuse rows whose text is not text or does not match its checksum (naming the first few)."""
        if not all(isinstance(body, str) for _seq, body, _crc in rows):
            raise StoreError(f"{self.path}: damaged session file (an event is not stored as text)")
        bad = [seq for seq, body, crc in rows if crc is not None and zlib.crc32(body.encode("utf-8")) != crc]
        if bad:
            named = ", ".join(f"#{seq}" for seq in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            raise StoreError(f"{self.path}: damaged session file (event {named} does not match its checksum)")

    def _decode(self, rows: list[Any]) -> list[EventBase]:
        if not rows:
            return []
        self._verify(rows)
        bodies = [body for _seq, body, _crc in rows]
        try:
            return EVENT_LIST_ADAPTER.validate_json("[" + ",".join(bodies) + "]")
        except ValueError as error:
            # The message names the damaged events, never their (possibly binary) contents.
            errors = error.errors(include_input=False) if hasattr(error, "errors") else []
            where = sorted({e["loc"][0] for e in errors if e.get("loc") and isinstance(e["loc"][0], int)})
            count = f"; {len(where)} of {len(bodies)} are damaged" if where else ""
            raise StoreError(f"{self.path}: damaged session file (an event does not read back{count})") from None

    def _execute_tx(self, sql: str, params: tuple[Any, ...]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(sql, params)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _retrying(self, fn: Any) -> Any:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as error:
                if ("locked" not in str(error) and "busy" not in str(error)) or time.monotonic() > deadline:
                    raise

    def _register_writer(self) -> None:
        pid = os.getpid()
        params = (socket.gethostname(), pid, _process_start(pid), datetime.now(timezone.utc).isoformat())

        def insert() -> int:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(
                    "INSERT INTO writers (host, pid, started, opened_at) VALUES (?, ?, ?, ?)", params
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return int(cursor.lastrowid or 0)

        try:
            self._writer_id = self._retrying(insert)
        except sqlite3.Error as error:
            self._db.close()
            raise StoreError(_damaged(self.path, error)) from None


class Transaction:
    """The inside of one write transaction: read new events, forget dead writers, append."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._db = store._db

    def events(self, after: int) -> list[EventBase]:
        """Events above `after`, read under the write lock so nothing can slip in after."""
        rows = self._db.execute(self._store._select_events, (after,)).fetchall()
        return self._store._decode(rows)

    def last_seq(self) -> int:
        """The highest seq in the log (0 when empty)."""
        return int(self._db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def append(self, event: EventBase) -> EventBase:
        """Give the event the next seq and insert it; returns the event with its seq."""
        seq = self.last_seq() + 1
        stamped = event.model_copy(update={"seq": seq})
        body = stamped.model_dump_json()
        self._db.execute(
            "INSERT INTO events (seq, type, body, crc) VALUES (?, ?, ?, ?)",
            (seq, stamped.type, body, zlib.crc32(body.encode("utf-8"))),  # type: ignore[attr-defined]
        )
        return stamped

    def forget_writers(self, ids: list[int]) -> None:
        """Remove registrations of writers that are gone."""
        self._db.executemany("DELETE FROM writers WHERE id = ?", [(i,) for i in ids])


def exercise_copy(text: str, filename: str) -> ExerciseCopy:
    """The copy of an exercise text to keep in a new session file."""
    return ExerciseCopy(text, hashlib.sha256(text.encode()).hexdigest(), filename)


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a format 1 file to format 2 in one transaction (another writer may have done it first).

    Events written before the upgrade keep no checksum (NULL); every later one has one.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] == 1:
            db.execute("ALTER TABLE events ADD COLUMN crc INTEGER")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _add_heartbeat(db: sqlite3.Connection) -> None:
    """Give a file written before heartbeats its writers' alive_at column (once, by the first writer)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(writers)")}
    if "alive_at" in columns:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if "alive_at" not in {row[1] for row in db.execute("PRAGMA table_info(writers)")}:
            db.execute("ALTER TABLE writers ADD COLUMN alive_at TEXT")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _configure_writer(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA synchronous=FULL")
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        db.execute("PRAGMA journal_mode=WAL")


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


def _damaged(path: Path, error: sqlite3.Error) -> str:
    text = str(error)
    if "Could not decode" in text:
        return f"{path}: damaged session file (stored text is not valid UTF-8)"
    text = text.splitlines()[0][:200] if text else type(error).__name__
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"{path}: damaged or not a tabletop session file ({text})"
    if "locked" in text or "busy" in text:
        return f"{path}: another program holds the session file; try again"
    if "disk is full" in text or "disk I/O error" in text:
        return f"{path}: cannot write to the session file: the disk is full or failing ({text})"
    if "readonly" in text or "read-only" in text:
        return f"{path}: cannot write to the session file ({text})"
    return f"{path}: cannot read the session file ({text})"
