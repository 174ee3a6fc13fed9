"""Selftest check for Qt: can we create the main widgets and render them without a screen?"""

from __future__ import annotations

import os

from deescal.app.context import AppContext


def check_qt_offscreen(ctx: AppContext) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication([])
    label = QLabel("DeEscal Trainer")
    image = label.grab()
    label.deleteLater()
    if image.isNull():
        raise RuntimeError("rendering a widget gave an empty image")
    return f"PySide6 {pyside_version}, platform {app.platformName()}"
