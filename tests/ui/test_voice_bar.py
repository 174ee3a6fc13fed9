"""The VoiceBar on a machine with no microphone (like this one), and fed recorded speech."""

from __future__ import annotations

import numpy as np
import pytest
from deescal.app.settings import set_setting
from deescal.app.voice import VoiceSettings
from deescal.models.audio import SPEECH_RATE, read_speech
from deescal.models.tts import SpeechStyle, SpeechSynthesizer
from deescal.ui.audio_capture import NO_MICROPHONE
from deescal.ui.tasks import drain
from deescal.ui.widgets.voice_bar import VoiceBar
from PySide6.QtCore import Qt


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> np.ndarray:
    path = SpeechSynthesizer().render(
        "Please step back from the door.",
        tmp_path_factory.mktemp("voice") / "s.wav",
        SpeechStyle(voice="en-us"),
    )
    return read_speech(path)


def room(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * SPEECH_RATE)) * 0.002).astype(np.float32)


@pytest.fixture
def bar(qtbot, ctx) -> VoiceBar:
    widget = VoiceBar(ctx)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    drain()
    widget.shutdown()


def test_without_a_microphone_the_bar_says_so_and_typing_still_works(qtbot, bar):
    assert bar.status_label.text() == NO_MICROPHONE
    assert not bar.talk_button.isEnabled() and not bar.hands_free_box.isEnabled()
    assert bar.device_combo.currentText() == "No microphone" and not bar.device_combo.isEnabled()
    bar.transcript_edit.setFocus()
    with qtbot.waitSignal(bar.text_ready) as sent:
        qtbot.keyClicks(bar.transcript_edit, "Hi, I'm Officer Lee. How can I help?")
        qtbot.keyClick(bar.transcript_edit, Qt.Key.Key_Return)
    assert sent.args == ["Hi, I'm Officer Lee. How can I help?"]
    assert bar.transcript_edit.text() == ""


def test_space_and_the_talk_button_do_nothing_without_a_microphone(qtbot, bar):
    bar.talk_button.setFocus()
    qtbot.keyPress(bar.talk_button, Qt.Key.Key_Space)
    qtbot.keyRelease(bar.talk_button, Qt.Key.Key_Space)
    bar.begin_talking()
    assert bar.capture.state == "idle"
    assert bar.status_label.text() == NO_MICROPHONE


def test_heard_speech_appears_for_editing_and_is_sent_as_edited(qtbot, bar, spoken):
    bar.capture.captured.emit(spoken)  # what an open microphone hands over at the end of a turn
    qtbot.waitUntil(lambda: "step back" in bar.transcript_edit.text().lower(), timeout=30_000)
    assert "press Enter" in bar.status_label.text()
    bar.transcript_edit.setText(bar.transcript_edit.text() + " Thank you.")
    with qtbot.waitSignal(bar.text_ready) as sent:
        qtbot.mouseClick(bar.send_button, Qt.MouseButton.LeftButton)
    assert sent.args[0].lower().startswith("please step back") and sent.args[0].endswith("Thank you.")


def test_hands_free_sends_each_utterance_when_the_trainee_stops(qtbot, bar, spoken):
    bar.send_at_once_box.setChecked(True)
    bar.capture.state = "listening"  # no device here: the state an open microphone would be in
    started, levels = [], []
    bar.speech_started.connect(lambda: started.append(True))
    bar.capture.level.connect(levels.append)
    audio = np.concatenate([room(0.6), spoken + room(len(spoken) / SPEECH_RATE, 1), room(1.2, 2)])
    with qtbot.waitSignal(bar.text_ready, timeout=30_000) as sent:
        for start in range(0, len(audio), 1600):
            bar.capture.process_audio(audio[start : start + 1600])
    assert started == [True]
    assert "back from the door" in sent.args[0].lower()
    assert max(levels) > 0.5 > min(levels)


def test_hands_free_ignores_the_civilian_while_they_speak(qtbot, bar, spoken):
    bar.capture.state = "listening"
    bar.set_civilian_speaking(True)
    started = []
    bar.speech_started.connect(lambda: started.append(True))
    bar.capture.process_audio(np.concatenate([room(0.6), spoken, room(1.2, 3)]))
    assert started == []
    assert bar.status_label.text() == "The civilian is speaking…"


def test_silence_is_reported_not_sent(qtbot, bar):
    bar.capture.captured.emit(room(1.0))
    qtbot.waitUntil(lambda: "Nothing was heard" in bar.status_label.text(), timeout=30_000)
    assert bar.transcript_edit.text() == ""


def test_mute_is_remembered(qtbot, bar, ctx):
    with qtbot.waitSignal(bar.mute_changed) as muted:
        qtbot.mouseClick(bar.mute_button, Qt.MouseButton.LeftButton)
    assert muted.args == [True] and VoiceSettings.load(ctx).muted
    assert bar.mute_button.text() == "Voice muted"


def test_a_broken_speech_model_is_explained(qtbot, ctx, tmp_path, spoken):
    set_setting(ctx.store, "voice.stt_model_dir", str(tmp_path))
    widget = VoiceBar(ctx)
    qtbot.addWidget(widget)
    widget.show()
    widget.capture.captured.emit(spoken)
    qtbot.waitUntil(lambda: "not a faster-whisper model folder" in widget.status_label.text(), timeout=10_000)
    drain()
    widget.shutdown()


def test_a_bar_can_fill_its_owners_text_box(qtbot, ctx, spoken):
    from PySide6.QtWidgets import QLineEdit

    entry = QLineEdit()
    qtbot.addWidget(entry)
    widget = VoiceBar(ctx, entry=entry)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.send_button is None and widget.transcript_edit is entry
    widget.send_at_once_box.setChecked(True)
    with qtbot.waitSignal(widget.text_ready, timeout=30_000) as sent:
        widget.capture.captured.emit(spoken)
    assert "back from the door" in sent.args[0].lower()
    assert entry.text() == sent.args[0]  # the owner sends it and clears its own box
    drain()
    widget.shutdown()
