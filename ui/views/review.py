"""Review page: after-action review of one role-play session.

Session picker, transcript with per-turn scores and techniques, score/tension chart, the session's
debrief, strongest and weakest turns, the instructor's overrides, approval for fine-tuning with a
preview of exactly what training reads, and PDF/HTML export. Turn N is the trainee's N-th line. All data work goes through :class:`ReviewService`; long work through the page's task lane.
"""

from __future__ import annotations

import html
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.debrief import build_debrief
from deescal.app.errors import UserFacingError
from deescal.app.packs import PackService
from deescal.app.report_export import chart_series, debrief_html, export_html, export_pdf, summary_rows
from deescal.app.review import GOOD_SCORE, ReferenceComparison, ReviewService, ReviewTurn, SessionReview
from deescal.ui.tasks import Policy, TaskLane, show_error
from deescal.ui.widgets.approval_dialog import ApprovalDialog
from deescal.ui.widgets.empty_state import EmptyStack, EmptyState
from deescal.ui.widgets.review_queue_label import ReviewQueueLabel
from deescal.ui.widgets.turn_chart import TurnChart
from deescal.ui.widgets.turn_review_panel import TurnReviewPanel
from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("#", "Speaker", "Said", "Score", "Techniques", "Instructor")


def score_colour(score: float | None) -> QColor | None:
    if score is None:
        return None
    return (
        QColor("#d8f0d8") if score >= GOOD_SCORE else QColor("#fff1c2") if score >= 40 else QColor("#f8d4d4")
    )


