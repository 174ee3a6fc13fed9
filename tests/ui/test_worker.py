"""The one worker pattern: results, errors as messages, cancellation, and wait() without deadlock."""

from __future__ import annotations

import time

from deescal.app.errors import UserFacingError
from deescal.ui.worker import Worker


def _collect(worker: Worker) -> dict:
    seen: dict = {"progress": [], "partial": []}
    worker.progress.connect(lambda f, t: seen["progress"].append((f, t)))
    worker.partial.connect(seen["partial"].append)
    worker.result.connect(lambda v: seen.setdefault("result", v))
    worker.error.connect(lambda m: seen.setdefault("error", m))
    worker.cancelled.connect(lambda: seen.setdefault("cancelled", True))
    return seen


def test_result_progress_and_partial_arrive(qtbot):
    def work(control, n):
        for i in range(n):
            control.progress((i + 1) / n, f"step {i + 1}")
            control.partial(i)
        return n * 10

    worker = Worker(work, 3)
    seen = _collect(worker)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 30
    assert seen["partial"] == [0, 1, 2]
    assert seen["progress"][-1] == (1.0, "step 3")


def test_user_facing_error_keeps_its_message_and_bugs_become_a_message(qtbot):
    def clear(control):
        raise UserFacingError("The model file is damaged.")

    def bug(control):
        raise KeyError("oops")

    for fn, expected in ((clear, "The model file is damaged."), (bug, "Something went wrong")):
        worker = Worker(fn)
        seen = _collect(worker)
        with qtbot.waitSignal(worker.finished, timeout=5000):
            worker.start()
        qtbot.waitUntil(lambda seen=seen: "error" in seen)
        assert seen["error"].startswith(expected)
        assert "result" not in seen


def test_cancel_stops_the_work(qtbot):
    def work(control):
        while True:
            control.check()
            time.sleep(0.01)

    worker = Worker(work)
    seen = _collect(worker)
    worker.start()
    worker.cancel()
    qtbot.waitUntil(lambda: seen.get("cancelled", False), timeout=5000)


def test_wait_from_the_ui_thread_returns_when_the_work_ends(qtbot):
    worker = Worker(lambda control: time.sleep(0.2))
    worker.start()
    started = time.perf_counter()
    assert worker.wait(10_000)
    assert time.perf_counter() - started < 3
