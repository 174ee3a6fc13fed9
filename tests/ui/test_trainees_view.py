"""The Trainees page shows trainees, their sessions, trend and coverage, and opens a review."""

from __future__ import annotations

import csv

import pytest
from deescal.ui.main_window import MainWindow
from deescal.ui.tasks import drain
from deescal.ui.views.trainees import TraineesView
from PySide6.QtWidgets import QFileDialog, QInputDialog

from tests.app.session_factory import make_session


@pytest.fixture(autouse=True)
def stop_background_work():
    """The page reads in background tasks: they end before the test's database closes."""
    yield
    drain()


def settle(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not view.loading, timeout=30_000)  # a loaded 2-core machine is slow


def test_trainees_view_shows_sessions(qtbot, ctx, store):
    make_session(store, 2, trainee="Sam Ortiz", started_at="2026-01-01T10:00:00Z")
    make_session(store, 4, trainee="Sam Ortiz", started_at="2026-02-01T10:00:00Z")
    make_session(store, 1, trainee="Avery Chen")
    view = TraineesView(ctx)
    qtbot.addWidget(view)
    settle(qtbot, view)
    names = [view.trainee_table.item(r, 0).text() for r in range(view.trainee_table.rowCount())]
    assert names == ["Avery Chen", "Sam Ortiz"]
    view.trainee_table.selectRow(1)
    settle(qtbot, view)
    assert view.session_table.rowCount() == 2
    assert view.session_table.item(0, 1).text().startswith("2026-01-01")
    assert view.trend.series.count() == 2
    labels = [view.coverage.item(r, 0).text() for r in range(view.coverage.rowCount())]
    assert "Introduces self / uses name" in labels
    row = labels.index("Introduces self / uses name")
    assert view.coverage.item(row, 2).text() == "2"


def test_create_rename_and_export(qtbot, ctx, store, tmp_path, monkeypatch):
    view = TraineesView(ctx)
    qtbot.addWidget(view)
    settle(qtbot, view)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Jo Park", True))
    view.new_trainee()
    settle(qtbot, view)
    assert view.trainee_table.item(0, 0).text() == "Jo Park"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Jo Park-Lee", True))
    view.rename_trainee()
    settle(qtbot, view)
    assert view.trainee_table.item(0, 0).text() == "Jo Park-Lee"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("jo park-lee", True))
    view.new_trainee()  # a duplicate: refused with a message, nothing added
    settle(qtbot, view)
    assert view.trainee_table.rowCount() == 1 and "already" in view.status.text()
    make_session(store, 1, trainee="Jo Park-Lee")
    target = tmp_path / "sessions.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV (*.csv)"))
    view.export_csv()
    with target.open(newline="", encoding="utf-8") as handle:
        assert [r["trainee"] for r in csv.DictReader(handle)] == ["Jo Park-Lee"]


def test_double_click_opens_the_review(qtbot, ctx, store):
    session = make_session(store, 2, trainee="Sam Ortiz")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    view = window.show_page("Trainees")
    settle(qtbot, view)
    view.trainee_table.selectRow(0)
    settle(qtbot, view)
    view._open_session(view.session_table.item(0, 0))
    review = window.view("Review")
    assert window.current_page() is review
    assert review.review.session.id == session


def test_empty_page_says_how_to_add_a_trainee(qtbot, ctx, store, monkeypatch):
    view = TraineesView(ctx)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, view)
    assert view.page_stack.is_empty() and not view.trainee_table.isVisible()
    assert "No trainees yet" in view.page_stack.empty.label.text()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Kim Lee", True))
    view.page_stack.empty.button.click()  # the empty state's own button adds one
    settle(qtbot, view)
    assert not view.page_stack.is_empty() and view.trainee_table.item(0, 0).text() == "Kim Lee"
    # A trainee without sessions: each part says what will fill it, no blank table or empty chart.
    assert view.sessions_stack.is_empty() and view.trend_stack.is_empty() and view.coverage_stack.is_empty()
    make_session(store, 2, trainee="Kim Lee")
    view.refresh()
    settle(qtbot, view)
    assert not view.sessions_stack.is_empty() and not view.trend_stack.is_empty()
    assert view.trend.isVisible() and view.session_table.rowCount() == 1
