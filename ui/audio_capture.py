"""Microphone capture with QtMultimedia: 16 kHz mono for whisper, a level meter, and two modes.

Push-to-talk records from ``start_push_to_talk()`` to ``stop()``. Hands-free keeps the microphone
open and hands over each utterance when the end-of-utterance detector hears the trainee stop.
Devices that cannot record 16 kHz mono 16-bit are recorded in their preferred format and converted.
Audio arrives on the UI thread in small chunks; converting and measuring a chunk takes well under
a millisecond, so nothing here needs a worker thread.
"""

from __future__ import annotations

import logging

import numpy as np
from deescal.models.audio import SPEECH_RATE, meter_fraction, pcm16_to_float, resample
from deescal.models.utterance import UtteranceDetector
from PySide6.QtCore import QCoreApplication, QIODevice, QMicrophonePermission, QObject, Qt, Signal
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QMediaDevices, QtAudio

log = logging.getLogger(__name__)

NO_MICROPHONE = "No microphone found. Connect one (it shows up here by itself) or type your replies instead."
NO_PERMISSION = (
    "DeEscal Trainer is not allowed to use the microphone. Allow it in your system's privacy "
    "settings, or type your replies instead."
)
MAX_PUSH_TO_TALK_S = 60.0
MIN_RECORDING_S = 0.3  # a tap on the talk key, not speech


def microphones() -> list[QAudioDevice]:
    return list(QMediaDevices.audioInputs())


def find_microphone(device_id: str | None) -> QAudioDevice | None:
    """The saved device if it is still plugged in, else the system default; None when there is none."""
    devices = microphones()
    if not devices:
        return None
    for device in devices:
        if device_id and bytes(device.id()).decode(errors="replace") == device_id:
            return device
    default = QMediaDevices.defaultAudioInput()
    return default if not default.isNull() else devices[0]


def device_key(device: QAudioDevice) -> str:
    return bytes(device.id()).decode(errors="replace")


def microphone_permission_denied() -> bool:
    app = QCoreApplication.instance()
    if app is None:
        return False
    return app.checkPermission(QMicrophonePermission()) == Qt.PermissionStatus.Denied


def _speech_format() -> QAudioFormat:
    fmt = QAudioFormat()
    fmt.setSampleRate(SPEECH_RATE)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


def to_speech_samples(raw: bytes, fmt: QAudioFormat) -> np.ndarray:
    """Raw device bytes in ``fmt`` -> 16 kHz mono float32."""
    channels = max(1, fmt.channelCount())
    kind = fmt.sampleFormat()
    if kind == QAudioFormat.SampleFormat.Int16:
        samples = pcm16_to_float(raw, channels)
    else:
        if kind == QAudioFormat.SampleFormat.Float:
            data = np.frombuffer(raw[: len(raw) - len(raw) % 4], dtype="<f4")
        elif kind == QAudioFormat.SampleFormat.Int32:
            data = (
                np.frombuffer(raw[: len(raw) - len(raw) % 4], dtype="<i4").astype(np.float32) / 2147483648.0
            )
        else:  # UInt8
            data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
        data = data[: len(data) - len(data) % channels]
        samples = data.reshape(-1, channels).mean(axis=1) if channels > 1 else data.astype(np.float32)
    return resample(samples, fmt.sampleRate(), SPEECH_RATE)


