"""Speech-to-text with the real embedded whisper model on speech synthesised by espeak-ng."""

from __future__ import annotations

import json
import re
import shutil

import jiwer
import numpy as np
import pytest
from deescal.app.errors import ModelError, UserFacingError
from deescal.cli import main
from deescal.models.audio import SPEECH_RATE, write_wav
from deescal.models.stt import SpeechToText, check_model_dir, default_model_dir
from deescal.models.tts import SpeechStyle, SpeechSynthesizer

SENTENCES = [
    "Good evening, my name is Officer Diaz and I am here to help you.",
    "Can you tell me what happened tonight?",
    "Nobody is in trouble right now, I just want to make sure everyone is safe.",
    "Would you like to sit down and take a breath with me?",
]


def words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


@pytest.fixture(scope="module")
def stt() -> SpeechToText:
    model = SpeechToText(cpu_threads=2)
    model.load()
    return model


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> list:
    folder = tmp_path_factory.mktemp("spoken")
    synth = SpeechSynthesizer()
    return [
        synth.render(s, folder / f"s{n}.wav", SpeechStyle(voice="en-us")) for n, s in enumerate(SENTENCES)
    ]


def test_round_trip_word_error_rate_is_low(stt, spoken):
    heard = [stt.transcribe(path).text for path in spoken]
    wer = jiwer.wer([words(s) for s in SENTENCES], [words(h) for h in heard])
    assert wer <= 0.15, f"WER {wer:.2f}: {heard}"


def test_transcript_reports_timing(stt, spoken):
    transcript = stt.transcribe(spoken[1])
    assert 1.0 < transcript.duration_s < 5.0
    assert 0 < transcript.rtf < 2.0
    assert transcript.segments and transcript.segments[0].end <= transcript.duration_s + 0.5
    assert set(transcript.to_dict()) >= {"text", "segments", "duration_s", "rtf"}


def test_warm_up_loads_once(stt):
    assert stt.loaded and stt.warm_up() == stt.load_seconds


def test_silence_transcribes_to_nothing(stt):
    transcript = stt.transcribe(np.zeros(SPEECH_RATE * 2, np.float32))
    assert transcript.text == ""
    assert transcript.segments == []


def test_cli_transcribe_json(spoken, data_dir, capsys):
    assert main(["transcribe", str(spoken[0]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "officer" in out["text"].lower()
    assert out["duration_s"] > 1 and out["rtf"] > 0
    assert out["segments"][0]["text"]


def test_cli_transcribe_missing_file_is_one_clear_line(data_dir, tmp_path, capsys):
    assert main(["transcribe", str(tmp_path / "nothing.wav")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_not_a_wav_file_is_a_clear_error(stt, tmp_path):
    bogus = tmp_path / "notes.wav"
    bogus.write_text("this is not audio")
    with pytest.raises(UserFacingError, match="not a readable WAV"):
        stt.transcribe(bogus)


def test_model_folder_without_tokenizer_is_refused(tmp_path):
    shutil.copy(default_model_dir() / "config.json", tmp_path / "config.json")
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="tokenizer.json"):
        check_model_dir(tmp_path)


def test_corrupt_model_is_a_clear_error(tmp_path):
    source = default_model_dir()
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(source / name, tmp_path / name)
    (tmp_path / "model.bin").write_bytes((source / "model.bin").read_bytes()[:100_000])
    with pytest.raises(ModelError, match="could not be loaded"):
        SpeechToText(tmp_path).load()


def test_wav_written_at_another_rate_is_resampled(stt, tmp_path, spoken):
    from deescal.models.audio import read_wav, resample

    samples, rate = read_wav(spoken[3])
    path = write_wav(tmp_path / "48k.wav", resample(samples, rate, 48_000), 48_000)
    assert "breath" in stt.transcribe(path).text.lower()
