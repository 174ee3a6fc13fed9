"""Role-play sessions in the database: ``sessions``, ``session_turns`` and their ``turn_scores``.

Every write here commits before it returns, so a session survives the app being killed mid-turn,
and :func:`session_transcript` is the one rendering of a session that the ``roleplay`` and
``sessions show`` commands print (and the review reads).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from deescal.app.errors import DatabaseError, UserFacingError
from deescal.app.records.store import Store

STATUSES = ("active", "resolved", "escalated", "ended", "interrupted")
FINISHED = ("resolved", "escalated", "ended", "interrupted")


def trainee_id(store: Store, name: str | None) -> int | None:
    """The trainee called ``name``, created if new (trainees are chosen or created at start)."""
    name = (name or "").strip()
    if not name:
        return None
    store.execute("INSERT INTO trainees(name) VALUES (?) ON CONFLICT(name) DO NOTHING", (name,))
    return store.query_one("SELECT id FROM trainees WHERE name = ?", (name,))["id"]


@contextmanager
def _saving(what: str) -> Iterator[None]:
    """Turns a failed write (disk full, database locked by another program) into a clear message."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise DatabaseError(
            f"Could not save {what} ({exc}). Everything before it is saved; free some disk space "
            "(or close other programs using the data folder) and resume the session."
        ) from exc


def trainee_names(store: Store) -> list[str]:
    return [row["name"] for row in store.query("SELECT name FROM trainees ORDER BY name COLLATE NOCASE")]


def create_session(
    store: Store,
    *,
    scenario_id: int,
    trainee: int | None,
    model_name: str,
    adapter_path: str | None,
    seed: int,
    initial_tension: float,
    mode: str = "text",
) -> int:
    cursor = store.execute(
        "INSERT INTO sessions(scenario_id, trainee_id, mode, model_name, adapter_path, seed, initial_tension,"
        " final_tension) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (scenario_id, trainee, mode, model_name, adapter_path, seed, initial_tension, initial_tension),
    )
    return int(cursor.lastrowid)


