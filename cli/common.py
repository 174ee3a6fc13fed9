"""Pieces every sub-command shares: opening the context, printing JSON or tables."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from deescal.app.context import AppContext

T = TypeVar("T")


def open_context(args: argparse.Namespace) -> AppContext:
    return AppContext.open(getattr(args, "data_dir", None))


@contextmanager
def open_service(args: argparse.Namespace, kind: type[T]) -> Iterator[T]:
    """The ``kind`` service on the data folder of ``args``; the context is closed afterwards."""
    with open_context(args) as ctx:
        yield ctx.service(kind)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))
