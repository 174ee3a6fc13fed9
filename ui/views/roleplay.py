"""Role-play page: the trainee talks to the civilian of a scenario, played by the local model.

A setup panel (scenario, trainee, model, adapter, sessions to resume) and the session panel
(scenario header and character card, tension meter, conversation with streamed replies and a score
chip per turn, input box). All model work runs as background tasks; the view only wires widgets to
:class:`RoleplayService` and :class:`RoleplaySession`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from deescal.app.context import AppContext
from deescal.app.roleplay.service import RoleplayService, RoleplaySession, TurnResult
from deescal.app.voice import VoiceService
from deescal.ui.speech_player import SpeechPlayer
from deescal.ui.tasks import Policy, TaskLane
from deescal.ui.widgets.conversation import ConversationView, ScoreChip
from deescal.ui.widgets.roleplay_setup import RoleplaySetup
from deescal.ui.widgets.tension_meter import TensionMeter
from deescal.ui.widgets.voice_bar import VoiceBar
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

PRELOAD_AFTER_MS = 800  # a page only flicked past does not load the model
DRAFT_PAUSE_MS = 150  # a pause in typing this long lets the model read the line so far
OUTCOME_TEXT = {
    "resolved": "<b>Resolved</b> — {name} has calmed down. Well done.",
    "escalated": "<b>Escalated</b> — {name} is out of control. The session is over.",
    "ended": "<b>Session ended</b> — you ended it before it was resolved.",
}


class RoleplayView(QWidget):
    civilian_replied = Signal(str)  # each finished reply (for speech output)
    session_finished = Signal(int)  # session id, once resolved, escalated or ended
    review_requested = Signal(int)  # session id: "End session" opens its review
    active_model_changed = Signal(str)  # the label of the model the session runs on

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = ctx.service(RoleplayService)
        self.session: RoleplaySession | None = None
        self._chip: ScoreChip | None = None
        self._reply_label: QLabel | None = None
        self.setup = RoleplaySetup(ctx)
        self.setup.session_ready.connect(self._session_ready)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.setup)
        self.status = QLabel()  # the session panel's status line (the turns' errors go there)
        self.status.setWordWrap(True)
        self._session_panel: QWidget | None = None  # built when the first session starts
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._preload_asked = False
        # Loading the model ahead, evaluating a line during a typing pause, and the turn itself.
        self._preloading = TaskLane(Policy.REFUSE, self.setup.status, self)
        self._preparing = TaskLane(Policy.REFUSE, parent=self)
        self._turns = TaskLane(Policy.REFUSE, self.status, self)
        self._ending = False  # the trainee's End is being carried out on the turns lane

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._preload_asked:
            self._preload_asked = True
            QTimer.singleShot(PRELOAD_AFTER_MS, self._preload_if_still_here)

    def _preload_if_still_here(self) -> None:
        """Loads the model and scorer in the background once the page stays open, so Start is quick."""
        if not self.isVisible() or self.session is not None or self._busy():
            self._preload_asked = False
            return
        self._preloading.start(lambda control: self.service.preload())

    # -- layout --------------------------------------------------------------------------------
    def _ensure_session_panel(self) -> None:
        """Builds the session panel on first use: opening the page shows only the setup, quickly."""
        if self._session_panel is None:
            self._session_panel = self._build_session()
            self.pages.addWidget(self._session_panel)

    def _build_session(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.header = QLabel()
        self.header.setWordWrap(True)
        top.addWidget(self.header, 1)
        self.meter = TensionMeter()
        top.addWidget(self.meter, 0, Qt.AlignmentFlag.AlignTop)
        # Ending is up here, away from the input row, and asks first: one stray Tab+Enter cannot end it.
        self.end_button = QPushButton("End session…")
        self.end_button.setToolTip("End the session, then open its review (Ctrl+E)")
        self.end_button.clicked.connect(self.end_session)
        top.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        self.card = QLabel()
        self.card.setWordWrap(True)
        self.card.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.card.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card_scroll = QScrollArea()
        card_scroll.setWidgetResizable(True)
        card_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        card_scroll.setWidget(self.card)
        card_scroll.setMinimumWidth(200)
        self.conversation = ConversationView()
        self.conversation.setMinimumWidth(360)
        splitter.addWidget(card_scroll)
        splitter.addWidget(self.conversation)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._build_banner())
        layout.addWidget(self.status)
        self.input_row = QHBoxLayout()  # the voice bar goes above or beside this row
        self.input = QLineEdit()
        self.input.setPlaceholderText("Say something as the officer and press Enter")
        self.input.setAccessibleName("Your line as the officer")
        self.input.returnPressed.connect(self._send_from_input)
        self.input.textEdited.connect(lambda _text: self._draft_timer.start())
        self._draft_timer = QTimer(self)  # the model reads the line while it is typed (see _prepare)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_PAUSE_MS)
        self._draft_timer.timeout.connect(self._prepare)
        self.send_button = QPushButton("Send")
        self.send_button.setToolTip("Send your line (Enter)")
        self.send_button.clicked.connect(self._send_from_input)
        self.cancel_button = QPushButton("Stop reply")
        self.cancel_button.setToolTip("Stop the civilian mid-reply (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_reply)
        for widget in (self.input, self.send_button, self.cancel_button):
            self.input_row.addWidget(widget, 1 if widget is self.input else 0)
        self.voice_bar = VoiceBar(self.ctx, entry=self.input)  # what the trainee says lands in self.input
        self.voice_bar.text_ready.connect(lambda _text: self._send_from_input())
        self.speech = SpeechPlayer(self.ctx.service(VoiceService), self)  # the civilian's replies, aloud
        self.voice_bar.speech_started.connect(self.speech.stop)
        self.voice_bar.mute_changed.connect(self.speech.set_muted)
        self.speech.speaking_changed.connect(self.voice_bar.set_civilian_speaking)
        self.speech.message.connect(self.voice_bar.show_status)
        layout.addWidget(self.voice_bar)
        layout.addLayout(self.input_row)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), page, self.cancel_reply)
        QShortcut(QKeySequence("Ctrl+E"), page, self.end_session)
        return page

    def _build_banner(self) -> QFrame:
        """How the session ended, unmistakably, with the way to its review."""
        self.banner = QFrame()
        self.banner.setProperty("banner", "ended")
        row = QHBoxLayout(self.banner)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.review_button = QPushButton("Open review")
        self.review_button.setToolTip("See every line's score, the tension chart and the coaching")
        self.review_button.clicked.connect(self.open_review)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.review_button)
        self.banner.hide()
        return self.banner

    # -- setup ---------------------------------------------------------------------------------
    def start_for_scenario(self, scenario_id: int) -> None:
        """Called by the Library: shows the setup with this scenario chosen, ready to start."""
        self.pages.setCurrentIndex(0)
        self.setup.choose(scenario_id)

    def start_session(self) -> None:
        if not self._busy():
            self.setup.start()

    def resume_session(self, session_id: int) -> None:
        if not self._busy():
            self.setup.resume(session_id)

    def _session_ready(self, session: RoleplaySession) -> None:
        self._ensure_session_panel()
        self.session = session
        scenario, who = session.scenario, session.scenario.character_profile
        stars = "★" * scenario.difficulty + "☆" * (5 - scenario.difficulty)
        self.header.setText(
            f"<h3>{html.escape(scenario.title)}</h3>{html.escape(scenario.category)} · difficulty {stars}"
            f" · {html.escape(scenario.location)}"
        )
        details = ", ".join(str(p) for p in (who.age, who.gender) if p)
        self.card.setText(
            f"<h3>{html.escape(who.name)}</h3><i>{html.escape(details)}</i>"
            f"<p><b>State:</b> {html.escape(who.emotional_state)}</p>"
            f"<p><b>Speaks:</b> {html.escape(who.speaking_style)}</p><p>{html.escape(who.background)}</p>"
            f"<p><b>The situation:</b> {html.escape(scenario.scenario_context)}</p>"
        )
        self.meter.set_tension(session.tension)
        self.speech.set_character(who.name, who.gender, who.age)
        self.conversation.clear()
        for turn in session.turns():
            if turn.role == "officer":
                chip = self.conversation.add_officer(turn.text)
                if turn.auto_score is not None:
                    chip.set_score(
                        turn.auto_score,
                        turn.feedback,
                        [(t.get("label", ""), int(t.get("polarity", 1))) for t in turn.techniques],
                    )
            elif turn.role == "civilian":
                self.conversation.add_civilian(self._name(), turn.text)
        model_text = self.setup.model_label(session.model_name) + (
            " + adapter" if session.adapter_path else ""
        )
        self.status.setText(f"Model: {model_text}")
        self.active_model_changed.emit(model_text)
        self.banner.hide()
        self.end_button.show()
        self.pages.setCurrentIndex(1)
        self._set_idle(True)
        self.input.setFocus()
        if session.awaiting_reply:
            self.conversation.add_note("The last line was not answered; the civilian answers it now.")
            self._run_turn(None)

    # -- turns ---------------------------------------------------------------------------------
    def _name(self) -> str:
        return self.session.scenario.character_profile.name.split()[0] if self.session else "Civilian"

    def _prepare(self) -> None:
        """Evaluates the line being typed during a pause, so the reply starts sooner after Enter."""
        session, text = self.session, self.input.text()
        if session is None or session.status != "active" or self._busy():
            return
        self._preparing.start(lambda control: session.prepare(text))

    def _send_from_input(self) -> None:
        if self.send_text(self.input.text()):
            self.input.clear()

    def send_text(self, text: str) -> bool:
        """Plays one officer line (typed, or from the voice bar); False if it cannot be sent now."""
        text = text.strip()
        if not text or self.session is None or self.session.status != "active" or self._busy():
            return False
        self._chip = self.conversation.add_officer(text)
        self._run_turn(text)
        return True

    def _run_turn(self, text: str | None) -> None:
        session = self.session
        self._reply_label = self.conversation.add_civilian(self._name())  # "is speaking" until it does

        def work(control):
            def partial_token(so_far: str) -> None:
                control.partial(ReplySoFar(so_far))

            def scored(result: TurnResult) -> None:
                control.partial(TurnScored(result))

            cancelled = lambda: control.cancelled  # noqa: E731 (polled between tokens)
            if text is None:
                return session.complete_pending(on_token=partial_token, cancelled=cancelled)
            return session.officer_turn(text, on_token=partial_token, cancelled=cancelled, on_scored=scored)

        self._turns.start(
            work,
            on_partial=self._on_partial,
            on_result=self._turn_done,
            on_cancelled=self._turn_cancelled,
            on_error=self._turn_failed,
            on_finished=self._turn_finished,
        )
        self._set_idle(False)

    def _on_partial(self, item: ReplySoFar | TurnScored) -> None:
        if isinstance(item, ReplySoFar) and self._reply_label is not None:
            if item.text:
                self.conversation.update_civilian(self._reply_label, self._name(), item.text)
            self.speech.follow(item.text, self.session.tension)
        elif isinstance(item, TurnScored):
            self._show_score(item.result)

    def _show_score(self, result: TurnResult) -> None:
        if self._chip is not None:
            self._chip.set_score(
                result.score.score,
                result.score.feedback,
                [(t.label, t.polarity) for t in result.score.techniques],
            )
        self.meter.set_tension(result.tension)

    def _turn_done(self, result: TurnResult) -> None:
        self.speech.finish(result.tension)
        if self._reply_label is not None:
            self.conversation.update_civilian(self._reply_label, self._name(), result.reply)
        self._show_score(result)
        for fact in result.revealed:
            self.conversation.add_note(f"{self._name()} revealed: {fact}")
        self.status.setText("Your turn.")  # the coaching is under the line itself; timings are for the bench
        self.civilian_replied.emit(result.reply)
        if result.status != "active":
            self._finished(result.status)

    def _turn_cancelled(self) -> None:
        self.speech.stop()
        if self._reply_label is not None:
            self.conversation.update_civilian(self._reply_label, self._name(), "[reply stopped]")
        self.status.setText("Reply stopped. Say something else; the stopped reply was not recorded.")

    def _turn_failed(self, _message: str) -> None:  # the message itself goes to the status line
        self.speech.stop()
        if self._reply_label is not None:
            self.conversation.update_civilian(self._reply_label, self._name(), "[no reply]")

    def _turn_finished(self) -> None:
        self._reply_label = None
        active = self.session is not None and self.session.status == "active"
        self._set_idle(active)
        if active:
            self.input.setFocus()

    def _set_idle(self, idle: bool) -> None:
        active = self.session is not None and self.session.status == "active"
        self.input.setEnabled(idle and active)
        self.send_button.setEnabled(idle and active)
        self.cancel_button.setEnabled(not idle and active)  # nothing to stop once the session is over
        self.end_button.setEnabled(active)  # mid-reply too: the reply is stopped first

    def _busy(self) -> bool:
        return self._turns.busy or self.setup.tasks.busy

    def cancel_reply(self) -> None:
        self._turns.cancel()

    # -- ending --------------------------------------------------------------------------------
    def _finished(self, status: str) -> None:
        text = OUTCOME_TEXT.get(status, html.escape(status)).format(name=html.escape(self._name()))
        problem = self.session.publish_problem if self.session is not None else None
        if problem:  # the class's drop folder was away: the trainee should know it has not gone out yet
            text += f"<br>{html.escape(problem)}"
        self.banner_text.setText(text)
        self.banner.setProperty("banner", status if status in OUTCOME_TEXT else "ended")
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
        self.end_button.hide()
        self._set_idle(not self._turns.busy)
        self.review_button.setFocus()
        self.session_finished.emit(self.session.id)

    def end_session(self) -> QMessageBox | None:
        """Asks (non-modally) before ending an active session; an ended one opens its review."""
        if self.session is None:
            return None
        if self.session.status != "active":
            self.open_review()
            return None
        self.end_box = QMessageBox(
            QMessageBox.Icon.Question,
            "End session",
            "End this role-play now? It cannot be continued afterwards; its review opens next.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        self.end_box.button(QMessageBox.StandardButton.Yes).setText("End session")
        self.end_box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.end_box.button(QMessageBox.StandardButton.Yes).clicked.connect(self.end_now)
        self.end_box.open()
        return self.end_box

    def end_now(self) -> None:
        """Ends the session (stopping a reply first), then shows the ended banner. Ending runs on the
        turns lane because it also writes the session to the class's drop folder, which may be a
        slow network share: the window must not hang on it."""
        if self.session is None or self.session.status != "active" or self._ending:
            return
        self.speech.stop()
        self._turns.stop()
        if self.session.status != "active":  # the stopped turn ended it meanwhile
            return
        self._ending = True
        for widget in (self.input, self.send_button, self.cancel_button, self.end_button):
            widget.setEnabled(False)
        session = self.session
        self._turns.start(lambda _control: session.end("ended"), on_finished=self._ended)

    def _ended(self) -> None:
        self._ending = False
        if self.session is not None and self.session.status != "active":
            self._finished(self.session.status)
        else:  # it could not be ended (the reason is in the status line): the session goes on
            self._set_idle(True)

    def open_review(self) -> None:
        """Leaves the finished session for its review; the setup panel is ready for the next one."""
        if self.session is None:
            return
        session_id = self.session.id
        self.setup.refresh()
        self.pages.setCurrentIndex(0)
        self.session = None
        self.review_requested.emit(session_id)

    def shutdown(self) -> None:
        """Window closing, after the task layer stopped the work: an active session stays resumable."""
        if self._session_panel is None:
            return
        self._draft_timer.stop()
        self.voice_bar.shutdown()
        self.speech.shutdown()


@dataclass(frozen=True)
class ReplySoFar:
    """The civilian's reply as streamed so far."""

    text: str


@dataclass(frozen=True)
class TurnScored:
    """The officer's line was scored (the reply may still be streaming)."""

    result: TurnResult
