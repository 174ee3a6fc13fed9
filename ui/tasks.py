"""The UI's task layer: how pages start, follow, cancel and finish background work.

A page owns one :class:`TaskLane` per kind of work. The lane starts each task on a
:class:`~deescal.ui.worker.Worker` (still the one way work leaves the UI thread), applies the page's
:class:`Policy` when a task is asked for while another runs, and calls the page's handlers on the UI
thread (the lane's own slots receive the worker's signals, so a handler may be a lambda). A failure
reaches the user one way, :func:`show_error`, on the lane's status line. The main window ends every
lane's work at once with :func:`drain`: one cancel, one wait, one timeout.
"""

from __future__ import annotations

import html
import logging
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from deescal.ui.worker import Worker
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel

log = logging.getLogger(__name__)

# Waiting for cancelled work to stop (a training step, a model load) gives up after this long, in all.
DRAIN_TIMEOUT_S = 120.0

ERROR_COLOUR = "#b00020"


class Policy(Enum):
    """What a lane does when a task is asked for while another one runs."""

    PARALLEL = "parallel"  # independent work (exports, saves): every task runs at once
    REFUSE = "refuse"  # one at a time: the new task is refused (start returns None)
    REPLACE = "replace"  # one at a time: the running task is cancelled, the newest one runs next
    QUEUE = "queue"  # one at a time: tasks run in the order they were asked for


def error_html(message: str) -> str:
    """A failure as the status line shows it."""
    return f"<span style='color:{ERROR_COLOUR}'>{html.escape(message)}</span>"


def show_error(status: QLabel, message: str) -> None:
    """The one way a failure reaches the user: in red on the status line of the page it happened on."""
    status.setText(error_html(message))


@dataclass
class Handlers:
    """What the page wants to hear about one task; every handler runs on the UI thread."""

    on_result: Callable[[Any], None] | None = None
    on_progress: Callable[[float, str], None] | None = None
    on_partial: Callable[[Any], None] | None = None
    on_error: Callable[[str], None] | None = None
    on_cancelled: Callable[[], None] | None = None
    on_finished: Callable[[], None] | None = None


@dataclass
class _Pending:
    fn: Callable[..., Any]
    args: tuple
    handlers: Handlers


class _Relay(QObject):
    """Lives on the UI thread and turns one worker's signals into calls of the page's handlers."""

    def __init__(self, lane: TaskLane, worker: Worker, handlers: Handlers) -> None:
        super().__init__(lane)
        # No Python reference to the lane (``lane`` below reads Qt's parent): with one, a parentless
        # lane lived on through its relay's wrapper and was destroyed from inside the relay's own
        # deferred delete, deleting the relay a second time (a segfault in CI after window tests).
        self.worker, self.handlers = worker, handlers
        worker.progress.connect(self._progress)
        worker.partial.connect(self._partial)
        worker.result.connect(self._result)
        worker.error.connect(self._error)
        worker.cancelled.connect(self._cancelled)
        worker.finished.connect(self._finished)

    @property
    def lane(self) -> TaskLane:
        return self.parent()

    @Slot(float, str)
    def _progress(self, fraction: float, text: str) -> None:
        if self.handlers.on_progress:
            self.handlers.on_progress(fraction, text)

    @Slot(object)
    def _partial(self, item: Any) -> None:
        if self.handlers.on_partial:
            self.handlers.on_partial(item)

    @Slot(object)
    def _result(self, value: Any) -> None:
        if self.handlers.on_result:
            self.handlers.on_result(value)

    @Slot(str)
    def _error(self, message: str) -> None:
        if self.handlers.on_error:
            self.handlers.on_error(message)
        if self.lane.status is not None:
            show_error(self.lane.status, message)

    @Slot()
    def _cancelled(self) -> None:
        if self.handlers.on_cancelled:
            self.handlers.on_cancelled()

    @Slot()
    def _finished(self) -> None:
        self.lane._task_finished(self)
        if self.handlers.on_finished:
            self.handlers.on_finished()
        self.lane._start_next()
        self.deleteLater()


class TaskLane(QObject):
    """One page's stream of one kind of background work, under one :class:`Policy`."""

    def __init__(self, policy: Policy, status: QLabel | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.policy = policy
        self.status = status
        self._running: list[_Relay] = []
        self._waiting: deque[_Pending] = deque()
        self._closed = False
        _lanes.add(self)

    @property
    def busy(self) -> bool:
        return bool(self._running or self._waiting)

    @property
    def running(self) -> list[Worker]:
        return [relay.worker for relay in self._running]

    def start(self, fn: Callable[..., Any], *args: Any, **handlers: Any) -> Worker | None:
        """Runs ``fn(control, *args)`` under the lane's policy.

        Returns the worker when the task started now, None when it was refused or has to wait.
        ``handlers`` are the fields of :class:`Handlers`.
        """
        if self._closed:
            return None
        pending = _Pending(fn, args, Handlers(**handlers))
        if self._running and self.policy is not Policy.PARALLEL:
            if self.policy is Policy.REFUSE:
                return None
            if self.policy is Policy.REPLACE:
                self._waiting.clear()
                for relay in self._running:
                    relay.worker.cancel()
            self._waiting.append(pending)
            return None
        return self._launch(pending)

    def cancel(self) -> None:
        """Drops the waiting tasks and asks the running ones to stop."""
        self._waiting.clear()
        for relay in self._running:
            relay.worker.cancel()

    def stop(self) -> bool:
        """Cancels this lane's work and waits for it, for a page that must be idle before it goes on."""
        self.cancel()
        return _wait_for(self.running)

    def _close(self) -> None:
        self._closed = True
        self.cancel()

    def _launch(self, pending: _Pending) -> Worker:
        worker = Worker(pending.fn, *pending.args)
        self._running.append(_Relay(self, worker, pending.handlers))
        return worker.start()

    def _task_finished(self, relay: _Relay) -> None:
        if relay in self._running:
            self._running.remove(relay)

    def _start_next(self) -> None:
        if self._waiting and not self._running and not self._closed:
            self._launch(self._waiting.popleft())


# Every lane, so closing the window reaches them all without each page keeping its own list.
_lanes: weakref.WeakSet[TaskLane] = weakref.WeakSet()


def drain(timeout_s: float = DRAIN_TIMEOUT_S) -> bool:
    """Closes every lane, cancels all their work and waits for it; False if some outlasted the timeout.

    The main window calls this once when it closes. Waiting blocks the UI thread, which is safe: a
    worker's thread quits from the worker thread itself.
    """
    lanes = list(_lanes)
    for lane in lanes:
        lane._close()
    return _wait_for([worker for lane in lanes for worker in lane.running], timeout_s)


def _wait_for(workers: list[Worker], timeout_s: float = DRAIN_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    stopped = all(worker.wait(max(0, round((deadline - time.monotonic()) * 1000))) for worker in workers)
    if not stopped:
        log.warning("background work still running after %.0f s", timeout_s)
    return stopped
