"""The role-play service: starts and resumes sessions, and keeps the language model loaded.

``RoleplayService(ctx).start(scenario_id) -> RoleplaySession``; ``session.officer_turn(text)`` scores
the line, moves the tension, streams the civilian's reply and commits both turns as they happen;
``session.end()``; ``RoleplayService.resume(session_id)`` rebuilds a session from the database
after a crash. The scenario card is evaluated at start, before the trainee's first line.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deescal.app import sessions as db
from deescal.app.errors import UserFacingError
from deescal.app.records.entities import SessionSummary
from deescal.app.roleplay.session import RoleplaySession, TurnResult
from deescal.app.scoring import get_scorer
from deescal.models.llm import LanguageModel
from deescal.models.registry import ModelRegistry
from deescal.scenario_library.schema import Scenario

__all__ = ["RoleplayService", "RoleplaySession", "TurnResult", "load_scenario"]

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


def load_scenario(ctx, key: int | str) -> Scenario:
    """The scenario with this id or case id, from the library."""
    from deescal.app.library import LibraryService

    library = ctx.service(LibraryService)
    return library.get(library.find_id(key))


class RoleplayService:
    """Service (``ctx.service(RoleplayService)``): starts and resumes sessions; holds the loaded model."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.registry = ctx.service(ModelRegistry)
        self.pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="turn-scorer", initializer=_score_on_one_core
        )
        self.scorer = get_scorer()  # loads MiniLM on first use
        self._model: LanguageModel | None = None
        self._model_name: str | None = None
        self._lock = threading.Lock()

    def scenario(self, key: int | str) -> Scenario:
        """The scenario with this id or case id (for showing it before a session starts)."""
        return load_scenario(self.ctx, key)

    def default_adapter(self, model: str | None = None) -> str | None:
        """The adapter attached on the Models page, if it was made for this model."""
        active = self.registry.active_adapter()
        if active is None or active.base_model_sha256 not in (None, self.registry.get(model).sha256):
            return None
        return active.path

    @property
    def loaded_model(self) -> str | None:
        """The name of the model in memory, if any."""
        return self._model_name if self._model is not None else None

    def preload(self) -> str:
        """Loads the default model and the scorer ahead of the first session (e.g. when the page opens)."""
        scorer_ready = self.pool.submit(self.scorer.warm_up)
        llm, name = self.load_model(None, self.default_adapter())
        scorer_ready.result()
        return name

    def load_model(
        self, model: str | None = None, adapter: str | Path | None = None, progress: Progress | None = None
    ) -> tuple[LanguageModel, str]:
        """The loaded model with exactly this adapter (kept across sessions; loading another frees it)."""
        with self._lock:
            record = self.registry.get(model)
            adapter_path = Path(adapter).expanduser().resolve() if adapter else None
            current = self._model
            if (
                current is not None
                and self._model_name == record.name
                and current.adapter_path == adapter_path
            ):
                return current, record.name
            path = self.registry.role_play_file(record)
            loaded = LanguageModel.load(path, adapter_path=adapter_path, progress=progress)
            if current is not None:
                current.close()
            self._model, self._model_name = loaded, record.name
            return loaded, record.name

    def start(
        self,
        scenario_id: int | str,
        trainee_name: str | None = None,
        model: str | None = None,
        adapter: str | Path | None = None,
        seed: int | None = None,
        progress: Progress | None = None,
    ) -> RoleplaySession:
        """Opens a session: loads the model, records the session, evaluates the scenario card."""
        report = progress or (lambda fraction, text: None)
        scenario = load_scenario(self.ctx, scenario_id)
        if adapter is None:
            adapter = self.default_adapter(model)
        scorer_ready = self.pool.submit(self.scorer.warm_up)  # loads while the model does
        llm, model_name = self.load_model(model, adapter, lambda f, t: report(0.7 * f, t))
        report(0.75, "Preparing the scorer")
        scorer_ready.result()
        seed = random.randrange(1, 2**31 - 1) if seed is None else int(seed)
        session_id = db.create_session(
            self.ctx.store,
            scenario_id=scenario.id,
            trainee=trainee_name,
            model_name=model_name,
            adapter_path=str(llm.adapter_path) if llm.adapter_path else None,
            seed=seed,
            initial_tension=scenario.initial_tension,
        )
        session = RoleplaySession(self, session_id, scenario, llm, model_name, seed)
        report(0.9, f"Meeting {scenario.character_profile.name}")
        session.warm()
        report(1.0, "Ready")
        log.info(
            "session %s started: scenario %s, model %s, seed %s",
            session_id,
            scenario.case_id,
            model_name,
            seed,
        )
        return session

    def resume(self, session_id: int, progress: Progress | None = None) -> RoleplaySession:
        """Rebuilds an active session (after a crash) from its recorded turns."""
        row = db.session_row(self.ctx.store, session_id)
        if row.status != "active":
            raise UserFacingError(
                f"Session {session_id} has already ended ({row.status}); it cannot be resumed."
            )
        scenario = load_scenario(self.ctx, row.scenario_id)
        llm, model_name = self.load_model(row.model_name, row.adapter_path, progress)
        session = RoleplaySession(self, session_id, scenario, llm, model_name, int(row.seed or 0))
        for turn in db.turns(self.ctx.store, session_id):
            if turn.tension is not None:
                session.tension = float(turn.tension)
            if turn.role == "officer":
                session.conversation.add_officer(turn.text)
                session.officer_tensions.append(session.tension)
            elif turn.role == "civilian":
                session.conversation.add_civilian(turn.text, session.tension)
        session.revealed.extend(row.revealed_facts)
        session.warm()
        return session

    def resumable(self) -> list[SessionSummary]:
        """Sessions left active (e.g. by a crash), newest first."""
        return db.list_sessions(self.ctx.store, status="active")

    def close(self) -> None:
        self.pool.shutdown(wait=False)
        with self._lock:
            if self._model is not None:
                self._model.close()
                self._model = None


def _score_on_one_core() -> None:
    """The scorer thread runs MiniLM on one core (a line takes about 20 ms either way).

    With torch's default of one thread per core, its OpenMP team in this thread competed with
    llama.cpp's and the civilian's reply decoded at 19-27 tokens/s instead of 40 on 2 cores. The
    setting is this thread's own (OpenMP keeps a thread count per thread), so batch encoding
    elsewhere keeps every core.
    """
    import torch

    torch.set_num_threads(1)
