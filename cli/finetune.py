"""``deescal finetune``: train a LoRA adapter on reviewed transcripts, export it as GGUF, register it.

Ctrl+C saves a checkpoint and exits; ``deescal finetune --resume`` continues to the same step count.
On a multi-GPU server, prepare with ``--prepare-only`` and train with
``accelerate launch -m deescal.finetune.train <job folder>``, then ``deescal finetune --resume``
exports and registers the adapter.
"""

from __future__ import annotations

import argparse

from deescal.app.errors import UserFacingError
from deescal.cli.common import add_json_flag, open_context, print_json
from deescal.finetune.defaults import TRAINING_DEFAULTS, eval_every_for


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "finetune",
        help="fine-tune the role-play model (LoRA) on transcripts and approved sessions",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("training data")
    data.add_argument("--transcripts", metavar="DIR", help="folder of DeEscalWild transcript CSV files")
    data.add_argument(
        "--approved", action="store_true", help="use the role-play sessions instructors approved"
    )
    data.add_argument("--limit-files", type=int, metavar="N", help="use at most N transcript files")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=int, metavar="N", help="optimizer steps to train (default: 1 epoch)")
    length.add_argument("--epochs", type=float, metavar="E", help="passes over the training split")
    parser.add_argument(
        "--out", metavar="ADAPTER.gguf", help="where to write the adapter (default: data folder)"
    )
    parser.add_argument("--name", help="adapter name in the app (default: the output file name)")
    parser.add_argument("--model", help="registered model to fine-tune (default: the default model)")
    parser.add_argument(
        "--resume", action="store_true", help="continue the interrupted run (with --out: export it there)"
    )
    parser.add_argument("--merge", action="store_true", help="also write a merged standalone GGUF model")
    parser.add_argument("--make-active", action="store_true", help="use the new adapter for role-play")
    parser.add_argument("--prepare-only", action="store_true", help="prepare the job folder and stop")
    parser.add_argument(
        "--time-budget",
        type=float,
        metavar="MINUTES",
        help="fit the run into this much training time (one machine; use --steps under accelerate launch)",
    )
    tuning = parser.add_argument_group("training settings")
    tuning.add_argument(
        "--batch-size",
        type=int,
        help=f"sequences per micro-batch (default {TRAINING_DEFAULTS['batch_size']})",
    )
    tuning.add_argument(
        "--grad-accum", type=int, help=f"micro-batches per step (default {TRAINING_DEFAULTS['grad_accum']})"
    )
    tuning.add_argument(
        "--max-length",
        type=int,
        help=f"tokens per training sequence (default {TRAINING_DEFAULTS['max_length']} on this machine: "
        "768 with 14 GB of RAM or more, else 384)",
    )
    tuning.add_argument(
        "--lr", type=float, help=f"learning rate (default {TRAINING_DEFAULTS['learning_rate']:g})"
    )
    tuning.add_argument(
        "--end-weight",
        type=float,
        help="loss weight of the end of each reply; below 1 gives longer replies "
        f"(default {TRAINING_DEFAULTS['reply_end_weight']})",
    )
    tuning.add_argument(
        "--rank", type=int, help=f"LoRA rank (default {TRAINING_DEFAULTS['lora_r']}; alpha = 2 x rank)"
    )
    tuning.add_argument(
        "--checkpoint-every",
        type=int,
        metavar="N",
        help=f"steps (default {TRAINING_DEFAULTS['checkpoint_every']})",
    )
    tuning.add_argument(
        "--eval-every",
        type=int,
        metavar="N",
        help=f"validation every N steps (default {TRAINING_DEFAULTS['eval_every']}, "
        "at least four times in a short run)",
    )
    tuning.add_argument("--seed", type=int, default=1234, help="split and training seed (default 1234)")
    tuning.add_argument("--threads", type=int, help="CPU threads (default: one per core)")
    tuning.add_argument(
        "--device", choices=["auto", "cpu", "cuda"], default="auto", help="default: CUDA if present"
    )
    add_json_flag(parser)
    parser.set_defaults(func=run)


