"""After-action review of a role-play session: scores, instructor overrides, approval, redaction.

Reads what the role-play wrote (``sessions``, ``session_turns``, ``turn_scores``) and owns what
the instructor adds (``instructor_reviews`` and the approval columns of ``sessions``). Every change
commits at once, so an override is never lost. An instructor's score replaces the scorer's
everywhere a score is shown or averaged ("effective score").
"""

from __future__ import annotations

import getpass
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.redaction import Redactor
from deescal.app.scoring.types import TechniqueHit
from deescal.app.settings import get_setting, set_setting
from deescal.app.tension import escalation_turns

REVIEWER_KEY = "review.reviewer_name"
MARKS = ("good", "bad")


@dataclass
class ReviewTurn:
    turn_id: int
    idx: int
    role: str
    text: str
    tension: float | None
    auto_score: float | None = None
    techniques: list[TechniqueHit] = field(default_factory=list)
    feedback: str = ""
    scorer_version: str = ""
    override_score: float | None = None
    mark: str | None = None
    comment: str = ""
    civilian_before: str | None = None

    @property
    def score(self) -> float | None:
        """The instructor's score when given, else the scorer's."""
        return self.override_score if self.override_score is not None else self.auto_score

    @property
    def is_officer(self) -> bool:
        return self.role == "officer"


@dataclass
class SessionReview:
    session: dict
    turns: list[ReviewTurn]
    session_comment: str = ""

    @property
    def officer_turns(self) -> list[ReviewTurn]:
        return [t for t in self.turns if t.is_officer]

    @property
    def scored_turns(self) -> list[ReviewTurn]:
        return [t for t in self.officer_turns if t.score is not None]

    @property
    def unscored_turns(self) -> list[ReviewTurn]:
        return [t for t in self.officer_turns if t.auto_score is None]

    @property
    def mean_score(self) -> float | None:
        scores = [t.score for t in self.scored_turns]
        return round(sum(scores) / len(scores), 1) if scores else None

    @property
    def escalation_turn_ids(self) -> set[int]:
        """Officer turns after which the tension reached the top of the scale (where it escalated)."""
        officer = [t for t in self.officer_turns if t.tension is not None]
        return {officer[n].turn_id for n in escalation_turns([float(t.tension) for t in officer])}

    def strongest(self, n: int = 3) -> list[ReviewTurn]:
        return sorted(self.scored_turns, key=lambda t: (-t.score, t.idx))[:n]

    def weakest(self, n: int = 3) -> list[ReviewTurn]:
        return sorted(self.scored_turns, key=lambda t: (t.score, t.idx))[:n]

    def technique_counts(self) -> list[tuple[TechniqueHit, int]]:
        """Each technique seen (one representative hit) with how many officer turns showed it."""
        counts: Counter[str] = Counter()
        first: dict[str, TechniqueHit] = {}
        for turn in self.officer_turns:
            for hit in {h.name: h for h in turn.techniques}.values():
                counts[hit.name] += 1
                first.setdefault(hit.name, hit)
        return [
            (first[name], n)
            for name, n in sorted(counts.items(), key=lambda kv: (-first[kv[0]].polarity, -kv[1]))
        ]

    @property
    def title(self) -> str:
        return f"Session {self.session['id']}: {self.session.get('title') or 'untitled scenario'}"


@dataclass
class ReferenceComparison:
    turn_id: int
    trainee_text: str
    reference_text: str
    metrics: dict[str, float]


@dataclass
class RedactedTurn:
    turn_id: int
    role: str
    original: str
    redacted: str
    replacements: list[tuple[str, str, str]]


