"""End-of-utterance detection for hands-free voice input.

Whisper's own VAD trims silence inside a recording; this decides *when* a recording ends while
the microphone stays open. It is an energy detector with an adaptive noise floor: cheap enough to
run on every 30 ms frame on the UI thread, and robust to a steady fan or room hum.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from deescal.models.audio import SPEECH_RATE, level_dbfs


@dataclass
class UtteranceEvent:
    kind: str  # "started" or "ended"
    audio: np.ndarray | None = None  # the whole utterance (with a little lead-in), on "ended"


@dataclass
class UtteranceDetector:
    rate: int = SPEECH_RATE
    frame_s: float = 0.03
    start_speech_s: float = 0.12  # loud frames needed before we call it speech (ignores clicks)
    end_silence_s: float = 0.8  # quiet that ends the utterance (short pauses between words survive)
    margin_db: float = 12.0  # how far above the noise floor speech must be
    min_speech_db: float = -50.0  # never call anything quieter than this speech
    max_utterance_s: float = 30.0
    lead_in_s: float = 0.3  # audio kept from before the onset so the first syllable is not clipped
    calibration_s: float = 0.3
    _pending: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32), repr=False)
    _noise_db: float | None = field(default=None, repr=False)
    _calibration: list[float] = field(default_factory=list, repr=False)
    _lead_in: deque = field(default_factory=deque, repr=False)
    _voiced_run: int = field(default=0, repr=False)
    _silent_run: int = field(default=0, repr=False)
    _speech: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def frame_len(self) -> int:
        return max(1, int(self.rate * self.frame_s))

    @property
    def in_speech(self) -> bool:
        return self._speech is not None

    def reset(self) -> None:
        """Forget the current utterance (keeps the learned noise floor)."""
        self._pending = np.zeros(0, np.float32)
        self._clear_utterance()

    def _clear_utterance(self) -> None:
        self._lead_in.clear()
        self._voiced_run = self._silent_run = 0
        self._speech = None

    def feed(self, samples: np.ndarray) -> list[UtteranceEvent]:
        """Consumes mono float32 audio at ``rate``; returns what happened in it, in order."""
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        frame = self.frame_len
        usable = len(data) - len(data) % frame
        self._pending = data[usable:]
        events: list[UtteranceEvent] = []
        for start in range(0, usable, frame):
            event = self._frame(data[start : start + frame])
            if event:
                events.append(event)
        return events

    def _frame(self, chunk: np.ndarray) -> UtteranceEvent | None:
        db = level_dbfs(chunk)
        if self._noise_db is None:
            self._calibration.append(db if db != float("-inf") else -100.0)
            if len(self._calibration) * self.frame_s >= self.calibration_s:
                self._noise_db = float(np.median(self._calibration))
            self._remember(chunk)
            return None
        voiced = db > max(self._noise_db + self.margin_db, self.min_speech_db)
        if self._speech is None:
            return self._idle_frame(chunk, db, voiced)
        return self._speech_frame(chunk, voiced)

    def _remember(self, chunk: np.ndarray) -> None:
        self._lead_in.append(chunk)
        while len(self._lead_in) * self.frame_s > self.lead_in_s + self.start_speech_s:
            self._lead_in.popleft()

    def _idle_frame(self, chunk: np.ndarray, db: float, voiced: bool) -> UtteranceEvent | None:
        self._remember(chunk)
        if not voiced:
            self._voiced_run = 0
            # The floor follows the room: falls at once, rises slowly (speech does not drag it up).
            level = db if db != float("-inf") else -100.0
            self._noise_db = (
                level if level < self._noise_db else self._noise_db + 0.05 * (level - self._noise_db)
            )
            return None
        self._voiced_run += 1
        if self._voiced_run * self.frame_s < self.start_speech_s:
            return None
        self._speech = list(self._lead_in)
        self._lead_in.clear()
        self._silent_run = 0
        return UtteranceEvent("started")

    def _speech_frame(self, chunk: np.ndarray, voiced: bool) -> UtteranceEvent | None:
        self._speech.append(chunk)
        self._silent_run = 0 if voiced else self._silent_run + 1
        too_long = len(self._speech) * self.frame_s >= self.max_utterance_s
        if self._silent_run * self.frame_s < self.end_silence_s and not too_long:
            return None
        # Keep a short tail of the trailing quiet: whisper handles it, and word endings stay whole.
        keep_tail = int(0.2 / self.frame_s)
        frames = self._speech[: len(self._speech) - max(0, self._silent_run - keep_tail)]
        audio = np.concatenate(frames) if frames else np.zeros(0, np.float32)
        self._clear_utterance()
        return UtteranceEvent("ended", audio)
