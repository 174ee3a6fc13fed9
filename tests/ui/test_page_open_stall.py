"""Opening a page never stalls the window: the longest UI-thread gap while each page opens and loads.

Measured the way the role-play bench measures generation (a 2 ms timer on the UI thread; the longest
gap between its ticks), from the click until the page's background reads are done. The limit is
checked on the CPU time the UI thread spent between two ticks (the work it did without returning to
the event loop), which does not grow when other programs load the shared 2-core test machine; the
wall-clock gap is printed beside it. The pages' modules are imported first: importing Python code
once per process is not what a page open costs.
"""

from __future__ import annotations

import importlib
import time

import pytest
from deescal.ui.main_window import PAGES, MainWindow
from PySide6.QtCore import QElapsedTimer, QTimer

from tests.app.session_factory import make_session

STALL_LIMIT_MS = 100
PAGES_OF_THIS_PART = ("Welcome", "Library", "Trainees", "Fine-tune")


def idle(page) -> bool:
    """The page's background reads are done."""
    for name in ("busy", "loading"):
        value = getattr(page, name, None)
        if value is not None:
            return not (value() if callable(value) else value)
    return not page.tasks.busy


class GapMeter:
    def __init__(self) -> None:
        self.clock, self.gaps, self.cpu_gaps = QElapsedTimer(), [], []
        self.timer = QTimer()
        self.timer.setInterval(2)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps.clear()
        self.cpu_gaps.clear()
        self.clock.start()
        self.last, self.last_cpu = 0, time.thread_time()
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = self.clock.elapsed(), time.thread_time()
        self.gaps.append(now - self.last)
        self.cpu_gaps.append(round((cpu - self.last_cpu) * 1000))
        self.last, self.last_cpu = now, cpu

    def stop(self) -> tuple[int, int]:
        """The longest gap between ticks: (wall-clock ms, UI-thread CPU ms)."""
        self.timer.stop()
        return max(self.gaps), max(self.cpu_gaps)


@pytest.mark.parametrize("title", PAGES_OF_THIS_PART)
def test_opening_a_page_does_not_stall_the_window(qtbot, ctx, title):
    for _ in range(3):
        make_session(ctx.store, 4, trainee="Sam Ortiz")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.show()
    qtbot.waitUntil(lambda: idle(window.view("Welcome")), timeout=10_000)  # the first page shown
    importlib.import_module(dict(PAGES)[title].split(":")[0])
    window.show_page("Settings")  # somewhere else first
    meter = GapMeter()
    meter.start()
    qtbot.waitUntil(lambda: len(meter.gaps) >= 5)  # the meter runs before the click
    page = window.show_page(title)
    opened = len(meter.gaps)
    qtbot.waitUntil(lambda: idle(page) and len(meter.gaps) >= opened + 5, timeout=10_000)
    wall, cpu = meter.stop()
    print(f"{title}: longest UI-thread gap {wall} ms wall-clock, {cpu} ms of UI-thread CPU")
    assert cpu < STALL_LIMIT_MS, (
        f"opening {title} kept the UI thread busy for {cpu} ms ({wall} ms wall-clock)"
    )
    window.close()
