"""Voice preferences and the loaded speech engines, shared by the GUI, the CLI and role-play.

One ``VoiceService`` per context (``ctx.service(VoiceService)``): it keeps the whisper model loaded
between turns, and builds each civilian's speaking style from the character and the tension.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.settings import get_setting, set_setting
from deescal.models.stt import SpeechToText, Transcript, check_model_dir
from deescal.models.tts import SpeechStyle, SpeechSynthesizer, tension_style

SETTINGS_PREFIX = "voice."


@dataclass
class VoiceSettings:
    enabled: bool = True  # speak the civilian's replies
    stt_model_dir: str | None = None  # None: the embedded tiny.en
    rate_scale: float = 1.0  # 0.5 .. 1.5 times the normal speaking rate
    volume: float = 1.0  # 0 .. 1
    input_device: str | None = None  # microphone id; None: the system default
    hands_free: bool = False
    muted: bool = False

    @classmethod
    def load(cls, ctx: AppContext) -> VoiceSettings:
        defaults = cls()
        return cls(
            **{
                f.name: get_setting(ctx.store, SETTINGS_PREFIX + f.name, getattr(defaults, f.name))
                for f in fields(cls)
            }
        )

    def save(self, ctx: AppContext) -> None:
        for name, value in asdict(self).items():
            set_setting(ctx.store, SETTINGS_PREFIX + name, value)


class VoiceService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.synth = SpeechSynthesizer()
        self._stt: SpeechToText | None = None

    @property
    def settings(self) -> VoiceSettings:
        return VoiceSettings.load(self.ctx)

    def update_settings(self, **changes) -> VoiceSettings:
        """Saves the changed preferences; a new model folder is checked before it is kept."""
        current = self.settings
        if changes.get("stt_model_dir"):
            changes["stt_model_dir"] = str(check_model_dir(changes["stt_model_dir"]))
        for name, value in changes.items():
            setattr(current, name, value)
        current.save(self.ctx)
        return current

    def stt(self) -> SpeechToText:
        """The speech-to-text model chosen in Settings (not loaded until first use)."""
        wanted = self.settings.stt_model_dir
        if self._stt is None or str(self._stt.model_dir or "") != str(wanted or ""):
            self._stt = SpeechToText(Path(wanted) if wanted else None)
        return self._stt

    def transcribe(
        self, audio: str | os.PathLike[str] | np.ndarray, cancelled: Callable[[], bool] | None = None
    ) -> Transcript:
        return self.stt().transcribe(audio, cancelled)

    def transcribe_turns(self, paths: list[str]) -> list[str]:
        """One officer line per recording, all heard before anything else happens."""
        lines = []
        for path in paths:
            text = self.transcribe(path).text
            if not text:
                raise UserFacingError(
                    f"No speech was heard in {path}; record the turn again, closer to the microphone."
                )
            lines.append(text)
        return lines

    def style_for(self, name: str, gender: str | None, age: int | None, tension: float) -> SpeechStyle:
        """How this character sounds at this tension, with the user's rate and volume applied."""
        prefs = self.settings
        voice = self.synth.voice_for(name, gender, age)
        return tension_style(tension, voice, prefs.rate_scale, prefs.volume)

    def close(self) -> None:
        self._stt = None


SELFTEST_SENTENCE = "Please step back from the car."


def check_text_to_speech(ctx: AppContext) -> str:
    """Selftest: render a short sentence to WAV with the installed speech engine."""
    import tempfile

    from deescal.models.audio import duration_s, read_wav

    service = ctx.service(VoiceService)
    with tempfile.TemporaryDirectory() as tmp:
        path = service.synth.render(SELFTEST_SENTENCE, Path(tmp) / "selftest.wav")
        samples, rate = read_wav(path)
    return f"{service.synth.check()}: {duration_s(samples, rate):.1f} s of speech at {rate} Hz"


def check_speech_to_text(ctx: AppContext) -> str:
    """Selftest: transcribe a generated recording (silence when no speech engine can make one)."""
    import tempfile

    from deescal.models.audio import SPEECH_RATE
    from deescal.models.tts import SpeechEngineUnavailable

    service = ctx.service(VoiceService)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            audio = service.synth.render(SELFTEST_SENTENCE, Path(tmp) / "selftest.wav")
        except SpeechEngineUnavailable:
            audio = np.zeros(SPEECH_RATE, np.float32)
        stt = service.stt()
        loaded_in = stt.load()
        transcript = stt.transcribe(audio)
    heard = (
        f'heard "{transcript.text}"'
        if transcript.text
        else "heard silence (no speech engine to make test audio)"
    )
    return f"{stt.label}: loaded in {loaded_in:.2f} s, {heard}, real-time factor {transcript.rtf:.2f}"
