"""Builds the SQL for library search: full-text words, filters and sort order.

Typed text becomes an FTS5 query of quoted words, all required, the last one as a prefix so results
follow the typing. The first one or two letters typed filter titles by how they start (through the
title index), and a word still being typed that is shorter than four letters searches titles and
character names only: such short prefixes match nearly every transcript, which would make each
keystroke sort most of the library. Complete words (followed by a space) and longer prefixes search
everything. The FTS table is always the outer loop (``CROSS JOIN``) so SQLite never probes the
index once per scenario.
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
# The covering list index (migration 4) that holds the rows in each sort order, either direction.
_INDEX_KEY = {"newest": "id", "oldest": "id"}
SORT_INDEXES: dict[str, str] = {
    sort: f"scenarios_list_by_{_INDEX_KEY.get(sort, sort.lstrip('-'))}" for sort in SORTS
}
SCAN_ROWS = 20_000  # a text search scans at most about this many rows in sort order (see rows_sql)
CATEGORY_SCAN_SHARE = 0.25  # a text search within categories this small walks the category index
TEXT_MATCHES = "s.id IN (SELECT rowid FROM scenario_search WHERE scenario_search MATCH ?)"
# Exactly the columns of the covering list indexes (migration 4): listing never reads the big rows.
ROW_COLUMNS = "s.id, s.case_id, s.title, s.category, s.difficulty, s.initial_tension, s.source, s.character_name, s.tags"
TITLE_START = 3  # a first word of one or two letters, still being typed, matches the start of titles
SHORT_PREFIX = 4  # a word still being typed that is shorter than this only searches titles
WORD = re.compile(r"\w+", re.UNICODE)
# Words nearly every scenario contains. They are left out of the search index and of queries: they
# find nothing useful, and typing one would make each keystroke touch the whole library.
# fmt: off
STOPWORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "don", "down", "during", "each", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
    "in", "into", "is", "it", "its", "itself", "just", "ll", "me", "more", "most", "my", "myself", "no",
    "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves",
    "out", "over", "own", "re", "same", "she", "should", "so", "some", "such", "t", "than", "that", "the",
    "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "ve", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves", "um", "uh", "oh", "okay", "ok", "yeah", "yes", "gonna", "like", "got", "get", "just",
    "s", "d", "m", "y",
])
# fmt: on
SEARCH_INDEX_VERSION = 2  # raise when searchable() changes: the service rebuilds the index once


def searchable(text: str | None) -> str:
    """Text as the search index stores it: lower-case words, stopwords and single letters left out."""
    return " ".join(w for w in WORD.findall((text or "").lower()) if len(w) > 1 and w not in STOPWORDS)


def fts_expression(text: str) -> tuple[str | None, str | None]:
    """(FTS5 MATCH expression or None, title start or None) for what the user typed."""
    words = WORD.findall(text.lower())
    if not words:
        return None, None
    typing_last_word = not text[-1:].isspace()
    if len(words) == 1 and len(words[0]) < TITLE_START and typing_last_word:
        return None, words[0]
    terms = []
    for n, word in enumerate(words):
        is_last = n == len(words) - 1
        if len(word) == 1 or (word in STOPWORDS and not (is_last and typing_last_word)):
            continue  # not in the index; a stopword still being typed may grow into a real word
        if is_last and typing_last_word:
            phrase = f'"{word}"*'
            terms.append(f"{{title}} : {phrase}" if len(word) < SHORT_PREFIX else phrase)
        else:
            terms.append(f'"{word}"')
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
    common_tags: frozenset[str] = frozenset()  # lower-case tags on at least 5% of scenarios
    category_share: float | None = None  # share of the library in the chosen categories, if known
    where: list[str] = field(default_factory=list, init=False)
    params: list[object] = field(default_factory=list, init=False)
    match: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        self.match, title_start = fts_expression(self.query or "")
        if title_start:
            self.where.append("s.title LIKE ? ESCAPE '\\'")
            self.params.append(
                title_start.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
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
        self.tag_list = [str(tag) for tag in _as_list(self.tags)]

    def _tag_conditions(self, counting: bool) -> list[str]:
        """Each tag filter in the form SQLite runs fastest (measured at 150,000 scenarios).

        A tag most scenarios have is best probed row by row (EXISTS) while an index is scanned in
        sort order, which stops after a page; a rare tag, a text match, or a count with nothing
        else to narrow it is best served by building the tag's id list once.
        """
        conditions = []
        for tag in self.tag_list:
            probe = (
                tag.lower() in self.common_tags and self.match is None and not (counting and not self.where)
            )
            conditions.append(
                "EXISTS (SELECT 1 FROM scenario_tags t WHERE t.tag = ? AND t.scenario_id = s.id)"
                if probe
                else "s.id IN (SELECT scenario_id FROM scenario_tags WHERE tag = ?)"
            )
        return conditions

    def _category_index(self) -> str | None:
        """The category index, for a text search inside a few categories: walking their rows and
        checking each against the text matches is 2-3 times faster than joining every text match
        (measured at 150,000 scenarios: 13 ms against 5 ms)."""
        small = self.category_share is not None and self.category_share <= CATEGORY_SCAN_SHARE
        return SORT_INDEXES["category"] if self.match is not None and small else None

    def _from_where(self, counting: bool, index: str | None) -> tuple[str, list[object]]:
        """``FROM ... WHERE ...`` and its parameters: with ``index``, that index is walked and each row
        checked against the text matches; without, the text matches are the outer loop."""
        if self.match is None:
            source, text, params = "scenarios s", [], []
        elif index:
            source, text, params = f"scenarios s INDEXED BY {index}", [TEXT_MATCHES], [self.match]
        else:
            source = "scenario_search f CROSS JOIN scenarios s ON s.id = f.rowid"
            text, params = ["f.scenario_search MATCH ?"], [self.match]
        conditions = text + self.where + self._tag_conditions(counting)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"{source}{where}", [*params, *self.params, *self.tag_list]

    def rows_sql(
        self, limit: int, offset: int, matches: int | None = None, library_size: int | None = None
    ) -> tuple[str, list[object]]:
        """One page. ``matches`` (this search's count) and ``library_size``, when known, pick the plan
        for a text search: when matches are dense enough that the page is found within ``SCAN_ROWS``
        rows of the sort-order index, that index is scanned and each row checked against the text
        matches, so tens of thousands of matches are never sorted (at 150,000 scenarios a common word
        took 33 ms that way, 9 ms this way); sparse matches are fetched from the text index and sorted.
        """
        dense = matches and library_size and (offset + limit) * library_size / matches <= SCAN_ROWS
        index = SORT_INDEXES[self.sort] if dense and self.match is not None else self._category_index()
        source, params = self._from_where(counting=False, index=index)
        sql = f"SELECT {ROW_COLUMNS} FROM {source} ORDER BY {SORTS[self.sort]} LIMIT ? OFFSET ?"
        return sql, [*params, int(limit), int(offset)]

    def category_counts_sql(self) -> tuple[str, list[object]]:
        """How many matches each category holds (for the category filter's counts)."""
        source, params = self._from_where(counting=True, index=None)
        return f"SELECT s.category AS category, count(*) AS n FROM {source} GROUP BY s.category", params

    def count_sql(self) -> tuple[str, list[object]]:
        if self.match and not self.where and not self.tag_list:
            return "SELECT count(*) AS n FROM scenario_search WHERE scenario_search MATCH ?", [self.match]
        source, params = self._from_where(counting=True, index=self._category_index())
        return f"SELECT count(*) AS n FROM {source}", params
