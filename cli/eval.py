"""``deescal eval``: the DeEscalWild paper's evaluation of models and adapters, side by side, offline.

At every officer -> civilian boundary of each transcript the civilian's reply is generated from the
real history (temperature 0.6, top-p 0.9, seeded) and compared with the real line: ROUGE-L, BLEU-4,
METEOR, BERTScore F1 (0-1), and seconds per reply. The base model is always the first row.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from deescal.app.errors import UserFacingError
from deescal.cli.common import open_context, print_table
from deescal.models.llm import PAPER_PROTOCOL


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="compare the model and adapters on real transcripts (ROUGE-L, BLEU-4, METEOR, BERTScore)",
        description=__doc__,
    )
    parser.add_argument("--transcripts", metavar="DIR", required=True, help="folder of transcript CSV files")
    parser.add_argument("--model", help="registered model (default: the default model)")
    parser.add_argument(
        "--adapter",
        action="append",
        default=[],
        metavar="PATH",
        help="adapter GGUF file or registered name (repeat)",
    )
    parser.add_argument("--max-turns", type=int, metavar="N", help="first N replies of each transcript")
    parser.add_argument("--limit-files", type=int, metavar="N", help="use at most N transcripts")
    parser.add_argument(
        "--split",
        choices=["all", "train", "validation", "test"],
        default="all",
        help="only the transcripts of this split (as 'deescal finetune' splits them with --seed)",
    )
    parser.add_argument("--seed", type=int, default=1234, help="split and sampling seed (default 1234)")
    parser.add_argument("--max-new-tokens", type=int, default=128, help="per reply (default 128)")
    parser.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="K",
        help="replies sampled per boundary (other seeds); scores and the bootstrap cover all of them "
        "(one seed moves a few hundred replies' scores by a point or two)",
    )
    parser.add_argument(
        "--temperature",
        type=float,
        default=PAPER_PROTOCOL.temperature,
        help=f"default {PAPER_PROTOCOL.temperature} (the paper protocol)",
    )
    parser.add_argument(
        "--top-p", type=float, default=PAPER_PROTOCOL.top_p, help=f"default {PAPER_PROTOCOL.top_p}"
    )
    parser.add_argument("--threads", type=int, help="CPU threads (default: one per core)")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="paired bootstrap with N resamples: how often each adapter beats the base, per metric",
    )
    parser.add_argument(
        "--json", metavar="OUT", help="write JSON here, with a .md table and a .png chart beside it"
    )
    parser.set_defaults(func=run)


def _adapter_spec(ctx, text: str):
    """A path, or the name of a registered adapter: (display name, path, registry id or None)."""
    from deescal.models.registry import ModelRegistry

    path = Path(text).expanduser()
    registered = ctx.service(ModelRegistry).adapters()
    if path.is_file():
        match = next((a for a in registered if Path(a.path).resolve() == path.resolve()), None)
        return (match.name if match else path.stem), path.resolve(), match.id if match else None
    match = next((a for a in registered if a.name == text), None)
    if match is None:
        raise UserFacingError(f"No adapter file or registered adapter called '{text}'.")
    return match.name, Path(match.path), match.id


def _bootstrap(results, dialogues, settings, resamples: int, data_root: Path) -> dict:
    from deescal.finetune.bootstrap import by_boundary, paired_bootstrap, per_reply_scores
    from deescal.finetune.evaluate_models import evaluation_points, sampled_points

    points = evaluation_points(dialogues, settings.max_turns)
    references = [b.reply for _, _, b in sampled_points(points, settings)]
    scored = [
        by_boundary(per_reply_scores(r.predictions, references, data_root), len(points)) for r in results
    ]
    wins = {
        r.name: paired_bootstrap(scored[0], s, resamples, settings.seed)
        for r, s in zip(results[1:], scored[1:], strict=True)
    }
    return {"resamples": resamples, "wins_over_base": wins}


def run(args: argparse.Namespace) -> int:
    from deescal.finetune.dataset import assign_splits, transcript_dialogues
    from deescal.finetune.evaluate_models import EvalSettings, ModelSpec, evaluate_models
    from deescal.finetune.job import save_metrics
    from deescal.finetune.privacy import RedactionReport
    from deescal.finetune.report import markdown_table, write_report
    from deescal.models.registry import ModelRegistry

    if args.samples < 1:
        raise UserFacingError("--samples must be 1 or more.")
    with open_context(args) as ctx:
        folder = Path(args.transcripts).expanduser()
        if not folder.is_dir():
            raise UserFacingError(f"The transcripts folder {folder} does not exist.")
        registry = ctx.service(ModelRegistry)
        record = registry.get(args.model)
        model_path = registry.model_file(record)
        specs = [ModelSpec(f"{record.label} (base)", model_path)]
        ids: dict[str, int] = {}
        for text in args.adapter:
            name, path, adapter_id = _adapter_spec(ctx, text)
            specs.append(ModelSpec(name, model_path, path))
            if adapter_id is not None:
                ids[name] = adapter_id
        dialogues, _ = transcript_dialogues(folder, RedactionReport())
        if args.split != "all":
            dialogues = [d for d in assign_splits(dialogues, args.seed) if d.split == args.split]
        dialogues = dialogues[: args.limit_files] if args.limit_files else dialogues
        settings = EvalSettings(
            temperature=args.temperature,
            top_p=args.top_p,
            max_new_tokens=args.max_new_tokens,
            seed=args.seed,
            max_turns=args.max_turns,
            n_threads=args.threads,
            samples=args.samples,
        )
        last = [-1]

        def progress(fraction: float, text: str) -> None:
            if int(fraction * 20) != last[0]:  # a line every 5 %
                last[0] = int(fraction * 20)
                print(f"[{fraction:4.0%}] {text}", flush=True)

        results = evaluate_models(specs, dialogues, settings, progress, data_root=ctx.data.root)
        described = {
            **vars(settings),
            "transcripts": str(folder),
            "n_dialogues": len(dialogues),
            "split": args.split,
        }
        base = results[0].row()
        for result in results[1:]:
            if result.name in ids:
                save_metrics(ctx, ids[result.name], {**result.row(), "base": base, "settings": described})
        print(markdown_table(results), end="")
        extra = {}
        if args.bootstrap and len(results) > 1:
            extra["bootstrap"] = _bootstrap(results, dialogues, settings, args.bootstrap, ctx.data.root)
            for name, shares in extra["bootstrap"]["wins_over_base"].items():
                text = ", ".join(f"{key} {share:.0%}" for key, share in shares.items())
                print(f"{name} beats the base in {text} of {args.bootstrap} paired resamples")
        if args.json:
            paths = write_report(results, Path(args.json), described, extra)
            print_table([(kind, str(path)) for kind, path in paths.items()], ["written", "path"])
        return 0
