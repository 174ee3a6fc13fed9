"""After-action review of a role-play session: scores, instructor overrides, approval, redaction.

Reads what the role-play wrote (``sessions``, ``session_turns``, ``turn_scores``) and owns what
the instructor adds (``instructor_reviews`` and the approval columns of ``sessions``). Every change
commits at once, so an override is never lost. An instructor's score replaces the scorer's
everywhere a score is shown or averaged ("effective score"). Turns are numbered as the trainee
lived them: turn N is the trainee's N-th line (and the civilian's answer to it), never a count of
rows that includes the civilian's lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.records.entities import Session, SessionSummary, Turn
from deescal.app.records.reviews import ReviewRepository
from deescal.app.records.scenarios import ScenarioRepository
from deescal.app.records.sessions import SessionRepository
from deescal.app.roleplay.tension import escalation_turns
from deescal.app.scoring.types import TechniqueHit
from deescal.app.settings import get_setting, set_setting
from deescal.scenario_library.schema import Scenario

REVIEWER_KEY = "review.reviewer_name"
MARKS = ("good", "bad")
GOOD_SCORE = 65  # a turn scored this or more is one to keep (green on the page); below it, one to work on


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
    score: float | None = None  # the effective score (see deescal.app.records.sessions)
    number: int | None = None  # the trainee's line this turn is (or answers), from 1; None before the first

    @classmethod
    def of(cls, turn: Turn, civilian_before: str | None, number: int | None) -> ReviewTurn:
        return cls(
            turn_id=turn.id,
            idx=turn.idx,
            role=turn.role,
            text=turn.text,
            tension=turn.tension,
            auto_score=turn.auto_score,
            techniques=_techniques(turn.techniques),
            feedback=turn.feedback,
            scorer_version=turn.scorer_version,
            override_score=turn.override_score,
            mark=turn.mark,
            comment=turn.comment,
            civilian_before=civilian_before,
            score=turn.score,
            number=number,
        )

    @property
    def is_officer(self) -> bool:
        return self.role == "officer"


@dataclass
class SessionReview:
    """One session as the review shows it; ``scenario`` is its card (None with ``card_problem`` when
    the stored card cannot be read, so the review still opens)."""

    session: Session
    turns: list[ReviewTurn]
    session_comment: str = ""
    scenario: Scenario | None = None
    card_problem: str = ""

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

    def row_of(self, number: int) -> int | None:
        """The row (index in ``turns``) of the trainee's line ``number``."""
        return next((row for row, t in enumerate(self.turns) if t.is_officer and t.number == number), None)

    def strongest(self, n: int = 3) -> list[ReviewTurn]:
        """The best turns scored ``GOOD_SCORE`` or more (none when no turn is that good)."""
        good = [t for t in self.scored_turns if t.score >= GOOD_SCORE]
        return sorted(good, key=lambda t: (-t.score, t.idx))[:n]

    def weakest(self, n: int = 3) -> list[ReviewTurn]:
        """The worst turns scored below ``GOOD_SCORE`` (none when every turn is good)."""
        weak = [t for t in self.scored_turns if t.score < GOOD_SCORE]
        return sorted(weak, key=lambda t: (t.score, t.idx))[:n]

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
        return f"Session {self.session.id}: {self.session.title or 'untitled scenario'}"


@dataclass
class ReferenceComparison:
    turn_id: int
    trainee_text: str
    reference_text: str
    metrics: dict[str, float]


@dataclass(frozen=True)
class TrainingPreview:
    """What fine-tuning reads from a session: ``turns`` (role, text) after the turns marked bad are
    left out (``left_out`` of them, with the answers to them) and personal details swapped for
    made-up stand-ins (``replaced``: kind and original words, shown only to the instructor)."""

    turns: list[tuple[str, str]]
    replaced: list[tuple[str, str]]
    left_out: int


