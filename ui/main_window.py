"""The main window: navigation with icons on the left, one page per area, the menus (File, View, Go,
Help), the active model in the status bar.

Every page sits in its own scroll area, so no page's minimum size decides the window's: the window
shrinks to 1024x640 (and below) and a page too big for it scrolls. A page's module and services are
prepared in the background (all pages right after start, or the one asked for first), so opening a
page never waits on the UI thread for an import, the bundled scenarios or the embedded model file.
"""

from __future__ import annotations

import base64
import importlib

from deescal.app.context import AppContext
from deescal.app.settings import get_setting, set_setting
from deescal.ui import tasks, theme
from deescal.ui.course_menu import CourseMenu
from deescal.ui.help import GUIDE_HTML, HelpDialog, shortcuts_html
from deescal.ui.icons import icon
from deescal.ui.tasks import Policy, TaskLane
from deescal.ui.views.welcome import WELCOME_SEEN
from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
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

# The icon of each page (``ui/resources/icons/NAME.svg``); a page without one shows none.
PAGE_ICONS = {
    "Welcome": "welcome",
    "Library": "library",
    "Role-play": "roleplay",
    "Review": "review",
    "Trainees": "trainees",
    "Fine-tune": "finetune",
    "Models": "models",
    "Settings": "settings",
}

# What a page needs first when it opens, as "module:Class" services of the AppContext, optionally
# ".method" to call on it: done in the background before the page is built (on a first run the Library
# service imports the bundled scenarios and the registry assembles the embedded GGUF, ~1 s each).
PAGE_SERVICES = {
    "Library": ("deescal.app.library:LibraryService",),
    "Role-play": (
        "deescal.app.roleplay.service:RoleplayService",
        "deescal.models.registry:ModelRegistry.ensure_embedded",
        "deescal.app.voice:VoiceService",
    ),
    "Review": ("deescal.app.review:ReviewService",),
    "Trainees": ("deescal.app.trainees:TraineeService",),
    "Fine-tune": ("deescal.finetune.service:FinetuneService",),
    "Models": ("deescal.models.registry:ModelRegistry.ensure_embedded",),
    "Settings": ("deescal.app.voice:VoiceService",),
}

