"""The civilian's spoken replies: rendered clause by clause off the UI thread and played by Qt."""

from __future__ import annotations

import pytest
from deescal.app.voice import VoiceService
from deescal.models import tts
from deescal.ui.speech_player import NO_SPEAKER, SpeechPlayer
from deescal.ui.tasks import drain


@pytest.fixture
def player(qtbot, ctx) -> SpeechPlayer:
    speaker = SpeechPlayer(ctx.service(VoiceService))
    speaker.set_character("Maria Lopez", "female", 34)
    yield speaker
    drain()
    speaker.shutdown()


def test_a_streamed_reply_is_spoken_clause_by_clause(qtbot, player):
    clauses, messages = [], []
    player.clause_started.connect(clauses.append)
    player.message.connect(messages.append)
    tokens = ["I", " told", " you", ",", " I", "'m", " fine", ".", " Leave", " me", " alone", "!"]
    with qtbot.waitSignal(player.speaking_changed, check_params_cb=lambda busy: not busy, timeout=20_000):
        for token in tokens:
            player.feed(token, tension=7.0)
        assert player.speaking
        player.finish(tension=7.0)
    assert clauses == ["I told you, I'm fine.", "Leave me alone!"]
    assert messages == [NO_SPEAKER]  # this machine has no audio output: said once, text still shown
    assert not list(player._folder.glob("*.wav"))


def test_stop_silences_at_once(qtbot, player):
    clauses = []
    player.clause_started.connect(clauses.append)
    with qtbot.waitSignal(player.clause_started, timeout=10_000):
        player.speak("This is the first sentence. This is the second one. And a third one here.", tension=3.0)
    with qtbot.waitSignal(player.speaking_changed, check_params_cb=lambda busy: not busy, timeout=5_000):
        player.stop()
    qtbot.wait(600)
    assert clauses == ["This is the first sentence."]
    assert not player.speaking


def test_muted_player_says_nothing(qtbot, player):
    player.set_muted(True)
    spoken = []
    player.speaking_changed.connect(spoken.append)
    player.speak("You can't make me.", tension=9.0)
    qtbot.wait(300)
    assert spoken == [] and not player.speaking


def test_voice_turned_off_in_settings_says_nothing(qtbot, ctx, player):
    ctx.service(VoiceService).update_settings(enabled=False)
    player.speak("You can't make me.", tension=9.0)
    assert not player.speaking


def test_missing_speech_engine_gives_the_clear_message_once(qtbot, player, monkeypatch):
    def no_engine():
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    monkeypatch.setattr(tts, "default_engine", no_engine)
    player.voice.synth = tts.SpeechSynthesizer()
    messages = []
    player.message.connect(messages.append)
    with qtbot.waitSignal(player.speaking_changed, check_params_cb=lambda busy: not busy, timeout=10_000):
        player.speak("Hello there. Who are you?", tension=5.0)
    assert len(messages) == 1 and messages[0].startswith("No speech engine is available")
    player.speak("Still there?", tension=5.0)
    assert not player.speaking and len(messages) == 1


def test_following_a_reply_that_starts_over_speaks_only_the_new_one(qtbot, player):
    clauses = []
    player.clause_started.connect(clauses.append)
    with qtbot.waitSignal(player.speaking_changed, check_params_cb=lambda busy: not busy, timeout=20_000):
        for so_far in [
            "(sighs) Officer",
            "(sighs) Officer: no",
            "",
            "Fine.",
            "Fine. Ask",
            "Fine. Ask me then.",
        ]:
            player.follow(so_far, tension=4.0)
        player.finish(tension=4.0)
    assert clauses == ["Fine.", "Ask me then."]
