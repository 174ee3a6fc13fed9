"""``deescal roleplay ID``: play a scenario as the officer against the local model, in the terminal.

With ``--say`` the given lines are played in order without asking (then the session ends); without
it, an interactive role-play: type a line and press Enter, ``/end`` ends the session, Ctrl+C stops
a reply mid-way, Ctrl+D leaves the session open to resume later with ``--resume``.
``--audio TURN.wav`` plays recorded officer turns like ``--say``, after transcribing them offline.
"""

from __future__ import annotations

import argparse
import sys

from deescal.app.errors import UserFacingError
from deescal.app.roleplay.service import RoleplayService, RoleplaySession, TurnResult
from deescal.app.voice import VoiceService
from deescal.cli.common import add_json_flag, open_context, print_json
from deescal.cli.sessions import print_transcript


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "roleplay",
        help="role-play a scenario against the local model",
        description="Play a scenario as the officer against the local model, in the terminal. With --say "
        "(or --audio) the lines are played without asking; without, type lines interactively "
        "(/end ends the session, Ctrl+C stops a reply, Ctrl+D leaves the session open for --resume).",
    )
    parser.add_argument("scenario", nargs="?", metavar="ID", help="scenario id or case id (e.g. mh-001)")
    parser.add_argument("--say", action="append", metavar="TEXT", help="an officer line to play (repeatable)")
    parser.add_argument(
        "--audio",
        action="append",
        metavar="TURN.wav",
        help="a recorded officer turn, played like --say (repeatable)",
    )
    parser.add_argument("--model", metavar="NAME", help="language model (see: deescal models list)")
    parser.add_argument(
        "--adapter", metavar="PATH", help="LoRA adapter GGUF to attach ('none' for no adapter)"
    )
    parser.add_argument("--seed", type=int, metavar="N", help="random seed, for a repeatable session")
    parser.add_argument("--trainee", metavar="NAME", help="the trainee playing (created if new)")
    parser.add_argument("--resume", type=int, metavar="SESSION", help="continue a session left active")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.resume is None and not args.scenario:
        raise UserFacingError("Name a scenario (id or case id), or a session to --resume.")
    with open_context(args) as ctx:
        if args.audio:  # every recording is heard before the session starts, so a bad one costs nothing
            heard = ctx.service(VoiceService).transcribe_turns(args.audio)
            args.say = (args.say or []) + heard
            for path, line in zip(args.audio, heard, strict=True):
                print(f"Heard in {path}: {line}", file=sys.stderr if args.json else sys.stdout)
        service = ctx.service(RoleplayService)
        if args.resume is not None:
            session = service.resume(args.resume)
        else:
            adapter = "" if (args.adapter or "").lower() == "none" else args.adapter
            session = service.start(
                args.scenario, trainee_name=args.trainee, model=args.model, adapter=adapter, seed=args.seed
            )
        if args.say:
            play_lines(session, args.say, stream=not args.json)
            session.end("ended")
        else:
            interactive(session)
        data = session.transcript()
    if args.json:
        print_json(data)
    elif args.say:
        print(f"Session {data['session_id']} {data['status']}; tension {data['final_tension']:.1f}")
    return 0


TAKEN_BACK = "[taken back]"


class _Printer:
    """Streams a reply to the terminal as it comes, then settles on the cleaned line.

    A first attempt the session discards (it repeated an earlier line, say) cannot be unprinted,
    so it is marked as taken back before the reply that replaces it.
    """

    def __init__(self, name: str) -> None:
        self.name, self.shown = name, ""

    def __call__(self, text: str) -> None:
        if not self.shown:
            sys.stdout.write(f"{self.name}: ")
        if text.startswith(self.shown):
            sys.stdout.write(text[len(self.shown) :])
        else:
            sys.stdout.write(f" {TAKEN_BACK}\n{self.name}: {text}")
        self.shown = text
        sys.stdout.flush()

    def finish(self, result: TurnResult) -> None:
        if result.cancelled:
            print(" [reply stopped]" if self.shown else f"{self.name}: [reply stopped]")
            return
        if not self.shown:
            print(f"{self.name}: {result.reply}", end="")
        elif self.shown.strip() != result.reply:
            print(f"\n{self.name}: {result.reply}", end="")
        print(f" [{result.latency_s:.2f} s]")


def _name(session: RoleplaySession) -> str:
    return session.scenario.character_profile.name.split()[0]


def play(session: RoleplaySession, text: str | None, stream: bool = True) -> TurnResult:
    """One officer line and the reply, printed as it streams when ``stream``.

    ``text`` None answers the officer line a crash or a cancel left without a reply.
    """
    printer = _Printer(_name(session)) if stream else None
    if text is None:
        result = session.complete_pending(on_token=printer)
    else:
        result = session.officer_turn(text, on_token=printer)
    if printer is not None:
        printer.finish(result)
        _announce(session, result)
    return result


def _announce(session: RoleplaySession, result: TurnResult) -> None:
    meter = "#" * round(result.tension) + "." * (10 - round(result.tension))
    print(f"  score {result.score.score:.0f}: {result.score.feedback}")
    print(f"  tension [{meter}] {result.tension_before:.1f} -> {result.tension:.1f}")
    for fact in result.revealed:
        print(f"  uncovered: {fact}")
    if result.status != "active":
        print(f"Session {result.status}.")


def play_lines(session: RoleplaySession, lines: list[str], stream: bool) -> None:
    if session.awaiting_reply:
        play(session, None, stream)
    for text in lines:
        if session.status != "active":
            break
        play(session, text, stream)


def interactive(session: RoleplaySession) -> None:
    scenario = session.scenario
    print(f"{scenario.title} ({scenario.case_id})\n{scenario.scenario_context}")
    print(
        f"You are the officer. {scenario.character_profile.name} is {scenario.character_profile.emotional_state}."
    )
    print("Type a line and press Enter. /end ends the session; Ctrl+D leaves it open to resume.\n")
    if session.history:
        print_transcript(session.transcript())
        if session.awaiting_reply:
            play(session, None)
    while session.status == "active":
        try:
            text = input("Officer> ").strip()
        except EOFError:
            print(f"\nSession {session.id} left open; continue with: deescal roleplay --resume {session.id}")
            return
        if text in ("/end", "/quit"):
            session.end("ended")
            print(f"Session {session.id} ended.")
            return
        if not text:
            continue
        try:
            play(session, text)
        except KeyboardInterrupt:
            print(" [reply stopped]")
