"""The navigation icons: SVGs drawn for this app (``resources/icons``, licence note there), painted in
the theme's text colour so they read on light and dark backgrounds alike. Offline, no icon theme."""

from __future__ import annotations

from deescal.ui.resources import RESOURCES_DIR
from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICONS_DIR = RESOURCES_DIR / "icons"
ICON_PIXELS = (24, 48)  # normal and high-density screens


def icon(name: str, colour: str) -> QIcon:
    """The icon called ``name`` (``ICONS_DIR/name.svg``) with its strokes in ``colour``."""
    svg = (ICONS_DIR / f"{name}.svg").read_text(encoding="utf-8").replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    result = QIcon()
    for size in ICON_PIXELS:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result
