"""Trainees and their progress: sessions, score trend, which techniques they use, CSV export.

Scores are "effective" scores: the instructor's override where there is one, else the scorer's.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from deescal.app.context import AppContext
from deescal.app.csv_export import write_csv
from deescal.app.errors import UserFacingError
from deescal.app.records.entities import SessionSummary, Trainee
from deescal.app.records.sessions import SessionRepository
from deescal.app.records.trainees import TraineeRepository, clean_name
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
        self.trainees = TraineeRepository(ctx.store)
        self.sessions_repo = SessionRepository(ctx.store)

    def list_trainees(self) -> list[Trainee]:
        """Every trainee with session count, mean effective score and last session date."""
        return self.trainees.list()

    def get(self, trainee_id: int) -> Trainee:
        return self.trainees.get(trainee_id)

    def create(self, name: str, cohort: str = "") -> int:
        name = _required(name)
        if self.trainees.find(name) is not None:
            raise UserFacingError(f"There is already a trainee called {name}.")
        return self.trainees.find_or_create(name, cohort)

    def rename(self, trainee_id: int, name: str) -> None:
        name = _required(name)
        self.get(trainee_id)
        if self.trainees.find(name, besides=trainee_id) is not None:
            raise UserFacingError(f"There is already a trainee called {name}.")
        self.trainees.update(trainee_id, name=name)

    def set_cohort(self, trainee_id: int, cohort: str) -> None:
        self.get(trainee_id)
        self.trainees.update(trainee_id, cohort=cohort.strip())

    def sessions(self, trainee_id: int | None) -> list[SessionSummary]:
        """Oldest first (a trend reads left to right), with mean effective score per session."""
        return self.sessions_repo.summaries(trainee_id=trainee_id, oldest_first=True)

    def score_trend(self, trainee_id: int) -> list[tuple[int, str, float]]:
        """(session id, started_at, mean score) for each scored session, oldest first."""
        return [
            (row.id, row.started_at, row.mean_score)
            for row in self.sessions(trainee_id)
            if row.mean_score is not None
        ]

    def technique_coverage(self, trainee_id: int) -> list[TechniqueCoverage]:
        """How often each technique shows up in the trainee's officer turns (all techniques listed)."""
        turns = self.trainees.officer_techniques(trainee_id)
        counts: Counter[str] = Counter()
        for techniques in turns:
            try:
                names = {item["name"] for item in techniques}
            except (TypeError, KeyError):
                names = set()
            counts.update(names)
        total = len(turns)
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
                    row.trainee or "",
                    row.cohort or "",
                    row.id,
                    row.title,
                    row.started_at,
                    row.status,
                    row.officer_turns,
                    "" if row.mean_score is None else row.mean_score,
                    "" if row.final_tension is None else row.final_tension,
                    "yes" if row.approved else "no",
                ]
                for row in rows
            ),
        )
        return len(rows)


def _required(name: str) -> str:
    name = clean_name(name)
    if not name:
        raise UserFacingError("A trainee needs a name.")
    return name
