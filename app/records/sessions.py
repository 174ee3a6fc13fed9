"""Sessions, their turns and the scorer's results: ``sessions``, ``session_turns``, ``turn_scores``.

Every write commits before it returns, so a session survives the app being killed mid-turn. The
effective score (instructor's override, else the scorer's) is :data:`EFFECTIVE_SCORE`, the one
place that rule is written; every list, mean and turn reads it from here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from deescal.app.errors import DatabaseError, UserFacingError
from deescal.app.records.entities import Session, SessionSummary, TrainingDialogue, Turn
from deescal.app.records.store import Store, now

FINISHED = ("resolved", "escalated", "ended", "interrupted")

# The effective score of an officer turn, given ``turn_scores ts`` and ``instructor_reviews ir``.
EFFECTIVE_SCORE = "COALESCE(ir.override_score, ts.score)"
# Officer turns of session ``s`` with their scores and reviews, for aggregates.
_OFFICER_TURNS_OF_S = (
    "session_turns st LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
    " LEFT JOIN instructor_reviews ir ON ir.turn_id = st.id"
    " WHERE st.session_id = s.id AND st.role = 'officer'"
)
MEAN_EFFECTIVE_SCORE_OF_S = f"(SELECT ROUND(AVG({EFFECTIVE_SCORE}), 1) FROM {_OFFICER_TURNS_OF_S})"

_SUMMARY = (
    "SELECT s.id, s.status, s.started_at, s.ended_at, s.initial_tension, s.final_tension, s.model_name,"
    " s.adapter_path, s.approved, s.trainee_id, t.name AS trainee, t.cohort, sc.case_id, sc.title,"
    " (SELECT COUNT(*) FROM session_turns st WHERE st.session_id = s.id) AS n_turns,"
    f" (SELECT COUNT(*) FROM {_OFFICER_TURNS_OF_S}) AS officer_turns,"
    f" {MEAN_EFFECTIVE_SCORE_OF_S} AS mean_score"
    " FROM sessions s JOIN scenarios sc ON sc.id = s.scenario_id LEFT JOIN trainees t ON t.id = s.trainee_id"
)
_TURNS = (
    "SELECT st.*, ts.score AS auto_score, ts.techniques, ts.feedback, ts.scorer_version,"
    f" ir.override_score, ir.mark, ir.comment, {EFFECTIVE_SCORE} AS score"
    " FROM session_turns st LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
    " LEFT JOIN instructor_reviews ir ON ir.turn_id = st.id AND ir.session_id = st.session_id"
)

_TRAINING = (
    "SELECT s.id, sc.title, sc.card, t.name AS trainee, s.approved_at FROM sessions s"
    " JOIN scenarios sc ON sc.id = s.scenario_id LEFT JOIN trainees t ON t.id = s.trainee_id"
)


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


def _summary(row: dict) -> SessionSummary:
    return SessionSummary(**{**row, "approved": bool(row["approved"])})


def _turn(row: dict) -> Turn:
    columns = {name: row[name] for name in Turn.__dataclass_fields__ if name in row}
    return Turn(
        **{
            **columns,
            "techniques": json_list(row["techniques"]),
            "feedback": row["feedback"] or "",
            "scorer_version": row["scorer_version"] or "",
            "comment": row["comment"] or "",
        }
    )


def json_list(raw: str | None) -> list[Any]:
    """A JSON list column; a damaged value reads as empty."""
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


class SessionRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading -------------------------------------------------------------------------------
    def summaries(
        self,
        *,
        status: str | None = None,
        trainee_id: int | None = None,
        oldest_first: bool = False,
        limit: int = -1,
    ) -> list[SessionSummary]:
        """Sessions (all, one status, or one trainee's) newest first unless ``oldest_first``."""
        where, params = [], []
        if status is not None:
            where.append("s.status = ?")
            params.append(status)
        if trainee_id is not None:
            where.append("s.trainee_id = ?")
            params.append(trainee_id)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        order = "s.started_at, s.id" if oldest_first else "s.id DESC"
        rows = self.store.query(f"{_SUMMARY}{clause} ORDER BY {order} LIMIT ?", (*params, limit))
        return [_summary(row) for row in rows]

    def get(self, session_id: int) -> Session:
        row = self.store.query_one(
            "SELECT s.*, sc.title, sc.case_id, sc.character_name, sc.source AS scenario_source, t.name AS trainee"
            " FROM sessions s JOIN scenarios sc ON sc.id = s.scenario_id"
            " LEFT JOIN trainees t ON t.id = s.trainee_id WHERE s.id = ?",
            (session_id,),
        )
        if row is None:
            raise UserFacingError(f"There is no session {session_id}. List them with: deescal sessions list")
        return Session(
            **{**row, "approved": bool(row["approved"]), "revealed_facts": json_list(row["revealed_facts"])}
        )

    def turns(self, session_id: int) -> list[Turn]:
        """The session's turns in order, with scores (officer turns) and the instructor's review."""
        rows = self.store.query(f"{_TURNS} WHERE st.session_id = ? ORDER BY st.idx", (session_id,))
        return [_turn(row) for row in rows]

    def turn(self, session_id: int, turn_id: int) -> Turn | None:
        row = self.store.query_one(f"{_TURNS} WHERE st.session_id = ? AND st.id = ?", (session_id, turn_id))
        return _turn(row) if row else None

    # -- the role-play's writes ----------------------------------------------------------------
    def create(
        self,
        *,
        scenario_id: int,
        trainee_id: int | None,
        model_name: str,
        adapter_path: str | None,
        seed: int,
        initial_tension: float,
        mode: str = "text",
    ) -> int:
        with self.store.write():
            table = self.store.db["sessions"].insert(
                {
                    "scenario_id": scenario_id,
                    "trainee_id": trainee_id,
                    "mode": mode,
                    "model_name": model_name,
                    "adapter_path": adapter_path,
                    "seed": seed,
                    "initial_tension": initial_tension,
                    "final_tension": initial_tension,
                }
            )
        return int(table.last_pk)

    def add_turn(
        self,
        session_id: int,
        turn: dict[str, Any],
        *,
        score: dict[str, Any] | None = None,
        session_changes: dict[str, Any],
        what: str,
    ) -> int:
        """Records one turn (and its score), and updates the session, in one transaction."""
        with _saving(what), self.store.write() as conn:
            idx = conn.execute(
                "SELECT COALESCE(MAX(idx), -1) + 1 FROM session_turns WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
            turn_id = (
                self.store.db["session_turns"].insert({**turn, "session_id": session_id, "idx": idx}).last_pk
            )
            if score is not None:
                self.add_score(turn_id, **score)
            self.store.db["sessions"].update(session_id, session_changes)
        return int(turn_id)

    def add_score(
        self, turn_id: int, *, score: float, techniques: list[dict], feedback: str, scorer_version: str
    ) -> None:
        """The scorer's result for a turn; a turn keeps the first score it was given."""
        with self.store.write():
            self.store.db["turn_scores"].insert(
                {
                    "turn_id": turn_id,
                    "score": max(0.0, min(100.0, score)),
                    "techniques": json.dumps(techniques),
                    "feedback": feedback,
                    "scorer_version": scorer_version,
                },
                ignore=True,
            )

    def finish(self, session_id: int, status: str, final_tension: float) -> None:
        if status not in FINISHED:
            raise ValueError(f"a session ends as one of {FINISHED}, not {status!r}")
        with self.store.write():
            self.store.db.execute(
                "UPDATE sessions SET status = ?, final_tension = ?, ended_at = ? WHERE id = ? AND status = 'active'",
                (status, final_tension, now(), session_id),
            )

    # -- approval and training -----------------------------------------------------------------
    def set_approval(self, session_id: int, approved_by: str | None) -> None:
        """Approves the session for fine-tuning (by ``approved_by``), or withdraws it (None)."""
        with self.store.write():
            self.store.db["sessions"].update(
                session_id,
                {
                    "approved": int(approved_by is not None),
                    "approved_by": approved_by,
                    "approved_at": approved_by and now(),
                },
            )

    def training_dialogues(self, only: list[int] | None = None) -> list[TrainingDialogue]:
        """Approved sessions (all, or those in ``only``) minus the turns the instructor marked bad."""
        rows = self.store.query(f"{_TRAINING} WHERE s.approved = 1 ORDER BY s.id")
        return [self._training_dialogue(row) for row in rows if only is None or row["id"] in only]

    def training_dialogue(self, session_id: int) -> TrainingDialogue:
        """What one session gives training once approved (the approval preview shows exactly this)."""
        row = self.store.query_one(f"{_TRAINING} WHERE s.id = ?", (session_id,))
        if row is None:
            raise UserFacingError(f"There is no session {session_id}. List them with: deescal sessions list")
        return self._training_dialogue(row)

    def _training_dialogue(self, row: dict) -> TrainingDialogue:
        return TrainingDialogue(
            row["id"],
            row["title"],
            row["card"],
            row["trainee"],
            row["approved_at"],
            turns=_without_bad(self.turns(row["id"])),
        )


def _without_bad(turns: list[Turn]) -> list[Turn]:
    """Drops system turns, turns marked bad, and the civilian's answer to a bad officer turn (it
    answers a line that is gone)."""
    turns = [t for t in turns if t.role != "system"]
    kept = []
    for n, turn in enumerate(turns):
        answers_bad = (
            turn.role == "civilian"
            and n > 0
            and turns[n - 1].mark == "bad"
            and turns[n - 1].role == "officer"
        )
        if turn.mark != "bad" and not answers_bad:
            kept.append(turn)
    return kept
