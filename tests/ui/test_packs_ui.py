"""The Course menu and the drop folder in the app: packs arrive on their own, off the UI thread, and
the review-queue lines and the assignments follow."""

from __future__ import annotations

import threading

from deescal.app.packs import PackService
from deescal.app.packs.drop_folder import publish_finished
from deescal.ui import drop_folder
from deescal.ui.main_window import MainWindow
from deescal.ui.widgets.assignments_dialog import AssignmentsDialog
from PySide6.QtWidgets import QApplication

from tests.app.pack_fixtures import open_laptop, record_scripted_session


def _laptop_with_sessions(root, course_file, drop, trainee: str, n: int) -> None:
    with open_laptop(root) as laptop:
        packs = laptop.service(PackService)
        packs.import_course(course_file)
        for _ in range(n):
            record_scripted_session(laptop, "mh-001", trainee)
        packs.set_drop_folder(drop)
        publish_finished(packs)


def test_the_instructors_app_picks_up_packs_from_the_drop_folder_off_the_ui_thread(
    qtbot, ctx, tmp_path, monkeypatch
):
    course_file = tmp_path / "c.deescal-course"
    packs = ctx.service(PackService)
    packs.export_course(course_file, ["mh-001"], name="Class")
    drop = tmp_path / "share"
    drop.mkdir()
    packs.set_drop_folder(drop)
    threads = []
    real_scan = drop_folder.scan

    def scan_recording_its_thread(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(drop_folder, "scan", scan_recording_its_thread)
    _laptop_with_sessions(tmp_path / "laptop-1", course_file, drop, "Recruit One", 2)  # there before start

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    trainees = window.show_page("Trainees")
    qtbot.waitUntil(lambda: trainees.queue_label.text() == "<b>2 new sessions to review</b>", timeout=20_000)

    _laptop_with_sessions(tmp_path / "laptop-2", course_file, drop, "Recruit Two", 3)  # while it runs
    window.course_menu.watcher.request_scan()  # what the folder watcher or the 30 s timer does
    qtbot.waitUntil(lambda: trainees.queue_label.text() == "<b>5 new sessions to review</b>", timeout=20_000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert "5 waiting for review" in window.course_menu.status.text()

    review = window.show_page("Review")  # shows the newest session by itself: not yet seen by anyone
    assert packs.queue_count() == 5 and review.queue_label.text() == "<b>5 new sessions to review</b>"
    waiting = packs.review_queue()[0].session_id
    review.session_combo.setCurrentIndex(review.session_combo.findData(waiting))  # the instructor picks it
    assert review.queue_label.text() == "<b>4 new sessions to review</b>"
    assert waiting not in {q.session_id for q in packs.review_queue()}


def test_a_trainee_imports_a_course_and_sees_assignments_ticked(qtbot, ctx, tmp_path):
    course_file = tmp_path / "c.deescal-course"
    with open_laptop(tmp_path / "instructor") as instructor:
        instructor.service(PackService).export_course(
            course_file, ["mh-001", "sui-001"], name="Class", due_at="2026-06-01"
        )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.course_menu.import_course(str(course_file))

    def dialog() -> AssignmentsDialog | None:
        found = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, AssignmentsDialog) and w.isVisible()
        ]
        return found[-1] if found else None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=20_000)
    shown = dialog()
    assert shown.table.rowCount() == 2 and shown.summary.text() == "0 of 2 done"
    assert shown.table.item(0, 2).text() == "2026-06-01"
    shown.close()
    record_scripted_session(ctx, "sui-001", "Sam Cole")
    window.course_menu.show_assignments()
    qtbot.waitUntil(lambda: dialog() is not None)
    ticked = dialog()
    assert ticked.summary.text() == "1 of 2 done"
    assert [ticked.table.item(row, 3).text() for row in range(2)] == ["", "\u2713 done"]
    assert "Joined \u201cClass\u201d" in window.course_menu.status.text()


def test_packs_dropped_on_the_window_are_imported(qtbot, ctx, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    course_file = tmp_path / "c.deescal-course"
    packs = ctx.service(PackService)
    packs.export_course(course_file, ["mh-001"], name="Class")
    with open_laptop(tmp_path / "laptop") as laptop:
        laptop.service(PackService).import_course(course_file)
        record_scripted_session(laptop, "mh-001", "Sam Cole")
        laptop.service(PackService).export_sessions(tmp_path / "sam.deescal-sessions")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    mime = QMimeData()
    mime.setUrls(
        [QUrl.fromLocalFile(str(tmp_path / "sam.deescal-sessions")), QUrl.fromLocalFile(str(course_file))]
    )
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(window, enter)  # a drop is delivered only after an accepted enter
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, buttons, keys)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: packs.queue_count() == 1, timeout=20_000)
    qtbot.waitUntil(lambda: "1 waiting for review" in window.course_menu.status.text(), timeout=20_000)
