"""Trainees page: trainees, their sessions, score trend and technique coverage, CSV export.

The lists are read as background tasks (the page never waits on the database to open), and each
empty part says what would fill it instead of showing a blank table or an empty chart.
"""

from __future__ import annotations

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.records.entities import SessionSummary, Trainee
from deescal.app.trainees import TechniqueCoverage, TraineeService
from deescal.ui.tasks import Policy, TaskLane, show_error
from deescal.ui.widgets.empty_state import EmptyStack, EmptyState
from deescal.ui.widgets.review_queue_label import ReviewQueueLabel
from deescal.ui.widgets.score_trend_chart import ScoreTrendChart
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(value, data=None) -> QTableWidgetItem:
    item = QTableWidgetItem("" if value is None else str(value))
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


SHARE_ROLE = Qt.ItemDataRole.UserRole + 1


def _share_item(share: float, polarity: int) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{share:.0%}")
    item.setData(SHARE_ROLE, (share, polarity))
    return item


class ShareBarDelegate(QStyledItemDelegate):
    """Draws a cell's share (0-1) as a bar behind its text: green for calming, red for escalating."""

    def paint(self, painter: QPainter, option, index) -> None:
        value = index.data(SHARE_ROLE)
        if value:
            share, polarity = value
            bar = option.rect.adjusted(2, 3, -2, -3)
            bar.setWidth(round(bar.width() * max(0.0, min(1.0, share))))
            painter.fillRect(bar, QColor("#b7e1b7") if polarity > 0 else QColor("#f3b9b9"))
        super().paint(painter, option, index)


