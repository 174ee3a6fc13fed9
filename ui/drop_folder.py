"""Watches the shared drop folder while the app runs and imports new session packs off the UI thread.

The folder is scanned at start, when the file system says it changed (``QFileSystemWatcher``), and
every ``POLL_MS`` as well, because network shares often send no change events. Each scan runs on
one task lane (``deescal.app.packs.drop_folder.scan``); a change seen during a scan asks for one
more scan afterwards instead of starting a second. A trainee's laptop publishes its finished
sessions the same way at start.
"""

from __future__ import annotations

from deescal.app.context import AppContext
from deescal.app.packs import PackService, SessionImportReport
from deescal.app.packs.drop_folder import publish_finished, scan
from deescal.ui.tasks import Policy, TaskLane
from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

POLL_MS = 30_000


class DropFolderWatcher(QObject):
    arrived = Signal(object)  # SessionImportReport of a scan that imported or refused something
    scanned = Signal(object)  # every finished scan's report

    def __init__(self, ctx: AppContext, status: QLabel | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.packs = ctx.service(PackService)
        self.lane = TaskLane(Policy.REFUSE, status, self)
        self._again = False
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self.request_scan)
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.request_scan)
        self.restart()

    def restart(self) -> None:
        """Follows the drop folder setting (after it changed): watches it and scans it now."""
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        folder = self.packs.drop_folder
        if folder is None:
            self._timer.stop()
            return
        if folder.is_dir():
            self._watcher.addPath(str(folder))
        self._timer.start()
        self.request_scan()

    def request_scan(self) -> None:
        if self.lane.start(self._work, on_result=self._done, on_finished=self._finished) is None:
            self._again = True  # one is running: scan once more when it ends

    def _work(self, control) -> SessionImportReport:
        publish_finished(self.packs)  # a trainee's laptop: sessions finished while the share was away
        if not self.packs.owns_a_course():
            return SessionImportReport()
        return scan(self.packs, control.progress, lambda: control.cancelled)

    def _done(self, report: SessionImportReport) -> None:
        self.scanned.emit(report)
        if report.imported or report.skipped:
            self.arrived.emit(report)

    def _finished(self) -> None:
        if self._again:
            self._again = False
            self.request_scan()
