"""``deescal review``: export a session's after-action review, approve it for fine-tuning."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deescal.app.errors import UserFacingError
from deescal.cli.common import open_context


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="after-action review of a role-play session")
    commands = parser.add_subparsers(dest="review_command", metavar="ACTION", required=True)

    export = commands.add_parser("export", help="write the review as PDF and/or HTML (charts included)")
    export.add_argument(
        "session", type=int, help="session id (see the Review page or `deescal sessions list`)"
    )
    export.add_argument("--pdf", type=Path, help="write a PDF here")
    export.add_argument("--html", type=Path, help="write a self-contained HTML page here")
    export.add_argument(
        "--compare",
        action="store_true",
        help="add ROUGE-L/BLEU/METEOR/BERTScore against the real officer's turns",
    )
    export.set_defaults(func=run_export)

    approve = commands.add_parser("approve", help="approve a session's transcript for fine-tuning")
    approve.add_argument("session", type=int, help="session id")
    approve.add_argument("--by", help="the approving instructor (default: the saved reviewer name)")
    approve.add_argument("--revoke", action="store_true", help="withdraw an approval instead")
    approve.set_defaults(func=run_approve)


def run_export(args: argparse.Namespace) -> int:
    from deescal.app.report_export import export_html, export_pdf
    from deescal.app.review import ReviewService

    if not args.pdf and not args.html:
        raise UserFacingError("Say where to write the review: --pdf OUT.pdf and/or --html OUT.html.")
    with open_context(args) as ctx:
        service = ctx.service(ReviewService)
        service.load(args.session)  # a clear error for an unknown session before any work
        filled = service.score_missing(args.session)
        if filled:
            print(f"scored {filled} turns that had no score yet", file=sys.stderr)
        comparisons = service.compare_with_reference(args.session) if args.compare else []
        review = service.load(args.session)
        for path, export in ((args.pdf, export_pdf), (args.html, export_html)):
            if path:
                print(f"wrote {export(review, path, comparisons)}")
    return 0


def run_approve(args: argparse.Namespace) -> int:
    from deescal.app.review import ReviewService

    with open_context(args) as ctx:
        service = ctx.service(ReviewService)
        if args.revoke:
            service.revoke_approval(args.session)
            print(f"session {args.session}: approval withdrawn")
        else:
            service.approve(args.session, args.by)
            row = service.load(args.session).session
            print(f"session {args.session}: approved for fine-tuning by {row.approved_by}")
    return 0
