"""What the Fine-tune page needs, in plain Python: sources, the current job, train, evaluate, activate.

``ctx.service(FinetuneService)``. Training runs in a spawned child process
(:class:`~deescal.finetune.process.TrainingProcess`); everything else runs in the caller's thread
(the page calls it from a :class:`Worker`). Methods take ``progress(fraction, text)`` and
``cancelled()`` callables instead of Qt objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deescal.app.context import AppContext
from deescal.app.errors import Cancelled, UserFacingError
from deescal.app.records.entities import TrainingDialogue
from deescal.app.records.sessions import SessionRepository
from deescal.app.settings import get_setting, set_setting
from deescal.finetune import job as jobs
from deescal.finetune.checkpoint import read_state
from deescal.finetune.presets import StepTiming, measured_timing
from deescal.finetune.train import TrainConfig

log = logging.getLogger(__name__)

TRANSCRIPTS_SETTING = "finetune.transcripts_dir"
Progress = Callable[[float, str], None]
NO_PROGRESS: Progress = lambda fraction, text: None  # noqa: E731
NEVER: Callable[[], bool] = lambda: False  # noqa: E731


class FinetuneService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._process = None

    # -- sources and state ---------------------------------------------------------------------
    def approved_sessions(self) -> list[TrainingDialogue]:
        """Approved sessions, newest first, with the turns that would train (those marked bad left out)."""
        return SessionRepository(self.ctx.store).training_dialogues()[::-1]

    def transcripts_dir(self) -> str:
        return get_setting(self.ctx.store, TRANSCRIPTS_SETTING, "")

    def remember_transcripts_dir(self, folder: str) -> None:
        set_setting(self.ctx.store, TRANSCRIPTS_SETTING, folder)

    def current_job(self) -> dict[str, Any] | None:
        """The last run: status, adapter name, steps done/total, loss history; None if there is none."""
        folder = jobs.job_dir(self.ctx)
        job = jobs.read_job(folder)
        if job is None:
            return None
        state = read_state(folder) or {}
        config = TrainConfig.load(folder) if (folder / "train_config.json").is_file() else None
        return {
            **job,
            "step": state.get("step", 0),
            "total_steps": state.get("total_steps") or (config.max_steps if config else None),
            "history": jobs.loss_history(folder),
            "resumable": job["status"] in ("interrupted", "training", "failed") and bool(state),
        }

    def step_timing(self) -> StepTiming | None:
        """How fast training ran when last measured (for the presets' time estimates)."""
        from dataclasses import asdict

        from deescal.models.registry import ModelRegistry

        folder = jobs.job_dir(self.ctx)
        state = read_state(folder) or {}
        config = TrainConfig.load(folder) if (folder / "train_config.json").is_file() else None
        job_run = (state.get("seconds"), state.get("step"), asdict(config) if config else None)
        adapters = sorted(self.ctx.service(ModelRegistry).adapters(), key=lambda a: a.id, reverse=True)
        return measured_timing(job_run, [(a.name, a.training_summary) for a in adapters])

    # -- work (call from a worker thread) --------------------------------------------------------
    def prepare(
        self, spec: jobs.JobSpec, settings: dict[str, Any], progress: Progress = NO_PROGRESS, cancelled=NEVER
    ) -> dict:
        if spec.transcripts_dir:
            self.remember_transcripts_dir(spec.transcripts_dir)
        jobs.prepare_job(
            self.ctx, spec, settings, progress=lambda text: progress(0.0, text), cancelled=cancelled
        )
        if cancelled():
            raise Cancelled()
        return jobs.read_job(jobs.job_dir(self.ctx))

    def train(
        self, resume: bool, progress: Progress = NO_PROGRESS, cancelled=NEVER, on_event=None
    ) -> dict[str, Any]:
        """Trains in a child process; returns the job after export and registration.

        On cancel the child saves a checkpoint and exits, then :class:`Cancelled` is raised (the run
        can be resumed). A child that dies or fails becomes a :class:`UserFacingError`.
        """
        from deescal.finetune.process import TrainingProcess

        folder = jobs.job_dir(self.ctx)
        job = jobs.read_job(folder)
        if job is None:
            raise UserFacingError("Prepare a fine-tuning run first.")
        if job["status"] != "finished":
            outcome = self._run_child(TrainingProcess(folder, resume), progress, cancelled, on_event)
            if outcome.get("event") == "error":
                raise UserFacingError(outcome["message"])
            if outcome.get("status") != "finished":
                raise Cancelled()
        progress(0.99, "Exporting the adapter")
        jobs.finish_job(self.ctx, folder, progress=lambda text: progress(0.99, text))
        return jobs.read_job(folder)

    def _run_child(self, process, progress: Progress, cancelled, on_event) -> dict:
        self._process = process.start()
        outcome: dict[str, Any] = {}
        asked = False
        try:
            for event in process.events():
                if cancelled() and not asked:
                    process.cancel()
                    asked = True
                    progress(-1.0, "Stopping after this step and saving a checkpoint...")
                if event is None:
                    continue
                if on_event is not None:
                    on_event(event)
                kind = event.get("event")
                if kind == "step":
                    eta = int(event["eta_s"])
                    progress(
                        event["step"] / event["total"],
                        f"Step {event['step']} of {event['total']}, loss {event['loss']:.3f}, "
                        f"about {eta // 60} min {eta % 60:02d} s left",
                    )
                elif kind == "status":
                    progress(-1.0, event["text"])
                elif kind in ("result", "error"):
                    outcome = event
            process.join(30)
        finally:
            self._process = None
        if not outcome:
            outcome = {
                "event": "error",
                "message": f"Training stopped unexpectedly (exit code {process.exitcode}). The last checkpoint "
                "is kept: press Resume to continue.",
            }
        return outcome

    def evaluate_held_out(
        self, max_turns: int | None = 20, progress: Progress = NO_PROGRESS, cancelled=NEVER
    ) -> list[dict]:
        """Base model (and the house adapter it started from) vs the new adapter on the run's test split;
        the scores are saved with the adapter."""
        from deescal.finetune.evaluate_models import EvalSettings, ModelSpec, evaluate_models

        folder = jobs.job_dir(self.ctx)
        job = jobs.read_job(folder)
        if job is None or job["status"] != "registered":
            raise UserFacingError("Train an adapter first; the evaluation compares it with the base model.")
        dialogues = jobs.held_out_dialogues(folder, "test")
        model_path = Path(job["model_path"])
        specs = [ModelSpec(f"{job['model_name']} (base)", model_path)]
        if job.get("init_adapter"):
            specs.append(ModelSpec("house", model_path, Path(job["init_adapter"])))
        specs.append(ModelSpec(job["adapter_name"], model_path, Path(job["out_path"])))
        settings = EvalSettings(max_turns=max_turns, seed=job["spec"]["seed"])
        results = evaluate_models(
            specs, dialogues, settings, progress, cancelled, data_root=self.ctx.data.root
        )
        rows = [r.row() for r in results]
        others = {"house": rows[1]} if len(rows) == 3 else {}
        jobs.save_metrics(
            self.ctx,
            job["adapter_id"],
            {**rows[-1], "base": rows[0], **others, "split": "test", "max_turns": max_turns},
        )
        return rows

    def saved_evaluation(self) -> list[dict] | None:
        """[base row, (house row,) adapter row] of the last held-out evaluation of the current run's adapter."""
        from deescal.models.registry import ModelRegistry

        job = jobs.read_job(jobs.job_dir(self.ctx))
        if job is None or job["status"] != "registered":
            return None
        match = [a for a in self.ctx.service(ModelRegistry).adapters() if a.id == job.get("adapter_id")]
        metrics = match[0].metrics if match else {}
        if "base" not in metrics:
            return None
        return [metrics["base"], *([metrics["house"]] if "house" in metrics else []), metrics]

    def make_active(self, adapter_name: str | None) -> None:
        from deescal.models.registry import ModelRegistry

        self.ctx.service(ModelRegistry).set_active_adapter(adapter_name)

    def active_adapter_name(self) -> str | None:
        from deescal.models.registry import ModelRegistry

        record = self.ctx.service(ModelRegistry).active_adapter()
        return record.name if record else None

    def close(self) -> None:
        if self._process is not None:
            self._process.cancel()
