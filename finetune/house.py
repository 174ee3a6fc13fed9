"""The house adapter: the civilian's voice that ships with the app, rebuilt by ``make house-adapter``.

Trained on (1) the house role-play corpus (``finetune/corpus``), (2) the bundled scenarios'
reference exchanges, and (3) the openings of the real DeEscalWild transcripts' training split, all
rendered by the role-play prompt (``app/roleplay/persona.py``), with the mood cues of the written tension
(corpus) or of the app's tension model replayed over the officer lines (references, transcripts).
Held-out scenarios (``finetune/corpus/held_out.txt``) and the transcripts' validation and test
splits are never trained on. The result is a GGUF LoRA in ``models/house/`` with a model card.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import platform
import random
import sys
import time
from dataclasses import asdict
from pathlib import Path

from deescal.app.roleplay.persona import clean_reply
from deescal.finetune.dataset import Dialogue, assign_splits, merge_sides, save_dialogues
from deescal.finetune.defaults import TRAINING_DEFAULTS
from deescal.finetune.job import HOUSE_RANK
from deescal.models.embedded import HOUSE_ADAPTER, sha256_file

log = logging.getLogger(__name__)

SEED = 1234
START_ADAPTER = "start-adapter.gguf"  # a continued run's starting adapter, copied into the job folder
TRANSCRIPT_TURNS = 40  # the opening of each real transcript (role-play length), not its long tail
CORPUS_VALIDATION = 0.04  # of the corpus' training-scenario dialogues, to watch the validation loss
# The house recipe: the training defaults' learning rate, accumulation and reply-end weight, with the
# house rank, long sequences whatever the machine, and its own validation rhythm (``--passes`` sets
# how many passes over the data: one by default).
HOUSE_CONFIG = {
    **{key: TRAINING_DEFAULTS[key] for key in ("learning_rate", "grad_accum", "reply_end_weight")},
    "lora_r": HOUSE_RANK[0],
    "lora_alpha": HOUSE_RANK[1],
    "max_length": 768,
    "eval_every": 40,
    "checkpoint_every": 20,
    "val_samples": 24,
}


def _with_replayed_tensions(dialogue: Dialogue, scorer) -> Dialogue:
    from deescal.app.roleplay.tension import replay

    return dataclasses.replace(dialogue, tensions=replay(dialogue.scenario, dialogue.turns, scorer))


def reference_dialogues(scenarios, scorer) -> list[Dialogue]:
    """Each scenario's reference exchange, civilian lines as the role-play would keep them."""
    found = []
    for scenario in scenarios:
        lines = []
        for turn in scenario.reference_transcript:
            if turn.role == "officer":
                lines.append(("officer", turn.text, None))
            elif turn.role == "civilian":
                lines.append(("civilian", clean_reply(turn.text), None))
        turns, _ = merge_sides(lines)
        if turns and turns[0][0] == "civilian":
            turns = turns[1:]
        if any(role == "civilian" for role, _ in turns):
            dialogue = Dialogue(f"reference:{scenario.case_id}", scenario, turns)
            found.append(_with_replayed_tensions(dialogue, scorer))
    return found


def transcript_training_dialogues(folder: Path, scorer) -> tuple[list[Dialogue], dict]:
    """The real transcripts' training split (the split ``deescal finetune`` draws with the same seed)."""
    from deescal.finetune.dataset import transcript_dialogues
    from deescal.finetune.privacy import RedactionReport

    report = RedactionReport()
    dialogues, source = transcript_dialogues(folder, report)
    dialogues = assign_splits(dialogues, SEED)
    kept = []
    for dialogue in dialogues:
        if dialogue.split != "train":
            continue
        opening = dataclasses.replace(dialogue, turns=dialogue.turns[:TRANSCRIPT_TURNS])
        kept.append(_with_replayed_tensions(opening, scorer))
    return kept, {"files": source.used, "train_split": len(kept), "redaction": report.summary()}


def house_dialogues(transcripts: Path | None, scorer) -> tuple[list[Dialogue], dict]:
    """Everything the house adapter trains on, split train/validation, and a summary of it."""
    from deescal.finetune.corpus import held_out_case_ids, load_corpus, training_dialogues
    from deescal.scenario_library.scenario_files import load_bundled

    scenarios = {s.case_id: s for s in load_bundled().scenarios}
    held_out = held_out_case_ids()
    seen = {k: v for k, v in scenarios.items() if k not in held_out}
    corpus = [d for d in training_dialogues(load_corpus(), seen)]
    rng = random.Random(SEED)
    for dialogue in corpus:
        dialogue.split = "validation" if rng.random() < CORPUS_VALIDATION else "train"
    references = reference_dialogues(seen.values(), scorer)
    summary = {
        "corpus_dialogues": len(corpus),
        "held_out_scenarios": len(held_out),
        "reference_exchanges": len(references),
    }
    dialogues = corpus + references
    if transcripts is not None:
        real, info = transcript_training_dialogues(transcripts, scorer)
        dialogues += real
        summary["transcripts"] = info
    return dialogues, summary


