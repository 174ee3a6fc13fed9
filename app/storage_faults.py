"""Names what went wrong when the data folder cannot be used, so a full disk or a read-only folder
is never reported as a damaged database (and never answered with a backup copy)."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deescal.app.errors import (
    DatabaseInUseError,
    DiskFullError,
    NotWritableError,
    UserFacingError,
)

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR}


def disk_full(path: Path) -> DiskFullError:
    return DiskFullError(
        f"The disk holding {path} is full. Free some space on it and start again; nothing was changed."
    )


def not_writable(path: Path) -> NotWritableError:
    return NotWritableError(
        f"{path} cannot be written to (no permission, a read-only disk, or a file where a folder "
        "should be). Make it writable for your user, or choose another data folder with "
        "--data-dir or $DEESCAL_HOME; nothing was changed."
    )


@contextmanager
def explained_os_errors(path: Path) -> Iterator[None]:
    """Turns a failed file operation on ``path`` into its user-facing error (full disk, not
    writable); any other OSError is a bug and goes on as it is."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            raise disk_full(path) from exc
        if exc.errno in _NOT_WRITABLE:
            raise not_writable(path) from exc
        raise


def explain_sqlite_error(exc: sqlite3.Error, database: Path) -> UserFacingError | None:
    """The user-facing error for SQLite failing to open or write ``database`` for a reason other
    than damage, or None when the file itself is at fault."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return disk_full(database)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseInUseError(
            f"The database {database} is locked by another program (another copy of DeEscal "
            "Trainer, or a database tool). Close that program and start again; nothing was changed."
        )
    if code == sqlite3.SQLITE_READONLY:
        return not_writable(database)
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
        return not_writable(database.parent)
    return None
