"""``deescal speak TEXT --out FILE.wav``: text to a spoken WAV file with the local speech engine."""

from __future__ import annotations

import argparse
import sys
import time

from deescal.app.errors import UserFacingError
from deescal.cli.common import add_json_flag, print_json, print_table
from deescal.models.audio import duration_s, read_wav
from deescal.models.tts import BASE_RATE_WPM, SpeechStyle, SpeechSynthesizer


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "speak",
        help="speak text into a WAV file",
        description="Render TEXT to a WAV file with the local speech engine (espeak-ng on Linux, "
        "SAPI5 on Windows, system voices on macOS). TEXT '-' reads standard input.",
    )
    parser.add_argument("text", metavar="TEXT", nargs="?", help="what to say ('-' reads standard input)")
    parser.add_argument("--out", metavar="FILE.wav", help="WAV file to write")
    parser.add_argument(
        "--voice", metavar="V", help="engine voice id (see --list-voices; espeak-ng: en-us+f3)"
    )
    parser.add_argument(
        "--rate", type=int, default=BASE_RATE_WPM, help=f"words per minute (default {BASE_RATE_WPM})"
    )
    parser.add_argument("--volume", type=float, default=1.0, help="0.0 to 1.0 (default 1.0)")
    parser.add_argument("--list-voices", action="store_true", help="list the engine's voices and exit")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    synth = SpeechSynthesizer()
    if args.list_voices:
        return _list_voices(synth, args.json)
    if not args.text or not args.out:
        raise UserFacingError("Give the text to speak and --out FILE.wav (see deescal speak --help).")
    if not 0.0 <= args.volume <= 1.0 or not 40 <= args.rate <= 600:
        raise UserFacingError(
            "--volume must be between 0 and 1, and --rate between 40 and 600 words per minute."
        )
    text = sys.stdin.read() if args.text == "-" else args.text
    start = time.perf_counter()
    path = synth.render(text, args.out, SpeechStyle(voice=args.voice, rate=args.rate, volume=args.volume))
    seconds = time.perf_counter() - start
    samples, rate = read_wav(path)
    length = duration_s(samples, rate)
    if args.json:
        print_json(
            {
                "out": str(path),
                "duration_s": round(length, 3),
                "sample_rate": rate,
                "voice": args.voice,
                "engine": synth.check(),
                "seconds": round(seconds, 3),
            }
        )
    else:
        print(f"Wrote {path} ({length:.1f} s of speech in {seconds:.2f} s, engine {synth.check()})")
    return 0


def _list_voices(synth: SpeechSynthesizer, as_json: bool) -> int:
    voices = synth.voices()
    if as_json:
        print_json({"engine": synth.check(), "voices": [v.__dict__ for v in voices]})
    else:
        print_table(
            [(v.id, v.name, v.gender or "-", ",".join(v.languages)) for v in voices],
            ["id", "name", "gender", "languages"],
        )
        if synth.check() == "espeak":
            print("espeak-ng voices take a variant: en-us+f3, en-us+m1, en-us+grandpa ...")
    return 0
