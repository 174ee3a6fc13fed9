"""Settings page: data folder, speech model choice, voice preferences, microphone (none here)."""

from __future__ import annotations

import shutil

import pytest
from deescal.app.voice import VoiceSettings
from deescal.models.stt import EMBEDDED_LABEL, default_model_dir
from deescal.ui.audio_capture import NO_MICROPHONE
from deescal.ui.tasks import drain
from deescal.ui.views.settings import SettingsView


@pytest.fixture
def view(qtbot, ctx) -> SettingsView:
    page = SettingsView(ctx)
    qtbot.addWidget(page)
    page.show()
    yield page
    drain()
    page.shutdown()


def test_shows_the_data_folder_and_defaults(view, ctx):
    assert view.data_path_label.text() == str(ctx.data.root)
    assert view.open_folder_button.isEnabled()
    assert view.embedded_radio.isChecked() and EMBEDDED_LABEL in view.model_status.text()
    assert view.voice_enabled_box.isChecked()
    assert view.microphone_status.text() == NO_MICROPHONE and not view.microphone_combo.isEnabled()


def test_voice_preferences_are_saved_at_once(view, ctx):
    view.voice_enabled_box.setChecked(False)
    view.rate_slider.setValue(130)
    view.volume_slider.setValue(40)
    saved = VoiceSettings.load(ctx)
    assert (saved.enabled, saved.rate_scale, saved.volume) == (False, 1.3, 0.4)
    assert view.rate_label.text() == "Speaking rate: 130%"


def test_a_folder_that_is_not_a_model_is_refused(view, ctx, tmp_path):
    view.use_model_folder(str(tmp_path))
    assert "not a faster-whisper model folder" in view.model_status.text()
    assert view.embedded_radio.isChecked() and VoiceSettings.load(ctx).stt_model_dir is None


def test_a_working_model_folder_is_loaded_then_kept(qtbot, view, ctx, tmp_path):
    folder = tmp_path / "tiny.en-copy"
    shutil.copytree(default_model_dir(), folder)
    view.use_model_folder(str(folder))
    qtbot.waitUntil(lambda: "loaded in" in view.model_status.text(), timeout=30_000)
    assert view.custom_radio.isChecked() and VoiceSettings.load(ctx).stt_model_dir == str(folder)
    view.embedded_radio.setChecked(True)
    assert VoiceSettings.load(ctx).stt_model_dir is None


def test_a_corrupt_model_is_not_kept(qtbot, view, ctx, tmp_path):
    source = default_model_dir()
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(source / name, tmp_path / name)
    (tmp_path / "model.bin").write_bytes(b"\0" * 1000)
    view.use_model_folder(str(tmp_path))
    qtbot.waitUntil(lambda: "Still using" in view.model_status.text(), timeout=30_000)
    assert VoiceSettings.load(ctx).stt_model_dir is None and view.embedded_radio.isChecked()


def test_test_voice_plays_a_sample(qtbot, view):
    view.test_voice()
    qtbot.waitUntil(lambda: view.voice_status.text() != "", timeout=10_000)
    assert "No speaker" in view.voice_status.text()


def test_escalation_turns_setting_is_saved_at_once(view, ctx):
    from deescal.app.roleplay.tension import ESCALATED_SETTING, ESCALATED_TURNS
    from deescal.app.settings import get_setting

    assert view.escalated_spin.value() == ESCALATED_TURNS
    view.escalated_spin.setValue(5)
    assert get_setting(ctx.store, ESCALATED_SETTING) == 5


def test_replies_follow_the_officer_setting_is_on_by_default_and_saved_at_once(view, ctx):
    from deescal.app.roleplay.session import CONTRAST_SETTING
    from deescal.app.settings import get_setting

    assert view.contrast_check.isChecked()
    view.contrast_check.setChecked(False)
    assert get_setting(ctx.store, CONTRAST_SETTING) is False
    view.contrast_check.setChecked(True)
    assert get_setting(ctx.store, CONTRAST_SETTING) is True
