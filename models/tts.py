"""Text-to-speech to WAV: the espeak-ng program on Linux, pyttsx3 (SAPI5, NSSpeech) on Windows and macOS.

pyttsx3's ``say()`` shells out to ``aplay`` on Linux and fails silently where it is missing, so
speech is always rendered to a WAV file (``save_to_file`` + ``runAndWait``) and played by the
caller. pyttsx3's engines are not thread-safe, so one dedicated thread owns the engine and every
render is a job queued to it. On Linux that engine is the espeak-ng program (:class:`EspeakProgram`),
one process per render, instead of pyttsx3's in-process espeak driver, which crashed the app at times.

Each character gets a voice that matches gender and age where the engine has such voices
(espeak-ng: its male/female/elderly variants), and speaks faster and louder as tension rises.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deescal.app.errors import UserFacingError
from deescal.app.roleplay.tension import scale_fraction

log = logging.getLogger(__name__)

BASE_RATE_WPM = 175  # a calm, clear speaking rate; the engines' own default (200) sounds hurried

# espeak-ng variants by (gender, age band); one is picked per character, stable across sessions.
ESPEAK_LANGUAGE = "en-us"
ESPEAK_VARIANTS: dict[tuple[str, str], list[str]] = {
    ("female", "young"): ["f3", "f4", "Annie"],
    ("female", "adult"): ["f1", "f2", "f5"],
    ("female", "older"): ["aunty", "grandma"],
    ("male", "young"): ["m3", "m5", "Andy"],
    ("male", "adult"): ["m1", "m2", "m4", "m7"],
    ("male", "older"): ["grandpa", "m6"],
    ("", "young"): ["m3", "f4"],
    ("", "adult"): ["m1", "f2"],
    ("", "older"): ["grandpa", "aunty"],
}


ENGINE_MISSING_PREFIX = "No speech engine is available"


class SpeechEngineUnavailable(UserFacingError):
    """No text-to-speech engine could start on this computer."""


def unavailable_message(detail: str) -> str:
    if sys.platform.startswith("linux"):
        fix = "Install espeak-ng (for example: sudo apt install espeak-ng libespeak-ng1)"
    elif sys.platform == "win32":
        fix = "Check that Windows speech (SAPI5) voices are installed in Settings > Time & language > Speech"
    else:
        fix = "Check that system voices are installed in System Settings > Accessibility > Spoken Content"
    return (
        f"{ENGINE_MISSING_PREFIX}, so the civilian's replies cannot be spoken ({detail}). "
        f"{fix}, then restart DeEscal Trainer. Replies are still shown as text."
    )


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    gender: str  # "male", "female" or "" when the engine does not say
    age: int | None
    languages: tuple[str, ...]


@dataclass(frozen=True)
class SpeechStyle:
    voice: str | None = None  # engine voice id; None keeps the engine's default
    rate: int = BASE_RATE_WPM  # words per minute
    volume: float = 1.0  # 0..1


def age_band(age: int | None) -> str:
    if age is None:
        return "adult"
    return "young" if age < 25 else "older" if age >= 60 else "adult"


def normalise_gender(value: str | None) -> str:
    text = (value or "").strip().lower()
    if "female" in text or text in {"f", "woman", "girl"}:
        return "female"
    if "male" in text or text in {"m", "man", "boy"}:
        return "male"
    return ""


def tension_style(
    tension: float, voice: str | None, rate_scale: float = 1.0, volume: float = 1.0
) -> SpeechStyle:
    """Calm (0) speaks at 90% pace and 75% volume; out of control (10) at 125% pace, full volume."""
    level = scale_fraction(tension)
    rate = round(BASE_RATE_WPM * rate_scale * (0.9 + 0.35 * level))
    loudness = min(1.0, max(0.0, volume * (0.75 + 0.25 * level)))
    return SpeechStyle(voice=voice, rate=int(rate), volume=round(loudness, 3))


def _stable_pick(options: list, key: str):
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return options[digest[0] % len(options)]


def choose_voice(
    voices: list[VoiceInfo], driver: str, name: str, gender: str | None, age: int | None
) -> str | None:
    """The engine voice for a character: same character, same voice, every time."""
    wanted = normalise_gender(gender)
    band = age_band(age)
    if driver == "espeak":
        return f"{ESPEAK_LANGUAGE}+{_stable_pick(ESPEAK_VARIANTS[(wanted, band)], name)}"
    english = [v for v in voices if _is_english(v)] or voices
    if not english:
        return None
    target_age = {"young": 20, "adult": 40, "older": 70}[band]

    def score(voice: VoiceInfo) -> tuple:
        gender_score = 0 if not wanted else (2 if voice.gender == wanted else -2 if voice.gender else 0)
        age_score = -abs((voice.age or 40) - target_age) / 100
        return (gender_score + age_score,)

    best = max(score(v) for v in english)
    return _stable_pick(sorted(v.id for v in english if score(v) == best), name)


def _is_english(voice: VoiceInfo) -> bool:
    tags = " ".join(voice.languages).lower() + " " + voice.id.lower() + " " + voice.name.lower()
    return (
        "en" in {t[:2] for t in voice.languages if t} or "en_" in tags or "en-" in tags or "english" in tags
    )


def default_engine():
    """The espeak-ng program on Linux (:class:`EspeakProgram`), pyttsx3's engine elsewhere."""
    if sys.platform.startswith("linux"):
        return EspeakProgram()
    import pyttsx3

    return pyttsx3.init()


