"""Checks a person makes by eye, written down: is a widget fully on screen, did the window stall."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QPoint, QRect, QTimer
from PySide6.QtWidgets import QAbstractButton, QWidget

STALL_LIMIT_MS = 100  # a page that takes longer to open than this feels stuck (issue 15)


class Heartbeat:
    """Ticks on the UI thread every few milliseconds; the longest gap between ticks is the longest
    time the UI thread could not run (a stall), whatever caused it."""

    def __init__(self, interval_ms: int = 5) -> None:
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self.longest_ms = 0

    def _tick(self) -> None:
        self.longest_ms = max(self.longest_ms, self._clock.restart())

    def __enter__(self) -> Heartbeat:
        self.longest_ms = 0
        self._clock.start()
        self._timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._timer.stop()
        self.longest_ms = max(self.longest_ms, self._clock.elapsed())


def problems_showing(widget: QWidget, window: QWidget) -> list[str]:
    """Why ``widget`` is not fully usable in ``window`` (hidden, off the window, clipped by a parent or
    scroll area, or a button narrower than its text); empty when it is fine."""
    name = (
        widget.accessibleName()
        or widget.objectName()
        or getattr(widget, "text", lambda: "")()
        or repr(widget)
    )
    if not widget.isVisible():
        return [f"{name!r} is not visible"]
    problems = []
    placed = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(placed):
        problems.append(f"{name!r} at {placed.getRect()} is outside the window {window.rect().getRect()}")
    if widget.visibleRegion().boundingRect() != widget.rect():
        seen = widget.visibleRegion().boundingRect().getRect()
        problems.append(f"{name!r} is clipped: only {seen} of {widget.rect().getRect()} shows")
    if isinstance(widget, QAbstractButton) and widget.text():
        needed = widget.fontMetrics().horizontalAdvance(widget.text().replace("&", ""))
        if widget.width() < needed:
            problems.append(f"button {name!r} is {widget.width()} px wide, its text needs {needed}")
    return problems


def assert_usable(window: QWidget, *widgets: QWidget) -> None:
    problems = [p for widget in widgets for p in problems_showing(widget, window)]
    assert not problems, "; ".join(problems)
