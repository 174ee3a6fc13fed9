"""The Review page as an instructor uses it: open a session, override a score, approve, export."""

from __future__ import annotations

import re
import time

import pytest
from deescal.ui.views.review import ReviewView
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QDialog, QFileDialog

from tests.app.session_factory import make_session


@pytest.fixture
def view(qtbot, ctx):
    widget = ReviewView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def pdf_page_count(data: bytes) -> int:
    """Pages declared in the PDF's page tree (reportlab writes "/Count N ... /Type /Pages")."""
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    match = re.search(rb"/Count (\d+) /Kids \[[^\]]*\] /Type /Pages", data)
    assert match, "no page tree in the PDF"
    return int(match.group(1))


def officer_row(view: ReviewView, n: int) -> int:
    officer_rows = [row for row, turn in enumerate(view.review.turns) if turn.is_officer]
    return officer_rows[n]


def test_show_session_lists_turns_scores_and_extremes(qtbot, ctx, store):
    session = make_session(store, 6)
    view = ReviewView(ctx)
    qtbot.addWidget(view)
    view.show_session(session)
    assert view.table.rowCount() == 12
    assert view.table.item(1, 1).text() == "Trainee"
    assert view.table.item(1, 3).text().isdigit()
    assert view.strong_list.count() == 3 and view.weak_list.count() == 2  # only two turns score below 65
    assert "Calm down" in view.weak_list.item(0).text() or "Shut up" in view.weak_list.item(0).text()
    assert view.chart.score_series.count() == 6 and view.chart.tension_series.count() == 6
    assert "Alex Morgan" in view.summary.text()
    assert not view.compare_button.isEnabled()  # no real transcript behind this scenario


def test_override_a_score_and_see_it_persisted(qtbot, view, ctx, store):
    session = make_session(store, 3)
    view.refresh_sessions()
    view.show_session(session)
    row = officer_row(view, 2)
    view.table.selectRow(row)
    turn = view.panel.turn
    assert turn is not None and turn.turn_id == view.review.turns[row].turn_id
    view.panel.override_spin.setValue(88)
    view.panel.mark_combo.setCurrentIndex(1)  # good
    qtbot.keyClicks(view.panel.comment_edit, "Fair: the civilian had just shouted")
    qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    saved = store.query_one(
        "SELECT override_score, mark, comment FROM instructor_reviews WHERE turn_id = ?", (turn.turn_id,)
    )
    assert saved == {"override_score": 88.0, "mark": "good", "comment": "Fair: the civilian had just shouted"}
    assert view.table.item(row, 3).text() == "88 ✎"
    assert "GOOD" in view.table.item(row, 5).text()
    assert view.panel.turn.turn_id == turn.turn_id  # selection kept after the reload
    fresh = ReviewView(ctx)  # a new page (as after a restart) shows the override
    qtbot.addWidget(fresh)
    fresh.show_session(session)
    assert fresh.table.item(row, 3).text() == "88 ✎"


def test_approve_asks_the_name_and_previews_what_training_reads(qtbot, view, ctx, store, monkeypatch):
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("LOGNAME", "root")
    session = make_session(store, 3)
    store.execute(
        "UPDATE session_turns SET text = 'I live at 12 Elm Street, call 555-301-2222.' WHERE session_id = ? AND idx = 0",
        (session,),
    )
    view.show_session(session)
    bad = view.review.officer_turns[1]
    view.service.set_turn_review(session, bad.turn_id, mark="bad", reviewer="Sgt K")
    qtbot.mouseClick(view.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.approval_dialog is not None, timeout=60_000
    )  # preview built off the UI thread
    dialog = view.approval_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.reviewer_edit.text() == "" and not dialog.approve_button.isEnabled()  # never "root"
    assert dialog.approve_button.isVisible() and dialog.focusWidget() is dialog.reviewer_edit
    preview = dialog.preview.toPlainText()
    spoken = preview.split("Replaced")[0]
    assert "12 Elm Street" not in spoken and "555-301-2222" not in spoken
    assert bad.text not in preview  # the turn marked bad is not in what training reads
    expected = view.service.training_preview(session)
    assert [line for line in spoken.splitlines() if line.strip()] == [
        f"{role.capitalize()}: {text}" for role, text in expected.turns
    ]
    dialog.reviewer_edit.setText("Sgt Okafor")
    dialog.approve_button.click()
    qtbot.waitUntil(lambda: view.approval_dialog is None)
    row = store.query_one("SELECT approved, approved_by FROM sessions WHERE id = ?", (session,))
    assert row == {"approved": 1, "approved_by": "Sgt Okafor"}
    assert view.approve_button.text() == "Withdraw approval"
    assert "approved" in view.session_combo.currentText()
    view.toggle_approval()  # withdraw, then approve again: the name is remembered
    view.toggle_approval()
    qtbot.waitUntil(lambda: view.approval_dialog is not None, timeout=60_000)
    assert view.approval_dialog.reviewer_edit.text() == "Sgt Okafor"
    view.approval_dialog.done(QDialog.DialogCode.Rejected)


def test_cancelled_approval_changes_nothing(qtbot, view, store):
    session = make_session(store, 1)
    view.show_session(session)
    view.toggle_approval()
    qtbot.waitUntil(lambda: view.approval_dialog is not None, timeout=60_000)
    view.approval_dialog.done(QDialog.DialogCode.Rejected)
    assert store.query_one("SELECT approved FROM sessions WHERE id = ?", (session,))["approved"] == 0


