"""Builds the SQL for library search: full-text words, filters and sort order.

Typed text becomes an FTS5 query of quoted words, all required, the last one as a prefix so results
follow the typing. A lone first letter filters titles by that letter through the title index (an
FTS prefix of one letter would touch almost every row). The FTS table is always the outer loop
(``CROSS JOIN``) so SQLite never probes the index once per scenario.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

SORTS: dict[str, str] = {
    "title": "s.title COLLATE NOCASE, s.id",
    "-title": "s.title COLLATE NOCASE DESC, s.id DESC",
    "category": "s.category, s.title COLLATE NOCASE, s.id",
    "-category": "s.category DESC, s.title COLLATE NOCASE DESC, s.id DESC",
    "difficulty": "s.difficulty, s.title COLLATE NOCASE, s.id",
    "-difficulty": "s.difficulty DESC, s.title COLLATE NOCASE, s.id",
    "tension": "s.initial_tension, s.title COLLATE NOCASE, s.id",
    "-tension": "s.initial_tension DESC, s.title COLLATE NOCASE, s.id",
    "source": "s.source, s.title COLLATE NOCASE, s.id",
    "-source": "s.source DESC, s.title COLLATE NOCASE, s.id",
    "newest": "s.id DESC",
    "oldest": "s.id",
}
ROW_COLUMNS = (
    "s.id, s.case_id, s.title, s.category, s.difficulty, s.initial_tension, s.source, "
    "s.character_name, s.location, s.tags"
)
WORD = re.compile(r"\w+", re.UNICODE)


def fts_expression(text: str) -> tuple[str | None, str | None]:
    """(FTS5 MATCH expression or None, title-initial or None) for what the user typed."""
    words = WORD.findall(text.lower())
    if not words:
        return None, None
    typing_last_word = not text[-1:].isspace()
    if len(words) == 1 and len(words[0]) == 1 and typing_last_word:
        return None, words[0]
    terms = []
    for n, word in enumerate(words):
        is_last = n == len(words) - 1
        if len(word) == 1 and not (is_last and not typing_last_word):
            continue  # single letters mid-query are noise ("a", "i", the "t" of "don't")
        terms.append(f'"{word}"*' if is_last and typing_last_word else f'"{word}"')
    return (" ".join(terms) or None), None


def _as_list(value: object) -> list:
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str | int):
        return [value]
    return list(value)  # type: ignore[arg-type]


@dataclass
class SearchQuery:
    query: str = ""
    category: str | Iterable[str] | None = None
    difficulty: int | Iterable[int] | None = None
    tags: Iterable[str] | None = None
    source: str | None = None
    sort: str = "title"
    where: list[str] = field(default_factory=list, init=False)
    params: list[object] = field(default_factory=list, init=False)
    match: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        self.match, initial = fts_expression(self.query or "")
        if initial:
            self.where.append("s.title LIKE ? ESCAPE '\\'")
            self.params.append(initial.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        for column, values in (
            ("s.category", _as_list(self.category)),
            ("s.difficulty", _as_list(self.difficulty)),
        ):
            if values:
                self.where.append(f"{column} IN ({', '.join('?' * len(values))})")
                self.params.extend(values)
        if self.source:
            self.where.append("s.source = ?")
            self.params.append(self.source)
        for tag in _as_list(self.tags):
            self.where.append("s.id IN (SELECT scenario_id FROM scenario_tags WHERE tag = ?)")
            self.params.append(tag)

    def _from(self) -> tuple[str, list[object]]:
        if self.match is None:
            return "scenarios s", []
        return "scenario_search f CROSS JOIN scenarios s ON s.id = f.rowid", [self.match]

    def _where(self) -> str:
        conditions = (["f.scenario_search MATCH ?"] if self.match else []) + self.where
        return f" WHERE {' AND '.join(conditions)}" if conditions else ""

    def rows_sql(self, limit: int, offset: int) -> tuple[str, list[object]]:
        source, params = self._from()
        sql = (
            f"SELECT {ROW_COLUMNS} FROM {source}{self._where()} ORDER BY {SORTS[self.sort]} LIMIT ? OFFSET ?"
        )
        return sql, [*params, *self.params, int(limit), int(offset)]

    def count_sql(self) -> tuple[str, list[object]]:
        if self.match and not self.where:
            return "SELECT count(*) AS n FROM scenario_search WHERE scenario_search MATCH ?", [self.match]
        source, params = self._from()
        return f"SELECT count(*) AS n FROM {source}{self._where()}", [*params, *self.params]
