"""Qt tests collect cyclic garbage on the UI thread only, as the app does (``ui/main_thread_gc.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def main_thread_gc(qapp):
    from deescal.ui.main_thread_gc import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector(qapp)
    yield collector
    collector.stop()