def test_export_pdf_has_pages(qtbot, view, store, tmp_path, monkeypatch):
    session = make_session(store, 6)
    view.show_session(session)
    target = tmp_path / "review.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF (*.pdf)"))
    view.export_pdf()
    qtbot.waitUntil(lambda: target.exists() and "Saved" in view.status.text(), timeout=20_000)
    assert pdf_page_count(target.read_bytes()) >= 1


def test_unscored_turns_are_scored_in_the_background(qtbot, view, ctx, store):
    session = make_session(store, 2, score=False)
    view.show_session(session)
    qtbot.waitUntil(lambda: not view.review.unscored_turns, timeout=20_000)
    assert view.table.item(officer_row(view, 0), 3).text().isdigit()


def test_a_sixty_turn_session_opens_in_under_a_second(qtbot, view, store):
    session = make_session(store, 30)  # 30 civilian + 30 officer turns
    start = time.perf_counter()
    view.show_session(session)
    qtbot.wait(1)
    assert time.perf_counter() - start < 1.0
    assert view.table.rowCount() == 60


def test_turn_numbers_count_the_trainees_lines(qtbot, view, store):
    session = make_session(store, 4)
    view.show_session(session)
    numbers = [view.table.item(row, 0).text() for row in range(view.table.rowCount())]
    assert numbers == ["", "1", "", "2", "", "3", "", "4"]  # civilian rows carry no number
    weakest = view.weak_list.item(0)
    turn = view.review.turns[weakest.data(Qt.ItemDataRole.UserRole)]
    assert f"turn {turn.number}:" in weakest.text() and turn.is_officer
    view.chart.turnClicked.emit(3)
    assert view.panel.turn.number == 3 and "Turn 3" in view.panel.details.toPlainText()


def test_weakest_lists_only_weak_turns(qtbot, view, store):
    session = make_session(store, 6)
    view.show_session(session)
    weak = [view.weak_list.item(n).text() for n in range(view.weak_list.count())]
    assert weak and all(int(text.split(" · ")[0]) < 65 for text in weak)
    for turn in view.review.officer_turns:  # every turn rated 88 or more: none is "weakest"
        view.service.set_turn_review(session, turn.turn_id, override_score=88, reviewer="Sgt K")
    view.reload()
    assert view.weak_list.count() == 1
    assert view.weak_list.item(0).text() == "No turn below 65: none to work on."
    assert view.weak_list.item(0).flags() == Qt.ItemFlag.NoItemFlags


def test_turn_details_wrap_and_scroll(qtbot, view, store):
    session = make_session(store, 2)
    long_line = "I hear you, and I want to understand what happened before we arrived tonight. " * 12
    store.execute(
        "UPDATE session_turns SET text = ? WHERE session_id = ? AND role = 'officer'", (long_line, session)
    )
    view.show_session(session)
    view.resize(1024, 640)
    view.table.selectRow(1)
    details = view.panel.details
    assert long_line.strip() in " ".join(details.toPlainText().split())  # nothing cut off
    qtbot.waitUntil(lambda: details.verticalScrollBar().maximum() > 0)  # taller than the box: it scrolls
    assert details.horizontalScrollBar().maximum() == 0  # wrapped to the width, never cut at the side


def test_the_debrief_is_on_the_page_and_its_links_select_turns(qtbot, view, store):
    session = make_session(store, 6)
    view.show_session(session)
    text = view.debrief_view.toPlainText()
    assert "What went well" in text and "What to try next time" in text
    assert "Learning objectives" in text and "Acknowledge her frustration: MET." in text
    assert "Critical moments" in text and "LEAPS: Empathise" in text
    view.tabs.setCurrentWidget(view.debrief_view)
    view.debrief_view.anchorClicked.emit(QUrl("#turn-5"))
    assert view.tabs.currentIndex() == 0 and view.panel.turn.number == 5
    assert "Shut up" in view.panel.turn.text


def test_score_cells_stay_readable_in_the_dark_theme(qtbot, view, store):
    """The cells are light green, amber or red; the dark theme's light text on them was unreadable."""
    from tests.ui.test_theme import contrast

    session = make_session(store, 3)
    view.show_session(session)
    cells = [view.table.item(row, 3) for row in range(view.table.rowCount())]
    coloured = [
        cell for cell in cells if cell is not None and cell.background().style() != Qt.BrushStyle.NoBrush
    ]
    assert coloured
    for cell in coloured:  # without its own text colour a cell draws the theme's (light in the dark theme)
        assert cell.foreground().style() != Qt.BrushStyle.NoBrush
        assert contrast(cell.background().color().name(), cell.foreground().color().name()) >= 4.5


def test_an_empty_review_page_says_what_to_do_and_opens_the_library(qtbot, view, store):
    view.refresh_sessions()
    assert view.page_stack.is_empty() and "No role-play sessions yet" in view.page_stack.empty.label.text()
    with qtbot.waitSignal(view.page_requested) as asked:
        view.page_stack.empty.button.click()
    assert asked.args == ["Library"]
    view.show_session(make_session(store, 2))  # the Role-play page hands over a finished session
    assert not view.page_stack.is_empty()
