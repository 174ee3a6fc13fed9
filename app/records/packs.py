"""What course packs and session packs leave in the database: ``courses``, ``assignments``,
imported ``sessions`` (with their turns and scores), ``review_queue`` and ``pack_files``.

An imported session is written whole or not at all, keeps the UUID it was given where it was
played, and is never written over: :meth:`PackRepository.known_uuids` is how import stays idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from deescal.app.records.entities import Assignment, Course, QueuedSession
from deescal.app.records.sessions import FINISHED, json_list
from deescal.app.records.store import Store, now

# Sessions that count for an assignment: ended by the trainee, the civilian or the outcome rule.
_DONE_STATUSES = ("resolved", "escalated", "ended")

_ASSIGNMENTS = (
    "SELECT a.id, a.course_id, c.name AS course, a.position, a.scenario_id, sc.case_id, sc.title, a.due_at,"
    " EXISTS (SELECT 1 FROM sessions s WHERE s.scenario_id = a.scenario_id AND s.origin = 'local'"
    f"  AND s.status IN {_DONE_STATUSES} AND s.started_at >= c.imported_at) AS done"
    " FROM assignments a JOIN courses c ON c.id = a.course_id JOIN scenarios sc ON sc.id = a.scenario_id"
)
_QUEUE = (
    "SELECT q.session_id, s.uuid, t.name AS trainee, s.laptop_id, s.laptop_name, sc.case_id, sc.title,"
    " s.status, s.started_at, s.assignment_id, s.course_id, q.added_at"
    " FROM review_queue q JOIN sessions s ON s.id = q.session_id JOIN scenarios sc ON sc.id = s.scenario_id"
    " LEFT JOIN trainees t ON t.id = s.trainee_id"
)
_EXPORTED_SESSION = (
    "SELECT s.id, s.uuid, s.origin, s.mode, s.status, s.model_name, s.adapter_path, s.seed, s.initial_tension,"
    " s.final_tension, s.revealed_facts, s.started_at, s.ended_at, s.laptop_id, s.laptop_name, s.course_id,"
    " s.assignment_id, s.app_version, s.scenario_id, sc.case_id, sc.title, sc.content_hash,"
    " t.name AS trainee FROM sessions s JOIN scenarios sc ON sc.id = s.scenario_id"
    " LEFT JOIN trainees t ON t.id = s.trainee_id"
)


def _course(row: dict) -> Course:
    return Course(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        settings=json.loads(row["settings"] or "{}"),
        adapter=json.loads(row["adapter"]) if row["adapter"] else None,
        created_at=row["created_at"],
        imported_at=row["imported_at"],
    )


class PackRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- courses and assignments ---------------------------------------------------------------
    def save_course(
        self,
        course: dict[str, Any],
        assignments: list[dict[str, Any]],
        *,
        course_key: bytes,
        role: str,
    ) -> None:
        """Adds the course, or replaces its name, settings and assignments (a newer pack of it)."""
        with self.store.write() as conn:
            conn.execute(
                "INSERT INTO courses(id, name, role, course_key, settings, adapter, created_at, imported_at)"
                " VALUES (:id, :name, :role, :key, :settings, :adapter, :created_at, :now)"
                " ON CONFLICT(id) DO UPDATE SET name = excluded.name, settings = excluded.settings,"
                " adapter = excluded.adapter, created_at = excluded.created_at",
                {
                    "id": course["id"],
                    "name": course["name"],
                    "role": role,
                    "key": course_key,
                    "settings": json.dumps(course.get("settings") or {}),
                    "adapter": json.dumps(course["adapter"]) if course.get("adapter") else None,
                    "created_at": course["created_at"],
                    "now": now(),
                },
            )
            conn.execute("DELETE FROM assignments WHERE course_id = ?", (course["id"],))
            conn.executemany(
                "INSERT INTO assignments(id, course_id, position, scenario_id, due_at) VALUES (?, ?, ?, ?, ?)",
                [
                    (a["id"], course["id"], n, a["scenario_id"], a.get("due_at"))
                    for n, a in enumerate(assignments)
                ],
            )

    def course(self, course_id: str) -> Course | None:
        row = self.store.query_one("SELECT * FROM courses WHERE id = ?", (course_id,))
        return _course(row) if row else None

    def courses(self, role: str | None = None) -> list[Course]:
        """Courses newest first (all, or those with this role)."""
        where, params = ("WHERE role = ?", (role,)) if role else ("", ())
        rows = self.store.query(
            f"SELECT * FROM courses {where} ORDER BY imported_at DESC, rowid DESC", params
        )
        return [_course(row) for row in rows]

    def course_key(self, course_id: str) -> bytes | None:
        row = self.store.query_one("SELECT course_key FROM courses WHERE id = ?", (course_id,))
        return bytes(row["course_key"]) if row else None

    def assignments(self, course_id: str | None = None) -> list[Assignment]:
        """Assignments by course (newest course first) and position, each marked done or not."""
        where, params = ("WHERE a.course_id = ?", (course_id,)) if course_id else ("", ())
        rows = self.store.query(
            f"{_ASSIGNMENTS} {where} ORDER BY c.imported_at DESC, c.rowid DESC, a.position", params
        )
        return [Assignment(**{**row, "done": bool(row["done"])}) for row in rows]

    # -- sessions leaving this laptop ------------------------------------------------------------
    def finished_sessions(self, ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        """Finished sessions (those in ``ids``, else every one played here), oldest first, as rows."""
        statuses = ", ".join(f"'{s}'" for s in FINISHED)
        if ids is None:
            where, params = "s.origin = 'local'", ()
        else:
            wanted = [int(n) for n in ids]
            where, params = f"s.id IN ({', '.join('?' * len(wanted))})", tuple(wanted)
        rows = self.store.query(
            f"{_EXPORTED_SESSION} WHERE {where} AND s.status IN ({statuses}) ORDER BY s.started_at, s.id",
            params,
        )
        for row in rows:
            row["revealed_facts"] = json_list(row["revealed_facts"])
        return rows

    def session_ids(self, ids: Iterable[int]) -> dict[int, str]:
        """Of these session ids, the ones that exist, with their status."""
        wanted = [int(n) for n in ids]
        rows = self.store.query(
            f"SELECT id, status FROM sessions WHERE id IN ({', '.join('?' * len(wanted))})", tuple(wanted)
        )
        return {row["id"]: row["status"] for row in rows}

    # -- sessions arriving -------------------------------------------------------------------------
    def known_uuids(self, uuids: Iterable[str]) -> set[str]:
        wanted = list(uuids)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.store.query(
                f"SELECT uuid FROM sessions WHERE uuid IN ({', '.join('?' * len(chunk))})", tuple(chunk)
            )
            found.update(row["uuid"] for row in rows)
        return found

    def insert_imported(self, session: dict[str, Any], turns: list[dict[str, Any]]) -> int:
        """One imported session with its turns and scores, queued for review; joins the caller's
        transaction (the importer writes a whole pack in one). ``session`` holds ``sessions`` columns;
        each turn holds ``session_turns`` columns and ``score`` (a ``turn_scores`` row or None)."""
        with self.store.write() as conn:
            columns = {
                **session,
                "revealed_facts": json.dumps(session.get("revealed_facts") or [], ensure_ascii=False),
                "origin": "imported",
                "imported_at": now(),
            }
            names = ", ".join(columns)
            marks = ", ".join(f":{name}" for name in columns)
            session_id = conn.execute(f"INSERT INTO sessions({names}) VALUES ({marks})", columns).lastrowid
            for turn in turns:
                score = turn.get("score")
                row = {k: v for k, v in turn.items() if k != "score"}
                turn_names = ", ".join(row)
                turn_id = conn.execute(
                    f"INSERT INTO session_turns(session_id, {turn_names}) VALUES (?, {', '.join('?' * len(row))})",
                    (session_id, *row.values()),
                ).lastrowid
                if score is not None:
                    conn.execute(
                        "INSERT INTO turn_scores(turn_id, score, techniques, feedback, scorer_version)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (
                            turn_id,
                            score["score"],
                            json.dumps(score["techniques"]),
                            score["feedback"],
                            score["scorer_version"],
                        ),
                    )
            conn.execute("INSERT INTO review_queue(session_id) VALUES (?)", (session_id,))
        return int(session_id)

    # -- the review queue --------------------------------------------------------------------------
    def queue(self) -> list[QueuedSession]:
        """Imported sessions not opened yet, in the order they arrived."""
        rows = self.store.query(f"{_QUEUE} ORDER BY q.added_at, q.session_id")
        return [QueuedSession(**row) for row in rows]

    def queue_count(self) -> int:
        return self.store.query_one("SELECT count(*) AS n FROM review_queue")["n"]

    def mark_seen(self, session_id: int) -> bool:
        """Takes a session off the queue (the instructor opened it); True if it was on it."""
        return self.store.execute("DELETE FROM review_queue WHERE session_id = ?", (session_id,)).rowcount > 0

    # -- drop-folder files already read ----------------------------------------------------------
    def seen_files(self) -> dict[str, tuple[int, int]]:
        """Every pack file read before: path -> (size, mtime_ns)."""
        rows = self.store.query("SELECT path, size, mtime_ns FROM pack_files")
        return {row["path"]: (row["size"], row["mtime_ns"]) for row in rows}

    def remember_file(self, path: str, size: int, mtime_ns: int, outcome: str) -> None:
        self.store.execute(
            "INSERT INTO pack_files(path, size, mtime_ns, outcome, seen_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " outcome = excluded.outcome, seen_at = excluded.seen_at",
            (path, size, mtime_ns, outcome, now()),
        )