def build(
    job: Path,
    transcripts: Path | None,
    time_budget_min: float | None = None,
    threads: int | None = None,
    device: str = "auto",
    max_steps: int | None = None,
    continue_from: Path | None = None,
    passes: float = 1.0,
) -> dict:
    """Prepares the job folder and trains; returns the run summary (the adapter is exported after).

    ``continue_from`` (an earlier house adapter) starts the LoRA from it instead of from zero; the
    data order is reshuffled (seed + the runs behind it) so the new pass does not replay an earlier order.
    """
    from deescal.app.context import AppContext
    from deescal.app.scoring import get_scorer
    from deescal.finetune.base_model import cache_dir_for, prepare_base
    from deescal.finetune.train import DIALOGUES_FILE, TrainConfig, train
    from deescal.models.registry import ModelRegistry

    started = time.time()
    job.mkdir(parents=True, exist_ok=True)
    with AppContext.open(job / "data") as ctx:
        registry = ctx.service(ModelRegistry)
        record = registry.get(None)
        model_path = registry.model_file(record)
        base_dir = prepare_base(
            model_path, cache_dir_for(ctx.data.models, model_path, record.sha256), record.sha256
        )
    resume = (job / "train_config.json").is_file()
    if not resume:
        dialogues, summary = house_dialogues(transcripts, get_scorer())
        if continue_from is not None:
            summary["continued_from"] = _freeze_start(continue_from, job)
        save_dialogues(dialogues, job / DIALOGUES_FILE)
        (job / "house_summary.json").write_text(json.dumps(summary, indent=2))
        config = TrainConfig(
            base_dir=str(base_dir),
            seed=SEED + summary.get("continued_from", {}).get("runs", 0),
            init_adapter=str(job / START_ADAPTER) if continue_from is not None else None,
            threads=threads,
            device=device,
            time_budget_s=time_budget_min * 60 if time_budget_min else None,
            **{**HOUSE_CONFIG, "epochs": passes, **({"max_steps": max_steps} if max_steps else {})},
        )
        config.save(job)
    result = train(job, resume=resume, on_progress=lambda e: print(json.dumps(e), flush=True))
    summary = json.loads((job / "house_summary.json").read_text())
    return {
        **summary,
        "training": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(result).items()},
        "config": {k: v for k, v in asdict(TrainConfig.load(job)).items() if k != "base_dir"},
        "base_model": {"name": record.name, "sha256": record.sha256, "path": str(model_path)},
        "wall_s": round(time.time() - started, 1),
    }


def _freeze_start(adapter: Path, job: Path) -> dict:
    """Copies the starting adapter into the job (the export may overwrite the original) and returns
    its lineage for the card: its sha256 and, from its own card, the runs, steps and passes behind it."""
    import shutil

    shutil.copyfile(adapter, job / START_ADAPTER)
    start = {"sha256": sha256_file(job / START_ADAPTER), "file": adapter.name, "runs": 1}
    card_file = adapter.with_suffix(".json")
    if card_file.is_file():
        card = json.loads(card_file.read_text())
        training, config = card["training"], card["config"]
        earlier = card["data"].get("continued_from", {})  # a chain of continued runs adds up
        start["runs"] = earlier.get("runs", 1 if earlier else 0) + 1
        start["steps"] = earlier.get("steps", 0) + training["step"]
        start["sequences_seen"] = (
            earlier.get("sequences_seen", 0) + training["step"] * config["grad_accum"] * config["batch_size"]
        )
        start["seconds"] = earlier.get("seconds", 0) + training["seconds"]
    return start


