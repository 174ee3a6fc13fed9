"""The ``deescal`` command: no argument opens the GUI; sub-commands drive the same services headless.

Each sub-command lives in its own module here with ``register(subparsers)``; the module sets
``func`` on its parser, called as ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from deescal.app import __version__
from deescal.app.errors import UserFacingError

COMMAND_MODULES = [
    "selftest",
    "speak",
    "transcribe",
    "score",
    "review",
    "roleplay",
    "sessions",
    "course",
    "models",
    "scenarios",
    "finetune",
    "eval",
]

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deescal",
        description="DeEscal Trainer: offline police de-escalation role-play training. "
        "Run with no command to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="data folder (default: $DEESCAL_HOME or the per-user data folder)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"deescal.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from deescal.ui.launch import run_gui  # Qt is imported only when the GUI is wanted

            return run_gui(args.data_dir)
        return int(args.func(args) or 0)
    except UserFacingError as exc:
        print(f"deescal: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("deescal: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
