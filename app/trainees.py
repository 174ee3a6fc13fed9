"""Trainees and their progress: sessions, score trend, which techniques they use, CSV export.

Scores are "effective" scores: the instructor's override where there is one, else the scorer's.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass

from deescal.app.context import AppContext
from deescal.app.csv_export import write_csv
from deescal.app.errors import UserFacingError
from deescal.app.scoring.techniques import TECHNIQUES

CSV_COLUMNS = (
    "trainee",
    "cohort",
    "session_id",
    "scenario",
    "started_at",
    "status",
    "officer_turns",
    "mean_score",
    "final_tension",
    "approved",
)


@dataclass(frozen=True)
class TechniqueCoverage:
    name: str
    label: str
    polarity: int
    turns: int  # officer turns that showed it
    share: float  # of all the trainee's officer turns, 0-1


class TraineeService:
    def __init__(self, ctx: AppContext) -> None:
        self.store = ctx.store

    def list_trainees(self) -> list[dict]:
        """Every trainee with session count, mean effective score and last session date."""
        return self.store.query(
            "SELECT t.id, t.name, t.cohort, t.notes, t.created_at,"
            " (SELECT COUNT(*) FROM sessions s WHERE s.trainee_id = t.id) AS n_sessions,"
            " (SELECT MAX(s.started_at) FROM sessions s WHERE s.trainee_id = t.id) AS last_session,"
            " (SELECT ROUND(AVG(COALESCE(ir.override_score, ts.score)), 1) FROM sessions s"
            "  JOIN session_turns st ON st.session_id = s.id AND st.role = 'officer'"
            "  LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
            "  LEFT JOIN instructor_reviews ir ON ir.turn_id = st.id"
            "  WHERE s.trainee_id = t.id) AS mean_score"
            " FROM trainees t ORDER BY t.name COLLATE NOCASE"
        )

    def get(self, trainee_id: int) -> dict:
        row = self.store.query_one("SELECT * FROM trainees WHERE id = ?", (trainee_id,))
        if row is None:
            raise UserFacingError(f"There is no trainee {trainee_id}.")
        return row

    def create(self, name: str, cohort: str = "") -> int:
        name = _clean_name(name)
        if self.store.query_one("SELECT 1 FROM trainees WHERE name = ? COLLATE NOCASE", (name,)):
            raise UserFacingError(f"There is already a trainee called {name}.")
        return int(
            self.store.execute(
                "INSERT INTO trainees(name, cohort) VALUES (?, ?)", (name, cohort.strip())
            ).lastrowid
        )

    def rename(self, trainee_id: int, name: str) -> None:
        name = _clean_name(name)
        self.get(trainee_id)
        clash = self.store.query_one(
            "SELECT id FROM trainees WHERE name = ? COLLATE NOCASE AND id != ?", (name, trainee_id)
        )
        if clash:
            raise UserFacingError(f"There is already a trainee called {name}.")
        self.store.execute("UPDATE trainees SET name = ? WHERE id = ?", (name, trainee_id))

    def set_cohort(self, trainee_id: int, cohort: str) -> None:
        self.get(trainee_id)
        self.store.execute("UPDATE trainees SET cohort = ? WHERE id = ?", (cohort.strip(), trainee_id))

    def sessions(self, trainee_id: int | None) -> list[dict]:
        """Oldest first (a trend reads left to right), with mean effective score per session."""
        where, params = ("s.trainee_id = ?", (trainee_id,)) if trainee_id is not None else ("1", ())
        return self.store.query(
            "SELECT s.id, s.started_at, s.status, s.final_tension, s.approved, sc.title, t.name AS trainee,"
            " t.cohort, COUNT(st.id) AS officer_turns,"
            " ROUND(AVG(COALESCE(ir.override_score, ts.score)), 1) AS mean_score"
            " FROM sessions s JOIN scenarios sc ON sc.id = s.scenario_id"
            " LEFT JOIN trainees t ON t.id = s.trainee_id"
            " LEFT JOIN session_turns st ON st.session_id = s.id AND st.role = 'officer'"
            " LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
            " LEFT JOIN instructor_reviews ir ON ir.turn_id = st.id"
            f" WHERE {where} GROUP BY s.id ORDER BY s.started_at, s.id",
            params,
        )

    def score_trend(self, trainee_id: int) -> list[tuple[int, str, float]]:
        """(session id, started_at, mean score) for each scored session, oldest first."""
        return [
            (row["id"], row["started_at"], row["mean_score"])
            for row in self.sessions(trainee_id)
            if row["mean_score"] is not None
        ]

    def technique_coverage(self, trainee_id: int) -> list[TechniqueCoverage]:
        """How often each technique shows up in the trainee's officer turns (all techniques listed)."""
        rows = self.store.query(
            "SELECT ts.techniques FROM sessions s JOIN session_turns st ON st.session_id = s.id"
            " AND st.role = 'officer' LEFT JOIN turn_scores ts ON ts.turn_id = st.id WHERE s.trainee_id = ?",
            (trainee_id,),
        )
        counts: Counter[str] = Counter()
        for row in rows:
            try:
                names = {item["name"] for item in json.loads(row["techniques"] or "[]")}
            except (ValueError, TypeError, KeyError):
                names = set()
            counts.update(names)
        total = len(rows)
        return [
            TechniqueCoverage(
                t.name, t.label, t.polarity, counts[t.name], counts[t.name] / total if total else 0.0
            )
            for t in TECHNIQUES
        ]

    def export_csv(self, path: str | os.PathLike[str], trainee_id: int | None = None) -> int:
        """One row per session (all trainees, or one), written safely by :func:`write_csv`."""
        rows = self.sessions(trainee_id)
        write_csv(
            path,
            CSV_COLUMNS,
            (
                [
                    row["trainee"] or "",
                    row["cohort"] or "",
                    row["id"],
                    row["title"],
                    row["started_at"],
                    row["status"],
                    row["officer_turns"],
                    "" if row["mean_score"] is None else row["mean_score"],
                    "" if row["final_tension"] is None else row["final_tension"],
                    "yes" if row["approved"] else "no",
                ]
                for row in rows
            ),
        )
        return len(rows)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise UserFacingError("A trainee needs a name.")
    if len(name) > 80:
        raise UserFacingError("A trainee's name can be at most 80 characters.")
    return name
