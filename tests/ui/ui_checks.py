"""Checks a person makes by eye, written down: is a widget fully on screen, did the window stall."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QElapsedTimer, QPoint, QRect, QTimer
from PySide6.QtWidgets import QAbstractButton, QWidget

STALL_LIMIT_MS = 100  # a page that takes longer to open than this feels stuck (issue 15)


class Heartbeat:
    """Ticks on the UI thread every few milliseconds. The longest gap between ticks is the longest time
    the window could not react (``longest_ms``); the UI thread's own CPU time in that worst gap
    (``longest_busy_ms``) is the part the app caused by working on the UI thread, as opposed to the
    time other programs on a loaded machine held the CPU."""

    def __init__(self, interval_ms: int = 5) -> None:
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._cpu = 0.0
        self.longest_ms = 0
        self.longest_busy_ms = 0.0

    def _tick(self) -> None:
        cpu = time.thread_time()
        self.longest_ms = max(self.longest_ms, self._clock.restart())
        self.longest_busy_ms = max(self.longest_busy_ms, (cpu - self._cpu) * 1000)
        self._cpu = cpu

    def __enter__(self) -> Heartbeat:
        self.longest_ms, self.longest_busy_ms = 0, 0.0
        self._cpu = time.thread_time()
        self._clock.start()
        self._timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._timer.stop()
        self._tick()


def machine_is_busy() -> bool:
    """More runnable work than cores: wall-clock stalls then measure the machine, not the app."""
    return os.getloadavg()[0] > (os.cpu_count() or 1)


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