class EspeakProgram:
    """The ``espeak-ng`` program, driven like a pyttsx3 engine: every render runs in its own process.

    pyttsx3's espeak driver runs libespeak-ng inside the app in asynchronous mode, and that now and
    then crashed the whole process (a segfault in espeak's own thread while a WAV was being written,
    seen in the test suite and in CI). A separate process can only fail its own render, which then
    gets a clear message like any other render failure.
    """

    driver_name = "espeak"

    def __init__(self, program: str | None = None, timeout_s: float = 30.0) -> None:
        found = shutil.which(program or "espeak-ng")
        if not found:
            raise OSError("the espeak-ng program was not found")
        self.program = found
        self.timeout_s = timeout_s
        self._properties: dict[str, Any] = {"rate": BASE_RATE_WPM, "volume": 1.0, "voice": None}
        self._queued: list[tuple[str, str]] = []

    def getProperty(self, name: str) -> Any:  # noqa: N802 (pyttsx3's name)
        return self._voices() if name == "voices" else self._properties[name]

    def setProperty(self, name: str, value: Any) -> None:  # noqa: N802 (pyttsx3's name)
        self._properties[name] = value

    def save_to_file(self, text: str, path: str) -> None:
        self._queued.append((text, path))

    def runAndWait(self) -> None:  # noqa: N802 (pyttsx3's name)
        queued, self._queued = self._queued, []
        for text, path in queued:
            command = [self.program, "--stdin", "-w", path, "-s", str(int(self._properties["rate"]))]
            command += ["-a", str(round(float(self._properties["volume"]) * 100))]
            if self._properties["voice"]:
                command += ["-v", str(self._properties["voice"])]
            done = subprocess.run(
                command, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s, check=False
            )
            if done.returncode != 0:
                detail = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
                self._properties["voice"] = None  # a voice it refused must not spoil the next render
                raise UserFacingError(f"The speech engine could not speak this text ({detail}).")

    def _voices(self) -> list[VoiceInfo]:
        listing = subprocess.run(
            [self.program, "--voices"], capture_output=True, timeout=self.timeout_s, check=True, text=True
        ).stdout.splitlines()[1:]
        voices = []
        for line in listing:  # Pty Language Age/Gender VoiceName File Other-languages
            parts = line.split()
            if len(parts) >= 5:
                gender = {"M": "male", "F": "female"}.get(parts[2].rpartition("/")[2], "")
                voices.append(VoiceInfo(parts[1], parts[3].replace("_", " "), gender, None, (parts[1],)))
        return voices


