"""Voice preferences, recorded officer turns and the voice selftest checks, headless."""

from __future__ import annotations

import json

import numpy as np
import pytest
from deescal.app.errors import ModelError, UserFacingError
from deescal.app.voice import VoiceService, VoiceSettings
from deescal.cli import main
from deescal.models.audio import SPEECH_RATE, write_wav
from deescal.models.tts import SpeechStyle


def test_preferences_survive_reopening(ctx):
    service = ctx.service(VoiceService)
    service.update_settings(rate_scale=1.2, volume=0.6, hands_free=True, input_device="usb-mic")
    assert VoiceSettings.load(ctx) == VoiceSettings(
        rate_scale=1.2, volume=0.6, hands_free=True, input_device="usb-mic"
    )


def test_a_bad_model_folder_is_not_saved(ctx, tmp_path):
    service = ctx.service(VoiceService)
    with pytest.raises(ModelError, match="not a faster-whisper model folder"):
        service.update_settings(stt_model_dir=str(tmp_path))
    assert service.settings.stt_model_dir is None


def test_tension_and_preferences_shape_the_voice(ctx):
    service = ctx.service(VoiceService)
    calm = service.style_for("Ana Ruiz", "female", 30, tension=1)
    service.update_settings(rate_scale=1.4)
    agitated = service.style_for("Ana Ruiz", "female", 30, tension=9)
    assert calm.voice == agitated.voice and calm.voice.startswith("en-us+")
    assert agitated.rate > calm.rate * 1.4 and agitated.volume > calm.volume


def test_recorded_turns_become_lines_and_silence_is_refused(ctx, tmp_path):
    service = ctx.service(VoiceService)
    spoken = service.synth.render(
        "Can you tell me your name?", tmp_path / "turn.wav", SpeechStyle(voice="en-us")
    )
    assert "your name" in service.transcribe_turns([str(spoken)])[0].lower()
    quiet = write_wav(tmp_path / "quiet.wav", np.zeros(SPEECH_RATE, np.float32))
    with pytest.raises(UserFacingError, match="No speech was heard in .*quiet.wav"):
        service.transcribe_turns([str(spoken), str(quiet)])


def test_selftest_checks_speech_both_ways(data_dir, capsys):
    assert main(["selftest", "--only", "speech-to-text", "--only", "text-to-speech", "--json"]) == 0
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["speech-to-text"]["ok"] and "step back" in checks["speech-to-text"]["detail"].lower()
    assert checks["text-to-speech"]["ok"] and "espeak" in checks["text-to-speech"]["detail"]


def test_roleplay_audio_turns_make_a_scored_session(ctx, tmp_path, capsys):
    service = ctx.service(VoiceService)
    turns = [
        service.synth.render(line, tmp_path / f"turn{n}.wav", SpeechStyle(voice="en-us"))
        for n, line in enumerate(
            ["Hello, I am Officer Diaz. Can you tell me your name?", "Thank you for talking with me."]
        )
    ]
    argv = [
        "roleplay",
        "intox-004",
        "--audio",
        str(turns[0]),
        "--audio",
        str(turns[1]),
        "--seed",
        "4",
        "--json",
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    played = json.loads(captured.out)
    officer = [t for t in played["turns"] if t["role"] == "officer"]
    civilian = [t for t in played["turns"] if t["role"] == "civilian"]
    assert len(officer) == 2 and len(civilian) == 2
    assert "your name" in officer[0]["text"].lower() and "talking with me" in officer[1]["text"].lower()
    assert all(0 <= t["score"] <= 100 for t in officer) and all(t["text"] for t in civilian)
    assert captured.err.count("Heard in") == 2


def test_roleplay_audio_with_nothing_said_starts_no_session(ctx, tmp_path, capsys):
    quiet = write_wav(tmp_path / "quiet.wav", np.zeros(SPEECH_RATE, np.float32))
    assert main(["roleplay", "intox-004", "--audio", str(quiet)]) == 2
    assert "No speech was heard" in capsys.readouterr().err
    assert ctx.store.query("SELECT id FROM sessions") == []
