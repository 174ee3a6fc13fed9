"""Trainees: ``trainees``, and their sessions' effective scores and techniques.

Who a trainee is lives here once: names are compared ignoring case and runs of spaces, so
" alice " and "Alice" are one trainee, and :meth:`TraineeRepository.find_or_create` is the only
way a trainee comes into being.
"""

from __future__ import annotations

from deescal.app.errors import UserFacingError
from deescal.app.records.entities import Trainee
from deescal.app.records.sessions import EFFECTIVE_SCORE, json_list
from deescal.app.records.store import Store

MAX_NAME = 80

_LISTED = (
    "SELECT t.*, (SELECT COUNT(*) FROM sessions s WHERE s.trainee_id = t.id) AS n_sessions,"
    " (SELECT MAX(s.started_at) FROM sessions s WHERE s.trainee_id = t.id) AS last_session,"
    f" (SELECT ROUND(AVG({EFFECTIVE_SCORE}), 1) FROM sessions s"
    "  JOIN session_turns st ON st.session_id = s.id AND st.role = 'officer'"
    "  LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
    "  LEFT JOIN instructor_reviews ir ON ir.turn_id = st.id"
    "  WHERE s.trainee_id = t.id) AS mean_score"
    " FROM trainees t"
)


def clean_name(name: str | None) -> str:
    """A trainee's name as stored: single spaces, no spaces at the ends; empty when none was given."""
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME:
        raise UserFacingError(f"A trainee's name can be at most {MAX_NAME} characters.")
    return name


class TraineeRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self) -> list[Trainee]:
        """Every trainee with session count, mean effective score and last session date, by name."""
        return [Trainee(**row) for row in self.store.query(f"{_LISTED} ORDER BY t.name COLLATE NOCASE")]

    def get(self, trainee_id: int) -> Trainee:
        row = self.store.query_one(f"{_LISTED} WHERE t.id = ?", (trainee_id,))
        if row is None:
            raise UserFacingError(f"There is no trainee {trainee_id}.")
        return Trainee(**row)

    def find(self, name: str | None, *, besides: int | None = None) -> int | None:
        """The trainee with this name (ignoring case and spaces), other than ``besides``."""
        row = self.store.query_one(
            "SELECT id FROM trainees WHERE name = ? COLLATE NOCASE AND id != ?",
            (clean_name(name), besides or -1),
        )
        return row["id"] if row else None

    def find_or_create(self, name: str | None, cohort: str = "") -> int | None:
        """The trainee called ``name``, created if new; None when no name was given."""
        name = clean_name(name)
        if not name:
            return None
        with self.store.write():
            found = self.find(name)
            if found is not None:
                return found
            return int(self.store.db["trainees"].insert({"name": name, "cohort": cohort.strip()}).last_pk)

    def update(self, trainee_id: int, **changes: str) -> None:
        with self.store.write():
            self.store.db["trainees"].update(trainee_id, changes)

    def officer_techniques(self, trainee_id: int) -> list[list[dict]]:
        """The techniques the scorer found in each of the trainee's officer turns (empty if unscored)."""
        rows = self.store.query(
            "SELECT ts.techniques FROM sessions s JOIN session_turns st ON st.session_id = s.id"
            " AND st.role = 'officer' LEFT JOIN turn_scores ts ON ts.turn_id = st.id WHERE s.trainee_id = ?",
            (trainee_id,),
        )
        return [json_list(row["techniques"]) for row in rows]