def export(job: Path, run: dict, out: Path = HOUSE_ADAPTER) -> dict:
    """Writes the GGUF adapter and its card (JSON beside it, read by the app and the tests)."""
    from deescal.finetune.export_gguf import export_lora_gguf
    from deescal.finetune.train import ADAPTER_DIR

    export_lora_gguf(
        job / ADAPTER_DIR,
        Path(run["base_model"]["path"]),
        out,
        name="house",
        metadata={"base_model_sha256": run["base_model"]["sha256"], "seed": str(SEED)},
    )
    import torch

    card = {
        "name": "house",
        "file": out.name,
        "sha256": sha256_file(out),
        "size_bytes": out.stat().st_size,
        "base_model": run["base_model"]["name"],
        "base_model_sha256": run["base_model"]["sha256"],
        "seed": SEED,
        "data": {
            k: run[k]
            for k in (
                "corpus_dialogues",
                "held_out_scenarios",
                "reference_exchanges",
                "transcripts",
                "continued_from",
            )
            if k in run
        },
        "training": run["training"],
        "config": run["config"],
        "machine": {
            "device": run["training"]["device"],
            "cpu_threads": run["config"].get("threads") or torch.get_num_threads(),
            "platform": platform.platform(),
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "metrics": {},
    }
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")  # HOUSE_CARD for the shipped one
    write_model_card(out.with_suffix(".json"))
    return card


def write_model_card(card_json: Path) -> Path:
    """``MODEL_CARD.md`` beside the adapter, from its JSON card (run again after adding metrics)."""
    card = json.loads(card_json.read_text())
    training, config, data = card["training"], card["config"], card["data"]
    lines = [
        f"# House adapter ({card['file']})",
        "",
        "The civilian's voice for the embedded Gemma 3 270M: a LoRA trained on dialogue written by this",
        "project, rendered by the role-play prompt. Active by default for the embedded model; switch it",
        "off on the Models page or with `deescal models attach none`. Rebuild with `make house-adapter`.",
        "",
        f"- sha256 `{card['sha256']}`, {card['size_bytes'] / 1024**2:.1f} MB; base model sha256 `{card['base_model_sha256']}`",
        f"- data: {data.get('corpus_dialogues')} house-corpus dialogues (scenarios in training), "
        f"{data.get('reference_exchanges')} bundled reference exchanges, "
        f"{(data.get('transcripts') or {}).get('train_split', 0)} real DeEscalWild transcripts (training split, "
        f"first turns); {data.get('held_out_scenarios')} scenarios held out",
        f"- training: {training['step']} steps of {config['grad_accum'] * config['batch_size']} sequences "
        f"(<= {config['max_length']} tokens), "
        f"{training['step'] * config['grad_accum'] * config['batch_size'] / training['n_train_sequences']:.2f} passes over "
        f"{training['n_train_sequences']} sequences ({training['n_train_replies']} replies), LoRA r{config['lora_r']}/alpha{config['lora_alpha']} on "
        f"{', '.join(config['target_modules'])}, lr {config['learning_rate']}, reply-end weight "
        f"{config['reply_end_weight']}, seed {config['seed']}",
        *_lineage_lines(data.get("continued_from"), training, config),
        f"- time: {training['seconds'] / 60:.1f} min on {card['machine']['device']} "
        f"({card['machine']['cpu_threads']} thread{'s' if card['machine']['cpu_threads'] != 1 else ''}, "
        f"{training['precision']}); built {card['built_at']}",
        f"- losses: train {training['train_loss']:.3f}, validation "
        + (
            f"{training['val_loss']:.3f}"
            if training.get("val_loss") is not None
            else "not measured (no held-out data)"
        ),
        "",
        "## Metrics",
        "",
    ]
    metrics = card.get("metrics") or {}
    lines += [f"- {name}: {value}" for name, value in metrics.items()] or ["(not measured yet)"]
    path = card_json.with_name("MODEL_CARD.md")
    path.write_text("\n".join(lines) + "\n")
    return path


def _lineage_lines(start: dict | None, training: dict, config: dict) -> list[str]:
    """A continued run's card line: what it started from and the totals over both runs."""
    if not start:
        return []
    seen = start.get("sequences_seen", 0) + training["step"] * config["grad_accum"] * config["batch_size"]
    return [
        f"- continued from an earlier house adapter (sha256 `{start['sha256'][:12]}…`, "
        f"{start.get('steps', '?')} steps, {start.get('seconds', 0) / 60:.1f} min); in all "
        f"{start.get('steps', 0) + training['step']} steps, {seen / training['n_train_sequences']:.2f} passes, "
        f"{(start.get('seconds', 0) + training['seconds']) / 60:.1f} min of training"
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m deescal.finetune.house JOB_DIR``: rebuild the house adapter (resumes a stopped run)."""
    from deescal.app.context import force_offline

    parser = argparse.ArgumentParser(prog="deescal.finetune.house", description=main.__doc__)
    parser.add_argument("job_dir", type=Path, help="work folder (kept, so a stopped run resumes)")
    parser.add_argument("--transcripts", type=Path, default=None, help="DeEscalWild transcripts folder")
    parser.add_argument(
        "--time-budget", type=float, default=None, metavar="MIN", help="fit training into this"
    )
    parser.add_argument("--max-steps", type=int, default=None, help="instead of one pass (smoke tests)")
    parser.add_argument(
        "--passes", type=float, default=1.0, help="passes over the data (a GPU affords several)"
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--out", type=Path, default=HOUSE_ADAPTER)
    parser.add_argument(
        "--continue-from", type=Path, default=None, metavar="GGUF", help="start from this house adapter"
    )
    args = parser.parse_args(argv)
    if args.job_dir.suffix == ".json":  # ``python -m deescal.finetune.house CARD.json``: redo MODEL_CARD.md
        print(write_model_card(args.job_dir))
        return 0
    force_offline()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run = build(
        args.job_dir,
        args.transcripts,
        args.time_budget,
        args.threads,
        args.device,
        args.max_steps,
        args.continue_from,
        args.passes,
    )
    if run["training"]["status"] != "finished":
        print("Training stopped before the end; run the same command again to resume.", file=sys.stderr)
        return 130
    card = export(args.job_dir, run, args.out)
    print(json.dumps({"event": "house-adapter", "file": str(args.out), "sha256": card["sha256"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
