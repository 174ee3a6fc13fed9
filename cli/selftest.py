"""``deescal selftest``: is every component usable here, offline?"""

from __future__ import annotations

import argparse

from deescal.app.selftest import CHECKS, results_as_dicts, run_checks
from deescal.cli.common import add_json_flag, open_context, print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("selftest", help="check each component and print timings")
    parser.add_argument(
        "--only", action="append", choices=[name for name, _ in CHECKS], help="run just this check"
    )
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        results = run_checks(ctx, args.only)
    ok = all(r.ok for r in results)
    if args.json:
        print_json({"ok": ok, "checks": results_as_dicts(results)})
    else:
        print_table(
            [(r.name, "ok" if r.ok else "FAIL", f"{r.seconds:.2f}s", r.detail) for r in results],
            ["component", "status", "time", "detail"],
        )
        print("all checks passed" if ok else "some checks FAILED (details in the log)")
    return 0 if ok else 1
