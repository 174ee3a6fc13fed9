"""The trainee's assignments ("practise these by Friday"), each ticked once a session on it finished."""

from __future__ import annotations

from deescal.app.records.entities import Assignment
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

COLUMNS = ("Course", "Scenario", "Due", "Done")


class AssignmentsDialog(QDialog):
    def __init__(self, assignments: list[Assignment], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assignments")
        self.resize(720, 380)
        layout = QVBoxLayout(self)
        done = sum(a.done for a in assignments)
        summary = (
            f"{done} of {len(assignments)} done"
            if assignments
            else "No course yet: Course > Import course pack…"
        )
        self.summary = QLabel(summary)
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(assignments), len(COLUMNS))
        self.table.setObjectName("assignments")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, a in enumerate(assignments):
            values = (
                a.course,
                f"{a.title} ({a.case_id})",
                (a.due_at or "")[:10],
                "\u2713 done" if a.done else "",
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