class MicrophoneCapture(QObject):
    level = Signal(float)  # 0..1, with every chunk (about 10 a second) while the microphone is open
    speech_started = Signal()  # the trainee began talking (push-to-talk pressed, or voice heard)
    captured = Signal(object)  # np.ndarray: one utterance, 16 kHz mono float32
    too_short = Signal()  # push-to-talk released before anything was said
    error = Signal(str)
    state_changed = Signal(str)  # "idle", "recording" (push-to-talk) or "listening" (hands-free)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device_id: str | None = None
        self.state = "idle"
        self.detector = UtteranceDetector()
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._format = _speech_format()
        self._recorded: list[np.ndarray] = []
        self._recorded_s = 0.0
        self._paused = False

    @property
    def available(self) -> bool:
        return bool(microphones())

    def unavailable_reason(self) -> str | None:
        """Why voice input cannot be used right now, in words for the trainee; None when it can."""
        if microphone_permission_denied():
            return NO_PERMISSION
        if not self.available:
            return NO_MICROPHONE
        return None

    def set_paused(self, paused: bool) -> None:
        """Hands-free ignores the microphone while paused (the civilian's voice must not count)."""
        self._paused = paused
        if paused:
            self.detector.reset()

    # -- modes -----------------------------------------------------------------------------------
    def start_push_to_talk(self) -> bool:
        if self.state == "recording":
            return True
        if not self._open():
            return False
        self._recorded, self._recorded_s = [], 0.0
        self._set_state("recording")
        self.speech_started.emit()
        return True

    def start_hands_free(self) -> bool:
        if self.state == "listening":
            return True
        if not self._open():
            return False
        self.detector.reset()
        self._set_state("listening")
        return True

    def stop(self) -> None:
        """Ends push-to-talk (handing over what was said) or closes hands-free listening."""
        was_recording = self.state == "recording"
        self._close()
        if was_recording:
            audio = np.concatenate(self._recorded) if self._recorded else np.zeros(0, np.float32)
            self._recorded = []
            if len(audio) / SPEECH_RATE < MIN_RECORDING_S:
                self.too_short.emit()
            else:
                self.captured.emit(audio)

    def cancel(self) -> None:
        """Closes the microphone and drops whatever was being recorded."""
        self._recorded = []
        self._close()

    # -- audio ------------------------------------------------------------------------------------
    def process_audio(self, samples: np.ndarray) -> None:
        """Handles 16 kHz mono samples from the device (also how tests drive a capture)."""
        if samples.size == 0:
            return
        self.level.emit(meter_fraction(samples))
        if self.state == "recording":
            self._recorded.append(samples)
            self._recorded_s += len(samples) / SPEECH_RATE
            if self._recorded_s >= MAX_PUSH_TO_TALK_S:
                self.stop()
        elif self.state == "listening" and not self._paused:
            for event in self.detector.feed(samples):
                if event.kind == "started":
                    self.speech_started.emit()
                elif event.audio is not None and len(event.audio) / SPEECH_RATE >= MIN_RECORDING_S:
                    self.captured.emit(event.audio)

    def _read(self) -> None:
        if self._io is None:
            return
        raw = bytes(self._io.readAll().data())
        if raw:
            self.process_audio(to_speech_samples(raw, self._format))

    def _open(self) -> bool:
        reason = self.unavailable_reason()
        if reason:
            self.error.emit(reason)
            return False
        device = find_microphone(self.device_id)
        if device is None:
            self.error.emit(NO_MICROPHONE)
            return False
        wanted = _speech_format()
        self._format = wanted if device.isFormatSupported(wanted) else device.preferredFormat()
        self._source = QAudioSource(device, self._format, self)
        self._source.setBufferSize(int(self._format.bytesForDuration(100_000)))  # 100 ms
        self._io = self._source.start()
        if self._io is None or self._source.error() != QtAudio.Error.NoError:
            log.warning("microphone %s failed to open: %s", device.description(), self._source.error())
            self._close()
            self.error.emit(
                f"The microphone “{device.description()}” could not be opened. It may be in use by "
                "another program; pick another one, or type your replies instead."
            )
            return False
        self._io.readyRead.connect(self._read)
        log.info("microphone open: %s at %s Hz", device.description(), self._format.sampleRate())
        return True

    def _close(self) -> None:
        if self._source is not None:
            self._source.stop()
            self._source.deleteLater()
        self._source, self._io = None, None
        self.level.emit(0.0)
        self._set_state("idle")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
