"""Models page: the language models and LoRA adapters role-plays can use.

Add a GGUF by path (checked and hashed off the UI thread, with progress), choose the default model,
remove one, add an adapter (checked against the model first) and attach it to new sessions.
"""

from __future__ import annotations

import html
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.models.registry import ModelRegistry
from deescal.ui.tasks import Policy, TaskLane, show_error
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

MODEL_COLUMNS = ("Default", "Name", "Style", "Size", "Context", "File")
ADAPTER_COLUMNS = ("Attached", "Name", "Created", "File")


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(len(columns) - 1, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    return table


class ModelsView(QWidget):
    active_model_changed = Signal(str)  # the label of the model new sessions use

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.registry = ctx.service(ModelRegistry)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("<h2>Models</h2><p>Language models (GGUF) and LoRA adapters for role-play.</p>")
        )
        self.models_table = _table(MODEL_COLUMNS)
        layout.addWidget(self.models_table, 2)
        row = QHBoxLayout()
        self.add_model_button = self._button(
            row, "Add GGUF model…", "Register a GGUF file from this computer", self.choose_model
        )
        self.default_button = self._button(
            row, "Set as default", "New sessions use this model", self.set_default
        )
        self.remove_button = self._button(
            row, "Remove", "Forget this model (the file is not deleted)", self.remove
        )
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("<b>Adapters</b> (fine-tuned LoRA, attached to new sessions)"))
        self.adapters_table = _table(ADAPTER_COLUMNS)
        layout.addWidget(self.adapters_table, 1)
        row = QHBoxLayout()
        self.add_adapter_button = self._button(
            row,
            "Add adapter…",
            "Register a LoRA adapter GGUF (checked against the default model)",
            self.choose_adapter,
        )
        self.attach_button = self._button(row, "Attach", "Use this adapter in new sessions", self.attach)
        self.detach_button = self._button(row, "Detach", "New sessions use no adapter", self.detach)
        row.addStretch(1)
        layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.tasks = TaskLane(Policy.REFUSE, self.status, self)  # one file is checked at a time
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.refresh()

    def _button(self, row: QHBoxLayout, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # -- lists ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        _fill(
            self.models_table,
            [
                (
                    model.name,
                    (
                        "✔" if model.is_default else "",
                        model.label,
                        model.prompt_style,
                        f"{model.size_bytes / 2**20:,.0f} MB",
                        str(model.context_length),
                        model.path,
                    ),
                )
                for model in self.registry.list()
            ],
        )
        _fill(
            self.adapters_table,
            [
                (
                    adapter.name,
                    (
                        "✔" if adapter.is_active else "",
                        adapter.name,
                        adapter.created_at[:16].replace("T", " "),
                        adapter.path,
                    ),
                )
                for adapter in self.registry.adapters()
            ],
        )

    def _selected(self, table: QTableWidget) -> str | None:
        rows = table.selectionModel().selectedRows()
        return table.item(rows[0].row(), 1).data(256) if rows else None

    # -- actions -------------------------------------------------------------------------------
    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a GGUF model", str(Path.home()), "GGUF models (*.gguf)"
        )
        if path:
            self.add_model(path)

    def add_model(self, path: str, name: str | None = None) -> None:
        """Checks and hashes the file off the UI thread (a large model takes a while)."""
        self._run(
            lambda control: self.registry.add(path, name, progress=control.progress),
            lambda record: f"Added '{record.name}' ({record.prompt_style} model).",
        )

    def choose_adapter(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a LoRA adapter", str(self.ctx.data.adapters), "GGUF adapters (*.gguf)"
        )
        if path:
            self.add_adapter(path)

    def add_adapter(self, path: str) -> None:
        self._run(
            lambda control: self.registry.add_adapter(path),
            lambda record: f"Added adapter '{record.name}'. Attach it to use it in new sessions.",
        )

    def set_default(self) -> None:
        name = self._selected(self.models_table)
        if name:
            record = self.registry.set_default(name)
            self._done(f"New sessions use '{record.label}'.")
            self.active_model_changed.emit(record.label)

    def remove(self) -> None:
        name = self._selected(self.models_table)
        if name:
            self._guarded(
                lambda: self.registry.remove(name), f"Removed '{name}' (the file was left in place)."
            )

    def attach(self) -> None:
        name = self._selected(self.adapters_table)
        if name:
            self._guarded(
                lambda: self.registry.set_active_adapter(name), f"New sessions use the adapter '{name}'."
            )

    def detach(self) -> None:
        self._guarded(lambda: self.registry.set_active_adapter(None), "New sessions use no adapter.")

    # -- plumbing ------------------------------------------------------------------------------
    def _guarded(self, action, message: str) -> None:
        try:
            action()
        except UserFacingError as exc:
            self._failed(str(exc))
            return
        self._done(message)

    def _run(self, work, describe) -> None:
        started = self.tasks.start(
            work,
            on_progress=self._progress,
            on_result=lambda record: self._done(describe(record)),
            on_finished=self._finished,
        )
        if started is None:
            self.status.setText("Still checking the previous file; add this one when it is done.")
            return
        self._set_adding(False)
        self.progress.setVisible(True)
        self.progress.setValue(0)
        self.status.setText("Checking the file…")

    def _progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(round(fraction * 100))
        self.status.setText(text)

    def _finished(self) -> None:
        self.progress.setVisible(False)
        self._set_adding(True)

    def _set_adding(self, enabled: bool) -> None:
        """One file is checked at a time: the add buttons wait for the check in progress."""
        self.add_model_button.setEnabled(enabled)
        self.add_adapter_button.setEnabled(enabled)

    def _done(self, message: str) -> None:
        self.refresh()
        self.status.setText(html.escape(message, quote=False))

    def _failed(self, message: str) -> None:
        show_error(self.status, message)


def _fill(table: QTableWidget, rows: list[tuple[str, tuple[str, ...]]]) -> None:
    """One table row per (name, cells); the name rides on every cell so a selection finds it."""
    table.setRowCount(len(rows))
    for n, (name, cells) in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(256, name)
            table.setItem(n, column, item)
    table.resizeColumnsToContents()
