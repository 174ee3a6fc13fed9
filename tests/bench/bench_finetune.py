"""Fine-tuning benchmark: train a LoRA adapter on the real DeEscalWild transcripts, then evaluate the
embedded base model and the adapter side by side on the held-out test transcripts, the paper's way.

Run by ``make bench`` (or ``python tests/bench/bench_finetune.py [--train-minutes 42] [--max-turns N]``);
prints the numbers and writes ``bench-results/finetune.json`` (+ ``.md`` table and ``.png`` chart).
Reports training time, steps, peak RAM of the training process, losses, and ROUGE-L / BLEU-4 /
METEOR / BERTScore F1 (0-100) with seconds per reply, next to the paper's fine-tuned Qwen 2.5 3B.
Target: the adapter beats the base on all four metrics after <= 45 minutes of training on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench-results" / "finetune.json"
TRANSCRIPTS = REPO.parent / "shared" / "data" / "deescalwild" / "transcripts"
METRICS = ("rougeL", "bleu4", "meteor", "bertscore_f1")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train-minutes", type=float, default=42.0, help="training time budget (default 42)")
    parser.add_argument("--max-turns", type=int, help="replies evaluated per test transcript (default: all)")
    parser.add_argument("--max-length", type=int, default=768)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--grad-accum", type=int, default=8)
    parser.add_argument("--lr", type=float, default=4e-4)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument(
        "--end-weight", type=float, default=0.75, help="loss weight of each reply's end of line"
    )
    parser.add_argument(
        "--threads", type=int, help="CPU threads (default: one per core; 1 on a machine others are using)"
    )
    parser.add_argument("--data-dir", help="keep the run here (default: a temporary folder)")
    parser.add_argument("--resume", action="store_true", help="continue the interrupted run in --data-dir")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not TRANSCRIPTS.is_dir():
        print(f"skipped: no transcripts at {TRANSCRIPTS}")
        return 0
    from deescal.app.context import AppContext
    from deescal.finetune.evaluate_models import EvalSettings, ModelSpec, evaluate_models
    from deescal.finetune.job import JobSpec, finish_job, held_out_dialogues, job_dir, prepare_job, read_job
    from deescal.finetune.process import TrainingProcess
    from deescal.finetune.report import PAPER_ROWS, markdown_table, write_report

    root = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="deescal-bench-finetune-"))
    ctx = AppContext.open(root)
    config = {
        "max_steps": 100_000,  # the time budget decides
        "batch_size": args.batch_size,
        "grad_accum": args.grad_accum,
        "max_length": args.max_length,
        "reply_end_weight": args.end_weight,
        "learning_rate": args.lr,
        "lora_r": args.rank,
        "lora_alpha": 2 * args.rank,
        "checkpoint_every": 25,
        "eval_every": 25,
        "time_budget_s": args.train_minutes * 60,
        "threads": args.threads,
    }
    start = time.perf_counter()
    folder = job_dir(ctx)
    resume = bool(args.resume and (read_job(folder) or {}).get("status") in ("interrupted", "training"))
    if not resume:
        prepare_job(ctx, JobSpec(transcripts_dir=str(TRANSCRIPTS), adapter_name="bench"), config, print)
    prepare_s = time.perf_counter() - start
    job = read_job(folder)
    print(job["redaction_text"], json.dumps(job["summary"]["splits"]))

    start = time.perf_counter()
    process = TrainingProcess(folder, resume=resume).start()
    steps = []
    for event in process.events(poll_s=1.0):
        if event and event.get("event") == "step":
            steps.append(event)
            if event["step"] % 10 == 0 or event.get("evaluated"):
                val = f" val {event['val_loss']:.3f}" if event.get("evaluated") else ""
                print(f"step {event['step']}/{event['total']} loss {event['loss']:.3f}{val}", flush=True)
        elif event and event.get("event") == "error":
            raise SystemExit(event["message"])
    process.join()
    train_s = time.perf_counter() - start
    peak_train_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    record = finish_job(ctx, folder)
    job = read_job(folder)
    result = job["result"]

    dialogues = held_out_dialogues(folder, "test")
    model_path = Path(job["model_path"])
    specs = [
        ModelSpec("Gemma 3 270M (base)", model_path),
        ModelSpec("Gemma 3 270M + LoRA", model_path, Path(record["path"])),
    ]
    settings = EvalSettings(max_turns=args.max_turns, n_threads=args.threads)
    start = time.perf_counter()
    last = [-1]

    def progress(fraction: float, text: str) -> None:
        if int(fraction * 20) != last[0]:
            last[0] = int(fraction * 20)
            print(f"[{fraction:4.0%}] {text}", flush=True)

    results = evaluate_models(specs, dialogues, settings, progress, data_root=ctx.data.root)
    eval_s = time.perf_counter() - start
    base, tuned = results
    wins = {key: getattr(tuned, key) > getattr(base, key) for key in METRICS}
    val_losses = [s["val_loss"] for s in steps if s.get("evaluated")]
    summary = {
        "conditions": f"{os.cpu_count()}-core machine, CPU only",
        "prepare_s": round(prepare_s, 1),
        "train_wall_s": round(train_s, 1),
        "resumed": resume,
        "train_s": result["seconds"],
        "steps": result["step"],
        "sequences_seen": result["step"] * args.batch_size * args.grad_accum,
        "train_sequences": result["n_train_sequences"],
        "train_replies": result["n_train_replies"],
        "precision": result["precision"],
        "device": result["device"],
        "peak_train_rss_mb": round(peak_train_mb),
        "first_val_loss": val_losses[0] if val_losses else None,
        "last_val_loss": val_losses[-1] if val_losses else None,
        "eval_s": round(eval_s, 1),
        "test_dialogues": len(dialogues),
        "adapter_beats_base": wins,
        "paper_rows_points": PAPER_ROWS,
        "settings": {**config, "eval": vars(settings)},
        "splits": job["summary"]["splits"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    write_report(results, RESULTS, vars(settings), {"benchmark": summary})
    print()
    print(markdown_table(results, with_paper=True), end="")
    print(
        f"\ntraining: {result['step']} steps ({summary['sequences_seen']} sequences of <= {args.max_length} tokens, "
        f"{result['precision']}) in {result['seconds'] / 60:.1f} min; peak RAM {peak_train_mb:.0f} MB; "
        f"val loss {summary['first_val_loss']} -> {summary['last_val_loss']}"
    )
    print(
        f"evaluation: {base.n_turns} replies per model on {len(dialogues)} test transcripts in {eval_s / 60:.1f} min"
    )
    print(f"adapter beats base on: {', '.join(k for k, v in wins.items() if v) or 'nothing'}")
    print(f"wrote {RESULTS}")
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
