"""Errors whose message is written for the person using the app.

Anything raised as a ``UserFacingError`` is shown as-is (CLI: one line on stderr; GUI: a message
box) instead of a traceback. Everything else is a bug and is logged with its traceback.
"""


class UserFacingError(Exception):
    """An expected failure with a message an instructor can act on."""


class DatabaseError(UserFacingError):
    """The database file cannot be used (damaged, or written by a newer version)."""


class ModelError(UserFacingError):
    """A model file is missing, corrupt or of the wrong kind."""


class Cancelled(Exception):
    """Long work stopped because the user asked for it; not an error."""
