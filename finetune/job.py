"""A fine-tuning job from sources to a registered adapter: prepare, train, export, register.

The job folder (``<data>/finetune/current``) holds everything a run needs to resume after a crash
or a cancel: the redacted dialogues with their split, the training configuration, the checkpoint,
the progress log and the redaction report. The adapter is written to a temporary file, checked, and
moved into place only at the very end; the database is touched only then, so a failed or cancelled
run leaves the adapters (and which one is active) exactly as they were.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.finetune.base_model import cache_dir_for, prepare_base
from deescal.finetune.checkpoint import read_state
from deescal.finetune.dataset import (
    Dialogue,
    assign_splits,
    load_dialogues,
    save_dialogues,
    session_dialogues,
    transcript_dialogues,
)
from deescal.finetune.privacy import RedactionReport
from deescal.finetune.train import ADAPTER_DIR, DIALOGUES_FILE, PROGRESS_FILE, TrainConfig, TrainResult

HOUSE_RANK = (16, 32)  # the house adapter's LoRA rank and alpha (finetune/house.py HOUSE_CONFIG)

log = logging.getLogger(__name__)

JOB_FILE = "job.json"
REDACTION_FILE = "redaction.json"
DEFAULT_SEED = 1234
HOUSE_MIX = (20, 2, 120)  # house-corpus dialogues mixed in: at least 20, twice the sources', at most 120


@dataclass
class JobSpec:
    """What the instructor asked for."""

    transcripts_dir: str | None = None
    approved_sessions: bool = False
    session_ids: list[int] | None = None  # with approved_sessions: only these (default: all approved)
    limit_files: int | None = None
    model: str | None = None  # registered model name; default model if empty
    adapter_name: str = ""
    out_path: str = ""
    merge: bool = False
    seed: int = DEFAULT_SEED
    from_house: bool = True  # start from the house adapter (embedded model only), with some of its corpus


def job_dir(ctx: AppContext) -> Path:
    return ctx.data.root / "finetune" / "current"


def read_job(folder: Path) -> dict[str, Any] | None:
    path = Path(folder) / JOB_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def write_job(folder: Path, job: dict[str, Any]) -> None:
    path = Path(folder) / JOB_FILE
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(job, indent=2))
    partial.replace(path)


def default_adapter_name() -> str:
    return time.strftime("finetune-%Y%m%d-%H%M%S")


def ensure_idle(folder: Path) -> None:
    """Refuses to start while another window or command is training in this data folder."""
    import psutil

    job = read_job(folder)
    pid = (job or {}).get("pid")
    if job and job["status"] == "training" and pid and pid != os.getpid() and psutil.pid_exists(pid):
        raise UserFacingError(
            "A fine-tuning run is already going on in this data folder (another window or command). "
            "Wait for it to finish or cancel it first."
        )


def gather_dialogues(
    ctx: AppContext,
    spec: JobSpec,
    report: RedactionReport,
    cancelled: Callable[[], bool] = lambda: False,
    house_mix: bool = False,
) -> tuple[list[Dialogue], dict[str, Any]]:
    """Dialogues from the chosen sources, redacted and split, plus a sample of the house corpus when
    the run starts from the house adapter (``house_mix``); and a summary of what was used."""
    dialogues: list[Dialogue] = []
    sources: dict[str, Any] = {}
    if spec.transcripts_dir:
        folder = Path(spec.transcripts_dir).expanduser()
        if not folder.is_dir():
            raise UserFacingError(f"The transcripts folder {folder} does not exist.")
        found, source = transcript_dialogues(folder, report, spec.limit_files, cancelled)
        dialogues += found
        sources["transcripts"] = {"folder": str(folder), "used": source.used, "skipped": source.skipped}
    if spec.approved_sessions:
        found, source = session_dialogues(ctx.store, report, spec.session_ids)
        dialogues += found
        sources["approved_sessions"] = {"used": source.used, "skipped": source.skipped}
    if not sources:
        raise UserFacingError("Choose what to train on: a transcripts folder and/or the approved sessions.")
    if not dialogues:
        raise UserFacingError(
            "None of the chosen sources holds an officer line answered by a civilian, so there is nothing "
            "to train on. Approve reviewed sessions, or pick a folder of DeEscalWild transcripts."
        )
    dialogues = assign_splits(dialogues, spec.seed)
    if house_mix:
        sample = house_sample(len(dialogues), spec.seed)
        dialogues += sample
        sources["house_corpus"] = {"used": len(sample)}
    splits = {
        split: {
            "dialogues": sum(1 for d in dialogues if d.split == split),
            "replies": sum(d.n_replies for d in dialogues if d.split == split),
        }
        for split in ("train", "validation", "test")
    }
    return dialogues, {"sources": sources, "splits": splits, "redaction": report.summary()}


def _house_start(ctx: AppContext, spec: JobSpec) -> Path | None:
    """The shipped house adapter, when this run's model is the one it was made for."""
    from deescal.models.embedded import HOUSE_ADAPTER
    from deescal.models.registry import ModelRegistry

    record = ctx.service(ModelRegistry).get(spec.model)
    return HOUSE_ADAPTER if record.embedded and HOUSE_ADAPTER.is_file() else None


