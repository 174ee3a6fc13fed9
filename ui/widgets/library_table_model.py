"""A virtual table over the scenario library: only the pages on screen are ever fetched.

Counting and the first page of a new search run as background tasks, so typing never waits on the
database; rows further down are fetched a page at a time when the view first asks for them (a
placeholder shows meanwhile). A generation number drops answers to searches that were replaced.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from deescal.app.library import LibraryService
from deescal.app.records.entities import ScenarioListing
from deescal.ui.tasks import Policy, TaskLane
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

PAGE_SIZE = 200
LOADING = "…"


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    sort: str | None  # LibraryService sort name, None when the column cannot sort


COLUMNS = [
    Column("Title", "title", "title"),
    Column("Category", "category", "category"),
    Column("Difficulty", "difficulty", "difficulty"),
    Column("Tension", "initial_tension", "tension"),
    Column("Character", "character_name", None),
    Column("Source", "source", "source"),
]


@dataclass
class Criteria:
    query: str = ""
    category: str | None = None
    difficulty: int | None = None
    tags: list[str] = field(default_factory=list)
    source: str | None = None

    def as_filters(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "difficulty": self.difficulty,
            "tags": self.tags or None,
            "source": self.source,
        }


@dataclass(frozen=True)
class FirstPage:
    """A search's answer: how many scenarios match, and the first page of them."""

    generation: int
    total: int
    rows: list[dict]


@dataclass(frozen=True)
class OnePage:
    """One further page of a search's rows."""

    generation: int
    page: int
    rows: list[dict]


class ScenarioTableModel(QAbstractTableModel):
    loaded = Signal(int)  # a new search finished; carries the number of matches
    failed = Signal(str)

    def __init__(self, library: LibraryService) -> None:
        super().__init__()
        self.library = library
        self.criteria = Criteria()
        self.sort_key = "title"
        self.total = 0
        self._pages: dict[int, list[dict]] = {}
        self._wanted: OrderedDict[int, None] = OrderedDict()  # pages asked for, newest last
        self._generation = 0
        self._searches = TaskLane(Policy.REPLACE, parent=self)  # the latest criteria win
        self._page_loads = TaskLane(Policy.REFUSE, parent=self)  # one page at a time, newest wanted first

    # -- searching ----------------------------------------------------------------------------
    def set_criteria(self, criteria: Criteria) -> None:
        self.criteria = criteria
        self.refresh()

    def refresh(self) -> None:
        """Starts a new count + first page; the current rows stay on screen until it arrives."""
        self._generation += 1
        self._searches.start(
            self._first_page,
            self.criteria,
            self.sort_key,
            self._generation,
            on_result=self._search_done,
            on_error=self.failed.emit,
        )

    def _first_page(self, control, criteria: Criteria, sort: str, generation: int) -> FirstPage:
        filters = criteria.as_filters()
        total = self.library.count(criteria.query, **filters)
        rows = self.library.search(criteria.query, **filters, sort=sort, limit=PAGE_SIZE, matches=total)
        return FirstPage(generation, total, rows)

    def _search_done(self, answer: FirstPage) -> None:
        if answer.generation != self._generation:
            return
        self.beginResetModel()
        self.total, self._pages, self._wanted = answer.total, {0: answer.rows}, OrderedDict()
        self.endResetModel()
        self.loaded.emit(answer.total)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        self.sort_key = key if order == Qt.SortOrder.AscendingOrder else f"-{key}"
        self.refresh()

    # -- paging ---------------------------------------------------------------------------------
    def _want(self, page: int) -> None:
        self._wanted.pop(page, None)
        self._wanted[page] = None
        if not self._page_loads.busy:
            self._fetch_next_page()

    def _fetch_next_page(self) -> None:
        while self._wanted:
            page, _ = self._wanted.popitem()  # the most recently wanted page is likely on screen
            if page not in self._pages:
                break
        else:
            return
        self._page_loads.start(
            self._page,
            self.criteria,
            self.sort_key,
            self._generation,
            page,
            self.total,
            on_result=self._page_done,
            on_error=self.failed.emit,
            on_finished=self._fetch_next_page,
        )

    def _page(
        self, control, criteria: Criteria, sort: str, generation: int, page: int, total: int
    ) -> OnePage:
        rows = self.library.search(
            criteria.query,
            **criteria.as_filters(),
            sort=sort,
            limit=PAGE_SIZE,
            offset=page * PAGE_SIZE,
            matches=total,
        )
        return OnePage(generation, page, rows)

    def _page_done(self, answer: OnePage) -> None:
        if answer.generation != self._generation:
            return
        page = answer.page
        self._pages[page] = answer.rows
        first, last = page * PAGE_SIZE, min(self.total, (page + 1) * PAGE_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def busy(self) -> bool:
        return self._searches.busy or self._page_loads.busy

    # -- model ----------------------------------------------------------------------------------
    def row(self, row: int) -> ScenarioListing | None:
        """The row's data if its page is loaded (asks for the page otherwise)."""
        if not 0 <= row < self.total:
            return None
        page = self._pages.get(row // PAGE_SIZE)
        if page is None:
            self._want(row // PAGE_SIZE)
            return None
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def scenario_id(self, row: int) -> int | None:
        data = self.row(row)
        return data.id if data else None

    def row_of(self, scenario_id: int) -> int | None:
        """Position of a scenario among the loaded rows, if it is loaded."""
        for page, rows in self._pages.items():
            for offset, data in enumerate(rows):
                if data.id == scenario_id:
                    return page * PAGE_SIZE + offset
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if row is None:
                return LOADING
            value = getattr(row, column.key)
            if column.key == "difficulty":
                return "\u25cf" * int(value) + "\u25cb" * (5 - int(value))
            if column.key == "initial_tension":
                return f"{value:.1f}"
            return value
        if role == Qt.ItemDataRole.ToolTipRole and row is not None:
            tags = ", ".join(row.tags)
            return f"{row.title}\n{row.case_id} \u00b7 {row.category}\nTags: {tags or 'none'}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column.key in ("difficulty", "initial_tension"):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.UserRole and row is not None:
            return row.id
        return None
