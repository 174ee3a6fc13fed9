"""``deescal sessions list|show|export|import|queue``: recorded role-play sessions, as ``deescal
roleplay`` printed them, and session packs between the trainees' laptops and the instructor."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from deescal.app.packs import PackService
from deescal.app.sessions import STATUSES, list_sessions, session_transcript
from deescal.cli.common import add_json_flag, open_context, open_service, print_json, print_table

# What ``sessions list --json`` prints for each session.
JSON_FIELDS = (
    "id", "status", "started_at", "ended_at", "initial_tension", "final_tension", "model_name",
    "adapter_path", "case_id", "title", "trainee", "n_turns", "mean_score",
)  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sessions", help="list and show recorded role-play sessions")
    commands = parser.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="sessions, newest first")
    listing.add_argument("--status", choices=STATUSES, help="only sessions with this status")
    add_json_flag(listing)
    listing.set_defaults(func=run_list)
    show = commands.add_parser("show", help="one session's turns, scores and tension")
    show.add_argument("session_id", type=int, metavar="ID")
    add_json_flag(show)
    show.set_defaults(func=run_show)

    export = commands.add_parser("export", help="write finished sessions to a signed session pack")
    export.add_argument("out", help="the session pack to write (.deescal-sessions)")
    export.add_argument(
        "session_ids", nargs="*", type=int, metavar="SESSION", help="only these (default: all)"
    )
    export.add_argument(
        "--course", metavar="COURSE_ID", help="sign for this course (default: the newest joined)"
    )
    export.add_argument("--audio", action="store_true", help="include the recorded audio of voice sessions")
    export.set_defaults(func=run_export)

    importing = commands.add_parser("import", help="import session packs (files or folders of them)")
    importing.add_argument("paths", nargs="+", metavar="PACK_OR_FOLDER")
    add_json_flag(importing)
    importing.set_defaults(func=run_import)

    queue = commands.add_parser("queue", help="imported sessions waiting for review")
    add_json_flag(queue)
    queue.set_defaults(func=run_queue)


def run_list(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        rows = list_sessions(ctx.store, args.status)
    if args.json:
        print_json([{name: getattr(row, name) for name in JSON_FIELDS} for row in rows])
        return 0
    print_table(
        [
            (
                r.id,
                r.started_at[:16].replace("T", " "),
                r.case_id,
                r.trainee or "-",
                r.status,
                r.n_turns,
                "-" if r.mean_score is None else r.mean_score,
                f"{r.initial_tension:.1f} -> {r.final_tension:.1f}" if r.final_tension is not None else "",
            )
            for r in rows
        ],
        ["id", "started", "scenario", "trainee", "status", "turns", "mean score", "tension"],
    )
    return 0


def turn_line(turn: dict, civilian: str) -> str:
    """One turn as the terminal shows it, in ``roleplay`` and ``sessions show`` alike."""
    if turn["role"] == "officer":
        score = (
            ""
            if turn.get("score") is None
            else f" [score {turn['score']:.0f}, tension {turn['tension']:.1f}]"
        )
        return f"Officer: {turn['text']}{score}"
    timing = "" if turn.get("latency_s") is None else f" [{turn['latency_s']:.2f} s]"
    return f"{civilian}: {turn['text']}{timing}"


def print_transcript(data: dict) -> None:
    civilian = data["civilian"].split()[0]
    trainee = f", trainee {data['trainee']}" if data["trainee"] else ""
    print(f"Session {data['session_id']}: {data['case_id']} {data['title']}{trainee} ({data['status']})")
    for turn in data["turns"]:
        print(turn_line(turn, civilian))
    print(f"Tension {data['initial_tension']:.1f} -> {data['final_tension']:.1f}; status {data['status']}")
    if data["revealed_facts"]:
        print("Uncovered: " + " | ".join(data["revealed_facts"]))


def run_show(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        data = session_transcript(ctx.store, args.session_id)
    if args.json:
        print_json(data)
    else:
        print_transcript(data)
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_service(args, PackService) as packs:
        count = packs.export_sessions(
            args.out, args.session_ids or None, course_id=args.course, audio=args.audio
        )
    print(f"Wrote {count} session(s) to {args.out}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    with open_service(args, PackService) as packs:
        report = packs.import_sessions(args.paths)
        waiting = packs.queue_count()
    if args.json:
        print_json(report.as_dict())
    else:
        print(f"Imported {len(report.imported)} session(s); {waiting} waiting for review.")
        for item in report.skipped:
            print(f"  skipped {item['file']}: {item['reason']}")
    return 1 if report.refused_files else 0


def run_queue(args: argparse.Namespace) -> int:
    with open_service(args, PackService) as packs:
        queue = packs.review_queue()
    if args.json:
        print_json([asdict(item) for item in queue])
        return 0
    print_table(
        [
            (q.session_id, q.trainee or "-", q.laptop_name or "-", q.case_id, q.status, q.started_at[:16])
            for q in queue
        ],
        ["session", "trainee", "laptop", "scenario", "status", "started"],
    )
    print(f"{len(queue)} new session(s) to review")
    return 0
