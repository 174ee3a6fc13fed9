"""Qt tests collect cyclic garbage on the UI thread only, as the app does (``ui/main_thread_gc.py``),
and every test's data folder has the embedded model linked in: a window prepares the role-play model
in the background, and assembling it anew wrote 253 MB per test (about 6 GB a run)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def main_thread_gc(qapp):
    from deescal.ui.main_thread_gc import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def _embedded_model_linked(embedded_in_data_dir) -> None:
    """Links the model assembled once per run into the test's data folder (see the module docstring)."""
