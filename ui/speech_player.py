"""Speaks the civilian's replies: renders each clause to WAV off the UI thread, plays it with Qt.

Streamed reply text goes in through ``feed``; every finished clause is rendered (one task at a
time, in order) while the previous one plays, so the first words are heard long before the reply
is complete. ``stop()`` silences everything at once (the trainee started talking).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from deescal.app.roleplay.persona import clean_reply
from deescal.app.voice import VoiceService
from deescal.models.tts import ENGINE_MISSING_PREFIX, ClauseSplitter
from deescal.ui.tasks import Policy, TaskLane
from deescal.ui.worker import WorkerControl
from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

log = logging.getLogger(__name__)

NO_SPEAKER = "No speaker or headphones found: the civilian's replies are shown as text only."


class SpeechPlayer(QObject):
    speaking_changed = Signal(bool)
    clause_started = Signal(str)  # the words now being spoken
    message = Signal(str)  # something the trainee should know (shown once per kind)

    def __init__(self, voice: VoiceService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.voice = voice
        self.character: tuple[str, str | None, int | None] = ("Civilian", None, None)
        self.muted = voice.settings.muted
        self._folder = Path(tempfile.mkdtemp(prefix="deescal-speech-"))
        self._splitter = ClauseSplitter()
        self._followed = ""  # the streamed reply text already handed to the splitter
        self._renders = TaskLane(Policy.QUEUE, parent=self)  # one clause at a time, in order
        self._ready: deque[tuple[Path, str]] = deque()
        self._playing: Path | None = None
        self._generation = 0  # bumped by stop(): renders started before it are thrown away
        self._count = 0
        self._speaking = False
        self._told: set[str] = set()
        self._output = QAudioOutput(self)
        self._player = QMediaPlayer(self)
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._media_status)
        self._player.errorOccurred.connect(self._media_error)

    @property
    def speaking(self) -> bool:
        return self._speaking

    def set_character(self, name: str, gender: str | None, age: int | None) -> None:
        self.character = (name or "Civilian", gender, age)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.stop()

    # -- text in ---------------------------------------------------------------------------------
    def feed(self, piece: str, tension: float) -> None:
        """A streamed piece of the reply; whole clauses are spoken as soon as they are complete."""
        for clause in self._splitter.feed(piece):
            self._enqueue(clause, tension)

    def follow(self, so_far: str, tension: float) -> None:
        """The reply as streamed so far; if it starts over, what was queued is dropped first."""
        if not so_far.startswith(self._followed):
            self.stop()
        self.feed(so_far[len(self._followed) :], tension)
        self._followed = so_far

    def finish(self, tension: float) -> None:
        """The reply is complete: speak whatever is left of it."""
        rest = self._splitter.flush()
        self._followed = ""
        if rest:
            self._enqueue(rest, tension)

    def speak(self, text: str, tension: float) -> None:
        self.feed(text, tension)
        self.finish(tension)

    def stop(self) -> None:
        """Silence now: drop queued clauses, stop playback, ignore renders still running."""
        self._generation += 1
        self._splitter.flush()
        self._followed = ""
        self._renders.cancel()
        while self._ready:
            self._ready.popleft()[0].unlink(missing_ok=True)
        self._stop_playback()
        self._update_speaking()

    def shutdown(self) -> None:
        self.stop()
        shutil.rmtree(self._folder, ignore_errors=True)

    # -- rendering -------------------------------------------------------------------------------
    def _enqueue(self, text: str, tension: float) -> None:
        text = clean_reply(text)  # no stage directions or speaker names read aloud
        if not text or self.muted or "engine" in self._told or not self.voice.settings.enabled:
            return
        self._count += 1
        target = self._folder / f"clause-{self._count}.wav"
        name, gender, age = self.character
        self._renders.start(
            _render_clause,
            self.voice,
            RenderRequest(text, target, name, gender, age, tension, self._generation),
            on_result=self._rendered,
            on_error=self._render_failed,
            on_finished=self._update_speaking,
        )
        self._update_speaking()

    def _rendered(self, clause: RenderedClause) -> None:
        if clause.generation != self._generation:
            clause.path.unlink(missing_ok=True)
            return
        self._ready.append((clause.path, clause.text))
        self._play_next()

    def _render_failed(self, message: str) -> None:
        kind = "engine" if message.startswith(ENGINE_MISSING_PREFIX) else message
        self._tell(kind, message)
        if kind == "engine":
            self._renders.cancel()

    # -- playback --------------------------------------------------------------------------------
    def _play_next(self) -> None:
        if self._playing is not None or not self._ready:
            return
        if not QMediaDevices.audioOutputs():
            self._tell("speaker", NO_SPEAKER)
        path, text = self._ready.popleft()
        self._playing = path
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self._player.play()
        self.clause_started.emit(text)
        self._update_speaking()

    @Slot(QMediaPlayer.MediaStatus)
    def _media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status in (QMediaPlayer.MediaStatus.EndOfMedia, QMediaPlayer.MediaStatus.InvalidMedia):
            self._finished_clause()

    @Slot(QMediaPlayer.Error, str)
    def _media_error(self, _error: QMediaPlayer.Error, text: str) -> None:
        log.warning("speech playback failed: %s", text)
        self._finished_clause()

    def _finished_clause(self) -> None:
        self._stop_playback()
        self._play_next()
        self._update_speaking()

    def _stop_playback(self) -> None:
        playing, self._playing = self._playing, None
        self._player.stop()
        self._player.setSource(QUrl())
        if playing is not None:
            playing.unlink(missing_ok=True)

    def _update_speaking(self) -> None:
        busy = bool(self._renders.busy or self._ready or self._playing is not None)
        if busy != self._speaking:
            self._speaking = busy
            self.speaking_changed.emit(busy)

    def _tell(self, kind: str, message: str) -> None:
        if kind not in self._told:
            self._told.add(kind)
            self.message.emit(message)


@dataclass(frozen=True)
class RenderRequest:
    """One clause to render, in the character's voice at this tension."""

    text: str
    target: Path
    name: str
    gender: str | None
    age: int | None
    tension: float
    generation: int


@dataclass(frozen=True)
class RenderedClause:
    generation: int
    path: Path
    text: str


def _render_clause(control: WorkerControl, voice: VoiceService, request: RenderRequest) -> RenderedClause:
    """Task body: the character's style at this tension, then the WAV."""
    control.check()
    style = voice.style_for(request.name, request.gender, request.age, request.tension)
    path = voice.synth.render(request.text, request.target, style)
    if control.cancelled:  # stopped while rendering: nobody will play it
        Path(path).unlink(missing_ok=True)
    return RenderedClause(request.generation, path, request.text)
