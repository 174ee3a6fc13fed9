"""The task layer: per-lane policies, the one way an error is shown, drain on close, navigation by signal."""

from __future__ import annotations

import threading

from deescal.app.errors import UserFacingError
from deescal.ui.main_window import MainWindow
from deescal.ui.tasks import ERROR_COLOUR, Policy, TaskLane, drain
from PySide6.QtWidgets import QLabel


def _blocking(release: threading.Event):
    """A task body that runs until released or cancelled, and returns its name."""

    def work(control, name: str) -> str:
        while not release.wait(0.01):
            control.check()
        return name

    return work


def test_refuse_turns_a_second_start_away_while_one_runs(qtbot):
    lane, release, results = TaskLane(Policy.REFUSE), threading.Event(), []
    work = _blocking(release)
    assert lane.start(work, "first", on_result=results.append) is not None
    assert lane.start(work, "second", on_result=results.append) is None
    release.set()
    qtbot.waitUntil(lambda: not lane.busy, timeout=5000)
    assert results == ["first"]


def test_queue_runs_every_task_in_order_one_at_a_time(qtbot):
    lane, release, results = TaskLane(Policy.QUEUE), threading.Event(), []
    work = _blocking(release)
    for name in ("a", "b", "c"):
        lane.start(work, name, on_result=results.append)
    assert len(lane.running) == 1
    release.set()
    qtbot.waitUntil(lambda: not lane.busy, timeout=5000)
    assert results == ["a", "b", "c"]


def test_replace_cancels_the_running_task_and_runs_only_the_newest(qtbot):
    lane, release, results, cancelled = TaskLane(Policy.REPLACE), threading.Event(), [], []
    work = _blocking(release)
    first = lane.start(work, "old", on_result=results.append, on_cancelled=lambda: cancelled.append("old"))
    lane.start(work, "middle", on_result=results.append)
    lane.start(work, "new", on_result=results.append)
    qtbot.waitUntil(lambda: cancelled == ["old"], timeout=5000)
    assert first.control.cancelled
    release.set()
    qtbot.waitUntil(lambda: not lane.busy, timeout=5000)
    assert results == ["new"]


def test_parallel_runs_tasks_side_by_side(qtbot):
    lane, release = TaskLane(Policy.PARALLEL), threading.Event()
    work = _blocking(release)
    lane.start(work, "a")
    lane.start(work, "b")
    assert len(lane.running) == 2
    release.set()
    qtbot.waitUntil(lambda: not lane.busy, timeout=5000)


def test_a_failure_is_shown_in_red_on_the_lanes_status_line_after_the_pages_own_handling(qtbot):
    status = QLabel()
    qtbot.addWidget(status)
    lane, handled = TaskLane(Policy.REFUSE, status), []

    def fail(control):
        raise UserFacingError("The model file is <damaged>.")

    lane.start(fail, on_error=handled.append, on_result=lambda _: handled.append("result"))
    qtbot.waitUntil(lambda: not lane.busy, timeout=5000)
    assert handled == ["The model file is <damaged>."]
    assert ERROR_COLOUR in status.text() and "&lt;damaged&gt;" in status.text()


def test_closing_the_window_cancels_and_waits_for_running_tasks(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.show_page("Models")
    release, cancelled = threading.Event(), []
    work = _blocking(release)  # never released: only cancellation ends it
    running = page.tasks.start(work, "check", on_cancelled=lambda: cancelled.append(True))
    queued = TaskLane(Policy.QUEUE, parent=page)
    queued.start(work, "one")
    queued.start(work, "two")
    assert window.close()
    assert running._thread.isFinished() and queued.running[0]._thread.isFinished()
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)
    qtbot.waitUntil(lambda: not queued.busy, timeout=5000)  # the waiting task never started
    assert page.tasks.start(work, "after close") is None
    assert drain(timeout_s=1)


def test_pages_navigate_through_the_main_windows_signal_wiring(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    trainees = window.view("Trainees")
    opened = []
    review = window.view("Review")
    review.show_session = opened.append
    trainees.review_requested.emit(7)
    assert opened == [7] and window.current_page() is review
    window.view("Models").active_model_changed.emit("Tiny test model")
    assert window.model_label.text() == "Model: Tiny test model"
    window.close()


def test_handlers_run_on_the_ui_thread_even_as_lambdas(qtbot):
    """A lambda connected straight to a worker's signal ran in the worker thread and touched widgets
    there (a segfault in the Review page's reload); the lane relays every handler to the UI thread."""
    lane, seen = TaskLane(Policy.PARALLEL), {}
    lane.start(
        lambda control: control.progress(0.5, "half") or 42,
        on_progress=lambda fraction, text: seen.setdefault("progress", threading.current_thread()),
        on_result=lambda value: seen.setdefault("result", threading.current_thread()),
        on_finished=lambda: seen.setdefault("finished", threading.current_thread()),
    )
    qtbot.waitUntil(lambda: "finished" in seen, timeout=5000)
    assert set(seen) == {"progress", "result", "finished"}
    assert all(thread is threading.main_thread() for thread in seen.values())


def test_a_finished_worker_is_let_go_on_the_ui_thread_after_its_thread_has_ended(qtbot, monkeypatch):
    """Let go on the ending thread, the worker (and with it its QThread) could be collected on the UI
    thread while that thread was still running its last instructions: a segfault in CI, seen when this
    file ran after window tests."""
    from deescal.ui import worker as worker_module

    released: list[tuple[threading.Thread, bool]] = []

    class Recording(dict):
        def pop(self, thread, *default):
            released.append((threading.current_thread(), thread.isFinished()))
            return super().pop(thread, *default)

    monkeypatch.setattr(worker_module, "_running", Recording())
    worker_module.Worker(lambda control: None).start()
    qtbot.waitUntil(lambda: bool(released), timeout=5000)
    assert released == [(threading.main_thread(), True)]
    assert not worker_module._running


LANE_DROPPED_AFTER_ITS_TASK = """
import sys
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from deescal.ui.tasks import Policy, TaskLane
for _ in range(20):
    lane = TaskLane(Policy.REFUSE)
    loop = QEventLoop()
    lane.start(lambda control: 1, on_finished=loop.quit)
    QTimer.singleShot(5000, loop.quit)
    loop.exec()
    del lane
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
print("ok")
"""


def test_a_lane_dropped_after_its_task_is_deleted_once():
    """A relay that kept its lane alive destroyed it from inside its own deferred delete, which
    deleted the relay twice: CI's segfault when this file ran after window tests (a crash, so it
    runs in a child process)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-c", LANE_DROPPED_AFTER_ITS_TASK],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", (run.returncode, run.stderr[-2000:])
