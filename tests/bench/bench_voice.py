"""Voice benchmark: speech-to-text accuracy and speed, and how soon the civilian starts answering.

Run by ``make bench`` (or ``python tests/bench/bench_voice.py``); prints the numbers and writes
``bench-results/voice.json``. Measured on 2 CPU threads, as on a modest laptop:

- word error rate (WER) of the embedded whisper tiny.en on officer-style sentences synthesised
  with espeak-ng (goal <= 10 %), also with two other espeak-ng voices for robustness;
- real-time factor (transcription time / audio length; goal <= 0.3), per turn and on a long take;
- model load time (first load in a fresh process, including the library import, and a reload);
- delay from the end of the trainee's speech to the civilian's first spoken word (goal <= 2 s):
  transcription + scoring and the reply streamed up to its first clause (real role-play service,
  embedded GGUF) + rendering that clause + the silence before the voice starts.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jiwer
import numpy as np

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench-results" / "voice.json"
THREADS = 2

OFFICER_SENTENCES = [
    "Good evening, my name is Officer Diaz and I am here to help.",
    "Can you tell me what happened tonight?",
    "I need you to keep your hands where I can see them.",
    "Nobody is in trouble right now, I just want to talk.",
    "Would you like to sit down on the steps with me?",
    "Take a slow breath, we have all the time we need.",
    "I hear you, and I understand why you are upset.",
    "Is there anyone inside the house who might be hurt?",
    "Please put the bag down on the ground for me.",
    "Can I get your first name so I know what to call you?",
    "I am going to stay right here and listen to you.",
    "It sounds like you have had a really rough day.",
    "Do you need any medical help or an ambulance?",
    "Let's step away from the road where it is safer.",
    "Your neighbor called because she was worried about you.",
    "I want to make sure everyone goes home safe tonight.",
    "Is there a friend or family member we can call for you?",
    "I am not here to arrest you, I am here to help.",
    "Tell me more about what is going on with your landlord.",
    "You are doing great, thank you for talking with me.",
    "Can you walk me through what happened at the store?",
    "Have you taken any medication or anything else today?",
    "I will explain everything I am doing before I do it.",
    "What would help you feel a little calmer right now?",
]

SCENARIO = "mh-001"  # a bundled scenario: a person in a mental-health crisis

# Trainee turns for the latency measurement (a short de-escalation exchange).
LATENCY_TURNS = [
    "Hi, I'm Officer Diaz. Can you tell me what's going on?",
    "I hear you. That sounds really frustrating.",
    "Would you be okay stepping over here so we can talk?",
    "What would help you right now?",
    "Thank you for talking with me. We'll sort this out together.",
]


def words(text: str) -> str:
    """Whisper's standard English normalisation (case, punctuation, contractions) before WER."""
    from transformers.models.whisper.english_normalizer import EnglishTextNormalizer

    global _normaliser
    if _normaliser is None:
        _normaliser = EnglishTextNormalizer({})
    return _normaliser(text)


_normaliser = None


def synthesise(texts: list[str], folder: Path, voice: str) -> list[Path]:
    from deescal.models.tts import SpeechStyle, SpeechSynthesizer

    synth = SpeechSynthesizer()
    return [
        synth.render(text, folder / f"{voice}-{n}.wav", SpeechStyle(voice=voice))
        for n, text in enumerate(texts)
    ]


def measure_load() -> tuple[object, dict]:
    start = time.perf_counter()
    import faster_whisper  # noqa: F401  (the import is part of a cold start)
    from deescal.models.stt import SpeechToText

    import_s = time.perf_counter() - start
    stt = SpeechToText(cpu_threads=THREADS)
    load_s = stt.load()
    reload_s = SpeechToText(cpu_threads=THREADS).load()
    return stt, {"import_s": round(import_s, 3), "load_s": round(load_s, 3), "reload_s": round(reload_s, 3)}


