"""``deescal review``: a session's debrief, its after-action review as PDF/HTML, approval for fine-tuning.

``deescal review SESSION [--json]`` is short for ``deescal review show SESSION``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deescal.app.errors import UserFacingError
from deescal.cli.common import add_json_flag, open_context, print_json


class _ActionsOrSessionId(dict):
    """The review's actions, where a bare session id also counts (it means ``show``)."""

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or str(key).isdigit()


class _ReviewActions(argparse._SubParsersAction):
    """Reads ``review 12 --json`` as ``review show 12 --json``; ``export`` and ``approve`` as before."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._name_parser_map = self.choices = _ActionsOrSessionId()

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if values and values[0].isdigit():
            values = ["show", *values]
        super().__call__(parser, namespace, values, option_string)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "review",
        help="debrief and after-action review of a role-play session",
        description="`deescal review SESSION [--json]` prints the session's debrief (as `review show`).",
    )
    parser.register("action", "parsers", _ReviewActions)
    commands = parser.add_subparsers(dest="review_command", metavar="SESSION | ACTION", required=True)

    show = commands.add_parser(
        "show",
        help="the session's debrief: went well, try next, objectives, critical moments, framework terms",
    )
    show.add_argument("session", type=int, help="session id (see the Review page or `deescal sessions list`)")
    add_json_flag(show)
    show.set_defaults(func=run_show)

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


def _score_missing(service, session_id: int) -> None:
    """Scores the turns a session left unscored, after a clear error for an unknown session."""
    service.load(session_id)
    filled = service.score_missing(session_id)
    if filled:
        print(f"scored {filled} turns that had no score yet", file=sys.stderr)


def run_show(args: argparse.Namespace) -> int:
    from deescal.app.debrief import build_debrief
    from deescal.app.review import ReviewService

    with open_context(args) as ctx:
        service = ctx.service(ReviewService)
        _score_missing(service, args.session)
        debrief = build_debrief(service.load(args.session))
    if args.json:
        print_json(debrief.to_dict())
        return 0
    from deescal.app.debrief import quote
    from deescal.app.report_export import debrief_rows

    print(debrief.title)
    print(debrief.summary)
    for note in debrief.notes:
        print(note)
    for heading, items in debrief_rows(debrief):
        print(f"\n{heading}")
        for text, evidence in items:
            print(f"- {text}" + "".join(f"\n    {quote(item)}" for item in evidence))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from deescal.app.report_export import export_html, export_pdf
    from deescal.app.review import ReviewService

    if not args.pdf and not args.html:
        raise UserFacingError("Say where to write the review: --pdf OUT.pdf and/or --html OUT.html.")
    with open_context(args) as ctx:
        service = ctx.service(ReviewService)
        _score_missing(service, args.session)
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