class ReviewService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    # -- reading -------------------------------------------------------------------------------
    def list_sessions(self, trainee_id: int | None = None, limit: int = 500) -> list[dict]:
        """Newest first: id, title, trainee, status, started_at, turns, mean effective score, approved."""
        where, params = ("WHERE s.trainee_id = ?", [trainee_id]) if trainee_id is not None else ("", [])
        return self.store.query(
            "SELECT s.id, s.status, s.started_at, s.ended_at, s.approved, s.final_tension, s.trainee_id,"
            " sc.title, sc.case_id, t.name AS trainee,"
            " (SELECT COUNT(*) FROM session_turns st WHERE st.session_id = s.id) AS n_turns,"
            " (SELECT ROUND(AVG(COALESCE(ir.override_score, ts.score)), 1) FROM session_turns st"
            "  LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
            "  LEFT JOIN instructor_reviews ir ON ir.turn_id = st.id"
            "  WHERE st.session_id = s.id AND st.role = 'officer') AS mean_score"
            " FROM sessions s JOIN scenarios sc ON sc.id = s.scenario_id"
            f" LEFT JOIN trainees t ON t.id = s.trainee_id {where} ORDER BY s.id DESC LIMIT ?",
            (*params, limit),
        )

    def load(self, session_id: int) -> SessionReview:
        session = self.store.query_one(
            "SELECT s.*, sc.title, sc.case_id, sc.character_name, sc.source AS scenario_source, t.name AS trainee"
            " FROM sessions s JOIN scenarios sc ON sc.id = s.scenario_id"
            " LEFT JOIN trainees t ON t.id = s.trainee_id WHERE s.id = ?",
            (session_id,),
        )
        if session is None:
            raise UserFacingError(f"There is no session {session_id}; pick one from the list of sessions.")
        rows = self.store.query(
            "SELECT st.id, st.idx, st.role, st.text, st.tension, ts.score, ts.techniques, ts.feedback,"
            " ts.scorer_version, ir.override_score, ir.mark, ir.comment"
            " FROM session_turns st LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
            " LEFT JOIN instructor_reviews ir ON ir.turn_id = st.id AND ir.session_id = st.session_id"
            " WHERE st.session_id = ? ORDER BY st.idx",
            (session_id,),
        )
        turns, civilian = [], None
        for row in rows:
            turns.append(
                ReviewTurn(
                    turn_id=row["id"],
                    idx=row["idx"],
                    role=row["role"],
                    text=row["text"],
                    tension=row["tension"],
                    auto_score=row["score"],
                    techniques=_techniques(row["techniques"]),
                    feedback=row["feedback"] or "",
                    scorer_version=row["scorer_version"] or "",
                    override_score=row["override_score"],
                    mark=row["mark"],
                    comment=row["comment"] or "",
                    civilian_before=civilian if row["role"] == "officer" else None,
                )
            )
            if row["role"] == "civilian":
                civilian = row["text"]
        note = self.store.query_one(
            "SELECT comment FROM instructor_reviews WHERE session_id = ? AND turn_id IS NULL", (session_id,)
        )
        return SessionReview(session, turns, note["comment"] if note else "")

    # -- scoring turns the role-play did not score ---------------------------------------------
    def score_missing(self, session_id: int, progress: Callable[[float, str], None] | None = None) -> int:
        """Scores officer turns that have no score yet (a crash mid-turn, an older import); returns how many."""
        from deescal.app.scoring import SCORER_VERSION, get_scorer

        missing = self.load(session_id).unscored_turns
        scorer = get_scorer()
        for n, turn in enumerate(missing):
            result = scorer.score(turn.text, turn.civilian_before)
            self.store.execute(
                "INSERT INTO turn_scores(turn_id, score, techniques, feedback, scorer_version) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(turn_id) DO NOTHING",
                (
                    turn.turn_id,
                    result.score,
                    json.dumps(result.techniques_json()),
                    result.feedback,
                    SCORER_VERSION,
                ),
            )
            if progress:
                progress((n + 1) / len(missing), f"Scored turn {n + 1} of {len(missing)}")
        return len(missing)

    # -- the instructor's word -----------------------------------------------------------------
    def reviewer(self) -> str:
        return get_setting(self.store, REVIEWER_KEY, "") or getpass.getuser()

    def set_reviewer(self, name: str) -> None:
        set_setting(self.store, REVIEWER_KEY, name.strip())

    def set_turn_review(
        self,
        session_id: int,
        turn_id: int,
        *,
        override_score: float | None = None,
        mark: str | None = None,
        comment: str = "",
        reviewer: str | None = None,
    ) -> None:
        """Replaces the instructor's review of one officer turn (all three fields at once)."""
        turn = self.store.query_one(
            "SELECT role FROM session_turns WHERE id = ? AND session_id = ?", (turn_id, session_id)
        )
        if turn is None:
            raise UserFacingError(f"Turn {turn_id} is not part of session {session_id}.")
        if turn["role"] != "officer":
            raise UserFacingError("Only the trainee's (officer) turns are scored and reviewed.")
        if override_score is not None and not 0 <= override_score <= 100:
            raise UserFacingError(f"A score is between 0 and 100, not {override_score:g}.")
        if mark is not None and mark not in MARKS:
            raise UserFacingError(f"A turn is marked 'good' or 'bad', not {mark!r}.")
        if override_score is None and mark is None and not comment.strip():
            self.store.execute(
                "DELETE FROM instructor_reviews WHERE session_id = ? AND turn_id = ?", (session_id, turn_id)
            )
            return
        self.store.execute(
            "INSERT INTO instructor_reviews(session_id, turn_id, override_score, mark, comment, reviewer)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session_id, turn_id) DO UPDATE SET"
            " override_score = excluded.override_score, mark = excluded.mark, comment = excluded.comment,"
            " reviewer = excluded.reviewer, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            (session_id, turn_id, override_score, mark, comment.strip(), reviewer or self.reviewer()),
        )

    def set_session_comment(self, session_id: int, comment: str, reviewer: str | None = None) -> None:
        """The instructor's note on the whole session (one row with no turn)."""
        self.load(session_id)  # clear error for an unknown session
        with self.store.write() as conn:
            conn.execute(
                "DELETE FROM instructor_reviews WHERE session_id = ? AND turn_id IS NULL", (session_id,)
            )
            if comment.strip():
                conn.execute(
                    "INSERT INTO instructor_reviews(session_id, turn_id, comment, reviewer) VALUES (?, NULL, ?, ?)",
                    (session_id, comment.strip(), reviewer or self.reviewer()),
                )

    # -- approval for fine-tuning ------------------------------------------------------------
    def approve(self, session_id: int, reviewer: str | None = None) -> None:
        review = self.load(session_id)
        if review.session["status"] == "active":
            raise UserFacingError(
                "This session is still running; end it before approving it for fine-tuning."
            )
        if not review.officer_turns:
            raise UserFacingError("This session has no trainee turns, so there is nothing to train on.")
        self.store.execute(
            "UPDATE sessions SET approved = 1, approved_by = ?,"
            " approved_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            ((reviewer or self.reviewer()).strip() or "instructor", session_id),
        )

    def revoke_approval(self, session_id: int) -> None:
        self.load(session_id)
        self.store.execute(
            "UPDATE sessions SET approved = 0, approved_by = NULL, approved_at = NULL WHERE id = ?",
            (session_id,),
        )

    def known_names(self, session_id: int) -> list[str]:
        """Names to redact for sure: the trainee, the scenario's character, the real transcript's speakers."""
        review = self.load(session_id)
        names = [review.session.get("trainee") or "", review.session.get("character_name") or ""]
        names += [
            row["speaker"]
            for row in self.store.query(
                "SELECT DISTINCT speaker FROM reference_turns WHERE scenario_id = ? AND speaker != ''",
                (review.session["scenario_id"],),
            )
        ]
        return [n for n in names if n and not n.lower().startswith(("speaker", "unknown"))]

    def redaction_preview(self, session_id: int) -> list[RedactedTurn]:
        """Every turn as it would go to fine-tuning, personal details replaced by tags."""
        review = self.load(session_id)
        results = Redactor(self.known_names(session_id)).redact_all([turn.text for turn in review.turns])
        return [
            RedactedTurn(turn.turn_id, turn.role, turn.text, result.text, result.replacements)
            for turn, result in zip(review.turns, results, strict=True)
        ]

    # -- comparison with the real officer ------------------------------------------------------
    def reference_officer_turns(self, session_id: int) -> list[str]:
        scenario = self.load(session_id).session["scenario_id"]
        rows = self.store.query(
            "SELECT text FROM reference_turns WHERE scenario_id = ? AND role = 'officer' ORDER BY idx",
            (scenario,),
        )
        return [r["text"] for r in rows]

    def compare_with_reference(
        self, session_id: int, progress: Callable[[float, str], None] | None = None
    ) -> list[ReferenceComparison]:
        """The k-th trainee turn against the real officer's k-th turn of the imported transcript.

        ROUGE-L, BLEU-4, METEOR and BERTScore F1 (0-1) from ``deescal.app.metrics``. Empty when the
        scenario has no real transcript. Takes a few seconds the first time (metric models load).
        """
        from deescal.app.metrics import compute_metrics

        references = self.reference_officer_turns(session_id)
        officer = self.load(session_id).officer_turns
        pairs = list(zip(officer, references, strict=False))
        out = []
        for n, (turn, reference) in enumerate(pairs):
            metrics = compute_metrics([turn.text], [reference], data_root=self.ctx.data.root)
            out.append(ReferenceComparison(turn.turn_id, turn.text, reference, metrics))
            if progress:
                progress((n + 1) / len(pairs), f"Compared turn {n + 1} of {len(pairs)}")
        return out


def _techniques(raw: str | None) -> list[TechniqueHit]:
    if not raw:
        return []
    try:
        return [
            TechniqueHit.from_dict(item)
            for item in json.loads(raw)
            if isinstance(item, dict) and "name" in item
        ]
    except (ValueError, TypeError, KeyError):
        return []
