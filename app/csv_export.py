"""Every CSV the app writes goes through here, so no cell can run as a spreadsheet formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
spreadsheets as a formula (a trainee named ``=cmd|' /C calc'!A0``). Following OWASP's rule, such
a cell gets a leading single quote, which spreadsheets show as text. Plain numbers ("-3", "+2.5")
are left as they are: they are not formulas and must stay numbers.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from deescal.app.errors import UserFacingError

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """The cell as a spreadsheet will show it as text: formula-like strings get a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_rows(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Writes a header and rows to an open text handle (a file or stdout), every cell made safe."""
    writer = csv.writer(handle)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Writes a CSV to a temporary file then moves it into place, so a failed write leaves no half file."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle:
            write_rows(handle, header, rows)
        partial.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise UserFacingError(f"Could not write {target}: {exc.strerror or exc}") from None
