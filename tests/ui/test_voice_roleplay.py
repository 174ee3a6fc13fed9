"""The voice loop on the Role-play page, with the real models: speak -> edit -> send -> scored ->
the reply streams in and is spoken; talking again silences the civilian."""

from __future__ import annotations

import pytest
from deescal.app import sessions as db
from deescal.models.audio import read_speech
from deescal.models.tts import SpeechStyle, SpeechSynthesizer
from deescal.ui.audio_capture import NO_MICROPHONE
from deescal.ui.main_window import MainWindow
from PySide6.QtCore import Qt


@pytest.fixture
def view(ctx, qtbot):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("Role-play")
    yield page
    window.close()  # drains the task layer, then each page cleans up


def test_spoken_turn_is_scored_and_the_reply_is_spoken(view, qtbot, tmp_path):
    view.setup.scenario_edit.setText("mh-001")
    qtbot.mouseClick(view.setup.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.session is not None and view.input.isEnabled(), timeout=120_000)
    assert view.voice_bar.status_label.text() == NO_MICROPHONE  # no microphone here: typing still works

    said = SpeechSynthesizer().render(
        "Hi, I am Officer Diaz. Can you tell me what is going on?",
        tmp_path / "turn.wav",
        SpeechStyle(voice="en-us"),
    )
    view.voice_bar.capture.captured.emit(read_speech(said))  # what the microphone hands over
    qtbot.waitUntil(lambda: "going on" in view.input.text().lower(), timeout=30_000)
    view.input.setText(view.input.text() + " I'm here to help.")  # edited before sending
    clauses: list[str] = []
    view.speech.clause_started.connect(clauses.append)
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.input.isEnabled(), timeout=60_000)

    officer, civilian = db.turns(view.ctx.store, view.session.id)[:2]
    assert officer.text.endswith("I'm here to help.") and officer.auto_score is not None
    assert civilian.role == "civilian" and civilian.text
    # a first attempt that was discarded and tried again may have begun to be spoken (and was cut
    # off when the reply started over), so look for a clause of the reply that was kept
    qtbot.waitUntil(lambda: any(c.split()[0].strip(",.!?") in civilian.text for c in clauses), timeout=20_000)

    view.speech.speak("And one more thing. I am not going anywhere.", tension=5.0)
    view.voice_bar.capture.speech_started.emit()  # the trainee starts talking again
    qtbot.waitUntil(lambda: not view.speech.speaking, timeout=5_000)
    spoken = len(clauses)
    qtbot.wait(500)
    assert len(clauses) == spoken