class ReviewService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.sessions = SessionRepository(ctx.store)
        self.reviews = ReviewRepository(ctx.store)
        self.scenarios = ScenarioRepository(ctx.store)

    # -- reading -------------------------------------------------------------------------------
    def list_sessions(self, trainee_id: int | None = None, limit: int = 500) -> list[SessionSummary]:
        """Newest first: id, title, trainee, status, started_at, turns, mean effective score, approved."""
        return self.sessions.summaries(trainee_id=trainee_id, limit=limit)

    def load(self, session_id: int) -> SessionReview:
        try:
            session = self.sessions.get(session_id)
        except UserFacingError:
            raise UserFacingError(
                f"There is no session {session_id}; pick one from the list of sessions."
            ) from None
        turns, civilian, number = [], None, 0
        for turn in self.sessions.turns(session_id):
            if turn.role == "officer":
                number += 1
            turns.append(ReviewTurn.of(turn, civilian if turn.role == "officer" else None, number or None))
            if turn.role == "civilian":
                civilian = turn.text
        try:  # a damaged card still leaves a transcript worth reviewing
            scenario, problem = self.scenarios.load(session.scenario_id), ""
        except (UserFacingError, ValueError) as exc:
            scenario, problem = None, f"The scenario card could not be read ({exc})."
        if scenario is None and not problem:
            problem = "The scenario of this session is no longer in the library."
        return SessionReview(session, turns, self.reviews.session_comment(session_id), scenario, problem)

    # -- scoring turns the role-play did not score ---------------------------------------------
    def score_missing(self, session_id: int, progress: Callable[[float, str], None] | None = None) -> int:
        """Scores officer turns that have no score yet (a crash mid-turn, an older import); returns how many."""
        from deescal.app.scoring import SCORER_VERSION, get_scorer

        missing = self.load(session_id).unscored_turns
        scorer = get_scorer()
        for n, turn in enumerate(missing):
            result = scorer.score(turn.text, turn.civilian_before)
            self.sessions.add_score(
                turn.turn_id,
                score=result.score,
                techniques=result.techniques_json(),
                feedback=result.feedback,
                scorer_version=SCORER_VERSION,
            )
            if progress:
                progress((n + 1) / len(missing), f"Scored turn {n + 1} of {len(missing)}")
        return len(missing)

    # -- the instructor's word -----------------------------------------------------------------
    def reviewer(self) -> str:
        """The instructor's name as last given (empty until one is): never the computer's login."""
        return get_setting(self.store, REVIEWER_KEY, "")

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
        turn = self.sessions.turn(session_id, turn_id)
        if turn is None:
            raise UserFacingError(f"Turn {turn_id} is not part of session {session_id}.")
        if turn.role != "officer":
            raise UserFacingError("Only the trainee's (officer) turns are scored and reviewed.")
        if override_score is not None and not 0 <= override_score <= 100:
            raise UserFacingError(f"A score is between 0 and 100, not {override_score:g}.")
        if mark is not None and mark not in MARKS:
            raise UserFacingError(f"A turn is marked 'good' or 'bad', not {mark!r}.")
        self.reviews.set_turn(
            session_id,
            turn_id,
            override_score=override_score,
            mark=mark,
            comment=comment.strip(),
            reviewer=reviewer or self.reviewer(),
        )

    def set_session_comment(self, session_id: int, comment: str, reviewer: str | None = None) -> None:
        """The instructor's note on the whole session (one row with no turn)."""
        self.load(session_id)  # clear error for an unknown session
        self.reviews.set_session_comment(session_id, comment.strip(), reviewer or self.reviewer())

    # -- approval for fine-tuning ------------------------------------------------------------
    def approve(self, session_id: int, reviewer: str | None = None) -> None:
        """Approves the session in the name of ``reviewer`` (remembered for next time), else of the
        saved reviewer name; with neither, asks for a name rather than record a login like "root"."""
        review = self.load(session_id)
        if review.session.status == "active":
            raise UserFacingError(
                "This session is still running; end it before approving it for fine-tuning."
            )
        if not review.officer_turns:
            raise UserFacingError("This session has no trainee turns, so there is nothing to train on.")
        name = (reviewer or "").strip() or self.reviewer()
        if not name:
            raise UserFacingError(
                "Say who approves this session: the instructor's name is recorded with the approval."
            )
        self.set_reviewer(name)
        self.sessions.set_approval(session_id, name)

    def revoke_approval(self, session_id: int) -> None:
        self.load(session_id)
        self.sessions.set_approval(session_id, None)

    def training_preview(self, session_id: int) -> TrainingPreview:
        """The session exactly as fine-tuning would read it once approved: built by the one function
        that turns approved sessions into training data (bad turns out, personal details replaced)."""
        from deescal.finetune.dataset import session_dialogue
        from deescal.finetune.privacy import RedactionReport

        self.load(session_id)  # a clear error for an unknown session
        source = self.sessions.training_dialogue(session_id)
        report = RedactionReport()
        try:
            dialogue = session_dialogue(source, report)
        except (UserFacingError, ValueError) as exc:
            raise UserFacingError(
                f"This session's scenario card cannot be used for training ({exc}); fix the card first."
            ) from exc
        spoken = [t for t in self.sessions.turns(session_id) if t.role != "system"]
        replaced = sorted(
            {(kind, original) for items in report.details().values() for kind, original in items}
        )
        return TrainingPreview(dialogue.turns, replaced, len(spoken) - len(source.turns))

    # -- comparison with the real officer ------------------------------------------------------
    def reference_officer_turns(self, session_id: int) -> list[str]:
        return self.scenarios.reference_lines(self.load(session_id).session.scenario_id, role="officer")

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


def _techniques(items: list) -> list[TechniqueHit]:
    try:
        return [TechniqueHit.from_dict(item) for item in items if isinstance(item, dict) and "name" in item]
    except (ValueError, TypeError, KeyError):
        return []
