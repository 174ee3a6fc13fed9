"""One role-play session: the trainee's line is scored, the tension moves, the civilian answers.

Both turns are committed the moment they happen (a crash loses at most the reply being generated),
and the in-memory dialogue never runs ahead of the database. The prompt keeps its prefix stable
from turn to turn, the line is read while it is typed (``prepare``) and while it is scored, so after
Enter llama.cpp only evaluates the civilian's speaker tag before the first token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from deescal.app import sessions as db
from deescal.app.errors import ModelError, UserFacingError
from deescal.app.packs import PackService
from deescal.app.packs.drop_folder import publish_after_session
from deescal.app.records.entities import Turn
from deescal.app.roleplay.conversation import Conversation
from deescal.app.roleplay.persona import (
    STOP_SEQUENCES,
    clean_reply,
    fallback_reply,
    mentions_fact,
    reply_is_complete,
)
from deescal.app.roleplay.reply_quality import reply_flaw
from deescal.app.roleplay.tension import ESCALATED_SETTING, ESCALATED_TURNS, next_tension, outcome
from deescal.app.scoring import SCORER_VERSION, TurnScore
from deescal.app.scoring.coaching import session_moment
from deescal.app.settings import get_setting
from deescal.models.llm import ROLE_PLAY, Contrast, Generation, LanguageModel, SamplingProfile
from deescal.scenario_library.schema import Scenario

if TYPE_CHECKING:
    from deescal.app.roleplay.service import RoleplayService

log = logging.getLogger(__name__)

MAX_REPLY_TOKENS = 40  # two short spoken sentences; replies stop earlier, at the end of the line
MAX_OFFICER_CHARS = 1200
RESERVE_TOKENS = MAX_REPLY_TOKENS + 8  # context kept free for the reply
RETRY_SAMPLING = ROLE_PLAY.with_overrides(temperature=0.9)  # hotter, so the retry says something else
# Replies decoded against the prompt without the officer's last line (``Contrast``): judged blind, the
# civilian answers what was said more often; a second llama.cpp context, about twice the decoding time.
CONTRAST_SETTING = "replies_follow_the_officer"
CONTRAST_DEFAULT = True


@dataclass
class TurnResult:
    """One officer line and the civilian's answer, as recorded."""

    officer_turn_id: int
    officer_text: str
    score: TurnScore
    tension_before: float
    tension: float
    tension_reasons: list[str]
    reply: str = ""
    civilian_turn_id: int | None = None
    revealed: list[str] = field(default_factory=list)
    status: str = "active"
    latency_s: float | None = None
    first_token_s: float | None = None
    score_s: float = 0.0
    n_tokens: int = 0
    cancelled: bool = False
    generation: Generation | None = None


