"""LoRA training on prepared dialogues: transformers + peft, driven by accelerate.

One entry point for every machine: on a laptop it runs on the CPU with one thread per core; with a
GPU it uses CUDA (bf16 when supported); on a multi-GPU server the same module runs under
``accelerate launch -m deescal.finetune.train JOB_DIR`` and accelerate shards the batches.

The loss covers only the civilian reply tokens, and logits are computed only at those positions
(the 262k-token vocabulary makes full logits the most expensive part on a CPU). A checkpoint is
saved every ``checkpoint_every`` steps and when interrupted (SIGINT, or ``should_stop``); resuming
restores weights, optimizer, scheduler, RNG and data position, and reaches the same step count.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deescal.finetune.batches import (
    EncodedWindows,
    collate_padded,
    reply_loss,
    training_order,
    window_samples,
)
from deescal.finetune.checkpoint import checkpoint_dir, load_checkpoint, save_checkpoint
from deescal.finetune.dataset import load_dialogues
from deescal.finetune.defaults import TRAINING_DEFAULTS

log = logging.getLogger(__name__)

CONFIG_FILE = "train_config.json"
DIALOGUES_FILE = "dialogues.jsonl"
PROGRESS_FILE = "progress.jsonl"
ADAPTER_DIR = "adapter"
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

Progress = Callable[[dict[str, Any]], None]


@dataclass
class TrainConfig:
    """Everything a run needs; saved in the job folder so ``--resume`` continues the same run."""

    base_dir: str  # de-quantised base model folder (see base_model.prepare_base)
    max_steps: int | None = None  # optimizer steps; or derive them from ``epochs``
    epochs: float | None = None
    batch_size: int = TRAINING_DEFAULTS["batch_size"]
    grad_accum: int = TRAINING_DEFAULTS["grad_accum"]
    learning_rate: float = TRAINING_DEFAULTS["learning_rate"]
    warmup_ratio: float = 0.05
    lora_r: int = TRAINING_DEFAULTS["lora_r"]
    lora_alpha: int = TRAINING_DEFAULTS["lora_alpha"]
    lora_dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: list(LORA_TARGETS))
    max_length: int = TRAINING_DEFAULTS["max_length"]  # tokens per training sequence (a window of turns)
    # the loss weight of each reply's end of line (see batches.reply_loss)
    reply_end_weight: float = TRAINING_DEFAULTS["reply_end_weight"]
    checkpoint_every: int = TRAINING_DEFAULTS["checkpoint_every"]
    eval_every: int = TRAINING_DEFAULTS["eval_every"]
    val_samples: int = 24  # validation windows (each holds several replies)
    seed: int = 1234
    time_budget_s: float | None = None  # fit the run (schedule included) into this much training time
    threads: int | None = None  # CPU threads; default: one per core
    device: str = "auto"  # auto, cpu or cuda
    init_adapter: str | None = None  # GGUF LoRA to start from (e.g. the house adapter); same rank and targets

    def save(self, job_dir: Path) -> None:
        (Path(job_dir) / CONFIG_FILE).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, job_dir: Path) -> TrainConfig:
        return cls(**json.loads((Path(job_dir) / CONFIG_FILE).read_text()))


@dataclass
class TrainResult:
    status: str  # "finished" or "interrupted"
    step: int
    total_steps: int
    adapter_dir: Path | None
    train_loss: float | None
    val_loss: float | None
    seconds: float
    n_train_sequences: int
    n_train_replies: int
    device: str
    precision: str


def cpu_cores() -> int:
    try:
        import psutil

        cores = psutil.cpu_count(logical=False)
    except ImportError:
        cores = None
    if not cores:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores)


def _select_device(config: TrainConfig) -> str:
    import torch

    if config.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if config.device == "cuda" and not torch.cuda.is_available():
        from deescal.app.errors import UserFacingError

        raise UserFacingError("Training on the GPU was asked for, but no CUDA GPU is available.")
    return config.device


def _bf16_ok(device: str) -> bool:
    """bf16 autocast where the hardware has it: most CUDA GPUs, and CPUs with AVX512-BF16 or AMX
    (about 25 % faster than float32 on a 2-core Zen 4); float32 elsewhere, where bf16 is emulated."""
    import torch

    if device == "cuda":
        return torch.cuda.is_bf16_supported()
    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def train(
    job_dir: Path,
    resume: bool = False,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Runs (or resumes) the training described in ``job_dir``; returns when finished or interrupted."""
    import torch
    from accelerate import Accelerator
    from deescal.finetune.base_model import load_base
    from peft import LoraConfig, get_peft_model

    job_dir = Path(job_dir)
    config = TrainConfig.load(job_dir)
    device = _select_device(config)
    torch.set_num_threads(config.threads or cpu_cores())
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    bf16 = _bf16_ok(device)
    accelerator = Accelerator(
        gradient_accumulation_steps=config.grad_accum,
        cpu=device == "cpu",
        mixed_precision="bf16" if bf16 else "no",
    )
    main = accelerator.is_main_process
    progress_path = job_dir / PROGRESS_FILE
    if not resume:
        progress_path.unlink(missing_ok=True)

    def emit(event: dict[str, Any]) -> None:
        if not main:
            return
        with progress_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event) + "\n")
        if on_progress is not None:
            on_progress(event)

    emit({"event": "status", "text": "Loading the base model"})
    model, tokenizer = load_base(Path(config.base_dir))
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules,
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    from_checkpoint = resume and checkpoint_dir(job_dir) is not None
    if config.init_adapter and not from_checkpoint:  # a resume before the first checkpoint starts over
        from deescal.finetune.export_gguf import load_lora_gguf

        emit({"event": "status", "text": f"Starting from {Path(config.init_adapter).name}"})
        load_lora_gguf(model, Path(config.init_adapter))

    emit({"event": "status", "text": "Preparing samples"})
    dialogues = load_dialogues(job_dir / DIALOGUES_FILE)
    train_pairs = window_samples(dialogues, "train", tokenizer, config.max_length)
    val_pairs = window_samples(dialogues, "validation", tokenizer, config.max_length)
    if not train_pairs:
        from deescal.app.errors import UserFacingError

        raise UserFacingError("There is nothing to train on: no officer line answered by a civilian.")
    random.Random(config.seed).shuffle(val_pairs)
    val_pairs = val_pairs[: config.val_samples]

    per_step = config.batch_size * config.grad_accum * accelerator.num_processes
    total = config.max_steps or max(1, math.ceil((config.epochs or 1.0) * len(train_pairs) / per_step))
    state: dict[str, Any] = {"step": 0, "total_steps": total, "history": [], "seconds": 0.0}

    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate)

    def schedule(s: int) -> float:
        return lr_factor(s, total, warmup_steps(config, total))  # ``total`` may change: read each time

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    if from_checkpoint:
        state = load_checkpoint(job_dir, model, optimizer, scheduler)
        total = state["total_steps"]
        emit({"event": "status", "text": f"Resuming at step {state['step']} of {total}"})
    elif resume:
        log.info("no checkpoint in %s: starting from step 0", job_dir)

    order = training_order(len(train_pairs), config.seed, total * per_step)
    start = state["step"] * per_step
    loader = torch.utils.data.DataLoader(
        EncodedWindows(train_pairs, order[start:], tokenizer, config.max_length),
        batch_size=config.batch_size,
        collate_fn=collate_padded(tokenizer.pad_token_id),
    )
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    val_loader = torch.utils.data.DataLoader(
        EncodedWindows(val_pairs, list(range(len(val_pairs))), tokenizer, config.max_length),
        batch_size=config.batch_size,
        collate_fn=collate_padded(tokenizer.pad_token_id),
    )

    stop = _StopFlag(should_stop)
    started, step_at_start, seconds_before = time.perf_counter(), state["step"], state["seconds"]
    window: list[float] = []
    val_loss = state["history"][-1][2] if state["history"] else None
    with stop.catching_sigint():
        model.train()
        for batch in loader if state["step"] < total else []:
            with accelerator.accumulate(model):
                loss = reply_loss(model, batch, config.reply_end_weight)
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
            window.append(float(loss.detach()))
            if not accelerator.sync_gradients:
                if stop.requested:
                    break  # the partial accumulation is dropped: the checkpoint is at the last full step
                continue
            scheduler.step()
            state["step"] += 1
            step = state["step"]
            elapsed = time.perf_counter() - started
            state["seconds"] = seconds_before + elapsed
            train_loss, window = sum(window) / len(window), []
            if config.time_budget_s:
                total = _fit_budget(config.time_budget_s, state, step_at_start, seconds_before, total)
                state["total_steps"] = total
            evaluated = bool(val_pairs) and (step % config.eval_every == 0 or step == total)
            if evaluated:
                val_loss = _validation_loss(model, val_loader, accelerator)
            state["history"].append(
                [step, round(train_loss, 5), None if val_loss is None else round(val_loss, 5)]
            )
            emit(
                {
                    "event": "step",
                    "step": step,
                    "total": total,
                    "loss": train_loss,
                    "val_loss": val_loss,  # the latest; ``evaluated`` says whether it was measured now
                    "evaluated": evaluated,
                    "lr": scheduler.get_last_lr()[0],
                    "elapsed_s": round(state["seconds"], 1),
                    "eta_s": round(elapsed / (step - step_at_start) * (total - step), 1),
                }
            )
            if step >= total or stop.requested:
                break
            if step % config.checkpoint_every == 0:
                _save(accelerator, job_dir, model, optimizer, scheduler, state)
    status = "finished" if state["step"] >= total else "interrupted"

    adapter_dir = None
    _save(accelerator, job_dir, model, optimizer, scheduler, state)  # resumable either way
    if status == "finished":
        adapter_dir = _save_adapter(accelerator, job_dir, model)
        emit({"event": "status", "text": f"Training finished at step {state['step']}"})
    else:
        emit({"event": "interrupted", "step": state["step"], "total": total})
    history = state["history"]
    return TrainResult(
        status=status,
        step=state["step"],
        total_steps=total,
        adapter_dir=adapter_dir,
        train_loss=history[-1][1] if history else None,
        val_loss=val_loss,
        seconds=round(state["seconds"], 1),
        n_train_sequences=len(train_pairs),
        n_train_replies=sum(len(w.replies) for _, w in train_pairs),
        device=device,
        precision="bf16" if bf16 else "fp32",
    )


