"""Starts the desktop app: opens the data folder (with a clear message if it cannot), shows the window."""

from __future__ import annotations

import os
import sys

from deescal.app import __version__
from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.ui.main_thread_gc import MainThreadGarbageCollector
from deescal.ui.resources import app_icon
from PySide6.QtWidgets import QApplication, QMessageBox


def run_gui(data_dir: str | os.PathLike[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("DeEscal Trainer")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("DeEscal")
    app.setWindowIcon(app_icon())
    try:
        ctx = AppContext.open(data_dir)
    except UserFacingError as exc:
        QMessageBox.critical(None, "DeEscal Trainer cannot start", str(exc))
        return exc.exit_code
    from deescal.ui.main_window import MainWindow

    collector = MainThreadGarbageCollector(app)
    window = MainWindow(ctx)
    window.show()
    try:
        return app.exec()
    finally:
        ctx.close()
        collector.stop()