def measure_accuracy(stt, paths: list[Path], voice: str) -> dict:
    from deescal.models.audio import read_speech

    stt.transcribe(read_speech(paths[0]))  # warm-up: the VAD model loads on first use
    heard, seconds, audio_s = [], 0.0, 0.0
    cpu_start = time.process_time()
    for path in paths:
        transcript = stt.transcribe(read_speech(path))
        heard.append(transcript.text)
        seconds += transcript.seconds
        audio_s += transcript.duration_s
    cpu_s = time.process_time() - cpu_start
    refs = [words(s) for s in OFFICER_SENTENCES]
    hyps = [words(h) for h in heard]
    return {
        "voice": voice,
        "sentences": len(refs),
        "wer": round(jiwer.wer(refs, hyps), 4),
        "rtf": round(seconds / audio_s, 4),
        "cpu_s_per_audio_s": round(cpu_s / audio_s, 4),
        "audio_s": round(audio_s, 2),
        "errors": [{"said": r, "heard": h} for r, h in zip(refs, hyps, strict=True) if r != h],
    }


def measure_long_take(stt, paths: list[Path]) -> dict:
    """All sentences in one 80-second recording: whisper's fixed 30 s window is used fully."""
    from deescal.models.audio import SPEECH_RATE, read_speech

    gap = np.zeros(int(0.5 * SPEECH_RATE), np.float32)
    pieces = [read_speech(p) for p in paths]
    take = np.concatenate([x for piece in pieces for x in (piece, gap)])
    cpu_start = time.process_time()
    transcript = stt.transcribe(take)
    cpu_s = time.process_time() - cpu_start
    wer = jiwer.wer(words(" ".join(OFFICER_SENTENCES)), words(transcript.text))
    return {
        "audio_s": round(transcript.duration_s, 2),
        "rtf": round(transcript.rtf, 4),
        "cpu_s_per_audio_s": round(cpu_s / transcript.duration_s, 4),
        "wer": round(wer, 4),
    }


def measure_reply_delay(stt, folder: Path) -> dict:
    """End of the trainee's speech -> first civilian word heard, over a short real role-play."""
    from deescal.app.context import AppContext
    from deescal.app.roleplay.persona import clean_reply
    from deescal.app.roleplay.service import RoleplayService
    from deescal.app.voice import VoiceService
    from deescal.models.audio import leading_silence_s, read_speech, read_wav
    from deescal.models.tts import ClauseSplitter

    home = Path(tempfile.mkdtemp(prefix="deescal-bench-voice-"))
    ctx = AppContext.open(home)
    try:
        session = ctx.service(RoleplayService).start(SCENARIO, seed=7)
        who = session.scenario.character_profile
        voice = ctx.service(VoiceService)
        audio = synthesise(LATENCY_TURNS, folder, "en-us+m1")
        turns = []
        for text, path in zip(LATENCY_TURNS, audio, strict=True):
            if session.status != "active":
                break
            samples = read_speech(path)  # the trainee has just stopped talking: the clock starts
            start = time.perf_counter()
            heard = stt.transcribe(samples).text
            transcribed = time.perf_counter() - start
            first: dict = {"seen": "", "splitter": ClauseSplitter()}

            def on_token(so_far: str, first=first) -> None:
                """The session streams the reply so far (starting over if it retries), as the player sees it."""
                if "clause" in first:
                    return
                if not so_far.startswith(first["seen"]):
                    first["seen"], first["splitter"] = "", ClauseSplitter()
                ready = first["splitter"].feed(so_far[len(first["seen"]) :])
                first["seen"] = so_far
                if ready:
                    first["clause"], first["at"] = ready[0], time.perf_counter()

            result = session.officer_turn(heard, on_token=on_token)
            if "clause" not in first:  # a reply with no inner punctuation: its first clause is all of it
                first["clause"], first["at"] = result.reply, time.perf_counter()
            render_start = time.perf_counter()
            style = voice.style_for(who.name, who.gender, who.age, result.tension)
            spoken = clean_reply(first["clause"]) or first["clause"]  # as the speech player says it
            wav = voice.synth.render(spoken, folder / f"reply-{len(turns)}.wav", style)
            rendered = time.perf_counter() - render_start
            samples, rate = read_wav(wav)
            silence = leading_silence_s(samples, rate)
            delay = (first["at"] - start) + rendered + silence
            turns.append(
                {
                    "said": text,
                    "heard": heard,
                    "reply": result.reply,
                    "first_clause": first["clause"],
                    "transcribe_s": round(transcribed, 3),
                    "to_first_clause_s": round(first["at"] - start - transcribed, 3),
                    "tts_s": round(rendered, 3),
                    "leading_silence_s": round(silence, 3),
                    "delay_s": round(delay, 3),
                }
            )
        session.end()
    finally:
        ctx.close()
        shutil.rmtree(home, ignore_errors=True)
    delays = [t["delay_s"] for t in turns]
    return {
        "scenario": SCENARIO,
        "turns": turns,
        "median_delay_s": round(statistics.median(delays), 3),
        "max_delay_s": round(max(delays), 3),
    }


