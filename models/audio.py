"""Plain audio helpers shared by speech-to-text, text-to-speech and microphone capture.

Everything inside the app is mono float32 in [-1, 1]; speech recognition wants 16 kHz. WAV files
on disk are 16-bit PCM, written atomically so a crash never leaves half a file behind.
"""

from __future__ import annotations

import math
import os
import tempfile
import wave
from pathlib import Path

import numpy as np
from deescal.app.errors import UserFacingError

SPEECH_RATE = 16_000

# dBFS range the level meter spans: quieter than the floor shows empty, 0 dBFS shows full.
METER_FLOOR_DB = -60.0


def pcm16_to_float(raw: bytes, channels: int = 1) -> np.ndarray:
    """Interleaved 16-bit PCM bytes -> mono float32."""
    samples = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2").astype(np.float32)
    samples /= 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples


def float_to_pcm16(samples: np.ndarray) -> bytes:
    clipped = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2").tobytes()


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling (polyphase), so 48 kHz microphones feed 16 kHz whisper cleanly."""
    if from_rate == to_rate or samples.size == 0:
        return np.asarray(samples, dtype=np.float32)
    from scipy.signal import resample_poly

    divisor = math.gcd(from_rate, to_rate)
    return resample_poly(samples, to_rate // divisor, from_rate // divisor).astype(np.float32)


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """A PCM WAV file as mono float32 and its sample rate."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as handle:
            channels, width, rate = handle.getnchannels(), handle.getsampwidth(), handle.getframerate()
            raw = handle.readframes(handle.getnframes())
    except FileNotFoundError as exc:
        raise UserFacingError(f"The audio file {path} does not exist.") from exc
    except (wave.Error, EOFError, OSError) as exc:
        raise UserFacingError(f"{path} is not a readable WAV file ({exc}).") from exc
    if width == 2:
        return pcm16_to_float(raw, channels), rate
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 4:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    else:
        raise UserFacingError(f"{path} uses {8 * width}-bit samples; save it as 16-bit PCM WAV.")
    if channels > 1:
        samples = samples[: len(samples) - len(samples) % channels].reshape(-1, channels).mean(axis=1)
    return samples, rate


def read_speech(path: str | os.PathLike[str]) -> np.ndarray:
    """A WAV file as 16 kHz mono float32, ready for speech recognition."""
    samples, rate = read_wav(path)
    return resample(samples, rate, SPEECH_RATE)


def write_wav(path: str | os.PathLike[str], samples: np.ndarray, rate: int = SPEECH_RATE) -> Path:
    """Writes 16-bit mono PCM next to the target, then renames it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        with wave.open(partial, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(float_to_pcm16(samples))
        os.replace(partial, path)
    except OSError as exc:
        Path(partial).unlink(missing_ok=True)
        raise UserFacingError(f"Could not write the audio file {path}: {exc.strerror or exc}") from exc
    return path


def duration_s(samples: np.ndarray, rate: int) -> float:
    return len(samples) / float(rate) if rate else 0.0


def level_dbfs(samples: np.ndarray) -> float:
    """Root-mean-square level in dB relative to full scale (-inf for digital silence)."""
    if samples.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * math.log10(rms) if rms > 0 else float("-inf")


def meter_fraction(samples: np.ndarray) -> float:
    """0..1 for an input-level meter: logarithmic, like the ear, from -60 dBFS to 0 dBFS."""
    db = level_dbfs(samples)
    if db == float("-inf"):
        return 0.0
    return min(1.0, max(0.0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB))


def leading_silence_s(
    samples: np.ndarray, rate: int, threshold_db: float = -40.0, frame_s: float = 0.01
) -> float:
    """Seconds before the first frame louder than ``threshold_db`` (how long until a voice is heard)."""
    frame = max(1, int(rate * frame_s))
    for start in range(0, len(samples), frame):
        if level_dbfs(samples[start : start + frame]) > threshold_db:
            return start / float(rate)
    return duration_s(samples, rate)