BUDGET_ESTIMATE_STEP = 5


def warmup_steps(config: TrainConfig, total: int) -> int:
    """With a time budget, the warm-up is the steps that measure the speed: a warm-up sized for the
    provisional step count would keep the learning rate near zero until the real count is known."""
    return BUDGET_ESTIMATE_STEP if config.time_budget_s else max(1, int(total * config.warmup_ratio))


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up, then linear decay to zero at the last step (a time budget can shorten ``total``)."""
    return min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))


def _fit_budget(budget_s: float, state: dict, step_at_start: int, seconds_before: float, total: int) -> int:
    """The step count that fits the time budget: estimated once from steps 2-5 (step 1 also pays
    for one-time kernel set-up) so the learning-rate schedule still ends at zero, and cut short if
    the run falls behind."""
    step, seconds = state["step"], state["seconds"]
    if step == 1:
        state["first_step_s"] = seconds
    if seconds >= budget_s:
        return step
    if step_at_start == 0 and step == min(BUDGET_ESTIMATE_STEP, total) and step > 1:
        per_step = (seconds - state.get("first_step_s", 0.0)) / (step - 1)
        return max(step, min(total, int(0.95 * (budget_s - state.get("first_step_s", 0.0)) / per_step)))
    return total


def _validation_loss(model, loader, accelerator) -> float:
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in loader:
            batch = {k: v.to(accelerator.device) for k, v in batch.items()}
            total += float(reply_loss(model, batch)) * len(batch["input_ids"])
            count += len(batch["input_ids"])
    model.train()
    return total / max(1, count)


def _save(accelerator, job_dir: Path, model, optimizer, scheduler, state: dict) -> None:
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        save_checkpoint(job_dir, accelerator.unwrap_model(model), optimizer, scheduler, state)


def _save_adapter(accelerator, job_dir: Path, model) -> Path:
    import shutil

    target = job_dir / ADAPTER_DIR
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        partial = job_dir / (ADAPTER_DIR + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        accelerator.unwrap_model(model).save_pretrained(partial)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    return target


class _StopFlag:
    """Set by SIGINT (in the main thread) or by the caller's ``should_stop``; checked between steps."""

    def __init__(self, should_stop: Callable[[], bool] | None) -> None:
        self._should_stop = should_stop
        self._sigint = False

    @property
    def requested(self) -> bool:
        return self._sigint or bool(self._should_stop and self._should_stop())

    def catching_sigint(self):
        flag = self

        class _Handler:
            def __enter__(self):
                self.previous = None
                if threading.current_thread() is threading.main_thread():
                    self.previous = signal.signal(signal.SIGINT, self._handle)
                return self

            def _handle(self, signum, frame):
                flag._sigint = True
                log.info("interrupt received: saving a checkpoint at the end of this step")

            def __exit__(self, *exc):
                if self.previous is not None:
                    signal.signal(signal.SIGINT, self.previous)
                return False

        return _Handler()


def main(argv: list[str] | None = None) -> int:
    """``python -m deescal.finetune.train JOB_DIR [--resume]`` (also under ``accelerate launch``)."""
    import argparse

    from deescal.app.context import force_offline

    parser = argparse.ArgumentParser(prog="deescal.finetune.train", description=main.__doc__)
    parser.add_argument("job_dir", type=Path, help="job folder written by 'deescal finetune --prepare-only'")
    parser.add_argument("--resume", action="store_true", help="continue from the job's last checkpoint")
    args = parser.parse_args(argv)
    force_offline()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = train(args.job_dir, args.resume, on_progress=lambda e: print(json.dumps(e), flush=True))
    print(
        json.dumps(
            {
                "event": "result",
                **{k: str(v) if isinstance(v, Path) else v for k, v in asdict(result).items()},
            }
        )
    )
    return 0 if result.status == "finished" else 130


if __name__ == "__main__":
    sys.exit(main())
