"""The installed Qt binding keeps Python's reference counts straight.

PySide6 6.12.0 drops one reference to None on every call of a method that returns nothing. Before
Python 3.12 None is an ordinary counted object, so after enough UI work its count reaches zero and
the whole app aborts ("deallocating None") or crashes at random: the suite did so in CI. This test
fails on such a binding at once, instead of a crash somewhere else much later.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer


def test_calling_qt_methods_that_return_nothing_keeps_none_alive(qtbot):
    target = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        target.setObjectName("probe")  # returns nothing
        QTimer.singleShot(0, _nothing)  # returns nothing
    lost = before - sys.getrefcount(None)
    assert lost < 100, f"each Qt call returning nothing dropped a reference to None ({lost} lost)"


def _nothing() -> None:
    pass
