"""Training checkpoints: only what resuming needs (LoRA weights, optimizer, scheduler, RNG, counters).

A checkpoint is written to a sibling folder and swapped in by renames, so an interruption while
saving leaves the previous checkpoint usable. The 1 GB base weights are never copied.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

CHECKPOINT = "checkpoint"
STATE_FILE = "state.json"


def checkpoint_dir(job_dir: Path) -> Path | None:
    """The newest complete checkpoint in ``job_dir`` (the previous one if a swap was interrupted)."""
    for name in (CHECKPOINT, CHECKPOINT + ".old"):
        folder = Path(job_dir) / name
        if (folder / STATE_FILE).is_file():
            return folder
    return None


def read_state(job_dir: Path) -> dict[str, Any] | None:
    folder = checkpoint_dir(job_dir)
    return json.loads((folder / STATE_FILE).read_text()) if folder else None


def save_checkpoint(job_dir: Path, model, optimizer, scheduler, state: dict[str, Any]) -> Path:
    import torch
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    job_dir = Path(job_dir)
    partial = job_dir / (CHECKPOINT + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    weights = {k: v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(model).items()}
    save_file(weights, partial / "adapter.safetensors")
    torch.save(optimizer.state_dict(), partial / "optimizer.pt")
    torch.save(scheduler.state_dict(), partial / "scheduler.pt")
    rng = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    torch.save(rng, partial / "rng.pt")
    (partial / STATE_FILE).write_text(json.dumps(state))  # written last: marks the folder complete
    current, old = job_dir / CHECKPOINT, job_dir / (CHECKPOINT + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if current.exists():
        current.rename(old)
    partial.rename(current)
    shutil.rmtree(old, ignore_errors=True)
    return current


def load_checkpoint(job_dir: Path, model, optimizer, scheduler) -> dict[str, Any]:
    """Restores the newest checkpoint into the given objects; returns its state."""
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    folder = checkpoint_dir(job_dir)
    if folder is None:
        raise FileNotFoundError(f"no checkpoint in {job_dir}")
    set_peft_model_state_dict(model, load_file(folder / "adapter.safetensors"))
    optimizer.load_state_dict(torch.load(folder / "optimizer.pt", weights_only=True))
    scheduler.load_state_dict(torch.load(folder / "scheduler.pt", weights_only=True))
    rng = torch.load(folder / "rng.pt", weights_only=True)
    torch.set_rng_state(rng["torch"])
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    return json.loads((folder / STATE_FILE).read_text())