class _EngineThread:
    """Owns the one pyttsx3 engine; runs jobs ``fn(engine)`` in order on its own thread."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future]] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="speech-engine", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[Any], Any]) -> Future:
        future: Future = Future()
        self._jobs.put((job, future))
        return future

    def _loop(self) -> None:
        if sys.platform == "win32":  # SAPI5 is COM: each thread that uses it must initialise COM
            import comtypes

            comtypes.CoInitialize()
        try:
            engine, failure = self._factory(), None
        except Exception as exc:  # any engine start failure means "no speech engine here"
            log.warning("text-to-speech engine could not start: %s", exc)
            engine, failure = (
                None,
                SpeechEngineUnavailable(unavailable_message(f"{type(exc).__name__}: {exc}")),
            )
        while True:
            job, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            if failure:
                future.set_exception(failure)
                continue
            try:
                future.set_result(job(engine))
            except Exception as exc:
                future.set_exception(exc)


_threads: dict[Callable[[], Any], _EngineThread] = {}
_threads_lock = threading.Lock()


def _engine_thread(factory: Callable[[], Any]) -> _EngineThread:
    with _threads_lock:
        if factory not in _threads:
            _threads[factory] = _EngineThread(factory)
        return _threads[factory]


class SpeechSynthesizer:
    """Renders text to WAV files on the shared speech thread; safe to call from any thread."""

    def __init__(self, engine_factory: Callable[[], Any] | None = None, timeout_s: float = 60.0) -> None:
        self._factory = engine_factory or default_engine
        self._timeout_s = timeout_s
        self._voices: list[VoiceInfo] | None = None
        self._driver: str | None = None

    def _call(self, job: Callable[[Any], Any]) -> Any:
        return _engine_thread(self._factory).submit(job).result(self._timeout_s)

    def check(self) -> str:
        """The engine's driver name ("espeak", "sapi5", "nsss"); raises when there is no engine."""
        if self._driver is None:
            self._driver = self._call(lambda engine: getattr(engine, "driver_name", "unknown"))
        return self._driver

    def voices(self) -> list[VoiceInfo]:
        if self._voices is None:
            self._voices = self._call(_list_voices)
        return self._voices

    def voice_for(self, name: str, gender: str | None, age: int | None) -> str | None:
        driver = self.check()
        return choose_voice([] if driver == "espeak" else self.voices(), driver, name, gender, age)

    def render(self, text: str, out: str | os.PathLike[str], style: SpeechStyle | None = None) -> Path:
        """Speaks ``text`` into the WAV file ``out`` (written whole, then renamed into place)."""
        if not text.strip():
            raise UserFacingError("There is no text to speak.")
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.stem}.partial.wav")
        for _attempt in range(3):  # an engine now and then writes an empty file (espeak-ng 1.51 did)
            self._call(lambda engine: _render(engine, text, partial, style or SpeechStyle()))
            if partial.is_file() and partial.stat().st_size > 44:
                break
        else:
            partial.unlink(missing_ok=True)
            raise UserFacingError("The speech engine produced no audio for this text.")
        os.replace(partial, target)
        return target


def _list_voices(engine) -> list[VoiceInfo]:
    found = []
    for voice in engine.getProperty("voices") or []:
        languages = tuple(
            lang.decode("utf-8", "ignore") if isinstance(lang, bytes) else str(lang)
            for lang in (getattr(voice, "languages", None) or [])
        )
        found.append(
            VoiceInfo(
                id=str(voice.id),
                name=str(getattr(voice, "name", "") or voice.id),
                gender=normalise_gender(getattr(voice, "gender", None)),
                age=voice.age if isinstance(getattr(voice, "age", None), int) else None,
                languages=languages,
            )
        )
    return found


def _render(engine, text: str, path: Path, style: SpeechStyle) -> None:
    if style.voice:
        try:
            engine.setProperty("voice", style.voice)
        except (ValueError, KeyError) as exc:
            raise UserFacingError(f"The voice {style.voice!r} is not available ({exc}).") from exc
    engine.setProperty("rate", int(style.rate))
    engine.setProperty("volume", float(style.volume))
    # pyttsx3's espeak driver prints "Audio saved to ..." on stdout; keep stdout for our own output.
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        engine.save_to_file(text, str(path))
        engine.runAndWait()
    log.debug("speech engine: %s", chatter.getvalue().strip())


class ClauseSplitter:
    """Cuts streamed reply text into speakable pieces, so speech starts before the reply ends.

    A piece ends at sentence punctuation, or at a comma/semicolon/colon once it is long enough to
    sound natural on its own.
    """

    SENTENCE_END = ".!?"
    CLAUSE_END = ",;:"

    def __init__(self, min_clause_chars: int = 12) -> None:
        self.min_clause_chars = min_clause_chars
        self._buffer = ""

    def feed(self, piece: str) -> list[str]:
        self._buffer += piece
        ready = []
        start = 0
        for index, char in enumerate(self._buffer[:-1]):
            # Punctuation counts once a space follows it, so "3.5" or "U.S.A" stay whole.
            if char not in self.SENTENCE_END + self.CLAUSE_END or not self._buffer[index + 1].isspace():
                continue
            clause = self._buffer[start : index + 1].strip()
            if clause and (char in self.SENTENCE_END or len(clause) >= self.min_clause_chars):
                ready.append(clause)
                start = index + 1
        self._buffer = self._buffer[start:]
        return ready

    def flush(self) -> str:
        rest, self._buffer = self._buffer.strip(), ""
        return rest