class ReviewView(QWidget):
    page_requested = Signal(str)  # the empty page's button asks for the Library

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = ctx.service(ReviewService)
        self.review: SessionReview | None = None
        self._references: list[str] = []
        self._comparisons: dict[int, ReferenceComparison] = {}
        self.approval_dialog: ApprovalDialog | None = None
        self._build()
        self.refresh_sessions()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Session</b>"))
        self.session_combo = QComboBox()  # long labels must not widen the page past a small screen
        self.session_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.session_combo.setMinimumContentsLength(24)
        self.session_combo.currentIndexChanged.connect(self._combo_changed)
        top.addWidget(self.session_combo, 1)
        self.refresh_button = self._button(
            "Refresh", "Reload the list of sessions (F5)", self.refresh_sessions
        )
        self.compare_button = self._button(
            "Compare with real officer",
            "ROUGE-L, BLEU-4, METEOR and BERTScore against the real transcript",
            self.compare,
        )
        self.approve_button = self._button(
            "Approve for fine-tuning…", "Preview the redacted transcript and approve it", self.toggle_approval
        )
        self.pdf_button = self._button("Export PDF…", "Save this review as a PDF (Ctrl+E)", self.export_pdf)
        self.html_button = self._button(
            "Export HTML…", "Save this review as a web page (Ctrl+Shift+E)", self.export_html
        )
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        actions = QHBoxLayout()  # a row of its own, so the page fits 1024 px
        for button in (self.compare_button, self.approve_button, self.pdf_button, self.html_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.queue_label = ReviewQueueLabel(self.ctx)  # imported sessions not opened yet
        layout.addWidget(self.queue_label)
        self.summary = QLabel("No session selected.")
        self.summary.setObjectName("reviewSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.status = QLabel("")
        self.tasks = TaskLane(Policy.PARALLEL, self.status, self)  # scoring, comparing and exports
        self._preview_lane = TaskLane(Policy.REFUSE, self.status, self)  # the approval's training preview
        self.status.setObjectName("reviewStatus")
        layout.addWidget(self.status)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            (QHeaderView.ResizeMode.ResizeToContents,) * 2
            + (QHeaderView.ResizeMode.Stretch,)
            + (QHeaderView.ResizeMode.ResizeToContents,)
            + (QHeaderView.ResizeMode.Interactive,) * 2
        ):
            header.setSectionResizeMode(column, mode)
        header.resizeSection(4, 200)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.chart = TurnChart()
        self.chart.turnClicked.connect(self.select_turn_number)
        self.debrief_view = QTextBrowser()
        self.debrief_view.setObjectName("debriefView")
        self.debrief_view.setOpenLinks(False)  # a turn link selects that turn in the transcript
        self.debrief_view.anchorClicked.connect(self._debrief_link)
        self.strong_list, self.weak_list = QListWidget(), QListWidget()
        for widget in (self.strong_list, self.weak_list):
            widget.setMaximumHeight(90)
            widget.itemActivated.connect(
                lambda item: self.select_turn_index(item.data(Qt.ItemDataRole.UserRole))
            )
            widget.itemClicked.connect(
                lambda item: self.select_turn_index(item.data(Qt.ItemDataRole.UserRole))
            )
        self.panel = TurnReviewPanel()
        self.panel.saved.connect(self.save_turn_review)
        self.session_comment = QPlainTextEdit()
        self.session_comment.setPlaceholderText("Note on the whole session (saved as you type)")
        self.session_comment.setMaximumHeight(60)
        self._comment_timer = QTimer(self, singleShot=True, interval=800)
        self._comment_timer.timeout.connect(self.save_session_comment)
        self.session_comment.textChanged.connect(self._comment_timer.start)

        transcript = QSplitter(Qt.Orientation.Vertical)
        transcript.addWidget(self.table)
        transcript.addWidget(self.chart)
        transcript.setStretchFactor(0, 3)
        transcript.setStretchFactor(1, 2)
        self.tabs = left = QTabWidget()
        left.addTab(transcript, "Transcript")
        left.addTab(self.debrief_view, "Debrief")
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel("<b>Strongest turns</b>"))
        side.addWidget(self.strong_list)
        side.addWidget(QLabel("<b>Weakest turns</b>"))
        side.addWidget(self.weak_list)
        side.addWidget(self.panel, 1)
        side.addWidget(QLabel("<b>Session note</b>"))
        side.addWidget(self.session_comment)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([800, 480])
        self.page_stack = EmptyStack(
            splitter,
            EmptyState(
                "No role-play sessions yet. Pick a scenario in the Library and practise it; every "
                "session can be reviewed here, turn by turn.",
                "Open the Library",
                lambda: self.page_requested.emit("Library"),
            ),
        )
        layout.addWidget(self.page_stack, 1)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, activated=self.refresh_sessions)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.export_pdf)
        QShortcut(QKeySequence("Ctrl+Shift+E"), self, activated=self.export_html)
        self._set_enabled(False)

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _set_enabled(self, enabled: bool) -> None:
        for button in (self.approve_button, self.pdf_button, self.html_button, self.compare_button):
            button.setEnabled(enabled)
        self.session_comment.setEnabled(enabled)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override): sessions may have ended meanwhile
        super().showEvent(event)
        if self.review is None:
            self.refresh_sessions()
        else:
            self._fill_combo()

    # -- sessions --------------------------------------------------------------------------------
    def refresh_sessions(self) -> None:
        self.queue_label.refresh()
        current = self.review.session.id if self.review else None
        sessions = self._fill_combo()
        self.page_stack.set_empty(not sessions)
        if not sessions:
            self.summary.setText("No session selected.")
            return
        known = {s.id for s in sessions}
        self.show_session(current if current in known else sessions[0].id, chosen=False)

    def _fill_combo(self) -> list[dict]:
        sessions = self.service.list_sessions()
        selected = self.review.session.id if self.review else None
        self.session_combo.blockSignals(True)
        self.session_combo.clear()
        for s in sessions:
            mean = "not scored" if s.mean_score is None else f"mean {s.mean_score:.0f}"
            approved = " · approved" if s.approved else ""
            label = (
                f"#{s.id} · {s.title} · {s.trainee or 'no trainee'} · "
                f"{(s.started_at or '')[:16].replace('T', ' ')} · {s.status} · {mean}{approved}"
            )
            self.session_combo.addItem(label, s.id)
        self.session_combo.setCurrentIndex(self.session_combo.findData(selected))
        self.session_combo.blockSignals(False)
        return sessions

    def _combo_changed(self, index: int) -> None:
        if index >= 0:
            self.show_session(self.session_combo.itemData(index))

    def show_session(self, session_id: int, chosen: bool = True) -> None:
        """Opens ``session_id`` (the Role-play page calls this after a session).

        ``chosen``: someone picked it; a session the page shows by itself on opening (the newest)
        stays on the review queue, or opening the page would empty the queue unseen.
        """
        self.save_session_comment()
        try:
            self.review = self.service.load(session_id)
        except UserFacingError as exc:
            self._error(str(exc))
            return
        self.page_stack.set_empty(False)
        if self.session_combo.findData(session_id) < 0:
            self._fill_combo()  # a session started after this page was built
        self.session_combo.blockSignals(True)
        self.session_combo.setCurrentIndex(self.session_combo.findData(session_id))
        self.session_combo.blockSignals(False)
        self._references = self.service.reference_officer_turns(session_id)
        self._comparisons = {}
        self._populate()
        if chosen and self.ctx.service(PackService).mark_seen(session_id):  # seen: off the queue
            self.queue_label.refresh()
        if self.review.unscored_turns:
            self._score_missing(session_id)

    def reload(self, keep_turn_id: int | None = None) -> None:
        if self.review is None:
            return
        self.review = self.service.load(self.review.session.id)
        self._populate(keep_turn_id)

    # -- filling the page --------------------------------------------------------------------------
    def _populate(self, keep_turn_id: int | None = None) -> None:
        review = self.review
        self._set_enabled(True)
        self.compare_button.setEnabled(bool(self._references) and bool(review.officer_turns))
        s = review.session
        facts = " — ".join(f"{name}: <b>{html.escape(value)}</b>" for name, value in summary_rows(review)[1:])
        self.summary.setText(f"<b>{html.escape(review.title)}</b> — {facts}")
        self.approve_button.setText("Withdraw approval" if s.approved else "Approve for fine-tuning…")
        self.table.setUpdatesEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(review.turns))
        escalated = review.escalation_turn_ids
        for row, turn in enumerate(review.turns):
            self._fill_row(row, turn, turn.turn_id in escalated)
        self.table.resizeRowsToContents()
        self.table.setUpdatesEnabled(True)
        scores, tension = chart_series(review)
        self.chart.set_data(scores[2], tension[2])
        self.debrief_view.setHtml(debrief_html(build_debrief(review)))
        self._fill_list(self.strong_list, review.strongest(), f"No turn scored {GOOD_SCORE} or more.")
        self._fill_list(self.weak_list, review.weakest(), f"No turn below {GOOD_SCORE}: none to work on.")
        self.session_comment.blockSignals(True)
        self.session_comment.setPlainText(review.session_comment)
        self.session_comment.blockSignals(False)
        target = next((r for r, t in enumerate(review.turns) if t.turn_id == keep_turn_id), None)
        if target is None:
            self.panel.show_turn(None)
        else:
            self.table.selectRow(target)
            self._selection_changed()

    def _fill_row(self, row: int, turn: ReviewTurn, escalated: bool = False) -> None:
        score = "" if not turn.is_officer else "—" if turn.score is None else f"{turn.score:.0f}"
        if turn.override_score is not None:
            score += " ✎"
        if escalated:
            score += " ▲ escalated"
        techniques = ", ".join(("+" if h.polarity > 0 else "−") + h.label for h in turn.techniques)
        instructor = " ".join(x for x in ((turn.mark or "").upper(), turn.comment) if x)
        speaker = "Trainee" if turn.is_officer else turn.role.capitalize()
        number = (
            str(turn.number) if turn.is_officer else ""
        )  # the civilian's answer belongs to the line above
        for column, text in enumerate((number, speaker, turn.text, score, techniques, instructor)):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, turn.turn_id)
            if column == 2 and turn.feedback:
                item.setToolTip(turn.feedback)
            if column == 3 and escalated:
                item.setToolTip("The tension reached the top of the scale after this line.")
            if column == 3 and (colour := score_colour(turn.score)):
                item.setBackground(colour)
                item.setForeground(QColor("#111827"))  # dark text on the light cell, in either theme
            self.table.setItem(row, column, item)

    def _fill_list(self, widget: QListWidget, turns: list[ReviewTurn], none: str) -> None:
        widget.clear()
        for turn in turns:
            text = turn.text if len(turn.text) < 70 else turn.text[:67] + "…"
            item = QListWidgetItem(f"{turn.score:.0f} · turn {turn.number}: {text}")
            item.setData(Qt.ItemDataRole.UserRole, self.review.turns.index(turn))
            widget.addItem(item)
        if not turns:
            item = QListWidgetItem(none)
            item.setFlags(Qt.ItemFlag.NoItemFlags)  # a sentence, not a turn to select
            widget.addItem(item)

    def select_turn_index(self, index: int | None) -> None:
        if self.review and index is not None and 0 <= index < len(self.review.turns):
            self.table.selectRow(index)
            self.table.scrollToItem(self.table.item(index, 0))

    def select_turn_number(self, number: int) -> None:
        """Selects the trainee's line ``number`` (the chart and the debrief's links count lines)."""
        if self.review:
            self.tabs.setCurrentIndex(0)
            self.select_turn_index(self.review.row_of(number))

    def _debrief_link(self, url: QUrl) -> None:
        fragment = url.fragment() or url.toString().lstrip("#")
        if fragment.startswith("turn-") and fragment[5:].isdigit():
            self.select_turn_number(int(fragment[5:]))

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.review is None:
            self.panel.show_turn(None)
            return
        turn = self.review.turns[rows[0].row()]
        reference = None
        if turn.is_officer:
            position = self.review.officer_turns.index(turn)
            reference = self._references[position] if position < len(self._references) else None
        self.panel.show_turn(turn, reference, self._comparisons.get(turn.turn_id))

    # -- the instructor's actions ----------------------------------------------------------------
    def save_turn_review(self, turn_id: int, score, mark, comment: str) -> None:
        try:
            self.service.set_turn_review(
                self.review.session.id, turn_id, override_score=score, mark=mark, comment=comment
            )
        except UserFacingError as exc:
            self._error(str(exc))
            return
        self.reload(keep_turn_id=turn_id)
        self.status.setText("Review saved.")

    def save_session_comment(self) -> None:
        self._comment_timer.stop()
        if self.review and self.session_comment.toPlainText().strip() != self.review.session_comment:
            self.service.set_session_comment(self.review.session.id, self.session_comment.toPlainText())
            self.review.session_comment = self.session_comment.toPlainText().strip()
            self.status.setText("Session note saved.")

    def toggle_approval(self) -> None:
        if self.review is None:
            return
        session_id = self.review.session.id
        if self.review.session.approved:
            self.service.revoke_approval(session_id)
            self.reload()
            self.status.setText("Approval withdrawn: this session will not be used for fine-tuning.")
            return
        # The preview runs the training data's redaction (spaCy: seconds on its first use): off the UI thread.
        started = self._preview_lane.start(
            lambda _control: self.service.training_preview(session_id),
            on_result=lambda preview: self._open_approval(session_id, preview),
        )
        if started is not None:
            self.status.setText("Preparing what fine-tuning will see…")

    def _open_approval(self, session_id: int, preview) -> None:
        if self.review is None or self.review.session.id != session_id:
            return  # another session was opened meanwhile
        self.status.setText("")
        self.approval_dialog = ApprovalDialog(self.review.title, preview, self.service.reviewer(), self)
        self.approval_dialog.finished.connect(self._approval_finished)
        self.approval_dialog.open()

    def _approval_finished(self, result: int) -> None:
        dialog, self.approval_dialog = self.approval_dialog, None
        if dialog is None or result != QDialog.DialogCode.Accepted or self.review is None:
            return
        try:
            self.service.approve(self.review.session.id, dialog.reviewer)  # the name is remembered
        except UserFacingError as exc:
            self._error(str(exc))
            return
        self.reload()
        self._fill_combo()
        self.status.setText(f"Approved for fine-tuning by {dialog.reviewer}.")

    # -- long work ---------------------------------------------------------------------------------
    def _start(self, work, on_result, on_finished=None) -> None:
        self.tasks.start(work, on_progress=self._progress, on_result=on_result, on_finished=on_finished)

    def _progress(self, fraction: float, text: str) -> None:
        self.status.setText(f"{text} ({fraction:.0%})" if text else "")

    def _score_missing(self, session_id: int) -> None:
        self.status.setText(f"Scoring {len(self.review.unscored_turns)} turns that have no score yet…")
        self._start(
            lambda control: self.service.score_missing(session_id, control.progress),
            lambda n: (self.reload(), self.status.setText(f"Scored {n} turns.")),
        )

    def compare(self) -> None:
        if self.review is None:
            return
        session_id = self.review.session.id
        self.compare_button.setEnabled(False)
        self.status.setText("Comparing with the real officer (loads the metric models the first time)…")
        self._start(
            lambda control: self.service.compare_with_reference(session_id, control.progress),
            self._compared,
            on_finished=lambda: self.compare_button.setEnabled(True),
        )

    def _compared(self, comparisons: list[ReferenceComparison]) -> None:
        self._comparisons = {c.turn_id: c for c in comparisons}
        self._selection_changed()
        if comparisons:
            mean = sum(c.metrics.get("bertscore_f1", 0) for c in comparisons) / len(comparisons)
            self.status.setText(
                f"Compared {len(comparisons)} turns with the real officer; mean BERTScore F1 {mean:.2f}."
            )

    def _export(self, kind: str, export) -> None:
        if self.review is None:
            return
        default = self.ctx.data.exports / f"review-session-{self.review.session.id}.{kind}"
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export review as {kind.upper()}", str(default), f"{kind.upper()} (*.{kind})"
        )
        if not path:
            return
        review, comparisons = self.review, list(self._comparisons.values())
        self.status.setText(f"Writing {Path(path).name}…")
        self._start(
            lambda control: export(review, path, comparisons),
            lambda written: self.status.setText(f"Saved {written}"),
        )

    def export_pdf(self) -> None:
        self._export("pdf", export_pdf)

    def export_html(self) -> None:
        self._export("html", export_html)

    def _error(self, message: str) -> None:
        show_error(self.status, message)

    def shutdown(self) -> None:
        """Window closing (after the task layer stopped the work): keeps the comment being typed."""
        self.save_session_comment()
