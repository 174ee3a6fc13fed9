"""Errors whose message is written for the person using the app.

Anything raised as a ``UserFacingError`` is shown as-is (CLI: one line on stderr; GUI: a message
box) instead of a traceback. Everything else is a bug and is logged with its traceback.
Each kind carries its own exit code, so a script can tell a full disk from a damaged file.
"""


class UserFacingError(Exception):
    """An expected failure with a message an instructor can act on."""

    exit_code = 2


class DatabaseError(UserFacingError):
    """The database file cannot be used (damaged, empty, or written by a newer version)."""


class NotWritableError(UserFacingError):
    """A file or folder of the data folder cannot be written (permissions, read-only disk)."""

    exit_code = 3


class DiskFullError(UserFacingError):
    """The disk holding the data folder has no space left."""

    exit_code = 4


class DatabaseInUseError(UserFacingError):
    """Another program holds the database locked."""

    exit_code = 5


class NotAFileError(UserFacingError):
    """Where the database file should be there is a folder (or another non-file)."""

    exit_code = 6


class ModelError(UserFacingError):
    """A model file is missing, corrupt or of the wrong kind."""


class Cancelled(Exception):
    """Long work stopped because the user asked for it; not an error."""
