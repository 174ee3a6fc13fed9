"""The main window: navigation on the left, one page per area, the active model in the status bar."""

from __future__ import annotations

import base64
import importlib

from deescal.app.context import AppContext
from deescal.app.settings import get_setting, set_setting
from deescal.ui import tasks
from deescal.ui.course_menu import CourseMenu
from deescal.ui.views.welcome import WELCOME_SEEN
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

# (title, "module:Class"); each view is built as Class(ctx) the first time it is shown.
PAGES: list[tuple[str, str]] = [
    ("Library", "deescal.ui.views.library:LibraryView"),
    ("Role-play", "deescal.ui.views.roleplay:RoleplayView"),
    ("Review", "deescal.ui.views.review:ReviewView"),
    ("Trainees", "deescal.ui.views.trainees:TraineesView"),
    ("Fine-tune", "deescal.ui.views.finetune:FinetuneView"),
    ("Models", "deescal.ui.views.models:ModelsView"),
    ("Settings", "deescal.ui.views.settings:SettingsView"),
    ("Welcome", "deescal.ui.views.welcome:WelcomeView"),
]

GEOMETRY_KEY = "ui.main_window.geometry"


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("DeEscal Trainer")
        self.resize(1280, 800)
        self._views: dict[str, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        for n, (title, _) in enumerate(PAGES):
            item = QListWidgetItem(title)
            item.setToolTip(f"{title} (Ctrl+{n + 1})")
            self.nav.addItem(item)
            self.stack.addWidget(QWidget())  # replaced by the real view on first visit
        self.nav.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.model_label = QLabel()
        self.statusBar().addPermanentWidget(self.model_label)
        self.set_active_model_text(get_setting(ctx.store, "ui.active_model_label", "Gemma 3 270M (embedded)"))

        self._build_menu()
        self.course_menu = CourseMenu(self, ctx)  # course and session packs, the drop folder
        self._restore_geometry()
        self.show_page("Library" if get_setting(ctx.store, WELCOME_SEEN) else "Welcome")

    # -- navigation --------------------------------------------------------------------------
    def _build_menu(self) -> None:
        go = self.menuBar().addMenu("&Go")
        for n, (title, _) in enumerate(PAGES):
            action = QAction(title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{n + 1}"))
            action.triggered.connect(lambda _=False, row=n: self.nav.setCurrentRow(row))
            go.addAction(action)
        go.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        go.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        welcome = QAction("&Getting started", self)
        welcome.triggered.connect(lambda: self.show_page("Welcome"))
        help_menu.addAction(welcome)
        about = QAction("&About DeEscal Trainer", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentWidget(self.view(PAGES[row][0]))

    def view(self, title: str) -> QWidget:
        """The page called ``title``, built on first use."""
        if title not in self._views:
            row = [t for t, _ in PAGES].index(title)
            module, _, cls = PAGES[row][1].partition(":")
            widget = getattr(importlib.import_module(module), cls)(self.ctx)
            self._connect_page(title, widget)
            old = self.stack.widget(row)
            self.stack.insertWidget(row, widget)
            self.stack.removeWidget(old)
            old.deleteLater()
            self._views[title] = widget
        return self._views[title]

    def _connect_page(self, title: str, page: QWidget) -> None:
        """Pages ask for cross-page actions by signal; the window carries them out."""
        if title in ("Library", "Welcome"):
            page.roleplay_requested.connect(self.open_roleplay)
        if title == "Welcome":
            page.page_requested.connect(self.show_page)
        if title in ("Role-play", "Trainees"):
            page.review_requested.connect(self.open_review)
        if title in ("Role-play", "Models"):
            page.active_model_changed.connect(self.set_active_model_text)

    def open_roleplay(self, scenario_id: int) -> None:
        self.show_page("Role-play").start_for_scenario(scenario_id)

    def open_review(self, session_id: int) -> None:
        self.show_page("Review").show_session(session_id)

    def show_page(self, title: str) -> QWidget:
        """Switches to a page (for cross-page actions like "Start role-play") and returns it."""
        widget = self.view(title)
        self.nav.setCurrentRow([t for t, _ in PAGES].index(title))
        return widget

    def set_active_model_text(self, text: str) -> None:
        self.model_label.setText(f"Model: {text}")
        set_setting(self.ctx.store, "ui.active_model_label", text)

    # -- window state ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        saved = get_setting(self.ctx.store, GEOMETRY_KEY)
        if saved:
            self.restoreGeometry(base64.b64decode(saved))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        set_setting(self.ctx.store, GEOMETRY_KEY, base64.b64encode(bytes(self.saveGeometry())).decode())
        tasks.drain()  # every page's background work, cancelled and waited for at once
        for widget in self._views.values():
            shutdown = getattr(widget, "shutdown", None)
            if callable(shutdown):
                shutdown()
        super().closeEvent(event)

    def show_about(self) -> None:
        from deescal.ui.about import AboutDialog

        AboutDialog(self).exec()
