"""Python's cycle collector runs only on the UI thread while the app is up.

Left automatic, the collector runs in whichever thread happens to allocate past the threshold. When
that is a worker thread and the garbage holds Qt wrappers (a closed dialog, a finished worker), Qt
objects get destroyed off their thread, which crashes PySide6 (seen as a segfault in a worker thread
"Garbage-collecting" during transcript redaction). So automatic collection is switched off and a
timer on the UI thread collects with the same generation thresholds; plain reference counting, which
frees most objects, is untouched. The pattern is pyqtgraph's ``GarbageCollector``.

A full collection walks every tracked object: with the app's libraries imported (torch, spaCy, Qt)
that is about half a million objects and 250 ms on the UI thread, a visible stall. Imports make
almost all of them, and what an import makes lives as long as the app; so after new modules appear
everything then alive is frozen (``gc.freeze``: moved out of the collector's sight, still freed by
reference counting), and a full collection walks only what the app made since. Cyclic garbage
already in the oldest generation at that moment is frozen too and never freed: a one-off, small.
"""

from __future__ import annotations

import gc
import logging
import sys

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 500


class MainThreadGarbageCollector(QObject):
    """Create on the UI thread; ``stop()`` hands collection back to Python."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._modules_seen = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collects the generations whose allocation counts passed Python's own thresholds."""
        if gc.isenabled():  # a library switched automatic collection back on (spaCy's loader does)
            log.warning("automatic garbage collection was switched on again; switching it off")
            gc.disable()
        if len(sys.modules) != self._modules_seen:
            self._modules_seen = len(sys.modules)
            gc.collect(1)  # young garbage first (cheap), so little garbage is frozen with the rest
            gc.freeze()  # what imports made is long-lived: full collections need not walk it again
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()
