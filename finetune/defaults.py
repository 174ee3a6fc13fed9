"""The training defaults, in one table: the CLI, the Fine-tune page, the service, ``TrainConfig`` and
the house recipe all read :data:`TRAINING_DEFAULTS`, so a default is changed in one place.

The values are those of the benchmark run that beat the base on all four metrics on 2 CPU cores
(``tests/bench/bench_finetune.py``); one sequence per micro-batch keeps the RAM bounded.
"""

from __future__ import annotations

from typing import Any

LONG_SEQUENCES_RAM = 14 * 1024**3  # 768-token sequences peak near 8 GB in the training process
MIN_EVAL_EVERY = 5  # a short run still gets a few validation points, but not one every step


def default_max_length() -> int:
    """768-token sequences trained the adapter that beat the base in the benchmark (more replies per
    card, histories as long as in use) but peak near 8 GB; a smaller machine gets 384 (about 5.7 GB)."""
    import psutil

    return 768 if psutil.virtual_memory().total >= LONG_SEQUENCES_RAM else 384


TRAINING_DEFAULTS: dict[str, Any] = {
    "max_steps": 100,
    "batch_size": 1,
    "grad_accum": 8,
    "max_length": default_max_length(),
    "learning_rate": 4e-4,
    "reply_end_weight": 0.75,
    "lora_r": 16,
    "lora_alpha": 32,
    "checkpoint_every": 10,
    "eval_every": 25,
}


def eval_every_for(max_steps: int | None) -> int:
    """How often to validate: the default, but at least four times in a short run."""
    if not max_steps:
        return TRAINING_DEFAULTS["eval_every"]
    return max(MIN_EVAL_EVERY, min(TRAINING_DEFAULTS["eval_every"], max_steps // 4))
