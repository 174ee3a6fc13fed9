"""The shell: every page opens, shortcuts switch pages, geometry is remembered, About shows versions."""

from __future__ import annotations

from deescal.ui.about import about_html
from deescal.ui.main_window import PAGES, MainWindow
from PySide6.QtCore import Qt


def test_every_page_opens_and_ctrl_digit_switches(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for n, (title, _) in enumerate(PAGES):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + n), Qt.KeyboardModifier.ControlModifier)
        assert window.nav.currentItem().text() == title
        page = window.view(title)  # pages are built once their module is imported in the background
        qtbot.waitUntil(lambda page=page: window.current_page() is page)
    assert window.model_label.text().startswith("Model:")


def test_geometry_is_remembered(qtbot, ctx):
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.setGeometry(40, 50, 720, 530)
    qtbot.waitUntil(lambda: first.width() == 720)
    first.close()
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (720, 530)


def test_about_lists_bundled_model_licences():
    html = about_html()
    assert "Gemma Terms of Use" in html and "Whisper" in html and "MiniLM" in html
