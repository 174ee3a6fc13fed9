"""The Course menu: course packs in and out, session packs in and out, assignments, drop folder.

Kept out of the main window: :class:`CourseMenu` adds its menu and a status line to the window,
runs every import and export on its task lane, owns the drop-folder watcher, and refreshes each
"N new sessions to review" line when sessions arrive.
"""

from __future__ import annotations

from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.packs import PackService, SessionImportReport
from deescal.app.packs.course_pack import SUFFIX as COURSE_SUFFIX
from deescal.app.packs.session_pack import SUFFIX as SESSIONS_SUFFIX
from deescal.ui.drop_folder import DropFolderWatcher
from deescal.ui.tasks import Policy, TaskLane
from deescal.ui.widgets.assignments_dialog import AssignmentsDialog
from deescal.ui.widgets.review_queue_label import ReviewQueueLabel
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow

COURSE_FILTER = f"Course packs (*{COURSE_SUFFIX})"
SESSIONS_FILTER = f"Session packs (*{SESSIONS_SUFFIX})"


class CourseMenu(QObject):
    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.packs = ctx.service(PackService)
        self.status = QLabel("")
        self.status.setObjectName("courseStatus")
        window.statusBar().addWidget(self.status, 1)
        self.lane = TaskLane(Policy.QUEUE, self.status, self)
        menu = window.menuBar().addMenu("&Course")
        for text, slot in (
            ("Import course pack…", self.import_course),
            ("Assignments…", self.show_assignments),
            ("Export my sessions…", self.export_sessions),
            ("Import session packs…", self.import_sessions),
            ("Drop folder…", self.choose_drop_folder),
        ):
            action = QAction(text, window)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.watcher = DropFolderWatcher(ctx, self.status, self)
        self.watcher.arrived.connect(self._arrived)
        window.setAcceptDrops(True)
        window.installEventFilter(self)  # packs dropped on the window are imported

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.Drop):
            paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
            courses = [p for p in paths if p.endswith(COURSE_SUFFIX)]
            sessions = [p for p in paths if p.endswith(SESSIONS_SUFFIX)]
            if not courses and not sessions:
                return False
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                for course in courses:
                    self.import_course(course)
                if sessions:
                    self.import_sessions(sessions)
            return True
        return super().eventFilter(watched, event)

    # -- actions -------------------------------------------------------------------------------
    def import_course(self, path: str | None = None) -> None:
        path = path or QFileDialog.getOpenFileName(self.window, "Import course pack", "", COURSE_FILTER)[0]
        if path:
            self.status.setText(f"Importing {Path(path).name}…")
            self.lane.start(lambda control: self.packs.import_course(path), on_result=self._course_imported)

    def _course_imported(self, result) -> None:
        self.status.setText(
            f"Joined \u201c{result.name}\u201d: {result.assignments} assignment(s)"
            + (f", adapter {result.adapter}" if result.adapter else "")
        )
        self.watcher.restart()
        self.show_assignments()

    def show_assignments(self) -> None:
        AssignmentsDialog(self.packs.assignments(), self.window).open()

    def export_sessions(self, path: str | None = None) -> None:
        default = str(self.ctx.data.exports / f"sessions-{self.packs.laptop.name}{SESSIONS_SUFFIX}")
        path = (
            path or QFileDialog.getSaveFileName(self.window, "Export sessions", default, SESSIONS_FILTER)[0]
        )
        if path:
            self.lane.start(
                lambda control: self.packs.export_sessions(path),
                on_result=lambda count: self.status.setText(f"Wrote {count} session(s) to {path}"),
            )

    def import_sessions(self, paths: list[str] | None = None) -> None:
        paths = (
            paths or QFileDialog.getOpenFileNames(self.window, "Import session packs", "", SESSIONS_FILTER)[0]
        )
        if paths:
            self.lane.start(
                lambda control: self.packs.import_sessions(
                    paths, control.progress, lambda: control.cancelled
                ),
                on_progress=lambda fraction, text: self.status.setText(text),
                on_result=self._arrived,
            )

    def choose_drop_folder(self, folder: str | None = None) -> None:
        current = str(self.packs.drop_folder or "")
        folder = folder or QFileDialog.getExistingDirectory(self.window, "Shared drop folder", current)
        if folder:
            self.packs.set_drop_folder(folder)
            self.status.setText(f"Drop folder: {folder}")
            self.watcher.restart()

    # -- results -------------------------------------------------------------------------------
    def _arrived(self, report: SessionImportReport) -> None:
        waiting = max((label.refresh() for label in self.window.findChildren(ReviewQueueLabel)), default=None)
        if waiting is None:
            waiting = self.packs.queue_count()
        text = f"Imported {len(report.imported)} session(s); {waiting} waiting for review"
        if report.refused_files:
            text += f"; {len(report.refused_files)} pack(s) refused: {report.skipped[-1]['reason']}"
        self.status.setText(text)