def _config(args: argparse.Namespace) -> dict:
    def chosen(value, key: str):
        return TRAINING_DEFAULTS[key] if value is None else value

    rank = chosen(args.rank, "lora_r")

    return {
        "max_steps": args.steps,
        "epochs": args.epochs,
        "batch_size": chosen(args.batch_size, "batch_size"),
        "grad_accum": chosen(args.grad_accum, "grad_accum"),
        "max_length": chosen(args.max_length, "max_length"),
        "learning_rate": chosen(args.lr, "learning_rate"),
        "reply_end_weight": chosen(args.end_weight, "reply_end_weight"),
        "lora_r": rank,
        "lora_alpha": 2 * rank,
        "checkpoint_every": chosen(args.checkpoint_every, "checkpoint_every"),
        "eval_every": eval_every_for(args.steps) if args.eval_every is None else args.eval_every,
        "threads": args.threads,
        "time_budget_s": args.time_budget * 60 if args.time_budget else None,
        "device": args.device,
    }


def _print_step(event: dict, quiet: bool) -> None:
    if quiet:
        return
    if event.get("event") == "status":
        print(event["text"], flush=True)
    elif event.get("event") == "step":
        val = f"  val {event['val_loss']:.3f}" if event.get("val_loss") is not None else ""
        eta = int(event["eta_s"])
        print(
            f"step {event['step']}/{event['total']}  loss {event['loss']:.3f}{val}  "
            f"eta {eta // 60}:{eta % 60:02d}",
            flush=True,
        )


def run(args: argparse.Namespace) -> int:
    from deescal.finetune.job import JobSpec, finish_job, job_dir, prepare_job, read_job, run_training
    from deescal.models.registry import ModelRegistry

    with open_context(args) as ctx:
        folder = job_dir(ctx)
        say = (lambda text: None) if args.json else (lambda text: print(text, flush=True))
        if args.resume:
            if read_job(folder) is None:
                raise UserFacingError("There is no interrupted fine-tuning run to resume.")
        else:
            spec = JobSpec(
                transcripts_dir=args.transcripts,
                approved_sessions=args.approved,
                limit_files=args.limit_files,
                model=args.model,
                adapter_name=args.name or "",
                out_path=args.out or "",
                merge=args.merge,
                seed=args.seed,
            )
            prepare_job(ctx, spec, _config(args), progress=say)
            job = read_job(folder)
            say(job["redaction_text"])
            splits = job["summary"]["splits"]
            say(
                "Dialogues: "
                + ", ".join(f"{s} {v['dialogues']} ({v['replies']} replies)" for s, v in splits.items())
            )
            if args.prepare_only:
                say(
                    f"Job prepared in {folder}. Train with: accelerate launch -m deescal.finetune.train {folder}"
                )
                return 0
        job = read_job(folder)
        if job["status"] != "finished":
            result = run_training(folder, resume=args.resume, on_progress=lambda e: _print_step(e, args.json))
            if result.status != "finished":
                say(
                    f"Interrupted at step {result.step} of {result.total_steps}; the checkpoint is saved. "
                    "Continue with: deescal finetune --resume"
                )
                if args.json:
                    print_json(
                        {"status": "interrupted", "step": result.step, "total_steps": result.total_steps}
                    )
                return 130
        record = finish_job(ctx, folder, progress=say, out_path=args.out if args.resume and args.out else "")
        if args.make_active:
            ctx.service(ModelRegistry).set_active_adapter(record["adapter"])
        job = read_job(folder)
        if args.json:
            print_json({"status": "finished", **record, "training": job.get("result"), **job["summary"]})
        else:
            result = job.get("result", {})
            say(
                f"Adapter '{record['adapter']}' written to {record['path']} after {result.get('step')} steps "
                f"({result.get('seconds', 0):.0f} s on {result.get('device')})."
            )
            if record.get("merged"):
                say(f"Merged model written to {record['merged']}")
            folder_used = job["spec"].get("transcripts_dir")
            if folder_used:
                say(
                    f"Compare it with the base model on the held-out transcripts: deescal eval --transcripts "
                    f"{folder_used} --split test --seed {job['spec']['seed']} --adapter {record['adapter']}"
                )
        return 0
