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
