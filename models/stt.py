"""Speech-to-text on faster-whisper (CTranslate2, CPU, int8), strictly from a local model folder.

The default is the embedded tiny.en; any faster-whisper model folder (base.en, small.en ...) works
if it holds the CTranslate2 weights *and* ``tokenizer.json``: without that file faster-whisper
would fetch a tokenizer from the hub, which this app never does. English, voice activity detection
on, beam search 5 (about as fast as greedy on short turns, and a little more accurate).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from deescal.app.errors import Cancelled, ModelError, UserFacingError
from deescal.models.audio import SPEECH_RATE, duration_s, read_speech
from deescal.models.embedded import whisper_model_dir

log = logging.getLogger(__name__)

REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
EMBEDDED_LABEL = "Whisper tiny.en (embedded)"


@dataclass
class Segment:
    start: float
    end: float
    text: str


@dataclass
class Transcript:
    text: str
    segments: list[Segment]
    duration_s: float  # length of the audio
    seconds: float  # time spent transcribing
    model: str

    @property
    def rtf(self) -> float:
        """Real-time factor: transcription time / audio length (below 1 is faster than speech)."""
        return self.seconds / self.duration_s if self.duration_s > 0 else 0.0

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "segments": [asdict(s) for s in self.segments],
            "duration_s": round(self.duration_s, 3),
            "rtf": round(self.rtf, 4),
            "seconds": round(self.seconds, 3),
            "model": self.model,
        }


def default_model_dir() -> Path:
    return whisper_model_dir()


def check_model_dir(path: str | os.PathLike[str]) -> Path:
    """The folder if it is a usable faster-whisper model; otherwise a message saying what is wrong."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ModelError(f"The speech-to-text model folder {folder} does not exist.")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"{folder} is not a faster-whisper model folder: {', '.join(missing)} missing. "
            "Choose a folder converted for faster-whisper (CTranslate2) that includes tokenizer.json."
        )
    return folder


def model_label(path: str | os.PathLike[str] | None) -> str:
    """What the user sees for a model folder: the embedded one by name, others by folder name."""
    if path is None:
        return EMBEDDED_LABEL
    folder = Path(path)
    try:
        if folder.resolve() == default_model_dir().resolve():
            return EMBEDDED_LABEL
    except ModelError:
        pass
    return f"Whisper {folder.name}"


def default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 2))


class SpeechToText:
    """One loaded whisper model; ``transcribe`` calls are serialised, so it can be shared."""

    def __init__(
        self,
        model_dir: str | os.PathLike[str] | None = None,
        cpu_threads: int | None = None,
        beam_size: int = 5,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir else None
        self.cpu_threads = cpu_threads or default_threads()
        self.beam_size = beam_size
        self.load_seconds: float | None = None
        self._model = None
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return model_label(self.model_dir)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> float:
        """Loads the model once (about 0.3 s for tiny.en); returns the seconds it took."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self.load_seconds or 0.0

    def warm_up(self) -> float:
        """Loads the model and the voice-activity detector, so the trainee's first turn is not slower."""
        seconds = self.load()
        self.transcribe(np.zeros(SPEECH_RATE // 2, np.float32))
        return seconds

    def _load(self):
        folder = check_model_dir(self.model_dir or default_model_dir())
        import onnxruntime
        from faster_whisper import WhisperModel

        # The voice-activity detector runs on onnxruntime: no usage events from it, ever (the
        # environment variable set by force_offline() stops the look-up it makes when imported).
        onnxruntime.disable_telemetry_events()

        start = time.perf_counter()
        try:
            model = WhisperModel(
                str(folder),
                device="cpu",
                compute_type="int8",
                cpu_threads=self.cpu_threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(
                f"The speech-to-text model in {folder} could not be loaded ({exc}). "
                "Choose another model folder in Settings."
            ) from exc
        self.load_seconds = time.perf_counter() - start
        log.info("loaded %s from %s in %.2fs", self.label, folder, self.load_seconds)
        return model

    def transcribe(
        self,
        audio: str | os.PathLike[str] | np.ndarray,
        cancelled: Callable[[], bool] | None = None,
    ) -> Transcript:
        """Text of English speech: a WAV file, or 16 kHz mono float32 samples."""
        samples = audio if isinstance(audio, np.ndarray) else _read_audio(audio)
        samples = np.asarray(samples, dtype=np.float32)
        self.load()
        start = time.perf_counter()
        with self._lock:
            segments = []
            if samples.size:
                pieces, _info = self._model.transcribe(
                    samples,
                    language="en",
                    beam_size=self.beam_size,
                    vad_filter=True,
                    vad_parameters={"min_silence_duration_ms": 500},
                    condition_on_previous_text=False,
                )
                for piece in pieces:  # a generator: decoding happens while we iterate
                    if cancelled and cancelled():
                        raise Cancelled()
                    segments.append(Segment(round(piece.start, 3), round(piece.end, 3), piece.text.strip()))
        text = " ".join(s.text for s in segments if s.text).strip()
        return Transcript(
            text=text,
            segments=segments,
            duration_s=duration_s(samples, SPEECH_RATE),
            seconds=time.perf_counter() - start,
            model=self.label,
        )


def _read_audio(path: str | os.PathLike[str]) -> np.ndarray:
    path = Path(path)
    if path.suffix.lower() == ".wav":
        return read_speech(path)
    if not path.is_file():
        raise UserFacingError(f"The audio file {path} does not exist.")
    from faster_whisper.audio import decode_audio

    try:
        return decode_audio(str(path), sampling_rate=SPEECH_RATE)
    except Exception as exc:  # PyAV raises many kinds for unreadable media
        raise UserFacingError(f"Could not read audio from {path} ({exc}).") from exc