def session_row(store: Store, session_id: int) -> dict:
    row = store.query_one("SELECT * FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        raise UserFacingError(f"There is no session {session_id}. List them with: deescal sessions list")
    return row


def turns(store: Store, session_id: int) -> list[dict]:
    """The session's turns in order, each with its score fields (officer turns) when scored."""
    rows = store.query(
        "SELECT t.*, s.score, s.techniques, s.feedback, s.scorer_version FROM session_turns t"
        " LEFT JOIN turn_scores s ON s.turn_id = t.id WHERE t.session_id = ? ORDER BY t.idx",
        (session_id,),
    )
    for row in rows:
        row["techniques"] = json.loads(row["techniques"]) if row["techniques"] else []
    return rows


def add_officer_turn(
    store: Store,
    session_id: int,
    *,
    text: str,
    tension: float,
    score: float,
    techniques: list[dict],
    feedback: str,
    scorer_version: str,
    model_name: str,
    adapter_path: str | None,
    audio_path: str | None = None,
) -> int:
    """Records an officer turn and its score together (one transaction); returns the turn id."""
    with _saving("the officer's turn"), store.write() as conn:
        idx = _next_idx(conn, session_id)
        turn = conn.execute(
            "INSERT INTO session_turns(session_id, idx, role, text, tension, model_name, adapter_path, audio_path)"
            " VALUES (?, ?, 'officer', ?, ?, ?, ?, ?)",
            (session_id, idx, text, tension, model_name, adapter_path, audio_path),
        ).lastrowid
        conn.execute(
            "INSERT INTO turn_scores(turn_id, score, techniques, feedback, scorer_version) VALUES (?, ?, ?, ?, ?)",
            (turn, max(0.0, min(100.0, score)), json.dumps(techniques), feedback, scorer_version),
        )
        conn.execute("UPDATE sessions SET final_tension = ? WHERE id = ?", (tension, session_id))
    return int(turn)


def add_civilian_turn(
    store: Store,
    session_id: int,
    *,
    text: str,
    tension: float,
    latency_s: float,
    first_token_s: float | None,
    n_tokens: int,
    model_name: str,
    adapter_path: str | None,
    revealed_facts: list[str],
) -> int:
    """Records the civilian's reply and the facts uncovered so far (one transaction)."""
    with _saving("the civilian's reply"), store.write() as conn:
        idx = _next_idx(conn, session_id)
        turn = conn.execute(
            "INSERT INTO session_turns(session_id, idx, role, text, tension, latency_s, first_token_s, n_tokens,"
            " model_name, adapter_path) VALUES (?, ?, 'civilian', ?, ?, ?, ?, ?, ?, ?)",
            (session_id, idx, text, tension, latency_s, first_token_s, n_tokens, model_name, adapter_path),
        ).lastrowid
        conn.execute(
            "UPDATE sessions SET revealed_facts = ?, final_tension = ? WHERE id = ?",
            (json.dumps(revealed_facts), tension, session_id),
        )
    return int(turn)


def _next_idx(conn, session_id: int) -> int:
    row = conn.execute(
        "SELECT COALESCE(MAX(idx), -1) + 1 FROM session_turns WHERE session_id = ?", (session_id,)
    )
    return int(row.fetchone()[0])


def finish_session(store: Store, session_id: int, status: str, final_tension: float) -> None:
    if status not in FINISHED:
        raise ValueError(f"a session ends as one of {FINISHED}, not {status!r}")
    store.execute(
        "UPDATE sessions SET status = ?, final_tension = ?,"
        " ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND status = 'active'",
        (status, final_tension, session_id),
    )


def list_sessions(store: Store, status: str | None = None, limit: int = 200) -> list[dict]:
    """Newest first, with scenario title, trainee name, turn count and mean officer score."""
    where, params = ("WHERE s.status = ?", (status, limit)) if status else ("", (limit,))
    return store.query(
        "SELECT s.id, s.status, s.started_at, s.ended_at, s.initial_tension, s.final_tension, s.model_name,"
        " s.adapter_path, sc.case_id, sc.title, t.name AS trainee,"
        " (SELECT COUNT(*) FROM session_turns st WHERE st.session_id = s.id) AS n_turns,"
        " (SELECT ROUND(AVG(ts.score), 1) FROM session_turns st JOIN turn_scores ts ON ts.turn_id = st.id"
        "  WHERE st.session_id = s.id) AS mean_score"
        f" FROM sessions s JOIN scenarios sc ON sc.id = s.scenario_id LEFT JOIN trainees t ON t.id = s.trainee_id"
        f" {where} ORDER BY s.id DESC LIMIT ?",
        params,
    )


def _turn_out(row: dict) -> dict[str, Any]:
    turn: dict[str, Any] = {
        "idx": row["idx"],
        "role": row["role"],
        "text": row["text"],
        "tension": row["tension"],
    }
    if row["role"] == "officer":
        turn.update(score=row["score"], techniques=row["techniques"], feedback=row["feedback"] or "")
        if row["audio_path"]:
            turn["audio_path"] = row["audio_path"]
    elif row["role"] == "civilian":
        turn.update(latency_s=row["latency_s"], first_token_s=row["first_token_s"], n_tokens=row["n_tokens"])
    return turn


def session_transcript(store: Store, session_id: int) -> dict[str, Any]:
    """The whole session as plain data: what ``deescal roleplay --json`` and ``sessions show`` print."""
    row = session_row(store, session_id)
    scenario = (
        store.query_one(
            "SELECT case_id, title, character_name FROM scenarios WHERE id = ?", (row["scenario_id"],)
        )
        or {}
    )
    trainee = (
        store.query_one("SELECT name FROM trainees WHERE id = ?", (row["trainee_id"],))
        if row["trainee_id"]
        else None
    )
    return {
        "session_id": row["id"],
        "scenario_id": row["scenario_id"],
        "case_id": scenario.get("case_id"),
        "title": scenario.get("title"),
        "civilian": scenario.get("character_name") or "Civilian",
        "trainee": trainee["name"] if trainee else None,
        "status": row["status"],
        "model": row["model_name"],
        "adapter": row["adapter_path"],
        "seed": row["seed"],
        "initial_tension": row["initial_tension"],
        "final_tension": row["final_tension"],
        "revealed_facts": json.loads(row["revealed_facts"] or "[]"),
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "turns": [_turn_out(t) for t in turns(store, session_id)],
    }
