"""How a scenario is laid out in the database: one ``scenarios`` row, its turns, tags and search text.

The full card (``Scenario.to_dict()``) is kept in ``scenarios.card``; the columns beside it are copies
used for filtering and sorting; ``reference_turns`` is the source of truth for the transcript (role
corrections land there); ``scenario_search`` (FTS5, rowid = scenarios.id; its ``title`` column also
holds the character's name) and ``scenario_tags`` are rewritten whenever a scenario is written,
inside the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3

from deescal.app.records.entities import ScenarioListing
from deescal.app.records.scenario_search import SearchQuery, searchable
from deescal.app.records.store import Store
from deescal.scenario_library.schema import Scenario, Turn


def card_json(scenario: Scenario) -> str:
    """Strict JSON (no NaN or Infinity, which Python writes but SQLite's JSON functions reject)."""
    return json.dumps(scenario.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _columns(scenario: Scenario) -> dict:
    return {
        "case_id": scenario.case_id,
        "title": scenario.title,
        "category": scenario.category,
        "tags": json.dumps(scenario.tags, ensure_ascii=False),
        "difficulty": scenario.difficulty,
        "initial_tension": scenario.initial_tension,
        "location": scenario.location,
        "scenario_context": scenario.scenario_context,
        "character_name": scenario.character_profile.name,
        "card": card_json(scenario),
        "source": scenario.provenance.source,
    }


def _search_text(scenario: Scenario) -> tuple[str, str, str, str]:
    profile = scenario.character_profile
    context = " ".join([scenario.scenario_context, scenario.category, scenario.location, *scenario.tags])
    character = " ".join(
        [profile.gender, profile.emotional_state, profile.speaking_style, profile.background]
    )
    speakers = dict.fromkeys(t.speaker for t in scenario.reference_transcript if t.speaker)
    transcript = "\n".join([*speakers, *(t.text for t in scenario.reference_transcript)])
    named_title = f"{scenario.title} {profile.name}"  # short prefixes search this column: names too
    return searchable(named_title), searchable(context), searchable(character), searchable(transcript)


def _write_dependents(conn: sqlite3.Connection, scenario_id: int, scenario: Scenario) -> None:
    conn.execute("DELETE FROM scenario_search WHERE rowid = ?", (scenario_id,))
    conn.execute(
        "INSERT INTO scenario_search(rowid, title, scenario_context, character, transcript) VALUES (?, ?, ?, ?, ?)",
        (scenario_id, *_search_text(scenario)),
    )
    conn.execute("DELETE FROM scenario_tags WHERE scenario_id = ?", (scenario_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO scenario_tags(scenario_id, tag) VALUES (?, ?)",
        [(scenario_id, tag) for tag in scenario.tags],
    )


def write_turns(conn: sqlite3.Connection, scenario_id: int, turns: list[Turn]) -> None:
    conn.execute("DELETE FROM reference_turns WHERE scenario_id = ?", (scenario_id,))
    conn.executemany(
        "INSERT INTO reference_turns(scenario_id, idx, role, speaker, text, start_time) VALUES (?, ?, ?, ?, ?, ?)",
        [(scenario_id, n, t.role, t.speaker, t.text, t.start_time) for n, t in enumerate(turns)],
    )


def insert_scenario(
    conn: sqlite3.Connection, scenario: Scenario, content_hash: str | None, source_file: str | None = None
) -> int:
    """Adds a new scenario with its turns, tags and search text; returns its id."""
    columns = {**_columns(scenario), "content_hash": content_hash, "source_file": source_file}
    names = ", ".join(columns)
    marks = ", ".join(f":{name}" for name in columns)
    scenario_id = conn.execute(f"INSERT INTO scenarios({names}) VALUES ({marks})", columns).lastrowid
    write_turns(conn, scenario_id, scenario.reference_transcript)
    _write_dependents(conn, scenario_id, scenario)
    return scenario_id


def update_scenario(
    conn: sqlite3.Connection,
    scenario_id: int,
    scenario: Scenario,
    content_hash: str | None = None,
    turns: bool = True,
) -> None:
    """Rewrites a scenario's card and derived rows (turns too unless ``turns=False``)."""
    columns = _columns(scenario)
    if content_hash is not None:
        columns["content_hash"] = content_hash
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    conn.execute(f"UPDATE scenarios SET {assignments} WHERE id = :id", {**columns, "id": scenario_id})
    if turns:
        write_turns(conn, scenario_id, scenario.reference_transcript)
    _write_dependents(conn, scenario_id, scenario)


def rebuild_search_index(conn: sqlite3.Connection) -> tuple[int, list[tuple[int, str]]]:
    """Rewrites the search index from the stored scenarios; returns the row count and the rows left out.

    A row whose stored card is not valid JSON (an older version stored NaN) is left out and returned
    as (id, title) rather than failing the whole rebuild, so one bad row never stops the app.
    """
    conn.create_function("deescal_searchable", 1, searchable, deterministic=True)
    conn.execute("DELETE FROM scenario_search")
    unreadable = [
        (row[0], row[1]) for row in conn.execute("SELECT id, title FROM scenarios WHERE NOT json_valid(card)")
    ]
    profile = " || ' ' || ".join(
        f"coalesce(json_extract(s.card, '$.character_profile.{key}'), '')"
        for key in ("gender", "emotional_state", "speaking_style", "background")
    )
    return conn.execute(
        f"""INSERT INTO scenario_search(rowid, title, scenario_context, character, transcript)
        SELECT s.id, deescal_searchable(s.title || ' ' || s.character_name),
            deescal_searchable(s.scenario_context || ' ' || s.category || ' ' || s.location || ' ' || s.tags),
            deescal_searchable({profile}),
            deescal_searchable(
                (SELECT group_concat(DISTINCT t.speaker) FROM reference_turns t WHERE t.scenario_id = s.id)
                || ' ' ||
                (SELECT group_concat(t.text, ' ') FROM reference_turns t WHERE t.scenario_id = s.id))
        FROM scenarios s WHERE json_valid(s.card)"""
    ).rowcount, unreadable


def listing(row: dict) -> ScenarioListing:
    """A row of a library search (``ROW_COLUMNS``) as an entity."""
    return ScenarioListing(**{**row, "tags": json.loads(row["tags"] or "[]")})


class ScenarioRepository:
    """Scenarios, their reference transcripts, tags and search index."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load(self, scenario_id: int) -> Scenario | None:
        """The stored card with the transcript (and any role corrections) from ``reference_turns``."""
        with self.store.lock:
            row = next(self.store.db["scenarios"].rows_where("id = ?", [scenario_id], select="card"), None)
        if row is None:
            return None
        scenario = Scenario.from_dict(json.loads(row["card"]), f"scenario #{scenario_id}")
        scenario.reference_transcript = [
            Turn(t["role"], t["text"], t["speaker"], t["start_time"]) for t in self._turns(scenario_id)
        ]
        scenario.id = scenario_id
        return scenario

    def _turns(self, scenario_id: int, where: str = "", params: tuple = ()) -> list[dict]:
        with self.store.lock:
            return list(
                self.store.db["reference_turns"].rows_where(
                    f"scenario_id = ?{where}", [scenario_id, *params], order_by="idx"
                )
            )

    def reference_lines(self, scenario_id: int, role: str) -> list[str]:
        return [t["text"] for t in self._turns(scenario_id, " AND role = ?", (role,))]

    def corrected_turns(self, scenario_id: int) -> set[int]:
        return {t["idx"] for t in self._turns(scenario_id, " AND role_corrected = 1")}

    def _first(self, where: str, params: list, select: str = "*") -> dict | None:
        with self.store.lock:
            return next(self.store.db["scenarios"].rows_where(where, params, select=select, limit=1), None)

    def find_id(self, key: str) -> int | None:
        """A database id or a case id (any case) to the database id."""
        row = (self._first("id = ?", [int(key)], "id") if key.isdigit() else None) or self._first(
            "case_id = ? COLLATE NOCASE", [key], "id"
        )
        return row["id"] if row else None

    def title_of(self, scenario_id: int) -> str | None:
        row = self._first("id = ?", [scenario_id], "title")
        return row["title"] if row else None

    def case_id_taken(self, case_id: str) -> bool:
        return self._first("case_id = ?", [case_id], "id") is not None

    def free_case_id(self, case_id: str) -> str:
        """``case_id``, or with ``-2``, ``-3``... added when another scenario already has it."""
        candidate, n = case_id, 1
        while self.case_id_taken(candidate):
            n += 1
            candidate = f"{case_id}-{n}"
        return candidate

    def content_hash(self, scenario_id: int) -> str | None:
        row = self._first("id = ?", [scenario_id], "content_hash")
        return row["content_hash"] if row else None

    def with_content(self, content_hash: str) -> dict | None:
        """The scenario (id, title) already holding this content, if any."""
        return self._first("content_hash = ?", [content_hash], "id, title")

    def authored(self) -> dict[str, dict]:
        """Authored (bundled) scenarios by case id: id, case_id, content_hash."""
        with self.store.lock:
            rows = self.store.db["scenarios"].rows_where(
                "source = 'authored'", select="id, case_id, content_hash"
            )
            return {row["case_id"]: row for row in rows}

    def ids(self) -> list[int]:
        with self.store.lock:
            return [row["id"] for row in self.store.db["scenarios"].rows_where(select="id", order_by="id")]

    def insert(self, scenario: Scenario, content_hash: str | None, source_file: str | None = None) -> int:
        with self.store.write() as conn:
            return insert_scenario(conn, scenario, content_hash, source_file)

    def update(self, scenario_id: int, scenario: Scenario, content_hash: str | None = None) -> None:
        with self.store.write() as conn:
            update_scenario(conn, scenario_id, scenario, content_hash)

    def correct_roles(self, scenario_id: int, targets: list[int], role: str, scenario: Scenario) -> None:
        """Saves an instructor's role for these turns and the card worked out again from them."""
        with self.store.write() as conn:
            conn.executemany(
                "UPDATE reference_turns SET role = ?, role_corrected = 1 WHERE scenario_id = ? AND idx = ?",
                [(role, scenario_id, n) for n in targets],
            )
            update_scenario(conn, scenario_id, scenario, turns=False)

    def rebuild_search_index(self) -> tuple[int, list[tuple[int, str]]]:
        with self.store.write() as conn:
            return rebuild_search_index(conn)

    def sessions_of(self, scenario_id: int) -> int:
        """How many recorded role-play sessions were played on this scenario."""
        return self.store.query_one(
            "SELECT count(*) AS n FROM sessions WHERE scenario_id = ?", [scenario_id]
        )["n"]

    def delete(self, scenario_id: int) -> None:
        """Removes the scenario with its turns, tags, search row and (by cascade) its sessions."""
        with self.store.write() as conn:
            conn.execute("DELETE FROM scenario_search WHERE rowid = ?", (scenario_id,))
            conn.execute("DELETE FROM scenarios WHERE id = ?", (scenario_id,))

    # -- search and facets (aggregate reports: raw SQL) ------------------------------------
    def search(
        self, query: SearchQuery, limit: int, offset: int, matches: int | None, total: int | None
    ) -> list[ScenarioListing]:
        sql, params = query.rows_sql(limit, offset, matches, total)
        return [listing(row) for row in self.store.query(sql, params)]

    def count(self, query: SearchQuery) -> int:
        sql, params = query.count_sql()
        return self.store.query_one(sql, params)["n"]

    def category_counts(self, query: SearchQuery) -> dict[str, int]:
        sql, params = query.category_counts_sql()
        return {row["category"]: row["n"] for row in self.store.query(sql, params)}

    def total(self) -> int:
        return self.store.db["scenarios"].count

    def categories(self) -> list[tuple[str, int]]:
        rows = self.store.query("SELECT category, count(*) AS n FROM scenarios GROUP BY category")
        return [(row["category"], row["n"]) for row in rows]

    def tags(self) -> list[tuple[str, int]]:
        rows = self.store.query(
            "SELECT tag, count(*) AS n FROM scenario_tags GROUP BY tag ORDER BY n DESC, tag"
        )
        return [(row["tag"], row["n"]) for row in rows]

    def optimize(self) -> None:
        self.store.execute("PRAGMA optimize")