def house_sample(n_sources: int, seed: int) -> list[Dialogue]:
    """A seeded sample of the house corpus (training scenarios only), so a fine-tune that starts from
    the house adapter keeps its voice instead of forgetting it."""
    import random

    from deescal.finetune.corpus import held_out_case_ids, load_corpus, training_dialogues
    from deescal.scenario_library.scenario_files import load_bundled

    low, per_source, high = HOUSE_MIX
    held_out = held_out_case_ids()
    scenarios = {s.case_id: s for s in load_bundled().scenarios if s.case_id not in held_out}
    corpus = training_dialogues(load_corpus(), scenarios)
    chosen = random.Random(seed).sample(corpus, min(len(corpus), max(low, min(high, per_source * n_sources))))
    for dialogue in chosen:
        dialogue.split = "train"
    return chosen


def prepare_job(
    ctx: AppContext,
    spec: JobSpec,
    config: dict[str, Any],
    progress: Callable[[str], None] = lambda text: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Path:
    """A fresh job folder: data gathered and redacted, base model de-quantised, configuration saved."""
    from deescal.models.registry import ModelRegistry

    registry = ctx.service(ModelRegistry)
    record = registry.get(spec.model)
    model_path = registry.model_file(record)
    name = spec.adapter_name or (Path(spec.out_path).stem if spec.out_path else default_adapter_name())
    if any(a.name == name for a in registry.adapters()):
        raise UserFacingError(
            f"An adapter called '{name}' already exists; choose another name or output file."
        )
    out_path = (
        Path(spec.out_path).expanduser().resolve() if spec.out_path else ctx.data.adapters / f"{name}.gguf"
    )

    folder = job_dir(ctx)
    ensure_idle(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    progress("Reading and redacting the training dialogues")
    report = RedactionReport()
    house = _house_start(ctx, spec) if spec.from_house else None
    dialogues, summary = gather_dialogues(ctx, spec, report, cancelled, house_mix=house is not None)
    save_dialogues(dialogues, folder / DIALOGUES_FILE)
    (folder / REDACTION_FILE).write_text(
        json.dumps({**report.summary(), "replaced": report.details()}, indent=2)
    )
    progress(f"{report.describe()} Preparing the base model for training (once per model, about a minute)")
    base_dir = prepare_base(
        model_path, cache_dir_for(ctx.data.models, model_path, record.sha256), record.sha256
    )
    if house is not None:  # continue the house adapter: its rank and scale, not the page's
        config = {**config, "lora_r": HOUSE_RANK[0], "lora_alpha": HOUSE_RANK[1], "init_adapter": str(house)}
    train_config = TrainConfig(base_dir=str(base_dir), seed=spec.seed, **config)
    train_config.save(folder)
    write_job(
        folder,
        {
            "status": "prepared",
            "spec": asdict(spec),
            "adapter_name": name,
            "out_path": str(out_path),
            "model_name": record.name,
            "model_path": str(model_path),
            "base_model_sha256": record.sha256,
            "init_adapter": str(house) if house else None,
            "summary": summary,
            "redaction_text": report.describe(),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
    )
    return folder


def run_training(
    folder: Path,
    resume: bool,
    on_progress: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Trains in this process; records the outcome in the job file (``interrupted`` can resume)."""
    from deescal.finetune.train import train

    job = read_job(folder)
    if job is None:
        raise UserFacingError("There is no fine-tuning run to resume. Start a new one.")
    if job["status"] in ("finished", "registered"):
        raise UserFacingError(f"The last fine-tuning run already finished (adapter '{job['adapter_name']}').")
    ensure_idle(folder)
    job["status"] = "training"
    job["pid"] = os.getpid()
    write_job(folder, job)
    try:
        result = train(folder, resume=resume, on_progress=on_progress, should_stop=should_stop)
    except BaseException:
        job["status"] = "interrupted" if read_state(folder) else "failed"
        write_job(folder, job)
        raise
    job["status"] = "finished" if result.status == "finished" else "interrupted"
    job["result"] = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(result).items()}
    write_job(folder, job)
    return result


def finish_job(
    ctx: AppContext, folder: Path, progress: Callable[[str], None] = lambda text: None, out_path: str = ""
) -> dict:
    """Exports the trained adapter (and the merged model if asked) and registers it; returns its record.

    ``out_path`` replaces the output file chosen at the start (e.g. after the first export failed).
    """
    from deescal.finetune.export_gguf import export_lora_gguf
    from deescal.finetune.merge import merge_adapter
    from deescal.models.registry import ModelRegistry

    job = read_job(folder)
    if job is None or job["status"] != "finished" or not (folder / ADAPTER_DIR).is_dir():
        raise UserFacingError("The fine-tuning run has not finished, so there is no adapter to export yet.")
    if out_path:
        job["out_path"] = str(Path(out_path).expanduser().resolve())
        write_job(folder, job)
    out_path = Path(job["out_path"])
    progress(f"Writing the GGUF adapter {out_path.name}")
    config = TrainConfig.load(folder)
    export_lora_gguf(
        folder / ADAPTER_DIR,
        Path(job["model_path"]),
        out_path,
        name=job["adapter_name"],
        metadata={"base_model_sha256": job["base_model_sha256"], "created_at": job["created_at"]},
    )
    registry = ctx.service(ModelRegistry)
    record = registry.add_adapter(out_path, job["adapter_name"], job["model_name"])
    summary = {
        **job["summary"],
        "training": job.get("result", {}),
        "config": {k: v for k, v in asdict(config).items() if k != "base_dir"},
        "model": job["model_name"],
        "job_dir": str(folder),
    }
    registry.describe_adapter(record.id, training_summary=summary)
    if job["spec"].get("merge"):
        merged = out_path.with_name(out_path.stem + "-merged.gguf")
        progress(f"Writing the merged model {merged.name}")
        merge_adapter(
            Path(job["model_path"]), out_path, merged, name=f"{job['model_name']}+{job['adapter_name']}"
        )
        job["merged_path"] = str(merged)
    job["status"] = "registered"
    job["adapter_id"] = record.id
    write_job(folder, job)
    return {"adapter": record.name, "path": str(out_path), "id": record.id, "merged": job.get("merged_path")}


def held_out_dialogues(folder: Path, split: str = "test") -> list[Dialogue]:
    return load_dialogues(Path(folder) / DIALOGUES_FILE, split)


def loss_history(folder: Path) -> list[dict]:
    """The step events of the run so far (for the loss chart), resumed runs included."""
    path = Path(folder) / PROGRESS_FILE
    if not path.is_file():
        return []
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [e for e in events if e.get("event") == "step"]


def save_metrics(ctx: AppContext, adapter_id: int, metrics: dict) -> None:
    from deescal.models.registry import ModelRegistry

    ctx.service(ModelRegistry).describe_adapter(adapter_id, metrics=metrics)
