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


def test_window_shrinks_to_1024x640_after_every_page_was_opened(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    for title, _ in PAGES:
        window.show_page(title)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 640, hint  # pages scroll instead of growing the window
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1024, 640))


def test_menus_offer_import_export_quit_guide_shortcuts_and_about(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["File", "View", "Go", "Help", "Course"]
    entries = {
        name: [a.text().replace("&", "") for a in m.actions() if a.text()] for name, m in menus.items()
    }
    assert entries["File"] == ["Import scenarios…", "Export all scenarios…", "Export review as PDF…", "Quit"]
    assert entries["Help"] == ["Getting started", "User guide", "Keyboard shortcuts", "About DeEscal Trainer"]
    guide = window.show_guide()
    assert guide.isVisible() and "Pick a scenario" in guide.text.toPlainText()
    guide.close()
    shortcuts = window.show_shortcuts().text.toPlainText()
    for n in range(len(PAGES)):  # every page's shortcut in the Go menu is listed
        assert menus["Go"].actions()[n].shortcut().toString() == f"Ctrl+{n + 1}"
    assert "Ctrl+E" in shortcuts and "Esc" in shortcuts and "F1" in shortcuts


def test_navigation_has_an_icon_for_every_page(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    for n in range(window.nav.count()):
        assert not window.nav.item(n).icon().isNull(), window.nav.item(n).text()
        assert not window.nav.item(n).icon().pixmap(24, 24).toImage().isNull()
