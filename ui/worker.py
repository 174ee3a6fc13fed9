"""The one way long work leaves the UI thread.

``Worker`` runs a plain function on its own ``QThread`` and reports through the same signals
everywhere: started, progress(fraction, text), partial(item) for streamed pieces, result(value),
error(message), finished. ``cancel()`` asks the function to stop; the function sees it through
``control.cancelled`` (and ``control.check()`` raises :class:`Cancelled`). Every exception becomes
an ``error`` signal (a :class:`UserFacingError` keeps its message), never a crash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from deescal.app.errors import Cancelled, UserFacingError
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

log = logging.getLogger(__name__)


class WorkerControl:
    """Handed to the work function: report progress, stream pieces, notice cancellation."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, fraction: float, text: str = "") -> None:
        self._worker.progress.emit(float(fraction), text)

    def partial(self, item: Any) -> None:
        self._worker.partial.emit(item)


class Worker(QObject):
    started = Signal()
    progress = Signal(float, str)
    partial = Signal(object)
    result = Signal(object)
    error = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.control = WorkerControl(self)
        self._thread: QThread | None = None

    def cancel(self) -> None:
        self.control._cancel.set()

    def _run(self) -> None:
        self.started.emit()
        try:
            value = self._fn(self.control, *self._args, **self._kwargs)
        except Cancelled:
            self.cancelled.emit()
        except UserFacingError as exc:
            self.error.emit(str(exc))
        except Exception as exc:
            log.exception("background task failed")
            self.error.emit(f"Something went wrong: {exc}. Details are in the log file.")
        else:
            if self.control.cancelled:
                self.cancelled.emit()
            else:
                self.result.emit(value)
        finally:
            self.finished.emit()

    def start(self) -> Worker:
        """Moves this worker to a fresh thread and runs it; the thread ends when the work does."""
        thread = _WorkerThread(self)
        self._thread = thread
        _running[thread] = self
        # Released on the UI thread once the thread has ended: a lambda here would run on the ending
        # thread itself, and dropping the last reference there destroys the QThread from inside it.
        thread.finished.connect(_reaper().release, Qt.ConnectionType.QueuedConnection)
        thread.start()
        return self

    def wait(self, ms: int = 30_000) -> bool:
        return self._thread.wait(ms) if self._thread else True


class _WorkerThread(QThread):
    """Runs one worker's function as the thread's own body, then ends.

    Not through ``QThread.started`` connected to a Python slot: PySide then calls the slot on the new
    thread through its dynamic meta-object, which raced with the UI thread building one and crashed
    the whole app now and then (gdb: SIGSEGV in ``PySide::MetaObjectBuilder::update`` under
    ``QThread::started``, in the test suite and in CI). A virtual ``run`` is a plain call.
    """

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self._worker = worker

    def run(self) -> None:
        self._worker._run()


# Keeps running workers (and their threads) alive until they finish, even if the caller drops them.
_running: dict[QThread, Worker] = {}


class _Reaper(QObject):
    """Lives on the UI thread; lets go of a worker and its thread after the thread has ended."""

    @Slot()
    def release(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread):
            thread.wait()  # finished is emitted just before the thread's last instructions
            _running.pop(thread, None)


@cache
def _reaper() -> _Reaper:
    """The one reaper, made on first use by the thread that starts workers (the UI thread)."""
    return _Reaper()
