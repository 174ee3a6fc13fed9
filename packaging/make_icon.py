"""Draws the DeEscal Trainer app icon with QPainter and writes the PNG sizes and a Windows .ico.

The icon: a navy police shield holding a white speech bubble, in which a teal line falls from high
to low (tension coming down). Run it again after changing the drawing and commit what it writes:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

OUT_DIR = Path(__file__).resolve().parent.parent / "ui" / "resources"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
NAVY_TOP, NAVY_BOTTOM = QColor("#24467d"), QColor("#0e2144")
TEAL = QColor("#17a398")


def _shield() -> QPainterPath:
    """The shield outline in a 100 x 100 box."""
    path = QPainterPath(QPointF(50, 4))
    path.cubicTo(QPointF(64, 12), QPointF(78, 15), QPointF(91, 15))
    path.cubicTo(QPointF(92, 50), QPointF(82, 78), QPointF(50, 96))
    path.cubicTo(QPointF(18, 78), QPointF(8, 50), QPointF(9, 15))
    path.cubicTo(QPointF(22, 15), QPointF(36, 12), QPointF(50, 4))
    return path


def _bubble() -> QPainterPath:
    """A speech bubble with its tail at the lower left."""
    path = QPainterPath()
    path.addRoundedRect(QRectF(22, 28, 56, 36), 10, 10)
    tail = QPainterPath(QPointF(32, 62))
    tail.lineTo(QPointF(27, 76))
    tail.lineTo(QPointF(45, 62))
    tail.closeSubpath()
    return path.united(tail)


def draw_icon(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 100, size / 100)
    gradient = QLinearGradient(QPointF(50, 4), QPointF(50, 96))
    gradient.setColorAt(0, NAVY_TOP)
    gradient.setColorAt(1, NAVY_BOTTOM)
    painter.setPen(QPen(QColor("#c9d6ea"), 2.5))
    painter.setBrush(QBrush(gradient))
    painter.drawPath(_shield())
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    painter.drawPath(_bubble())
    falling = QPainterPath(QPointF(31, 38))
    falling.cubicTo(QPointF(42, 38), QPointF(46, 55), QPointF(69, 54))
    pen = QPen(TEAL, 7 if size < 48 else 5.5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(falling)
    painter.end()
    return image


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def _dib_bytes(image: QImage) -> bytes:
    """A 32-bit BMP entry (header, bottom-up BGRA rows, empty AND mask) that every Windows tool reads."""
    size = image.width()
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rgba = image.convertToFormat(QImage.Format.Format_ARGB32)  # little-endian memory order: B, G, R, A
    rows = [bytes(rgba.constScanLine(y))[: size * 4] for y in reversed(range(size))]
    mask_row = bytes(((size + 31) // 32) * 4)
    return header + b"".join(rows) + mask_row * size


def ico_bytes(images: dict[int, QImage]) -> bytes:
    """An .ico with BMP entries below 256 px and a PNG entry at 256 px (the Vista+ convention)."""
    entries = [(size, _png_bytes(img) if size >= 256 else _dib_bytes(img)) for size, img in images.items()]
    out = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    for size, blob in entries:
        dim = 0 if size >= 256 else size
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    return out + b"".join(blob for _, blob in entries)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    images = {size: draw_icon(size) for size in PNG_SIZES}
    for size, image in images.items():
        image.save(str(OUT_DIR / f"deescal-{size}.png"), "PNG")
    (OUT_DIR / "deescal.ico").write_bytes(ico_bytes({size: images[size] for size in ICO_SIZES}))
    print(f"wrote {len(PNG_SIZES)} PNG sizes and deescal.ico to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
