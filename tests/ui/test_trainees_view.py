"""The Trainees page shows trainees, their sessions, trend and coverage, and opens a review."""

from __future__ import annotations

import csv

from deescal.ui.main_window import MainWindow
from deescal.ui.views.trainees import TraineesView
from PySide6.QtWidgets import QFileDialog, QInputDialog

from tests.app.session_factory import make_session


def test_trainees_view_shows_sessions(qtbot, ctx, store):
    make_session(store, 2, trainee="Sam Ortiz", started_at="2026-01-01T10:00:00Z")
    make_session(store, 4, trainee="Sam Ortiz", started_at="2026-02-01T10:00:00Z")
    make_session(store, 1, trainee="Avery Chen")
    view = TraineesView(ctx)
    qtbot.addWidget(view)
    names = [view.trainee_table.item(r, 0).text() for r in range(view.trainee_table.rowCount())]
    assert names == ["Avery Chen", "Sam Ortiz"]
    view.trainee_table.selectRow(1)
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
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Jo Park", True))
    view.new_trainee()
    assert view.trainee_table.item(0, 0).text() == "Jo Park"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Jo Park-Lee", True))
    view.rename_trainee()
    assert view.trainee_table.item(0, 0).text() == "Jo Park-Lee"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("jo park-lee", True))
    view.new_trainee()  # a duplicate: refused with a message, nothing added
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
    view.trainee_table.selectRow(0)
    view._open_session(view.session_table.item(0, 0))
    review = window.view("Review")
    assert window.current_page() is review
    assert review.review.session.id == session
