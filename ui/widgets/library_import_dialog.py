"""Import dialog: runs the library import in the background with a progress bar, Cancel and a per-file report."""

from __future__ import annotations

import html
from pathlib import Path

from deescal.app.library import ImportReport, LibraryService
from deescal.ui.tasks import Policy, TaskLane, error_html
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)


def import_all(control, library: LibraryService, paths: list[Path], report: ImportReport) -> ImportReport:
    """Imports each chosen file or folder in turn into ``report`` (runs on the worker thread).

    The report is filled in place so that what was imported before a cancel is still listed.
    """
    for n, path in enumerate(paths):
        if control.cancelled:
            report.cancelled = True
            break

        def progress(fraction: float, text: str, n: int = n) -> None:
            control.progress((n + fraction) / len(paths), text)

        part = library.import_path(path, progress=progress, cancelled=lambda: control.cancelled)
        report.imported.extend(part.imported)
        report.skipped.extend(part.skipped)
        report.cancelled = report.cancelled or part.cancelled
    return report


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportReport, once the work is over (also when cancelled)

    def __init__(self, library: LibraryService, paths: list[Path], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import scenarios")
        self.resize(760, 480)
        self.paths = paths
        self.report: ImportReport | None = None
        self.status = QLabel(f"Importing from {len(paths)} location(s)…")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("importReport")
        self.table.setHorizontalHeaderLabels(["File", "Result", "Details"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.cancel_or_close)
        layout = QVBoxLayout(self)
        for widget in (self.status, self.progress, self.table):
            layout.addWidget(widget)
        layout.addWidget(self.buttons)

        self._live = ImportReport()
        self.tasks = TaskLane(Policy.REFUSE, parent=self)
        self.tasks.start(
            import_all,
            library,
            paths,
            self._live,
            on_progress=self._progress,
            on_result=self._done,
            on_cancelled=self._cancelled,
            on_error=self._failed,
        )

    def running(self) -> bool:
        return self.report is None

    def cancel_or_close(self) -> None:
        if self.running():
            self.status.setText("Cancelling after the current file…")
            self.buttons.setEnabled(False)
            self.tasks.cancel()
        else:
            self.accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if self.running():
            self.cancel_or_close()
            event.ignore()
        else:
            super().closeEvent(event)

    def _progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(round(fraction * 1000))
        self.status.setText(html.escape(text))

    def _finish(self, report: ImportReport, headline: str) -> None:
        self.report = report
        self.progress.setValue(1000)
        self.status.setText(headline)
        rows = [(item["file"], "imported", item["title"]) for item in report.imported]
        rows += [(file, "skipped", reason) for file, reason in report.skipped]
        self.table.setRowCount(len(rows))
        for n, (file, result, details) in enumerate(rows):
            for column, text in enumerate((file, result, details)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if result == "skipped":
                    cell.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(n, column, cell)
        self.table.resizeColumnToContents(0)
        self.table.setVisible(True)
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttons.setEnabled(True)
        self.imported.emit(report)

    def _done(self, report: ImportReport) -> None:
        verb = "Stopped: imported" if report.cancelled else "Imported"
        self._finish(
            report,
            f"<b>{verb} {len(report.imported)} scenario(s)</b>; {len(report.skipped)} file(s) or entries skipped.",
        )

    def _cancelled(self) -> None:
        self._live.cancelled = True
        self._done(self._live)

    def _failed(self, message: str) -> None:
        self._finish(self._live, error_html(message))
