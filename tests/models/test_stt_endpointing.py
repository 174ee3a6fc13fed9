"""Audio helpers and hands-free end-of-utterance detection, on synthesised speech plus room noise."""

from __future__ import annotations

import numpy as np
import pytest
from deescal.models.audio import (
    SPEECH_RATE,
    level_dbfs,
    meter_fraction,
    read_speech,
    read_wav,
    resample,
    write_wav,
)
from deescal.models.tts import SpeechStyle, SpeechSynthesizer
from deescal.models.utterance import UtteranceDetector


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> np.ndarray:
    path = SpeechSynthesizer().render(
        "I need you to stay where you are, okay?",
        tmp_path_factory.mktemp("speech") / "s.wav",
        SpeechStyle(voice="en-us"),
    )
    return read_speech(path)


def noise(seconds: float, db: float = -55.0, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * SPEECH_RATE)) * 10 ** (db / 20)).astype(np.float32)


def feed_in_chunks(detector: UtteranceDetector, audio: np.ndarray, chunk: int = 1600) -> list:
    events = []
    for start in range(0, len(audio), chunk):
        events += detector.feed(audio[start : start + chunk])
    return events


def test_speech_between_silences_is_one_utterance(speech):
    audio = np.concatenate([noise(0.8), speech, noise(1.5, seed=2)])
    events = feed_in_chunks(UtteranceDetector(), audio)
    assert [e.kind for e in events] == ["started", "ended"]
    length = len(events[1].audio) / SPEECH_RATE
    spoken = len(speech) / SPEECH_RATE
    assert spoken - 0.4 < length < spoken + 0.8


def test_a_short_pause_does_not_end_the_utterance(speech):
    audio = np.concatenate([noise(0.6), speech, noise(0.4, seed=3), speech, noise(1.5, seed=4)])
    events = feed_in_chunks(UtteranceDetector(), audio)
    assert [e.kind for e in events] == ["started", "ended"]
    assert len(events[1].audio) > 1.8 * len(speech) * 0.9


def test_steady_room_noise_alone_never_starts_an_utterance():
    loud_fan = noise(5.0, db=-30.0)
    assert feed_in_chunks(UtteranceDetector(), loud_fan) == []


def test_speech_over_room_noise_is_still_found(speech):
    audio = np.concatenate(
        [
            noise(1.0, db=-40.0),
            speech + noise(len(speech) / SPEECH_RATE, db=-40.0, seed=5),
            noise(1.5, db=-40.0, seed=6),
        ]
    )
    events = feed_in_chunks(UtteranceDetector(), audio.astype(np.float32))
    assert [e.kind for e in events] == ["started", "ended"]


def test_endless_speech_is_cut_at_the_limit(speech):
    detector = UtteranceDetector(max_utterance_s=2.0)
    events = feed_in_chunks(detector, np.concatenate([noise(0.5)] + [speech] * 4))
    ended = [e for e in events if e.kind == "ended"]
    assert ended and len(ended[0].audio) / SPEECH_RATE <= 2.5


def test_wav_round_trip_and_resampling(tmp_path, speech):
    path = write_wav(tmp_path / "out" / "x.wav", speech, SPEECH_RATE)
    back, rate = read_wav(path)
    assert rate == SPEECH_RATE and len(back) == len(speech)
    assert np.max(np.abs(back - speech)) < 1e-3
    up = resample(speech, SPEECH_RATE, 48_000)
    assert abs(len(up) - 3 * len(speech)) <= 3
    assert not list(tmp_path.glob("out/*.partial"))


def test_level_meter_spans_silence_to_full_scale():
    assert meter_fraction(np.zeros(100, np.float32)) == 0.0
    assert meter_fraction(np.ones(100, np.float32)) == 1.0
    quiet, loud = meter_fraction(noise(0.1, db=-50)), meter_fraction(noise(0.1, db=-10))
    assert 0 < quiet < loud < 1
    assert level_dbfs(noise(0.5, db=-20)) == pytest.approx(-20, abs=1)
