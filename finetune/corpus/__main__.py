"""``python -m deescal.finetune.corpus check [FILE...] [--replay]``: validate the house corpus."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from deescal.finetune.corpus import check_corpus
from deescal.scenario_library.scenario_files import load_bundled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deescal.finetune.corpus")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the corpus (or some files of it)")
    check.add_argument("files", nargs="*", type=Path)
    check.add_argument(
        "--replay", action="store_true", help="also replay the app's tension model (loads the scorer)"
    )
    args = parser.parse_args(argv)
    scenarios = {s.case_id: s for s in load_bundled().scenarios}
    scorer = None
    if args.replay:
        from deescal.app.scoring import get_scorer

        scorer = get_scorer()
    report = check_corpus(scenarios, files=args.files or None, scorer=scorer)
    for error in report.errors:
        print(error)
    print(json.dumps(report.summary(), indent=2))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
