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


def test_a_time_budget_warms_up_during_the_speed_measurement_not_over_the_provisional_run():
    from deescal.finetune.train import BUDGET_ESTIMATE_STEP, TrainConfig, lr_factor, warmup_steps

    budgeted = TrainConfig(base_dir="unused", max_steps=100_000, time_budget_s=600)
    warmup = warmup_steps(budgeted, 100_000)
    assert warmup == BUDGET_ESTIMATE_STEP
    assert [lr_factor(s, 100_000, warmup) for s in range(warmup)] == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert lr_factor(warmup, 65, warmup_steps(budgeted, 65)) == pytest.approx(60 / 60)  # fitted: decay
    assert lr_factor(64, 65, 5) == pytest.approx(1 / 60) and lr_factor(65, 65, 5) == 0.0
    fixed = TrainConfig(base_dir="unused", max_steps=200, warmup_ratio=0.05)
    assert warmup_steps(fixed, 200) == 10 and lr_factor(4, 200, 10) == 0.5


def test_the_house_sample_is_training_data_from_seen_scenarios_only():
    from deescal.finetune.corpus import held_out_case_ids
    from deescal.finetune.job import house_sample

    sample = house_sample(3, seed=1234)
    assert len(sample) == 20 and all(d.split == "train" and d.key.startswith("corpus:") for d in sample)
    assert not {d.scenario.case_id for d in sample} & held_out_case_ids()
    assert [d.key for d in house_sample(3, seed=1234)] == [d.key for d in sample]
    assert len(house_sample(100, seed=1234)) == 120
