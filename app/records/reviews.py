"""The instructor's word on a session: ``instructor_reviews`` (one row per reviewed turn, and one
with no turn for the note on the whole session)."""

from __future__ import annotations

from deescal.app.records.store import Store, now


class ReviewRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def set_turn(
        self,
        session_id: int,
        turn_id: int,
        *,
        override_score: float | None,
        mark: str | None,
        comment: str,
        reviewer: str,
    ) -> None:
        """Replaces the review of one turn; a review with nothing in it is removed."""
        with self.store.write():
            if override_score is None and mark is None and not comment:
                self.store.db["instructor_reviews"].delete_where(
                    "session_id = ? AND turn_id = ?", [session_id, turn_id]
                )
                return
            self.store.db["instructor_reviews"].upsert(
                {
                    "session_id": session_id,
                    "turn_id": turn_id,
                    "override_score": override_score,
                    "mark": mark,
                    "comment": comment,
                    "reviewer": reviewer,
                    "updated_at": now(),
                },
                pk=("session_id", "turn_id"),
            )

    def session_comment(self, session_id: int) -> str:
        rows = self.store.db["instructor_reviews"].rows_where(
            "session_id = ? AND turn_id IS NULL", [session_id]
        )
        with self.store.lock:
            return next((row["comment"] for row in rows), "")

    def set_session_comment(self, session_id: int, comment: str, reviewer: str) -> None:
        """The note on the whole session (one row with no turn); an empty note removes it."""
        with self.store.write():
            self.store.db["instructor_reviews"].delete_where(
                "session_id = ? AND turn_id IS NULL", [session_id]
            )
            if comment:
                self.store.db["instructor_reviews"].insert(
                    {"session_id": session_id, "turn_id": None, "comment": comment, "reviewer": reviewer}
                )
