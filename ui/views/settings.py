"""Settings page: the look (light or dark theme, text size), where the data lives, when a role-play
counts as escalated, the speech-to-text model, the civilian's voice, the microphone.

Every change is saved at once (no Apply button to forget). A new speech model folder is loaded in
the background first and kept only if it works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.errors import ModelError
from deescal.app.roleplay.session import CONTRAST_DEFAULT, CONTRAST_SETTING
from deescal.app.roleplay.tension import ESCALATED_SETTING, ESCALATED_TURNS
from deescal.app.settings import get_setting, set_setting
from deescal.app.voice import VoiceService
from deescal.models.stt import EMBEDDED_LABEL, SpeechToText, check_model_dir, model_label
from deescal.ui import theme
from deescal.ui.audio_capture import NO_MICROPHONE, device_key, microphones
from deescal.ui.speech_player import SpeechPlayer
from deescal.ui.tasks import Policy, TaskLane, show_error
from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

SAMPLE_LINE = "I already told you, I did not do anything. Why are you even here?"


class SettingsView(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.voice = ctx.service(VoiceService)
        self._player: SpeechPlayer | None = None
        self._checking = TaskLane(Policy.REFUSE, parent=self)  # one speech model folder at a time
        prefs = self.voice.settings
        layout = QVBoxLayout(self)
        heading = QLabel("<h2>Settings</h2>")
        layout.addWidget(heading)
        layout.addWidget(self._appearance_group())
        layout.addWidget(self._data_group())
        layout.addWidget(self._roleplay_group())
        layout.addWidget(self._speech_model_group(prefs))
        layout.addWidget(self._voice_group(prefs))
        layout.addWidget(self._microphone_group())
        layout.addStretch(1)
        self._media = QMediaDevices(self)
        self._media.audioInputsChanged.connect(self.refresh_microphones)
        self.refresh_microphones()

    # -- appearance ----------------------------------------------------------------------------------
    def _appearance_group(self) -> QGroupBox:
        box = QGroupBox("Appearance")
        self.theme_combo = QComboBox()
        self.theme_combo.addItem("Light", theme.LIGHT.name)
        self.theme_combo.addItem("Dark", theme.DARK.name)
        self.font_spin = QSpinBox()
        self.font_spin.setRange(*theme.FONT_SIZES)
        self.font_spin.setSuffix(" pt")
        self.font_spin.setToolTip("Text size of the whole app; 14 pt or more reads well on a projector")
        self._show_appearance()
        self.theme_combo.currentIndexChanged.connect(
            lambda _i: theme.choose(self.ctx, theme_name=self.theme_combo.currentData())
        )
        self.font_spin.valueChanged.connect(lambda size: theme.choose(self.ctx, font_size=size))
        form = QFormLayout(box)
        form.addRow("Theme", self.theme_combo)
        form.addRow("Text size", self.font_spin)
        return box

    def _show_appearance(self) -> None:
        """The saved choice (View menu changes it too)."""
        for widget in (self.theme_combo, self.font_spin):
            widget.blockSignals(True)
        self.theme_combo.setCurrentIndex(self.theme_combo.findData(theme.saved_theme(self.ctx)))
        self.font_spin.setValue(theme.saved_font_size(self.ctx))
        for widget in (self.theme_combo, self.font_spin):
            widget.blockSignals(False)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._show_appearance()

    # -- data folder -------------------------------------------------------------------------------
    def _data_group(self) -> QGroupBox:
        box = QGroupBox("Data folder")
        self.data_path_label = QLabel(str(self.ctx.data.root))
        self.data_path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.setToolTip("Show the database, models, exports, logs and backups")
        self.open_folder_button.clicked.connect(self.open_data_folder)
        self.data_status = QLabel()
        row = QHBoxLayout(box)
        row.addWidget(self.data_path_label, 1)
        row.addWidget(self.data_status)
        row.addWidget(self.open_folder_button)
        return box

    @Slot()
    def open_data_folder(self) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.data.root))):
            self.data_status.setText("No file manager could open it: copy the path instead.")

    # -- role-play -----------------------------------------------------------------------------------
    def _roleplay_group(self) -> QGroupBox:
        box = QGroupBox("Role-play")
        self.escalated_spin = QSpinBox()
        self.escalated_spin.setRange(1, 6)
        self.escalated_spin.setSuffix(" officer lines")
        self.escalated_spin.setValue(int(get_setting(self.ctx.store, ESCALATED_SETTING, ESCALATED_TURNS)))
        self.escalated_spin.setToolTip(
            "At the top of the tension scale the civilian escalates in words; the session ends as "
            "escalated only after this many lines there in a row, so the trainee can try to recover."
        )
        self.escalated_spin.valueChanged.connect(
            lambda value: set_setting(self.ctx.store, ESCALATED_SETTING, int(value))
        )
        self.contrast_check = QCheckBox("Civilian answers the officer's words more closely")
        self.contrast_check.setChecked(bool(get_setting(self.ctx.store, CONTRAST_SETTING, CONTRAST_DEFAULT)))
        self.contrast_check.setToolTip(
            "Each reply is weighed against what the civilian would say without the officer's last line, "
            "so it answers what was said (judged more believable); replies take about twice as long to "
            "write. Applies from the next session."
        )
        self.contrast_check.toggled.connect(
            lambda checked: set_setting(self.ctx.store, CONTRAST_SETTING, bool(checked))
        )
        form = QFormLayout(box)
        form.addRow("End as escalated after", self.escalated_spin)
        form.addRow("Replies", self.contrast_check)
        return box

    # -- speech-to-text model ----------------------------------------------------------------------
    def _speech_model_group(self, prefs) -> QGroupBox:
        box = QGroupBox("Speech-to-text model")
        self.embedded_radio = QRadioButton(f"{EMBEDDED_LABEL}: fast, English")
        self.custom_radio = QRadioButton("Another faster-whisper model folder (base.en, small.en …):")
        group = QButtonGroup(box)
        group.addButton(self.embedded_radio)
        group.addButton(self.custom_radio)
        self.model_path_edit = QLineEdit(prefs.stt_model_dir or "")
        self.model_path_edit.setReadOnly(True)
        self.model_path_edit.setPlaceholderText("no folder chosen")
        self.choose_model_button = QPushButton("Choose folder…")
        self.choose_model_button.clicked.connect(self._choose_model_folder)
        self.model_status = QLabel(f"Using {model_label(prefs.stt_model_dir)}.")
        self.model_status.setWordWrap(True)
        (self.custom_radio if prefs.stt_model_dir else self.embedded_radio).setChecked(True)
        self.embedded_radio.toggled.connect(self._embedded_toggled)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.model_path_edit, 1)
        folder_row.addWidget(self.choose_model_button)
        column = QVBoxLayout(box)
        column.addWidget(self.embedded_radio)
        column.addWidget(self.custom_radio)
        column.addLayout(folder_row)
        column.addWidget(self.model_status)
        return box

    @Slot(bool)
    def _embedded_toggled(self, on: bool) -> None:
        if on:
            self.voice.update_settings(stt_model_dir=None)
            self.model_status.setText(f"Using {EMBEDDED_LABEL}.")
        elif not self.voice.settings.stt_model_dir:
            self._choose_model_folder()

    @Slot()
    def _choose_model_folder(self) -> None:
        start = self.model_path_edit.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Choose a faster-whisper model folder", start)
        if folder:
            self.use_model_folder(folder)
        else:
            self._show_model_choice(self.voice.settings.stt_model_dir)

    def use_model_folder(self, folder: str) -> None:
        """Checks the folder, loads the model in the background, and keeps it only if it loads."""
        try:
            path = check_model_dir(folder)
        except ModelError as exc:
            self._model_refused(str(exc))
            return
        self.model_status.setText(f"Loading {model_label(path)}…")
        self.choose_model_button.setEnabled(False)
        self._checking.start(
            _load_model,
            path,
            on_result=self._model_loaded,
            on_error=self._model_refused,
            on_finished=lambda: self.choose_model_button.setEnabled(True),
        )

    def _model_loaded(self, loaded: LoadedModel) -> None:
        folder, seconds = loaded.folder, loaded.seconds
        self.voice.update_settings(stt_model_dir=folder)
        self.model_path_edit.setText(folder)
        self._show_model_choice(folder)
        self.model_status.setText(f"Using {model_label(folder)} (loaded in {seconds:.1f} s).")

    @Slot(str)
    def _model_refused(self, message: str) -> None:
        current = self.voice.settings.stt_model_dir
        show_error(self.model_status, f"{message} Still using {model_label(current)}.")
        self._show_model_choice(current)

    def _show_model_choice(self, folder: str | None) -> None:
        self.embedded_radio.blockSignals(True)
        (self.custom_radio if folder else self.embedded_radio).setChecked(True)
        self.embedded_radio.blockSignals(False)

    # -- the civilian's voice ----------------------------------------------------------------------
    def _voice_group(self, prefs) -> QGroupBox:
        box = QGroupBox("The civilian's voice")
        self.voice_enabled_box = QCheckBox("Speak the civilian's replies aloud")
        self.voice_enabled_box.setChecked(prefs.enabled)
        self.voice_enabled_box.toggled.connect(lambda on: self.voice.update_settings(enabled=on))
        self.rate_slider = _slider(50, 150, round(prefs.rate_scale * 100))
        self.rate_label = QLabel()
        self.rate_slider.valueChanged.connect(self._rate_changed)
        self.volume_slider = _slider(0, 100, round(prefs.volume * 100))
        self.volume_label = QLabel()
        self.volume_slider.valueChanged.connect(self._volume_changed)
        self._show_slider_values()
        self.test_voice_button = QPushButton("Test voice")
        self.test_voice_button.setToolTip("Hear an agitated civilian at these settings")
        self.test_voice_button.clicked.connect(self.test_voice)
        self.voice_status = QLabel()
        self.voice_status.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow(self.voice_enabled_box)
        form.addRow(self.rate_label, self.rate_slider)
        form.addRow(self.volume_label, self.volume_slider)
        form.addRow(self.test_voice_button, self.voice_status)
        return box

    def _show_slider_values(self) -> None:
        self.rate_label.setText(f"Speaking rate: {self.rate_slider.value()}%")
        self.volume_label.setText(f"Volume: {self.volume_slider.value()}%")

    @Slot(int)
    def _rate_changed(self, value: int) -> None:
        self.voice.update_settings(rate_scale=value / 100)
        self._show_slider_values()

    @Slot(int)
    def _volume_changed(self, value: int) -> None:
        self.voice.update_settings(volume=value / 100)
        self._show_slider_values()

    @Slot()
    def test_voice(self) -> None:
        if self._player is None:
            self._player = SpeechPlayer(self.voice, self)
            self._player.set_character("Test civilian", "male", 40)
            self._player.message.connect(self.voice_status.setText)
        if not self.voice.settings.enabled:
            self.voice_status.setText("Spoken replies are off: tick the box above to hear them.")
            return
        self._player.stop()
        self._player.muted = False
        self._player.speak(SAMPLE_LINE, tension=7.0)

    # -- microphone ----------------------------------------------------------------------------
    def _microphone_group(self) -> QGroupBox:
        box = QGroupBox("Microphone")
        self.microphone_combo = QComboBox()
        self.microphone_combo.currentIndexChanged.connect(self._microphone_chosen)
        self.microphone_status = QLabel()
        self.microphone_status.setWordWrap(True)
        column = QVBoxLayout(box)
        column.addWidget(self.microphone_combo)
        column.addWidget(self.microphone_status)
        return box

    @Slot()
    def refresh_microphones(self) -> None:
        self.microphone_combo.blockSignals(True)
        self.microphone_combo.clear()
        devices = microphones()
        self.microphone_combo.addItem("System default", None)
        for device in devices:
            self.microphone_combo.addItem(device.description(), device_key(device))
        saved = self.voice.settings.input_device
        self.microphone_combo.setCurrentIndex(max(0, self.microphone_combo.findData(saved)) if saved else 0)
        self.microphone_combo.setEnabled(bool(devices))
        self.microphone_status.setText("" if devices else NO_MICROPHONE)
        self.microphone_combo.blockSignals(False)

    @Slot(int)
    def _microphone_chosen(self, index: int) -> None:
        self.voice.update_settings(input_device=self.microphone_combo.itemData(index))

    def shutdown(self) -> None:
        if self._player is not None:
            self._player.shutdown()


def _slider(low: int, high: int, value: int) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(low, high)
    slider.setValue(max(low, min(high, value)))
    slider.setPageStep(10)
    return slider


@dataclass(frozen=True)
class LoadedModel:
    folder: str
    seconds: float  # how long loading took


def _load_model(_control, folder: Path) -> LoadedModel:
    return LoadedModel(str(folder), SpeechToText(folder).load())