GEOMETRY_KEY = "ui.main_window.geometry"
MODEL_LABEL_KEY = "ui.active_model_label"


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        theme.apply_saved(ctx)  # before any widget exists, so each is styled once
        super().__init__()
        self.ctx = ctx
        self.nav: QListWidget | None = None
        self.setWindowTitle("DeEscal Trainer")
        self.resize(1280, 800)
        self._views: dict[str, QWidget] = {}
        self._ready: set[str] = set()  # pages whose module and services are ready (built in the background)
        self._preparing = TaskLane(Policy.PARALLEL, parent=self)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Pages")
        self.nav.setSpacing(3)
        self.stack = QStackedWidget()
        for n, (title, _) in enumerate(PAGES):
            item = QListWidgetItem(title)
            item.setToolTip(f"{title} (Ctrl+{n + 1})")
            self.nav.addItem(item)
            self.stack.addWidget(self._holder(QLabel(f"Opening {title}…")))  # the page comes on first visit
        self._refresh_nav_look()
        self.nav.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.model_label = QLabel()
        self.statusBar().addPermanentWidget(self.model_label)
        self.set_active_model_text(get_setting(ctx.store, MODEL_LABEL_KEY, "Gemma 3 270M (embedded)"))

        self._build_menu()
        self.course_menu = CourseMenu(self, ctx)  # course and session packs, the drop folder
        self._restore_geometry()
        self.show_page("Library" if get_setting(ctx.store, WELCOME_SEEN) else "Welcome")
        self._preparing.start(self._prepare_pages, on_partial=self._ready.add)

    @staticmethod
    def _holder(page: QWidget) -> QScrollArea:
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setWidget(page)
        return holder

    def _refresh_nav_look(self) -> None:
        """Icons in the theme's colours, and a list wide enough for the longest title at this font size."""
        colour = theme.current().text
        for n, (title, _) in enumerate(PAGES):
            if title in PAGE_ICONS:
                self.nav.item(n).setIcon(icon(PAGE_ICONS[title], colour))
        metrics = self.nav.fontMetrics()
        side = metrics.height() + 6
        self.nav.setIconSize(QSize(side, side))
        widest = max(metrics.horizontalAdvance(title) for title, _ in PAGES)
        self.nav.setFixedWidth(widest + side + 4 * metrics.averageCharWidth() + 24)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override): theme or text size changed
        if self.nav is not None and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._refresh_nav_look()
        super().changeEvent(event)

    # -- menus -----------------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    def _build_menu(self) -> None:
        file = self.menuBar().addMenu("&File")
        self._action(
            file,
            "&Import scenarios…",
            lambda: self.show_page("Library").choose_import_files(),
            "Ctrl+O",
            "DeEscalWild transcript CSVs, scenarios.json or this app's exports",
        )
        self._action(
            file,
            "&Export all scenarios…",
            lambda: self.show_page("Library").choose_export(False),
            tip="Save the whole library as one file another copy of the app can import",
        )
        self._action(
            file,
            "Export &review as PDF…",
            lambda: self.show_page("Review").export_pdf(),
            tip="The review of the session open on the Review page",
        )
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        view = self.menuBar().addMenu("&View")
        self.dark_action = self._action(view, "&Dark theme", self.toggle_dark, "Ctrl+Shift+D")
        self.dark_action.setCheckable(True)
        self.dark_action.setChecked(theme.current() is theme.DARK)
        self._action(view, "&Larger text", lambda: self.step_font_size(1), QKeySequence.StandardKey.ZoomIn)
        self._action(view, "&Smaller text", lambda: self.step_font_size(-1), QKeySequence.StandardKey.ZoomOut)
        self._action(view, "&Normal text size", lambda: self.step_font_size(0), "Ctrl+0")

        go = self.menuBar().addMenu("&Go")
        for n, (title, _) in enumerate(PAGES):
            self._action(go, title, lambda row=n: self.nav.setCurrentRow(row), f"Ctrl+{n + 1}")

        help_menu = self.menuBar().addMenu("&Help")
        self._action(
            help_menu,
            "&Getting started",
            lambda: self.show_page("Welcome"),
            QKeySequence.StandardKey.HelpContents,
        )
        self._action(help_menu, "&User guide", self.show_guide)
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts)
        help_menu.addSeparator()
        self._action(help_menu, "&About DeEscal Trainer", self.show_about)

    def toggle_dark(self) -> None:
        theme.choose(
            self.ctx, theme_name=theme.LIGHT.name if theme.current() is theme.DARK else theme.DARK.name
        )
        self.dark_action.setChecked(theme.current() is theme.DARK)

    def step_font_size(self, step: int) -> None:
        """One point larger or smaller; 0 goes back to the normal size."""
        size = theme.saved_font_size(self.ctx) + step if step else theme.DEFAULT_FONT_SIZE
        theme.choose(self.ctx, font_size=max(theme.FONT_SIZES[0], min(theme.FONT_SIZES[1], size)))

    # -- navigation ------------------------------------------------------------------------------
    def _show_row(self, row: int) -> None:
        """Shows a page: at once when it is ready, else once its module and services are (background)."""
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        title = PAGES[row][0]
        if title in self._views or title in self._ready:
            self.view(title)
        else:
            self._preparing.start(
                lambda _control: self._prepare(title),
                on_result=lambda ready: (self._ready.add(ready), self._opened(row)),
            )

    def _prepare(self, title: str) -> str:
        """Imports a page's module and builds its services (on a worker thread)."""
        importlib.import_module(dict(PAGES)[title].partition(":")[0])
        for target in PAGE_SERVICES.get(title, ()):
            module, _, name = target.partition(":")
            name, _, method = name.partition(".")
            service = self.ctx.service(getattr(importlib.import_module(module), name))
            if method:
                getattr(service, method)()
        return title

    def _prepare_pages(self, control) -> None:
        """Prepares every page in the background after start, reporting each one ready."""
        for title, _ in PAGES:
            if control.cancelled:
                return
            control.partial(self._prepare(title))

    def pages_ready(self) -> bool:
        """True once every page's module and services are ready, so any page opens at once."""
        return len(self._ready) == len(PAGES)

    def _opened(self, row: int) -> None:
        if self.nav.currentRow() == row:
            self.view(PAGES[row][0])

    def view(self, title: str) -> QWidget:
        """The page called ``title``, built on first use."""
        if title not in self._views:
            row = [t for t, _ in PAGES].index(title)
            module, _, cls = PAGES[row][1].partition(":")
            widget = getattr(importlib.import_module(module), cls)(self.ctx)
            self._connect_page(title, widget)
            # Replaces the "Opening…" label in the page's scroll area: one reparent, one style polish.
            self.stack.widget(row).setWidget(widget)
            self._views[title] = widget
        return self._views[title]

    def current_page(self) -> QWidget:
        """The page on show (the stack holds each page in its scroll area)."""
        return self.stack.currentWidget().widget()

    def _connect_page(self, title: str, page: QWidget) -> None:
        """Pages ask for cross-page actions by signal; the window carries them out."""
        if title in ("Library", "Welcome"):
            page.roleplay_requested.connect(self.open_roleplay)
        if title in ("Welcome", "Review"):
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
        set_setting(self.ctx.store, MODEL_LABEL_KEY, text)

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

    def show_guide(self) -> HelpDialog:
        self.help_dialog = HelpDialog("Getting started", GUIDE_HTML, self)
        self.help_dialog.open()
        return self.help_dialog

    def show_shortcuts(self) -> HelpDialog:
        self.help_dialog = HelpDialog("Keyboard shortcuts", shortcuts_html(), self)
        self.help_dialog.open()
        return self.help_dialog
