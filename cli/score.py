"""``deescal score FILE.csv``: score officer lines from a CSV, offline, with the turn scorer.

Input: a column ``officer_turn`` and optionally ``civilian_before``. Output keeps every input
column and adds ``score`` (0-100), ``techniques`` (semicolon-separated) and ``feedback``.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from deescal.app.csv_export import write_csv, write_rows
from deescal.app.errors import UserFacingError
from deescal.cli.common import add_json_flag, print_json

ADDED = ("score", "techniques", "feedback")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score officer turns in a CSV (column officer_turn, optional civilian_before)",
        description="Score officer lines from a CSV, offline. Input: a column officer_turn, optionally "
        "civilian_before. Output keeps every input column and adds score (0-100), techniques "
        "(semicolon-separated) and feedback.",
    )
    parser.add_argument("file", type=Path, help="CSV file with a column officer_turn")
    parser.add_argument("--out", type=Path, help="write the scored CSV here (default: print it)")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserFacingError(f"{path} does not exist.") from None
    except OSError as exc:
        raise UserFacingError(f"Could not read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # spreadsheet exports on Windows
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = [c.strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = columns
        rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as exc:
        raise UserFacingError(f"{path} is not a readable CSV file: {exc}") from None
    if "officer_turn" not in columns:
        found = ", ".join(c for c in columns if c) or "no columns at all"
        raise UserFacingError(
            f"{path} has no officer_turn column (found: {found}). Add a column named officer_turn with the "
            "officer's words, and optionally civilian_before with what the civilian said just before."
        )
    return columns, rows


def run(args: argparse.Namespace) -> int:
    from deescal.app.context import force_offline
    from deescal.app.scoring import get_scorer

    force_offline()
    columns, rows = read_rows(args.file)
    scorer = get_scorer()
    out_columns = [c for c in columns if c not in ADDED] + list(ADDED)
    details = []
    for n, row in enumerate(rows, 1):
        officer = row.get("officer_turn", "").strip()
        if officer:
            result = scorer.score(officer, row.get("civilian_before", "").strip() or None)
            row.update(
                score=f"{result.score:.1f}",
                techniques=";".join(h.name for h in result.techniques),
                feedback=result.feedback,
            )
            details.append(result.techniques_json())
        else:
            row.update(score="", techniques="", feedback="No officer turn in this row.")
            details.append([])
        if len(rows) > 200 and n % 100 == 0:
            print(f"scored {n} of {len(rows)} rows", file=sys.stderr)
    if args.out:
        write_csv(args.out, out_columns, ([row.get(c, "") for c in out_columns] for row in rows))
    if args.json:
        print_json(
            [
                {**{c: row.get(c, "") for c in columns if c not in ADDED},
                 "score": float(row["score"]) if row["score"] else None,
                 "techniques": hits, "feedback": row["feedback"]}
                for row, hits in zip(rows, details, strict=True)
            ]
        )  # fmt: skip
    elif args.out:
        scored = [float(r["score"]) for r in rows if r["score"]]
        mean = f", mean score {sum(scored) / len(scored):.1f}" if scored else ""
        print(f"Scored {len(scored)} officer turns{mean} -> {args.out}")
    else:
        write_rows(sys.stdout, out_columns, ([row.get(c, "") for c in out_columns] for row in rows))
    return 0
