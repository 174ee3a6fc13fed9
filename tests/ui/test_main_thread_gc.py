"""Cyclic garbage made in a worker thread is collected on the UI thread, never in the worker."""

from __future__ import annotations

import gc
import sys
import threading
import types


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


def test_what_an_import_made_is_frozen_so_full_collections_skip_it(qtbot, main_thread_gc):
    """A full collection over the app's libraries took 250 ms on the UI thread; frozen, it skips them."""
    module = types.ModuleType("deescal_test_imported_module")
    module.table = [[row] for row in range(20_000)]  # tracked objects, as an imported library makes
    frozen = gc.get_freeze_count()
    sys.modules[module.__name__] = module
    try:
        qtbot.waitUntil(lambda: gc.get_freeze_count() >= frozen + 20_000, timeout=5000)
        assert not any(obj is module.table[0] for obj in gc.get_objects())  # no collection walks it
        module.table.pop(0)  # reference counting still frees frozen objects
    finally:
        del sys.modules[module.__name__]
