"""The trainee's voice input: talk, see (and fix) what was heard, send.

Push-to-talk (hold Space or the talk button) or hands-free (the utterance ends when the trainee
stops talking). What whisper heard appears in an editable line (the bar's own, or the owner's
``entry``); Enter or Send hands the final text over through ``text_ready``. Without a microphone
the same line is simply a typing box, and a message says why voice is off.
"""

from __future__ import annotations

import logging

import numpy as np
from deescal.app.context import AppContext
from deescal.app.voice import VoiceService
from deescal.models.stt import SpeechToText
from deescal.ui.audio_capture import MicrophoneCapture, device_key, find_microphone, microphones
from deescal.ui.tasks import Policy, TaskLane
from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)
NOT_HEARD = "Nothing was heard. Try again a little closer to the microphone, or type your reply."


class VoiceBar(QWidget):
    text_ready = Signal(str)  # what the trainee says this turn, after any edits
    speech_started = Signal()  # the trainee began talking: the civilian should stop speaking
    mute_changed = Signal(bool)  # the civilian's voice muted / unmuted

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, entry: QLineEdit | None = None
    ) -> None:
        """``entry``: the owner's text box to fill (the owner then sends and clears it itself)."""
        super().__init__(parent)
        self._entry = entry
        self.voice = ctx.service(VoiceService)
        prefs = self.voice.settings
        self.capture = MicrophoneCapture(self)
        self.capture.device_id = prefs.input_device
        self._queue: list[np.ndarray] = []
        self._transcribing = TaskLane(Policy.REFUSE, parent=self)  # one recording at a time, from _queue
        self._warming = TaskLane(Policy.REFUSE, parent=self)  # loads the speech model ahead of use
        self._model_error: str | None = None
        self._civilian_speaking = False
        self._filter_installed = False
        self._reasons_shown: set[str] = set()
        self._build(prefs)
        self._media = QMediaDevices(self)
        self._media.audioInputsChanged.connect(self.refresh_devices)
        self.refresh_devices()

    def _build(self, prefs) -> None:
        self.talk_button = QPushButton("Hold to talk")
        self.talk_button.setToolTip("Hold Space (with the reply box empty) or this button while you speak")
        self.talk_button.pressed.connect(self.begin_talking)
        self.talk_button.released.connect(self.end_talking)
        self.hands_free_box = QCheckBox("Hands-free")
        self.hands_free_box.setToolTip("Keep the microphone open; each reply ends when you stop talking")
        self.hands_free_box.setChecked(prefs.hands_free)
        self.hands_free_box.toggled.connect(self._hands_free_toggled)
        self.level_meter = QProgressBar()
        self.level_meter.setRange(0, 100)
        self.level_meter.setTextVisible(False)
        self.level_meter.setFixedWidth(110)
        self.level_meter.setAccessibleName("Microphone level")
        self.device_combo = QComboBox()
        self.device_combo.setAccessibleName("Microphone")
        self.device_combo.setMinimumContentsLength(18)
        self.device_combo.currentIndexChanged.connect(self._device_chosen)
        self.mute_button = QToolButton()
        self.mute_button.setCheckable(True)
        self.mute_button.setChecked(prefs.muted)
        self.mute_button.setText("Voice muted" if prefs.muted else "Mute voice")
        self.mute_button.setToolTip("Mute or unmute the civilian's spoken replies")
        self.mute_button.toggled.connect(self._mute_toggled)

        self.transcript_edit = self._entry or QLineEdit()
        self.send_button: QPushButton | None = None
        if self._entry is None:
            self.send_button = QPushButton("Send")
            self.transcript_edit.setPlaceholderText(
                "What you say appears here: fix it if needed, or type, then press Enter"
            )
            self.transcript_edit.setAccessibleName("Your reply")
            self.transcript_edit.returnPressed.connect(self.send)
            self.send_button.clicked.connect(self.send)
        self.send_at_once_box = QCheckBox("Send without review")
        self.send_at_once_box.setToolTip("Send what was heard at once, without a chance to edit it")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setObjectName("voiceStatus")

        controls = QHBoxLayout()
        for widget in (self.talk_button, self.hands_free_box, self.level_meter, self.device_combo):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.mute_button)
        entry = QHBoxLayout()
        if self._entry is None:
            entry.addWidget(self.transcript_edit, 1)
            entry.addWidget(self.send_button)
        footer = QHBoxLayout()
        footer.addWidget(self.status_label, 1)
        footer.addWidget(self.send_at_once_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addLayout(entry)
        layout.addLayout(footer)

        self.capture.level.connect(lambda value: self.level_meter.setValue(int(value * 100)))
        self.capture.speech_started.connect(self._speech_started)
        self.capture.captured.connect(self.transcribe)
        self.capture.too_short.connect(
            lambda: self.show_status("Hold the key down for as long as you speak.")
        )
        self.capture.error.connect(self._capture_error)
        self.capture.state_changed.connect(self._capture_state)

    # -- public ----------------------------------------------------------------------------------
    @property
    def voice_input_available(self) -> bool:
        return self.capture.unavailable_reason() is None and self._model_error is None

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)
        if text and not self.voice_input_available:
            self._reasons_shown.add(text)

    def set_civilian_speaking(self, speaking: bool) -> None:
        """Hands-free stops listening while the civilian talks, so their voice is not taken as yours."""
        self._civilian_speaking = speaking
        self.capture.set_paused(speaking)
        if self.capture.state == "listening":
            self.show_status("The civilian is speaking…" if speaking else "Listening: just talk.")

    @Slot()
    def refresh_devices(self) -> None:
        """Fills the microphone list; without one, voice input turns off with the reason shown."""
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        devices = microphones()
        for device in devices:
            self.device_combo.addItem(device.description(), device_key(device))
        if not devices:
            self.device_combo.addItem("No microphone")
        wanted = self.capture.device_id
        index = self.device_combo.findData(wanted) if wanted else -1
        if index < 0 and devices:
            index = self.device_combo.findData(device_key(find_microphone(None)))
        self.device_combo.setCurrentIndex(max(0, index))
        self.device_combo.blockSignals(False)
        self._update_availability()

    @Slot()
    def begin_talking(self) -> None:
        if not self.voice_input_available or self.capture.state == "recording":
            return
        if self.capture.state == "listening":
            self.capture.cancel()
        if self.capture.start_push_to_talk():
            self.show_status("Recording… release to finish.")

    @Slot()
    def end_talking(self) -> None:
        if self.capture.state == "recording":
            self.capture.stop()
            if self.hands_free_box.isChecked():
                self.capture.start_hands_free()

    @Slot(object)
    def transcribe(self, audio: np.ndarray) -> None:
        """Turns one utterance into text in the background; utterances wait their turn in order."""
        self._queue.append(audio)
        self._transcribe_next()

    @Slot()
    def send(self) -> None:
        text = self.transcript_edit.text().strip()
        if not text:
            return
        if self._entry is None:
            self.transcript_edit.clear()
        self.text_ready.emit(text)

    def shutdown(self) -> None:
        self.capture.cancel()
        self._queue.clear()

    # -- microphone --------------------------------------------------------------------------------
    def _update_availability(self) -> None:
        reason = self.capture.unavailable_reason() or self._model_error
        usable = reason is None
        self.talk_button.setEnabled(usable)
        self.hands_free_box.setEnabled(usable)
        self.device_combo.setEnabled(bool(microphones()))
        self.level_meter.setEnabled(usable)
        if reason:
            self.capture.cancel()
            self.show_status(reason)
            return
        if self.status_label.text() in self._reasons_shown:
            self.show_status("")
        if self.hands_free_box.isChecked() and self.isVisible():
            self.capture.start_hands_free()

    @Slot(int)
    def _device_chosen(self, index: int) -> None:
        key = self.device_combo.itemData(index)
        if not key:
            return
        self.capture.device_id = key
        self.voice.update_settings(input_device=key)
        if self.capture.state == "listening":
            self.capture.cancel()
            self.capture.start_hands_free()

    @Slot(bool)
    def _hands_free_toggled(self, on: bool) -> None:
        self.voice.update_settings(hands_free=on)
        if on and self.voice_input_available:
            self.capture.start_hands_free()
        elif not on and self.capture.state == "listening":
            self.capture.cancel()

    @Slot(bool)
    def _mute_toggled(self, muted: bool) -> None:
        self.mute_button.setText("Voice muted" if muted else "Mute voice")
        self.voice.update_settings(muted=muted)
        self.mute_changed.emit(muted)

    @Slot()
    def _speech_started(self) -> None:
        self.speech_started.emit()
        if self.capture.state == "listening":
            self.show_status("Hearing you…")

    @Slot(str)
    def _capture_error(self, message: str) -> None:
        self.show_status(message)
        self.hands_free_box.blockSignals(True)
        self.hands_free_box.setChecked(False)
        self.hands_free_box.blockSignals(False)

    @Slot(str)
    def _capture_state(self, state: str) -> None:
        if state == "listening":
            self.show_status(
                "The civilian is speaking…" if self._civilian_speaking else "Listening: just talk."
            )
        if state == "idle":
            self.level_meter.setValue(0)

    # -- transcription -----------------------------------------------------------------------------
    def _transcribe_next(self) -> None:
        if self._transcribing.busy or not self._queue:
            return
        audio = self._queue.pop(0)
        self.show_status("Transcribing…")
        self._transcribing.start(
            _transcribe,
            self.voice.stt(),  # the model chosen in Settings now
            audio,
            on_result=self._transcribed,
            on_error=self._transcription_failed,
            on_finished=self._transcribe_next,
        )

    @Slot(object)
    def _transcribed(self, text: str) -> None:
        if not text:
            self.show_status(NOT_HEARD)
            return
        before = self.transcript_edit.text().strip()
        self.transcript_edit.setText(f"{before} {text}" if before else text)
        self.transcript_edit.setFocus()
        if self.send_at_once_box.isChecked():
            self.send()
            self.show_status("")
        else:
            self.show_status("Check the words, then press Enter to send.")

    @Slot(str)
    def _transcription_failed(self, message: str) -> None:
        self.show_status(message)

    @Slot(str)
    def _model_failed(self, message: str) -> None:
        """The speech model cannot load: voice input stays off, typing still works."""
        self._model_error = f"{message} Voice input is off; type your replies."
        self._queue.clear()
        self._update_availability()

    def _preload_model(self) -> None:
        stt = self.voice.stt()
        if stt.loaded:
            return
        self._warming.start(lambda _control, model: model.warm_up(), stt, on_error=self._model_failed)

    # -- Space as push-to-talk -------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._filter_installed:
            QApplication.instance().installEventFilter(self)
            self._filter_installed = True
        if self.capture.unavailable_reason() is None:
            self._model_error = None  # the model may have been changed in Settings since: try it again
            self._update_availability()
            self._preload_model()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._filter_installed:
            QApplication.instance().removeEventFilter(self)
            self._filter_installed = False
        self.capture.cancel()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if not isinstance(event, QKeyEvent) or event.key() != Qt.Key.Key_Space or not self._space_is_ours():
            return False
        if event.isAutoRepeat():
            return self.capture.state == "recording"
        if event.type() == QEvent.Type.KeyPress:
            self.begin_talking()
        else:
            self.end_talking()
        return True

    def _space_is_ours(self) -> bool:
        """Space talks only when it would not type a space somewhere and voice input works."""
        if not self.isVisible() or not self.talk_button.isEnabled():
            return False
        focus = QApplication.focusWidget()
        if focus is self.transcript_edit and not focus.text():
            return QApplication.activeModalWidget() is None  # an empty reply box: nobody types a space first
        if focus is not None and (isinstance(focus, TEXT_INPUTS) or focus.window() is not self.window()):
            return False
        return QApplication.activeModalWidget() is None


def _transcribe(control, stt: SpeechToText, audio: np.ndarray) -> str:
    return stt.transcribe(audio, cancelled=lambda: control.cancelled).text
