"""``deescal course export|import|show|drop-folder``: course packs between an instructor and a class."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from deescal.app.packs import PackService
from deescal.cli.common import add_json_flag, open_service, print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("course", help="course packs: assignments out to the trainees' laptops")
    commands = parser.add_subparsers(dest="course_command", metavar="ACTION", required=True)

    export = commands.add_parser("export", help="write a course pack for the trainees")
    export.add_argument("out", help="the course pack to write (.deescal-course)")
    export.add_argument(
        "--scenarios", nargs="+", required=True, metavar="ID", help="scenario ids or case ids"
    )
    export.add_argument(
        "--adapter", metavar="NAME", help="the adapter trainees use (house, or a registered one)"
    )
    export.add_argument("--name", help="the course's name (required for a new course)")
    export.add_argument("--due", metavar="DATE", help="due date of the assignments, e.g. 2026-05-01")
    export.add_argument(
        "--course", metavar="COURSE_ID", help="a newer pack of this course (same key) instead of a new course"
    )
    add_json_flag(export)
    export.set_defaults(func=run_export)

    importing = commands.add_parser("import", help="join the course of a course pack")
    importing.add_argument("pack", help="the course pack (.deescal-course)")
    add_json_flag(importing)
    importing.set_defaults(func=run_import)

    show = commands.add_parser("show", help="the courses here and their assignments (done or not)")
    add_json_flag(show)
    show.set_defaults(func=run_show)

    drop = commands.add_parser("drop-folder", help="show or set the shared folder packs go through")
    drop.add_argument("folder", nargs="?", help="the shared folder (omit to show the current one)")
    drop.add_argument("--off", action="store_true", help="stop using a drop folder")
    drop.set_defaults(func=run_drop_folder)


def run_export(args: argparse.Namespace) -> int:
    with open_service(args, PackService) as packs:
        course = packs.export_course(
            args.out,
            args.scenarios,
            name=args.name,
            adapter=args.adapter,
            due_at=args.due,
            course_id=args.course,
        )
        count = len(packs.assignments(course.id))
    if args.json:
        print_json({**asdict(course), "assignments": count, "pack": args.out})
    else:
        print(
            f"Wrote course \u201c{course.name}\u201d ({count} assignment(s), course id {course.id}) to {args.out}"
        )
    return 0


def run_import(args: argparse.Namespace) -> int:
    with open_service(args, PackService) as packs:
        result = packs.import_course(args.pack)
    if args.json:
        print_json(asdict(result))
    else:
        verb = "Updated" if result.updated else "Joined"
        adapter = f"; adapter: {result.adapter}" if result.adapter else ""
        print(
            f"{verb} course \u201c{result.name}\u201d: {result.assignments} assignment(s), "
            f"{result.new_scenarios} new scenario(s){adapter}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    with open_service(args, PackService) as packs:
        courses = packs.courses()
        assignments = packs.assignments()
    if args.json:
        print_json(
            [
                {**asdict(c), "assignments": [asdict(a) for a in assignments if a.course_id == c.id]}
                for c in courses
            ]
        )
        return 0
    if not courses:
        print("No course here yet: import a course pack with 'deescal course import PACK'.")
        return 0
    print_table(
        [
            (a.course, a.case_id, a.title[:50], (a.due_at or "-")[:10], "done" if a.done else "")
            for a in assignments
        ],
        ["course", "scenario", "title", "due", "done"],
    )
    return 0


def run_drop_folder(args: argparse.Namespace) -> int:
    with open_service(args, PackService) as packs:
        if args.off:
            packs.set_drop_folder(None)
        elif args.folder:
            packs.set_drop_folder(args.folder)
        folder = packs.drop_folder
    print(f"Drop folder: {folder}" if folder else "No drop folder is set.")
    return 0
