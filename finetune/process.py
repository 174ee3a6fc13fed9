"""Training in a child process (``spawn``), so the desktop app stays responsive and cancel is safe.

The child runs :func:`deescal.finetune.job.run_training` and sends its progress events through a
queue; cancelling sets an event the training loop checks between steps, so the child saves a
checkpoint and exits cleanly. If the child dies (out of memory, killed), the parent sees its exit
code; the last checkpoint stays on disk for a resume.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _child(job_dir: str, resume: bool, events, stop) -> None:
    from deescal.app.context import force_offline
    from deescal.app.errors import UserFacingError
    from deescal.finetune.job import run_training

    force_offline()
    logging.basicConfig(level=logging.INFO)
    try:
        result = run_training(Path(job_dir), resume, on_progress=events.put, should_stop=stop.is_set)
        events.put(
            {"event": "result", "status": result.status, "step": result.step, "total": result.total_steps}
        )
    except UserFacingError as exc:
        events.put({"event": "error", "message": str(exc)})
    except Exception as exc:  # reported to the parent, which shows it; the traceback goes to the log
        log.exception("training failed")
        events.put({"event": "error", "message": f"Training failed: {exc}"})


class TrainingProcess:
    """One training run in a spawned child process."""

    def __init__(self, job_dir: Path, resume: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self._events = context.Queue()
        self._stop = context.Event()
        self._process = context.Process(
            target=_child, args=(str(job_dir), resume, self._events, self._stop), name="deescal-training"
        )

    def start(self) -> TrainingProcess:
        self._process.start()
        return self

    def cancel(self) -> None:
        """Asks the child to save a checkpoint and stop after the current step."""
        self._stop.set()

    def events(self, poll_s: float = 0.2) -> Iterator[dict[str, Any] | None]:
        """Progress events until the child ends; ``None`` every ``poll_s`` without news (to check cancel)."""
        while True:
            try:
                yield self._events.get(timeout=poll_s)
                continue
            except queue.Empty:
                pass
            if not self._process.is_alive():
                while True:  # whatever the child sent just before it ended
                    try:
                        yield self._events.get_nowait()
                    except queue.Empty:
                        return
            yield None

    @property
    def exitcode(self) -> int | None:
        return self._process.exitcode

    def join(self, timeout: float | None = None) -> None:
        self._process.join(timeout)

    def kill(self) -> None:
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
