"""``deescal scenarios``: list, show, import, export, delete and correct the scenario library headless."""

from __future__ import annotations

import argparse
import sys
import textwrap
from dataclasses import asdict

from deescal.app.errors import UserFacingError
from deescal.app.library import LibraryService
from deescal.app.records.scenario_search import SORTS
from deescal.cli.common import add_json_flag, open_service, print_json, print_table
from deescal.scenario_library.schema import ROLES, SOURCES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scenarios", help="browse, import and export the scenario library")
    commands = parser.add_subparsers(dest="scenarios_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="list scenarios (all of them unless filtered)")
    listing.add_argument("--query", "-q", default="", help="words to search in titles, cards and transcripts")
    listing.add_argument("--category", "-c", help="only this category (exact name)")
    listing.add_argument("--source", choices=SOURCES, help="only authored (bundled) or imported scenarios")
    listing.add_argument("--difficulty", type=int, choices=range(1, 6), help="only this difficulty (1-5)")
    listing.add_argument("--tag", action="append", help="only scenarios with this tag (repeatable)")
    listing.add_argument("--sort", default="title", choices=list(SORTS), help="sort order (default: title)")
    listing.add_argument("--limit", type=int, help="at most this many rows")
    add_json_flag(listing)
    listing.set_defaults(func=run_list)

    show = commands.add_parser("show", help="print one scenario: card and reference transcript")
    show.add_argument("id", help="database id or case id (e.g. sui-001)")
    add_json_flag(show)
    show.set_defaults(func=run_show)

    importing = commands.add_parser(
        "import", help="import a transcript CSV, a scenario JSON file or a folder"
    )
    importing.add_argument(
        "path", help="file or folder (DeEscalWild transcripts, scenarios.json, or an export)"
    )
    add_json_flag(importing)
    importing.set_defaults(func=run_import)

    export = commands.add_parser("export", help="write scenarios to a JSON file that 'import' reads back")
    export.add_argument("ids", nargs="*", help="database ids or case ids")
    export.add_argument("out", help="output .json file")
    export.add_argument("--all", action="store_true", help="export the whole library")
    export.set_defaults(func=run_export)

    delete = commands.add_parser("delete", help="remove a scenario from the library")
    delete.add_argument("id", help="database id or case id")
    delete.add_argument(
        "--with-sessions", action="store_true", help="also delete the role-play sessions recorded on it"
    )
    delete.set_defaults(func=run_delete)

    correct = commands.add_parser("correct-role", help="fix the role of a reference-transcript turn")
    correct.add_argument("id", help="database id or case id")
    correct.add_argument("turn", type=int, help="turn number as shown by 'show' (from 0)")
    correct.add_argument("role", choices=ROLES)
    correct.add_argument("--speaker", action="store_true", help="apply to every turn by the same speaker")
    add_json_flag(correct)
    correct.set_defaults(func=run_correct)


def run_list(args: argparse.Namespace) -> int:
    with open_service(args, LibraryService) as library:
        filters = dict(category=args.category, difficulty=args.difficulty, tags=args.tag, source=args.source)
        total = library.count(args.query, **filters)
        rows = library.search(args.query, **filters, sort=args.sort, limit=args.limit or total or 1)
    if args.json:
        print_json([asdict(row) for row in rows])
    else:
        print_table(
            [(r.id, r.case_id, r.title[:60], r.category, r.difficulty, r.source) for r in rows],
            ["id", "case id", "title", "category", "difficulty", "source"],
        )
        print(f"{len(rows)} of {total} matching scenarios")
    return 0


def _scenario_json(library: LibraryService, scenario_id: int) -> dict:
    scenario = library.get(scenario_id)
    corrected = library.corrected_turns(scenario_id)
    data = {"id": scenario_id, **scenario.to_dict()}
    data["turns"] = [
        {"idx": n, "role": t.role, "speaker": t.speaker, "text": t.text, "start_time": t.start_time,
         "corrected": n in corrected}
        for n, t in enumerate(scenario.reference_transcript)
    ]  # fmt: skip
    return data


def run_show(args: argparse.Namespace) -> int:
    with open_service(args, LibraryService) as library:
        data = _scenario_json(library, library.find_id(args.id))
    if args.json:
        print_json(data)
        return 0
    profile = data["character_profile"]
    print(f"#{data['id']} {data['case_id']}: {data['title']}")
    print(f"{data['category']} | difficulty {data['difficulty']} | tension {data['initial_tension']} | "
          f"{data['provenance']['source']}")  # fmt: skip
    age = f", {profile['age']}" if profile.get("age") else ""
    print(
        f"\nCharacter: {profile['name']}{age}; {profile['emotional_state']}; speaks {profile['speaking_style']}"
    )
    for heading, key in (("Context", "scenario_context"), ("Background", None)):
        text = data[key] if key else profile["background"]
        if text:
            print(f"\n{heading}:\n" + textwrap.fill(text, 100, initial_indent="  ", subsequent_indent="  "))
    for heading, key in (
        ("Objectives", "learning_objectives"),
        ("Triggers", "triggers"),
        ("Levers", "levers"),
    ):
        if data[key]:
            print(f"\n{heading}:\n" + "\n".join(f"  - {item}" for item in data[key]))
    if data["hidden_facts"]:
        print("\nHidden facts:\n" + "\n".join(
            f"  - {f['text']} (at tension <= {f['reveal_at_tension']:g})" for f in data["hidden_facts"]))  # fmt: skip
    print(f"\nReference transcript ({len(data['turns'])} turns):")
    for turn in data["turns"]:
        mark = "*" if turn["corrected"] else " "
        print(f"{turn['idx']:4}{mark} [{turn['role']}] {turn['speaker'] or turn['role']}: {turn['text']}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    def show_progress(fraction: float, text: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{fraction:4.0%} {text[:70]:<70}", end="", file=sys.stderr, flush=True)

    with open_service(args, LibraryService) as library:
        report = library.import_path(args.path, progress=show_progress)
    if args.json:
        print_json(report.as_dict())
    else:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(
            f"Imported {len(report.imported)} scenario(s); skipped {len(report.skipped)} file(s) or entries."
        )
        for file, reason in report.skipped:
            print(f"  skipped {file}: {reason}")
    return 0 if report.imported or not report.skipped else 1


def run_export(args: argparse.Namespace) -> int:
    if args.all == bool(args.ids):
        raise UserFacingError("Give scenario ids to export, or --all (not both).")
    with open_service(args, LibraryService) as library:
        ids = None if args.all else [library.find_id(key) for key in args.ids]
        count = library.export(ids, args.out)
    print(f"Exported {count} scenario(s) to {args.out}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with open_service(args, LibraryService) as library:
        scenario_id = library.find_id(args.id)
        title = library.delete(scenario_id, with_sessions=args.with_sessions)
    print(f"Deleted scenario #{scenario_id} \u201c{title}\u201d")
    return 0


def run_correct(args: argparse.Namespace) -> int:
    with open_service(args, LibraryService) as library:
        scenario_id = library.find_id(args.id)
        library.correct_role(scenario_id, args.turn, args.role, whole_speaker=args.speaker)
        data = _scenario_json(library, scenario_id)
    if args.json:
        print_json(data)
    else:
        turn = data["turns"][args.turn]
        print(f"Turn {args.turn} ({turn['speaker']}) is now {turn['role']}; card: {data['title']}")
    return 0
