"""Text-to-speech with the real espeak-ng engine (the program, one process per render), rendered to WAV."""

from __future__ import annotations

import json

import pytest
from deescal.app.errors import UserFacingError
from deescal.cli import main
from deescal.models import tts
from deescal.models.audio import duration_s, read_wav
from deescal.models.tts import (
    ClauseSplitter,
    SpeechEngineUnavailable,
    SpeechStyle,
    SpeechSynthesizer,
    VoiceInfo,
    choose_voice,
    tension_style,
)


@pytest.fixture(scope="module")
def synth() -> SpeechSynthesizer:
    return SpeechSynthesizer()


def test_render_writes_a_wav_and_keeps_stdout_clean(synth, tmp_path, capsys):
    path = synth.render("Sir, please step back from the car.", tmp_path / "a.wav")
    samples, rate = read_wav(path)
    assert rate > 8000 and 1.0 < duration_s(samples, rate) < 6.0
    assert abs(samples).max() > 0.05
    assert capsys.readouterr().out == ""
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]


def test_every_render_uses_its_own_rate_and_volume(synth, tmp_path):
    """Alternating styles on one engine: espeak-ng must not keep the previous render's settings."""
    text = "I just want to go home and see my kids."
    styles = [SpeechStyle(rate=120, volume=1.0), SpeechStyle(rate=260, volume=0.3)] * 3
    lengths, peaks = [], []
    for n, style in enumerate(styles):
        samples, _ = read_wav(synth.render(text, tmp_path / f"{n}.wav", style))
        lengths.append(len(samples))
        peaks.append(float(abs(samples).max()))
    assert all(fast < 0.7 * slow for slow, fast in zip(lengths[::2], lengths[1::2], strict=True)), lengths
    assert all(quiet < 0.5 * loud for loud, quiet in zip(peaks[::2], peaks[1::2], strict=True)), peaks


def test_each_character_keeps_a_matching_voice(synth):
    maria = synth.voice_for("Maria Lopez", "female", 34)
    assert maria == synth.voice_for("Maria Lopez", "Female", 34)
    assert maria.split("+")[1] in tts.ESPEAK_VARIANTS[("female", "adult")]
    assert synth.voice_for("Walter", "male", 78).split("+")[1] in tts.ESPEAK_VARIANTS[("male", "older")]
    assert synth.voice_for("Tyler", "man", 19).split("+")[1] in tts.ESPEAK_VARIANTS[("male", "young")]


def test_every_espeak_variant_renders(synth, tmp_path):
    variants = sorted({v for options in tts.ESPEAK_VARIANTS.values() for v in options})
    for variant in variants:
        path = synth.render("Okay.", tmp_path / f"{variant}.wav", SpeechStyle(voice=f"en-us+{variant}"))
        assert path.stat().st_size > 1000, variant


def test_voice_choice_on_engines_with_gendered_voices():
    voices = [
        VoiceInfo("david", "Microsoft David", "male", 40, ("en-US",)),
        VoiceInfo("zira", "Microsoft Zira", "female", 30, ("en-US",)),
        VoiceInfo("hortense", "Microsoft Hortense", "female", 30, ("fr-FR",)),
    ]
    assert choose_voice(voices, "sapi5", "Maria", "female", 34) == "zira"
    assert choose_voice(voices, "sapi5", "Joe", "male", 50) == "david"
    assert choose_voice([], "nsss", "Joe", "male", 50) is None


def test_tension_makes_speech_faster_and_louder():
    calm, tense = tension_style(0, "v"), tension_style(10, "v")
    assert calm.rate < tension_style(5, "v").rate < tense.rate
    assert calm.volume < tense.volume <= 1.0
    assert tension_style(10, "v", volume=0.5).volume <= 0.5
    assert tension_style(99, "v") == tense


def test_missing_speech_engine_gives_the_clear_message(tmp_path):
    def no_engine():
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    synth = SpeechSynthesizer(engine_factory=no_engine)
    with pytest.raises(SpeechEngineUnavailable, match="No speech engine is available") as caught:
        synth.render("Hello.", tmp_path / "x.wav")
    assert "Replies are still shown as text" in str(caught.value)
    assert not (tmp_path / "x.wav").exists()


def test_linux_renders_in_a_separate_espeak_process_and_its_failures_are_clear(tmp_path):
    engine = tts.default_engine()
    assert isinstance(engine, tts.EspeakProgram) and engine.driver_name == "espeak"
    synth = SpeechSynthesizer(engine_factory=tts.EspeakProgram)
    with pytest.raises(UserFacingError, match="could not speak this text.*voice does not exist"):
        synth.render("Hello.", tmp_path / "x.wav", SpeechStyle(voice="xx-no-such-voice"))
    assert not (tmp_path / "x.wav").exists()
    assert synth.render("Hello again.", tmp_path / "y.wav").stat().st_size > 44  # the engine lives on
    with pytest.raises(OSError, match="espeak-ng program was not found"):
        tts.EspeakProgram(program=str(tmp_path / "espeak-ng"))


def test_cli_speak_without_engine_is_one_clear_line(monkeypatch, tmp_path, capsys):
    def no_engine():
        raise RuntimeError("could not initialize espeak")

    monkeypatch.setattr(tts, "default_engine", no_engine)
    assert main(["speak", "Hello", "--out", str(tmp_path / "x.wav")]) == 2
    captured = capsys.readouterr()
    assert "No speech engine is available" in captured.err and captured.out == ""


def test_cli_speak_json_is_clean(tmp_path, capsys):
    out = tmp_path / "reply.wav"
    assert main(["speak", "Leave me alone!", "--out", str(out), "--voice", "en-us+f3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["out"] == str(out) and report["duration_s"] > 0.3 and report["voice"] == "en-us+f3"


def test_cli_speak_lists_voices(capsys):
    assert main(["speak", "--list-voices", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["engine"] == "espeak" and any("en-us" in v["id"] for v in report["voices"])


def test_clause_splitter_releases_speakable_pieces():
    splitter = ClauseSplitter()
    pieces = []
    tokens = [
        "I",
        "'m",
        " not",
        " moving",
        ",",
        " okay",
        "?",
        " My",
        " son",
        " is",
        " 3.5",
        " feet",
        ",",
        " see",
        ".",
    ]
    for token in tokens:
        pieces += splitter.feed(token)
    assert pieces == ["I'm not moving,", "okay?", "My son is 3.5 feet,"]
    assert splitter.flush() == "see."
    assert splitter.flush() == ""


def test_short_clause_waits_for_more_words():
    splitter = ClauseSplitter()
    assert splitter.feed("No, no, ") == []
    assert splitter.feed("I did not do anything, ") == ["No, no, I did not do anything,"]