def report(results: dict) -> None:
    load = results["load"]
    print(f"model load: import {load['import_s']} s + load {load['load_s']} s; reload {load['reload_s']} s")
    for row in results["accuracy"]:
        print(
            f"WER {row['voice']:9s} {row['wer']:.3f} on {row['sentences']} sentences; RTF {row['rtf']:.3f}"
            f" (CPU {row['cpu_s_per_audio_s']:.3f} s per audio s on {THREADS} threads)"
        )
    take = results["long_take"]
    print(
        f"long take of {take['audio_s']} s: RTF {take['rtf']:.3f} (CPU {take['cpu_s_per_audio_s']:.3f}),"
        f" WER {take['wer']:.3f}"
    )
    delay = results["reply_delay"]
    print(
        f"end of speech -> first civilian word: median {delay['median_delay_s']} s, max {delay['max_delay_s']} s"
    )
    for turn in delay["turns"]:
        print(
            f"  {turn['delay_s']:.2f} s = transcribe {turn['transcribe_s']} + reply to first clause "
            f"{turn['to_first_clause_s']} + speech {turn['tts_s']} + lead-in {turn['leading_silence_s']}"
            f"  | {turn['first_clause']!r}"
        )
    print(f"goals met: {results['goals']}; load average {results['load_average']}")


def main() -> int:
    from deescal.app.context import force_offline

    force_offline()
    results: dict = {
        "threads": THREADS,
        "model": "Whisper tiny.en (embedded), int8, beam 5, VAD on",
        "wer_normalisation": "Whisper EnglishTextNormalizer (case, punctuation, contractions)",
        "load_average": {"start": os.getloadavg()[0]},
    }
    with tempfile.TemporaryDirectory(prefix="deescal-bench-") as tmp:
        folder = Path(tmp)
        stt, results["load"] = measure_load()
        voices = ("en-us", "en-us+m3", "en-us+f2")
        spoken = {voice: synthesise(OFFICER_SENTENCES, folder, voice) for voice in voices}
        results["accuracy"] = [measure_accuracy(stt, paths, voice) for voice, paths in spoken.items()]
        results["long_take"] = measure_long_take(stt, spoken["en-us"])
        results["reply_delay"] = measure_reply_delay(stt, folder)
    results["load_average"]["end"] = os.getloadavg()[0]
    results["goals"] = {
        "wer<=0.10": results["accuracy"][0]["wer"] <= 0.10,
        "rtf<=0.3": results["accuracy"][0]["rtf"] <= 0.3,
        "reply_delay<=2s": results["reply_delay"]["median_delay_s"] <= 2.0,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    report(results)
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