class RoleplaySession:
    """A live session. Not for two threads at once: one turn runs at a time."""

    def __init__(
        self,
        service: RoleplayService,
        session_id: int,
        scenario: Scenario,
        model: LanguageModel,
        model_name: str,
        seed: int,
    ) -> None:
        self.service = service
        self.store = service.ctx.store
        self.id = session_id
        self.scenario = scenario
        self.model = model
        self.model_name = model_name
        self.adapter_path = str(model.adapter_path) if model.adapter_path else None
        self.seed = seed
        self.status = "active"
        self.tension = float(scenario.initial_tension)
        self.conversation = Conversation(scenario)
        self.officer_tensions: list[float] = []  # after each officer turn: decides the outcome
        self.officer_techniques: list[frozenset[str]] = []  # per officer turn: what the next step builds on
        self.given_advice: list[str] = []  # per officer turn: the next step shown, not to repeat it
        self.escalated_after = int(get_setting(self.store, ESCALATED_SETTING, ESCALATED_TURNS))
        self.contrast = bool(get_setting(self.store, CONTRAST_SETTING, CONTRAST_DEFAULT))
        self._first_token_at: float | None = None
        self.publish_problem: str | None = None  # why the finished session could not reach the drop folder

    # -- state ---------------------------------------------------------------------------------
    @property
    def history(self) -> list[tuple[str, str]]:
        return self.conversation.history

    @property
    def awaiting_reply(self) -> bool:
        return self.conversation.awaiting_reply

    @property
    def last_civilian_line(self) -> str | None:
        return self.conversation.last_civilian_line

    @property
    def revealed(self) -> list[str]:
        return self.conversation.revealed

    def transcript(self) -> dict:
        """The session as plain data (what ``deescal roleplay --json`` prints)."""
        return db.session_transcript(self.store, self.id)

    def turns(self) -> list[Turn]:
        """The saved turns, to show them again when a session is resumed."""
        return db.turns(self.store, self.id)

    def prompt(self, tension: float | None = None) -> str:
        """The prompt for the next reply (early turns summarised once the context fills)."""
        return self.conversation.prompt(
            self.model, self.tension if tension is None else tension, RESERVE_TOKENS
        )

    def warm(self) -> None:
        """Evaluates the scenario card now, so the first reply only processes the trainee's line."""
        self.model.prefill(self.conversation.tension_free_head(self.model, RESERVE_TOKENS))
        self._prefill_contrast()

    def _prefill_contrast(self) -> None:
        """The contrast prompt's start does not depend on the officer's coming line: evaluate it once,
        at the start and after each reply (while the trainee reads), not again while they type."""
        if self.contrast:
            unsaid = self.conversation.with_last_line_unsaid()
            try:
                self.model.prefill_contrast(unsaid.tension_free_head(self.model, RESERVE_TOKENS))
            except ModelError as exc:  # e.g. no memory for a second context: play on without it
                log.warning("session %s: replies no longer weighed against the line unsaid: %s", self.id, exc)
                self.contrast = False

    def prepare(self, draft: str) -> int:
        """Evaluates the officer line being typed, so only its last words are left when it is sent.

        Call it (off the UI thread) while the trainee types; returns how many tokens were evaluated.
        """
        draft = " ".join(draft.split())
        if self.status != "active" or not draft or len(draft) > MAX_OFFICER_CHARS:
            return 0
        head = self.conversation.with_draft(draft).tension_free_head(self.model, RESERVE_TOKENS)
        start = head.rfind(draft)
        if start < 0:
            return 0
        settled = draft.rsplit(" ", 1)[0] if " " in draft else ""  # the last word may still change
        return self.model.prefill(head[: start + len(settled)])

    # -- turns ---------------------------------------------------------------------------------
    def officer_turn(
        self,
        text: str,
        on_token: Callable[[str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        audio_path: str | None = None,
        on_scored: Callable[[TurnResult], None] | None = None,
    ) -> TurnResult:
        """Scores ``text``, updates the tension, records the turn, then streams and records the reply.

        ``on_scored(result)`` is called once the officer turn is scored and recorded (before the
        reply); ``on_token(text)`` gets the reply as streamed so far (it starts over if a first attempt
        is discarded); ``cancelled()`` is polled between tokens. Both turns are committed as they happen.
        """
        self._require_active()
        text = " ".join(text.split())
        if not text:
            raise UserFacingError("Say something first: the officer's line is empty.")
        if len(text) > MAX_OFFICER_CHARS:
            raise UserFacingError(
                f"That line is too long ({len(text)} characters; at most {MAX_OFFICER_CHARS})."
            )
        start = time.perf_counter()
        civilian_before = self.last_civilian_line
        # Scoring and evaluating the officer's words (which do not depend on the score) overlap.
        moment = session_moment(self.scenario, self.tension, self.officer_techniques, self.given_advice)
        scoring = self.service.pool.submit(self.service.scorer.score, text, civilian_before, moment)
        self.model.prefill(self.conversation.with_draft(text).tension_free_head(self.model, RESERVE_TOKENS))
        score = scoring.result()
        score_s = time.perf_counter() - start
        update = next_tension(self.tension, score, text, self.scenario)
        turn_id = db.add_officer_turn(
            self.store,
            self.id,
            text=text,
            tension=update.after,
            score=score.score,
            techniques=score.techniques_json(),
            feedback=score.feedback,
            scorer_version=SCORER_VERSION,
            model_name=self.model_name,
            adapter_path=self.adapter_path,
            audio_path=audio_path,
        )
        self.conversation.add_officer(text)  # only once saved: memory never runs ahead of the database
        self.tension = update.after
        self.officer_tensions.append(update.after)
        self.officer_techniques.append(frozenset(hit.name for hit in score.techniques))
        self.given_advice.append(score.next_step)
        result = TurnResult(
            officer_turn_id=turn_id,
            officer_text=text,
            score=score,
            tension_before=update.before,
            tension=update.after,
            tension_reasons=update.reasons,
            score_s=score_s,
        )
        if on_scored is not None:
            on_scored(result)
        return self._reply(result, start, on_token, cancelled)

    def complete_pending(
        self, on_token: Callable[[str], None] | None = None, cancelled: Callable[[], bool] | None = None
    ) -> TurnResult:
        """Answers an officer line left without a reply (after a cancel or a crash)."""
        self._require_active()
        if not self.awaiting_reply:
            raise UserFacingError("The civilian has already answered the last line.")
        last = db.turns(self.store, self.id)[-1]
        score = TurnScore(last.auto_score or 0.0, [], last.feedback)
        result = TurnResult(
            officer_turn_id=last.id,
            officer_text=self.history[-1][1],
            score=score,
            tension_before=self.tension,
            tension=self.tension,
            tension_reasons=[],
        )
        return self._reply(result, time.perf_counter(), on_token, cancelled)

    def _reply(
        self,
        result: TurnResult,
        start: float,
        on_token: Callable[[str], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> TurnResult:
        offered = self.conversation.offered_fact()
        self._first_token_at = None
        turn_seed = self.seed + len(self.history)
        generation = self._generate(turn_seed, on_token, cancelled)
        result.generation = generation
        if generation.finish == "cancelled":
            result.cancelled = True
            return result
        reply = clean_reply(generation.text)
        own = [text for role, text in self.history if role == "civilian"]
        flaw = reply_flaw(reply, own, self.conversation.recent_lines())
        if flaw:
            log.info("session %s: reply %r (%s), trying once more", self.id, generation.text, flaw)
            first = reply
            generation = self._generate(
                turn_seed + 7919, on_token, cancelled, sampling=RETRY_SAMPLING, avoid_start=reply
            )
            if generation.finish == "cancelled":
                result.cancelled = True
                return result
            reply = clean_reply(generation.text) or first or fallback_reply(self.tension)
        newly = [offered] if offered and mentions_fact(reply, offered) else []
        self.revealed.extend(newly)
        first = None if self._first_token_at is None else self._first_token_at - start
        latency = time.perf_counter() - start
        result.civilian_turn_id = db.add_civilian_turn(
            self.store,
            self.id,
            text=reply,
            tension=self.tension,
            latency_s=round(latency, 4),
            first_token_s=None if first is None else round(first, 4),
            n_tokens=generation.n_tokens,
            model_name=self.model_name,
            adapter_path=self.adapter_path,
            revealed_facts=self.revealed,
        )
        self.conversation.add_civilian(reply, self.tension)
        result.reply, result.revealed = reply, newly
        result.latency_s, result.first_token_s, result.n_tokens = latency, first, generation.n_tokens
        ended = outcome(self.officer_tensions, self.escalated_after)
        if ended:
            self.end(ended)
        else:
            self._prefill_contrast()  # while the trainee reads the reply, not after their next line
        result.status = self.status
        return result

    def _generate(
        self,
        seed: int,
        on_token: Callable[[str], None] | None,
        cancelled: Callable[[], bool] | None,
        sampling: SamplingProfile = ROLE_PLAY,
        avoid_start: str | None = None,
    ) -> Generation:
        prompt = self.prompt()
        contrast = None
        if self.contrast:
            unsaid = self.conversation.with_last_line_unsaid()
            contrast = Contrast(unsaid.prompt(self.model, self.tension, RESERVE_TOKENS))
        streamed: list[str] = []

        def forward(piece: str) -> None:
            if self._first_token_at is None:
                self._first_token_at = time.perf_counter()
            streamed.append(piece)
            if on_token is not None:
                on_token("".join(streamed).lstrip())

        return self.model.generate(
            prompt,
            max_tokens=MAX_REPLY_TOKENS,
            stop=STOP_SEQUENCES,
            seed=seed,
            sampling=sampling,
            on_text=forward,
            cancelled=cancelled,
            enough=reply_is_complete,
            avoid_start=avoid_start,
            contrast=contrast,
        )

    def end(self, status: str = "ended") -> None:
        """Ends the session (``ended`` by the instructor, or ``resolved``/``escalated``)."""
        if self.status != "active":
            return
        db.finish_session(self.store, self.id, status, self.tension)
        self.status = status
        self.publish_problem = publish_after_session(self.service.ctx.service(PackService))

    def _require_active(self) -> None:
        if self.status != "active":
            raise UserFacingError(f"Session {self.id} has ended ({self.status}); start a new one.")
