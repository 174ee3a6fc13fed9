"""The Library's scenario table: the title first and widest at any window size, and keyboard friendly.

The columns after the title keep narrow fixed widths and the title takes the rest; in a narrow
table the other columns step aside one by one (character, source, category, tension: all are on
the card and in the row's tooltip) until the title has 40% of the width, so it is always the widest.
Tab leaves the table instead of walking it cell by cell, and Enter asks to start the current scenario.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

# Width of each column after the title (by model column), and the order they hide in a narrow table.
COLUMN_WIDTHS = {1: 130, 2: 72, 3: 60, 4: 120, 5: 76}
HIDE_ORDER = (4, 5, 1, 3)
TITLE_SHARE = 0.4  # columns hide while the title would get less than this share of the width


class ScenarioTable(QTableView):
    start_requested = Signal()  # Enter on a row

    def __init__(self) -> None:
        super().__init__()
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)

    def setModel(self, model) -> None:  # noqa: N802 (Qt override)
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Hides columns, in :data:`HIDE_ORDER`, while the title would get under its share of the width."""
        width = self.viewport().width()
        shown = dict(COLUMN_WIDTHS)
        for column in HIDE_ORDER:
            if width - sum(shown.values()) >= TITLE_SHARE * width:
                break
            del shown[column]
        for column in COLUMN_WIDTHS:
            self.setColumnHidden(column, column not in shown)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.fit_columns()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.start_requested.emit()
            return
        super().keyPressEvent(event)
