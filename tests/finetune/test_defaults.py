"""The training defaults live in one table that the CLI, TrainConfig and the Fine-tune rule read."""

from __future__ import annotations

import pytest
from deescal.cli import build_parser
from deescal.cli.finetune import _config
from deescal.finetune.defaults import TRAINING_DEFAULTS, eval_every_for
from deescal.finetune.train import TrainConfig

SHARED = (
    "batch_size",
    "grad_accum",
    "max_length",
    "learning_rate",
    "reply_end_weight",
    "lora_r",
    "lora_alpha",
)


def test_train_config_and_the_cli_default_to_the_table():
    config = TrainConfig(base_dir="unused")
    args = build_parser().parse_args(["finetune", "--transcripts", "unused", "--steps", "100"])
    chosen = _config(args)
    for key in (*SHARED, "checkpoint_every", "eval_every"):
        assert getattr(config, key) == TRAINING_DEFAULTS[key] == chosen[key], key
    assert TRAINING_DEFAULTS["learning_rate"] == 4e-4


def test_the_cli_keeps_what_the_user_chose():
    args = build_parser().parse_args(["finetune", "--lr", "1e-4", "--rank", "8", "--eval-every", "7"])
    chosen = _config(args)
    assert (chosen["learning_rate"], chosen["lora_r"], chosen["lora_alpha"], chosen["eval_every"]) == (
        1e-4,
        8,
        16,
        7,
    )


@pytest.mark.parametrize(("steps", "every"), [(None, 25), (8, 5), (40, 10), (100, 25), (5000, 25)])
def test_a_short_run_still_validates_about_four_times(steps, every):
    assert eval_every_for(steps) == every
