"""Cyclic garbage made in a worker thread is collected on the UI thread, never in the worker."""

from __future__ import annotations

import gc
import threading


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


def test_collection_happens_on_the_ui_thread(qtbot, main_thread_gc):
    collections: list[str] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(threading.current_thread().name)

    def make_garbage() -> None:
        for _ in range(50_000):  # far past the generation-0 threshold (700 allocations)
            _Node()

    gc.callbacks.append(record)
    try:
        worker = threading.Thread(target=make_garbage, name="garbage-maker")
        worker.start()
        worker.join()
        assert not gc.isenabled()
        assert collections == []  # the worker's allocations did not start a collection there
        qtbot.waitUntil(lambda: bool(collections), timeout=5000)  # the UI thread's timer did
    finally:
        gc.callbacks.remove(record)
    assert set(collections) == {threading.main_thread().name}


def test_stop_hands_collection_back(qapp, main_thread_gc):
    from deescal.ui.main_thread_gc import MainThreadGarbageCollector

    gc.enable()  # as before the app starts
    try:
        collector = MainThreadGarbageCollector(qapp)
        assert not gc.isenabled()
        collector.stop()
        assert gc.isenabled()
    finally:
        gc.disable()  # the session's collector (the fixture) keeps collection on the UI thread


def test_collection_switched_back_on_by_a_library_is_switched_off_again(qtbot, main_thread_gc):
    """spaCy's loader turns automatic collection on (srsly.msgpack_loads calls gc.enable())."""
    gc.enable()
    qtbot.waitUntil(lambda: not gc.isenabled(), timeout=5000)
