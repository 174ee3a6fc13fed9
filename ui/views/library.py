"""Library page: search and filter the scenario library, read a card, correct roles, import, delete, start a role-play.

The table is virtual (pages fetched on demand off the UI thread), so it stays quick with 150,000
scenarios; typing searches after a short pause. Everything that touches data goes through
:class:`LibraryService`; long work (import, export, saving a correction) runs as background tasks.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.library import LibraryService
from deescal.app.settings import get_setting, set_setting
from deescal.scenario_library.schema import Scenario
from deescal.ui.tasks import Policy, TaskLane, show_error
from deescal.ui.widgets.empty_state import EmptyStack, EmptyState
from deescal.ui.widgets.library_detail import ScenarioDetail
from deescal.ui.widgets.library_import_dialog import ImportDialog
from deescal.ui.widgets.library_table import ScenarioTable
from deescal.ui.widgets.library_table_model import Criteria, ScenarioTableModel
from deescal.ui.widgets.start_dialog import StartDialog
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

SEARCH_DELAY_MS = 200
SPLITTER_KEY = "ui.library.splitter"
ANY = None
ALL_CATEGORIES = "All categories"


class LibraryView(QWidget):
    roleplay_requested = Signal(int)  # "Start role-play" on this scenario id, trainee and model chosen

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.library = ctx.service(LibraryService)
        self._select_after_load: int | None = None
        self._export_path: Path | None = None
        self.import_dialog: ImportDialog | None = None
        self.delete_box: QMessageBox | None = None
        self.start_dialog: StartDialog | None = None
        self._first_load = True  # the first list selects nothing: no hard scenario is picked for you

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("librarySearch")
        self.search_edit.setPlaceholderText("Search titles, characters, contexts and transcripts…  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.category_box = QComboBox()
        self.category_box.setObjectName("categoryFilter")
        self.difficulty_box = QComboBox()
        self.difficulty_box.setObjectName("difficultyFilter")
        self.difficulty_box.addItem("Any difficulty", ANY)
        for level, word in enumerate(("easiest", "easy", "medium", "hard", "hardest"), start=1):
            self.difficulty_box.addItem(f"{level} \u2013 {word}", level)
        self.source_box = QComboBox()
        self.source_box.setObjectName("sourceFilter")
        for label, value in (("All sources", ANY), ("Authored", "authored"), ("Imported", "imported")):
            self.source_box.addItem(label, value)
        self.tag_box = QComboBox()
        self.tag_box.setObjectName("tagFilter")
        self.tag_box.setEditable(True)
        self.tag_box.lineEdit().setPlaceholderText("Any tag")
        clear = QToolButton()
        clear.setText("\u2715")
        clear.setToolTip("Clear the search and all filters")
        clear.clicked.connect(self.clear_filters)

        self.count_label = QLabel()
        self.count_label.setObjectName("libraryCount")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count_label.setMinimumWidth(40)
        self.tasks = TaskLane(Policy.PARALLEL, self.count_label, self)  # exports, role corrections, deletes
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setVisible(False)
        import_button = QToolButton()
        import_button.setText("Import\u2026")
        import_button.setToolTip("Import DeEscalWild transcripts, scenarios.json or an export (Ctrl+I)")
        import_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        import_menu = QMenu(import_button)
        import_menu.addAction("Files\u2026", self.choose_import_files)
        import_menu.addAction("Folder\u2026", self.choose_import_folder)
        import_button.setMenu(import_menu)
        export_button = QToolButton()
        export_button.setText("Export\u2026")
        export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(export_button)
        export_menu.addAction("Selected scenarios\u2026", lambda: self.choose_export(selected_only=True))
        export_menu.addAction("Whole library\u2026", lambda: self.choose_export(selected_only=False))
        export_button.setMenu(export_menu)

        self.model = ScenarioTableModel(self.library)
        self.table = ScenarioTable()
        self.table.setObjectName("libraryTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.doubleClicked.connect(lambda _index: self.detail.transcript.setFocus())
        self.table.start_requested.connect(self.start_roleplay)
        self.empty = EmptyState("", "Clear the search and filters", self._empty_action)
        self.table_stack = EmptyStack(self.table, self.empty)

        self.detail = ScenarioDetail()
        self.detail.role_change_requested.connect(self.correct_role)
        self.start_button = QPushButton("Start role-play")
        self.start_button.setObjectName("startRoleplay")
        self.start_button.setToolTip("Practise this scenario (Enter in the list, or Ctrl+Return)")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_roleplay)
        self.delete_button = QPushButton("Delete\u2026")
        self.delete_button.setObjectName("deleteScenario")
        self.delete_button.setToolTip("Remove this scenario from the library (Delete)")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.confirm_delete)

        for box in (self.difficulty_box, self.source_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # short, fixed lists
        for box, shortest in ((self.category_box, ALL_CATEGORIES), (self.tag_box, "Any tag")):
            # Long category names would make the row too wide for a small window: the box is as wide
            # as its "all" item (never clipped), its list as wide as the longest name.
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(len(shortest))
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 3)
        search_row.addWidget(self.count_label, 2)
        search_row.addWidget(import_button)
        search_row.addWidget(export_button)
        filters = QHBoxLayout()
        for widget in (self.category_box, self.difficulty_box, self.source_box, self.tag_box, clear):
            filters.addWidget(widget)
        filters.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.start_button, 1)
        right_layout.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table_stack)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        saved = get_setting(ctx.store, SPLITTER_KEY)
        if saved:
            self.splitter.restoreState(base64.b64decode(saved))
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(self.warning)
        layout.addWidget(self.splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filters)
        for box in (self.category_box, self.difficulty_box, self.source_box):
            box.currentIndexChanged.connect(self.apply_filters)
        self.tag_box.activated.connect(self.apply_filters)
        self.tag_box.lineEdit().editingFinished.connect(self.apply_filters)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._show_error)
        self._facets = TaskLane(Policy.REPLACE, self.count_label, self)  # category counts for the search
        # Tab goes from the list to Start, then into the card and its transcript: never cell by cell.
        for first, second in (
            (self.table, self.start_button),
            (self.start_button, self.delete_button),
            (self.delete_button, self.detail.card),
            (self.detail.card, self.detail.transcript),
        ):
            QWidget.setTabOrder(first, second)
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self._focus_search),
            ("Ctrl+I", self.choose_import_files),
            ("Ctrl+Return", self.start_roleplay),
        ):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(  # on the table only: Delete in the search box deletes text
            QKeySequence.StandardKey.Delete,
            self.table,
            self.confirm_delete,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

        self.category_box.addItem(ALL_CATEGORIES, ANY)
        self._show_load_problems()
        self.apply_filters()

    # -- filters ------------------------------------------------------------------------------
    def refresh_facets(self) -> None:
        """Counts the categories for the current search and lists the tags, as a background task."""
        criteria = self.criteria()

        def work(control) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
            counts = self.library.category_counts(
                criteria.query, criteria.difficulty, criteria.tags or None, criteria.source
            )
            return counts, self.library.tags()[:500]

        self._facets.start(work, on_result=self._show_facets)

    def _show_facets(self, facets: tuple[list[tuple[str, int]], list[tuple[str, int]]]) -> None:
        """Fills the category box (with counts that follow the search) and the tag box, keeping the choices."""
        categories, tags = facets
        category, tag = self.category_box.currentData(), self.tag_box.currentText()
        for box in (self.category_box, self.tag_box):
            box.blockSignals(True)
            box.clear()
        self.category_box.addItem(ALL_CATEGORIES, ANY)
        for name, count in categories:
            self.category_box.addItem(f"{name} ({count:,})", name)
        self.category_box.setCurrentIndex(max(0, self.category_box.findData(category)))
        self.category_box.setToolTip(self.category_box.currentText())
        self.category_box.view().setMinimumWidth(self.category_box.view().sizeHintForColumn(0) + 24)
        self.tag_box.addItem("", ANY)
        for name, count in tags:
            self.tag_box.addItem(name, name)
            self.tag_box.setItemData(
                self.tag_box.count() - 1, f"{count:,} scenarios", Qt.ItemDataRole.ToolTipRole
            )
        self.tag_box.setEditText(tag)
        for box in (self.category_box, self.tag_box):
            box.blockSignals(False)

    def criteria(self) -> Criteria:
        tag = self.tag_box.currentText().strip()
        return Criteria(
            query=self.search_edit.text(),
            category=self.category_box.currentData(),
            difficulty=self.difficulty_box.currentData(),
            tags=[tag] if tag else [],
            source=self.source_box.currentData(),
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.count_label.setText(self.count_label.text() or "Searching\u2026")
        self.model.set_criteria(self.criteria())
        self.refresh_facets()

    def clear_filters(self) -> None:
        for box in (self.category_box, self.difficulty_box, self.source_box):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.tag_box.setEditText("")
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.apply_filters()

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _loaded(self, total: int) -> None:
        every = self.library.total()
        self.count_label.setText(
            f"{total:,} scenario{'s' if total != 1 else ''}" + (f" of {every:,}" if total != every else "")
        )
        self._show_empty(total, every)
        wanted = (
            self._select_after_load if self._select_after_load is not None else self.current_scenario_id()
        )
        self._select_after_load = None
        first_load, self._first_load = self._first_load, False
        row = self.model.row_of(wanted) if wanted is not None else None
        if row is None and total and not first_load:
            row = 0  # the scenario shown before is not among the results: show the first one
        if row is not None:
            self.select_row(row)
        else:
            self._show(None)

    def _show_empty(self, total: int, every: int) -> None:
        """A sentence and a button instead of an empty table: import into an empty library, or clear
        a search that found nothing."""
        if every == 0:
            self.empty.set_text(
                "The library is empty. Import DeEscalWild transcripts or a scenario file to begin.",
                "Import\u2026",
            )
        else:
            self.empty.set_text(
                "No scenario matches this search and these filters.", "Clear the search and filters"
            )
        self.table_stack.set_empty(total == 0)

    def _empty_action(self) -> None:
        if self.library.total() == 0:
            self.choose_import_files()
        else:
            self.clear_filters()

    # -- selection and detail ------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def current_scenario_id(self) -> int | None:
        return self.detail.scenario.id if self.detail.scenario else None

    def current_row_id(self) -> int | None:
        """The scenario of the table's current row, even when its card could not be opened."""
        index = self.table.currentIndex()
        return self.model.scenario_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [i for i in (self.model.scenario_id(row) for row in rows) if i is not None]

    def _current_changed(self, current, _previous) -> None:
        self._show(self.model.scenario_id(current.row()) if current.isValid() else None)

    def _show(self, scenario_id: int | None, reload: bool = False) -> None:
        """Fills the detail pane; skipped when it already shows this scenario (searching re-selects it)."""
        if scenario_id is not None and scenario_id == self.current_scenario_id() and not reload:
            return
        scenario = None
        if scenario_id is not None:
            try:
                scenario = self.library.get(scenario_id)
            except UserFacingError as exc:  # a damaged stored card: say so, and leave it deletable
                self._show_error(str(exc))
        self.detail.show_scenario(scenario, self.library.corrected_turns(scenario_id) if scenario else set())
        self.start_button.setEnabled(scenario is not None)
        self.delete_button.setEnabled(scenario_id is not None)

    # -- actions -------------------------------------------------------------------------------
    def correct_role(self, scenario_id: int, turn_idx: int, role: str, whole_speaker: bool) -> None:
        self._run(
            lambda control: self.library.correct_role(
                scenario_id, turn_idx, role, whole_speaker=whole_speaker
            ),
            self._role_saved,
        )

    def _role_saved(self, scenario: Scenario) -> None:
        if self.current_scenario_id() == scenario.id:
            self._show(scenario.id, reload=True)
        self._select_after_load = scenario.id
        self.refresh_facets()
        self.model.refresh()

    def start_roleplay(self) -> StartDialog | None:
        """Asks for the trainee and model in one small dialog, then the session starts straight away."""
        scenario = self.detail.scenario
        if scenario is None or scenario.id is None:
            return None
        self.start_dialog = StartDialog(self.ctx, scenario, self)
        self.start_dialog.accepted.connect(lambda: self.roleplay_requested.emit(scenario.id))
        self.start_dialog.open()
        return self.start_dialog

    def confirm_delete(self) -> QMessageBox | None:
        """Asks (non-modally) before deleting the current scenario, naming the sessions that go with it."""
        scenario_id = self.current_row_id()
        if scenario_id is None:
            return None
        title = self.model.data(self.table.currentIndex().siblingAtColumn(0))
        sessions = self.library.sessions_of(scenario_id)
        text = f"Delete \u201c{title}\u201d from the library? This cannot be undone."
        if sessions:
            text += f"\n\nIts {sessions} recorded role-play session(s) will be deleted with it."
        self.delete_box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete scenario",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        self.delete_box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        self.delete_box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.delete_box.button(QMessageBox.StandardButton.Yes).clicked.connect(
            lambda: self._run(
                lambda control: self.library.delete(scenario_id, with_sessions=True), self._deleted
            )
        )
        self.delete_box.open()
        return self.delete_box

    def _deleted(self, title: str) -> None:
        self.refresh_facets()
        self.model.refresh()
        self.count_label.setText(f"Deleted \u201c{title}\u201d")

    def choose_import_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import scenarios", "", "Transcripts and scenario files (*.csv *.json);;All files (*)"
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import every transcript in a folder")
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> ImportDialog:
        """Opens the import dialog (non-modal) on these files or folders; the library refreshes when it ends."""
        self.import_dialog = ImportDialog(self.library, paths, self)
        self.import_dialog.imported.connect(self._imported)
        self.import_dialog.show()
        return self.import_dialog

    def _imported(self, report) -> None:
        self.refresh_facets()
        if report.imported:
            self._select_after_load = report.imported[0]["id"]
        self.model.refresh()

    def choose_export(self, selected_only: bool) -> None:
        ids = self.selected_ids() if selected_only else None
        if selected_only and not ids:
            self._show_error("Select one or more scenarios to export first.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export scenarios", str(self.ctx.data.exports / "scenarios.json"), "Scenario files (*.json)"
        )
        if path:
            self.export_to(Path(path), ids)

    def export_to(self, path: Path, ids: list[int] | None) -> None:
        self._export_path = path
        self._run(lambda control: self.library.export(ids, path), self._exported)

    def _exported(self, count: int) -> None:
        self.count_label.setText(f"Exported {count:,} scenario(s) to {self._export_path}")

    # -- plumbing ------------------------------------------------------------------------------
    def _run(self, work, on_result) -> None:
        self.tasks.start(work, on_result=on_result)

    def _show_error(self, message: str) -> None:
        show_error(self.count_label, message)

    def _show_load_problems(self) -> None:
        """Bundled files that would not load and stored scenarios the search index had to leave out."""
        problems = [
            (heading, errors)
            for heading, errors in (
                ("Some bundled scenarios could not be loaded", self.library.bundled_errors),
                ("Some stored scenarios are damaged", self.library.index_problems),
            )
            if errors
        ]
        self.warning.setVisible(bool(problems))
        self.warning.setText(
            "<br>".join(
                f"<span style='color:#b00020'>{heading}: {html.escape('; '.join(errors[:3]))}</span>"
                for heading, errors in problems
            )
        )

    def busy(self) -> bool:
        return (
            self.tasks.busy
            or self._facets.busy
            or self.model.busy()
            or bool(self.import_dialog and self.import_dialog.running())
        )

    def shutdown(self) -> None:
        set_setting(self.ctx.store, SPLITTER_KEY, base64.b64encode(bytes(self.splitter.saveState())).decode())
