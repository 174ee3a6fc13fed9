"""The one owner of the SQLite database: connection setup, migrations, backups, damage checks.

One file in WAL mode with foreign keys on. The connection runs in autocommit mode, so each insert
is durable the moment it returns (a session turn survives ``kill -9``); multi-statement changes go
through :meth:`Store.write`, which wraps them in one transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from deescal.app.errors import DatabaseError, NotAFileError
from deescal.app.records.migrations import LATEST_VERSION, MIGRATIONS
from deescal.app.storage_faults import explain_sqlite_error, explained_os_errors, not_writable


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def now() -> str:
    """The current time as the schema's defaults write it (UTC, milliseconds, ``Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Store:
    """An open database. Safe to share between threads: writes are serialised by a lock."""

    def __init__(self, path: Path, backups_dir: Path | None = None) -> None:
        self.path = Path(path)
        self.backups_dir = Path(backups_dir) if backups_dir else self.path.parent / "backups"
        self.lock = threading.RLock()
        self.conn = self._connect()
        self.db = sqlite_utils.Database(self.conn)
        self._migrate()

    # -- opening ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.path.exists() and not self.path.is_file():
            raise NotAFileError(
                f"{self.path} is a folder, not a database file. Move it away (the app then "
                "starts with a new database) or choose another data folder; nothing was changed."
            )
        existed = self.path.exists()
        if existed and not os.access(self.path, os.W_OK):
            raise not_writable(self.path)
        if existed and self.path.stat().st_size == 0:
            raise DatabaseError(
                f"The database {self.path} is empty (0 bytes): its data was lost before this start. "
                f"It was left as it is. Restore an automatic backup from {self.backups_dir}, or move "
                "the empty file away to start with a new database."
            )
        with explained_os_errors(self.path.parent):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = None
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            conn.row_factory = sqlite3.Row
            conn.text_factory = self._decode_text
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE")  # can write now: not read-only, not locked by another program
            conn.execute("ROLLBACK")
            if existed:
                problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError("; ".join(problems[:3]))
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            fault = explain_sqlite_error(exc, self.path)
            if fault:
                raise fault from exc
            backup = self._backup("damaged")
            raise DatabaseError(
                f"The database {self.path} is damaged and cannot be opened ({exc}). "
                f"A copy was kept at {backup}. Move the damaged file away (or restore an automatic "
                f"backup from {self.backups_dir}) and start again; nothing was overwritten."
            ) from exc
        return conn

    def _decode_text(self, raw: bytes) -> str:
        """Stored text, or a true message when bytes inside a row were damaged (``quick_check``
        checks pages, not the text in them, so such damage only shows when the row is read)."""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DatabaseError(
                f"The database {self.path} is damaged: a stored text cannot be read. Restore an "
                f"automatic backup from {self.backups_dir} (quit the app first); nothing was changed."
            ) from None

    def _backup(self, reason: str) -> Path:
        """Copies the database file (and its WAL) aside; never deletes the original. A copy cut
        short (full disk) is removed, so no empty or partial backup is left to be trusted."""
        target = self.backups_dir / f"{self.path.stem}-{reason}-{_timestamp()}{self.path.suffix}"
        wal = self.path.with_name(self.path.name + "-wal")
        copies = [(self.path, target)]
        if wal.exists():
            copies.append((wal, target.with_name(target.name + "-wal")))
        with explained_os_errors(self.backups_dir):
            try:
                self.backups_dir.mkdir(parents=True, exist_ok=True)
                for source, copy in copies:
                    shutil.copy2(source, copy)
            except OSError:
                for _, copy in copies:
                    copy.unlink(missing_ok=True)
                raise
        return target

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def pragma(self, name: str) -> object:
        """The value of a setting of the connection, e.g. ``journal_mode``."""
        with self.lock:
            return self.conn.execute(f"PRAGMA {name}").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > LATEST_VERSION:
            backup = self._backup("newer-version")
            self.conn.close()
            raise DatabaseError(
                f"The database {self.path} was written by a newer version of DeEscal Trainer "
                f"(schema {current}, this version knows up to {LATEST_VERSION}). Update the app; "
                f"a copy of the database was kept at {backup}."
            )
        if current < LATEST_VERSION and current > 0:
            self._backup(f"before-v{LATEST_VERSION}")
        for number in range(current + 1, LATEST_VERSION + 1):
            self._apply(number, MIGRATIONS[number - 1])

    def _apply(self, number: int, script: str) -> None:
        with self.lock:
            try:
                self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                fault = explain_sqlite_error(exc, self.path)
                if fault:
                    raise fault from exc
                raise DatabaseError(f"Updating the database to schema {number} failed: {exc}") from exc

    # -- use ---------------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside commits together or not at all. Inside another
        ``write()`` on the same thread it joins that transaction."""
        with self.lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        with self.lock:
            return [dict(row) for row in self.conn.execute(sql, params)]

    def query_one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        """A single statement, committed when it returns (autocommit)."""
        with self.lock:
            return self.conn.execute(sql, params)

    def backup_now(self, reason: str = "manual") -> Path:
        with self.lock:
            self.conn.execute("PRAGMA wal_checkpoint(FULL)")
            return self._backup(reason)

    def close(self) -> None:
        with self.lock:
            self.conn.close()