class TraineesView(QWidget):
    review_requested = Signal(int)  # session id, from a double-click on a session

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = ctx.service(TraineeService)
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("New trainee…")
        self.new_button.setToolTip("Add a trainee (Ctrl+N)")
        self.new_button.clicked.connect(self.new_trainee)
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setToolTip("Rename the selected trainee (F2)")
        self.rename_button.clicked.connect(self.rename_trainee)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save every session of every trainee (or the selected one) as CSV")
        self.export_button.clicked.connect(self.export_csv)
        for button in (self.new_button, self.rename_button, self.export_button):
            buttons.addWidget(button)
        self.queue_label = ReviewQueueLabel(ctx)  # imported sessions not opened yet
        buttons.addWidget(self.queue_label)
        buttons.addStretch(1)
        self.status = QLabel("")
        buttons.addWidget(self.status)
        layout.addLayout(buttons)
        self._trainees_lane = TaskLane(Policy.REPLACE, self.status, self)
        self._details_lane = TaskLane(Policy.REPLACE, self.status, self)
        self._select_id: int | None = None

        self.trainee_table = _table(("Trainee", "Cohort", "Sessions", "Mean score", "Last session"))
        self.trainee_table.itemSelectionChanged.connect(self._trainee_selected)
        self.session_table = _table(
            ("Session", "Started", "Scenario", "Outcome", "Turns", "Mean score", "Approved")
        )
        self.session_table.setToolTip("Double-click a session to open its review")
        self.session_table.itemDoubleClicked.connect(self._open_session)
        self.trend = ScoreTrendChart()
        self.coverage = _table(("Technique", "Kind", "Turns", "Share of turns"))
        self.coverage.setItemDelegateForColumn(3, ShareBarDelegate(self.coverage))

        self.sessions_stack = EmptyStack(
            self.session_table,
            EmptyState("No sessions yet. Start a role-play in the Library with this trainee's name."),
        )
        self.trend_stack = EmptyStack(
            self.trend, EmptyState("The score trend appears once a session has a scored line.")
        )
        self.coverage_stack = EmptyStack(
            self.coverage, EmptyState("Techniques used are counted here once lines are scored.")
        )
        right = QSplitter(Qt.Orientation.Vertical)
        for title, widget in (
            ("Sessions", self.sessions_stack),
            ("Score trend", self.trend_stack),
            ("Technique coverage", self.coverage_stack),
        ):
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.addWidget(QLabel(f"<b>{title}</b>"))
            inner.addWidget(widget)
            right.addWidget(box)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.trainee_table)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([420, 860])
        self.page_stack = EmptyStack(
            splitter,
            EmptyState(
                "No trainees yet. A trainee is added when someone starts a role-play with their name, "
                "or add one here.",
                "New trainee\u2026",
                self.new_trainee,
            ),
        )
        layout.addWidget(self.page_stack, 1)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.new_trainee)
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, activated=self.rename_trainee)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, activated=self.refresh)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override): sessions may have been added meanwhile
        super().showEvent(event)
        self.refresh()

    # -- data --------------------------------------------------------------------------------------
    def selected_trainee_id(self) -> int | None:
        rows = self.trainee_table.selectionModel().selectedRows()
        return self.trainee_table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    @property
    def loading(self) -> bool:
        return self._trainees_lane.busy or self._details_lane.busy

    def refresh(self, select_id: int | None = None) -> None:
        """Reads the trainees as a background task, then selects ``select_id`` (or the one selected)."""
        self._select_id = select_id if select_id is not None else self.selected_trainee_id()
        self.queue_label.refresh()
        self._trainees_lane.start(lambda control: self.service.list_trainees(), on_result=self._show_trainees)

    def _show_trainees(self, trainees: list[Trainee]) -> None:
        select_id = self._select_id
        self.page_stack.set_empty(not trainees)
        self.trainee_table.blockSignals(True)
        self.trainee_table.setRowCount(len(trainees))
        target = 0
        for row, t in enumerate(trainees):
            last = (t.last_session or "")[:10]
            values = (t.name, t.cohort, t.n_sessions, t.mean_score, last)
            for column, value in enumerate(values):
                self.trainee_table.setItem(row, column, _item(value, t.id))
            if t.id == select_id:
                target = row
        self.trainee_table.blockSignals(False)
        self.rename_button.setEnabled(bool(trainees))
        if trainees:
            self.trainee_table.selectRow(target)
        self._trainee_selected()

    def _trainee_selected(self) -> None:
        trainee_id = self.selected_trainee_id()

        def work(control) -> tuple[list[SessionSummary], list[TechniqueCoverage]]:
            if trainee_id is None:
                return [], []
            return self.service.sessions(trainee_id), self.service.technique_coverage(trainee_id)

        self._details_lane.start(work, on_result=self._show_details)

    def _show_details(self, details: tuple[list[SessionSummary], list[TechniqueCoverage]]) -> None:
        sessions, coverage = details
        self.sessions_stack.set_empty(not sessions)
        self.session_table.setRowCount(len(sessions))
        for row, s in enumerate(sessions):
            values = (
                s.id,
                (s.started_at or "")[:16].replace("T", " "),
                s.title,
                s.status,
                s.officer_turns,
                s.mean_score,
                "yes" if s.approved else "",
            )
            for column, value in enumerate(values):
                self.session_table.setItem(row, column, _item(value, s.id))
        scores = [s.mean_score for s in sessions if s.mean_score is not None]
        self.trend.set_scores(scores)
        self.trend_stack.set_empty(not scores)
        self.coverage_stack.set_empty(not any(c.turns for c in coverage))
        self.coverage.setRowCount(len(coverage))
        for row, c in enumerate(coverage):
            kind = _item("calming" if c.polarity > 0 else "escalating")
            kind.setForeground(QColor("#17702a") if c.polarity > 0 else QColor("#b00020"))
            self.coverage.setItem(row, 0, _item(c.label))
            self.coverage.setItem(row, 1, kind)
            self.coverage.setItem(row, 2, _item(c.turns))
            self.coverage.setItem(row, 3, _share_item(c.share, c.polarity))

    # -- actions -----------------------------------------------------------------------------------
    def new_trainee(self) -> None:
        name, ok = QInputDialog.getText(self, "New trainee", "Name:")
        if ok and name.strip():
            try:
                self.refresh(self.service.create(name))
            except UserFacingError as exc:
                self._error(str(exc))

    def rename_trainee(self) -> None:
        trainee_id = self.selected_trainee_id()
        if trainee_id is None:
            return
        current = self.service.get(trainee_id).name
        name, ok = QInputDialog.getText(self, "Rename trainee", "New name:", text=current)
        if ok and name.strip() and name.strip() != current:
            try:
                self.service.rename(trainee_id, name)
            except UserFacingError as exc:
                self._error(str(exc))
                return
            self.refresh(trainee_id)

    def export_csv(self) -> None:
        default = self.ctx.data.exports / "trainee-sessions.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export sessions as CSV", str(default), "CSV (*.csv)")
        if not path:
            return
        try:
            count = self.service.export_csv(path)
        except UserFacingError as exc:
            self._error(str(exc))
            return
        self.status.setText(f"Saved {count} sessions to {path}")

    def _open_session(self, item: QTableWidgetItem) -> None:
        self.review_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _error(self, message: str) -> None:
        show_error(self.status, message)
