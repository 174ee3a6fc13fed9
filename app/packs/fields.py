"""Checks for the values inside a pack: type, range and size, each failure naming the field.

A pack is untrusted input: a value of the wrong type, a number that is not finite or a text of
megabytes is refused here, with where it is, before anything reaches the database.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime
from typing import Any

MAX_TEXT = 20_000  # one spoken line, feedback or card text
MAX_NAME = 200  # names, titles, ids of models and adapters


class FieldError(ValueError):
    """A value in a pack that cannot be used; ``str()`` says which field and why."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"field '{where}' {problem}")


def mapping(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(where, "must be an object")
    return value


def items(where: str, value: Any, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise FieldError(where, "must be a list")
    if len(value) > limit:
        raise FieldError(where, f"has {len(value):,} entries, more than allowed ({limit:,})")
    return value


def text(where: str, value: Any, limit: int = MAX_TEXT, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise FieldError(where, "must be text")
    if len(value) > limit:
        raise FieldError(where, f"is {len(value):,} characters long, more than allowed ({limit:,})")
    if "\x00" in value:
        raise FieldError(where, "contains a NUL character")
    return value


def number(where: str, value: Any, low: float, high: float, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FieldError(where, "must be a number")
    if not low <= value <= high:
        raise FieldError(where, f"must be between {low:g} and {high:g}")
    return float(value)


def integer(where: str, value: Any, low: int, high: int, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(where, "must be a whole number")
    if not low <= value <= high:
        raise FieldError(where, f"must be between {low} and {high}")
    return value


def choice(where: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise FieldError(where, f"must be one of {', '.join(allowed)}")
    return value


def uuid_text(where: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) != 36:
        raise FieldError(where, "must be a UUID")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise FieldError(where, "must be a UUID") from None


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?Z?")


def timestamp(where: str, value: Any, *, optional: bool = False) -> str | None:
    """A date or UTC time as the app writes them (``2026-05-01``, ``2026-05-01T09:30:00.000Z``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise FieldError(where, "must be a date or time like 2026-05-01T09:30:00Z")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise FieldError(where, "is not a real date") from None
    return value
