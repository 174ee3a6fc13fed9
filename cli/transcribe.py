"""``deescal transcribe FILE.wav``: speech to text with the model chosen in Settings, offline."""

from __future__ import annotations

import argparse

from deescal.app.voice import VoiceService
from deescal.cli.common import add_json_flag, open_context, print_json
from deescal.models.stt import SpeechToText, check_model_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "transcribe",
        help="transcribe an English speech recording (WAV) to text",
        description="Transcribe an English speech recording with the local whisper model. "
        "JSON output holds text, segments, duration_s and rtf (real-time factor).",
    )
    parser.add_argument(
        "audio", metavar="FILE.wav", help="recording to transcribe (WAV; other formats via FFmpeg)"
    )
    parser.add_argument(
        "--model", metavar="DIR", help="faster-whisper model folder (default: the one chosen in Settings)"
    )
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.model:
        transcript = SpeechToText(check_model_dir(args.model)).transcribe(args.audio)
    else:
        with open_context(args) as ctx:
            transcript = ctx.service(VoiceService).transcribe(args.audio)
    if args.json:
        print_json(transcript.to_dict())
    else:
        print(transcript.text)
    return 0
