"""Job bookkeeping: one run at a time per data folder; a crashed run does not block a resume."""

from __future__ import annotations

import subprocess
import sys

import pytest
from deescal.app.errors import UserFacingError
from deescal.finetune.job import ensure_idle, write_job


def test_a_live_run_elsewhere_blocks_a_new_one_but_a_dead_one_does_not(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        write_job(tmp_path, {"status": "training", "pid": other.pid})
        with pytest.raises(UserFacingError, match="already going on"):
            ensure_idle(tmp_path)
    finally:
        other.kill()
        other.wait()
    ensure_idle(tmp_path)  # the process is gone (crashed run): resuming is allowed
    write_job(tmp_path, {"status": "interrupted", "pid": other.pid})
    ensure_idle(tmp_path)


def test_time_budget_sizes_the_run_from_its_first_steps_and_stops_a_late_one():
    from deescal.finetune.train import _fit_budget

    state = {"step": 1, "seconds": 12.0}  # the first step pays for kernel set-up
    assert _fit_budget(600, state, 0, 0.0, 10_000) == 10_000
    state.update(step=5, seconds=20.0)  # then 2 s per step
    assert _fit_budget(600, state, 0, 0.0, 10_000) == int(0.95 * 588 / 2)
    assert _fit_budget(600, state, 0, 0.0, 50) == 50  # a short run is left alone
    state.update(step=200, seconds=601.0)
    assert _fit_budget(600, state, 0, 0.0, 279) == 200  # behind schedule: stop now
