"""Evaluation the way the DeEscalWild paper does it, for several models/adapters side by side.

For each dialogue, at every officer -> civilian boundary, the civilian's reply is generated from the
real history so far (teacher forcing: the real line, not the generated one, then joins the history),
sampled with the paper protocol (``deescal.models.llm.PAPER_PROTOCOL``: temperature 0.6, top-p 0.9,
no other sampler), at most 128 new tokens, seeded per turn (the same seed for every model), by the
same :class:`LanguageModel` that plays the civilian in role-play. Replies are
compared with the real lines by ROUGE-L, BLEU-4, METEOR and BERTScore F1 (``compute_metrics``), and
the wall time of every reply is recorded. The prompt is the role-play prompt, so what is measured is
what trainees get. With ``samples`` > 1 every reply is sampled that many times (other seeds) and the
scores cover all of them: on a test split of a few hundred replies one sampling seed moves a model's
scores by a point or two, as much as the gap between two adapters.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from deescal.app.errors import Cancelled, ModelError
from deescal.app.metrics import compute_metrics
from deescal.app.roleplay.persona import STOP_SEQUENCES
from deescal.finetune.dataset import Dialogue
from deescal.finetune.samples import Boundary, boundaries, fit_prompt
from deescal.models.llm import PAPER_PROTOCOL, LanguageModel

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass
class EvalSettings:
    temperature: float = PAPER_PROTOCOL.temperature
    top_p: float = PAPER_PROTOCOL.top_p
    max_new_tokens: int = 128
    seed: int = 1234
    max_turns: int | None = None  # boundaries per dialogue (the first N)
    n_ctx: int = 2048
    window_step: int = 8  # history turns dropped at a time when the prompt outgrows the context
    n_threads: int | None = None
    samples: int = 1  # replies sampled per boundary, each with its own seed


SAMPLE_SEED_STRIDE = 100_003  # sample k of boundary n is seeded seed + n + k * stride


@dataclass
class ModelSpec:
    name: str
    model_path: Path
    adapter_path: Path | None = None


@dataclass
class ModelResult:
    name: str
    rougeL: float
    bleu4: float
    meteor: float
    bertscore_f1: float
    latency_s: float  # mean seconds per reply
    latency_p95_s: float
    n_turns: int
    model: str
    adapter: str | None
    predictions: list[str] = field(default_factory=list, repr=False)
    latencies: list[float] = field(default_factory=list, repr=False)  # seconds, per reply

    def row(self) -> dict:
        """The scores and summary figures (no per-reply lists)."""
        data = asdict(self)
        data.pop("predictions")
        data.pop("latencies")
        return data


def evaluation_points(dialogues: list[Dialogue], max_turns: int | None) -> list[tuple[Dialogue, Boundary]]:
    return [(d, b) for d in dialogues for b in boundaries(d, max_turns)]


def sampled_points(
    points: list[tuple[Dialogue, Boundary]], settings: EvalSettings
) -> list[tuple[int, Dialogue, Boundary]]:
    """(seed, dialogue, boundary) for every reply to generate: all boundaries once per sample, in order."""
    return [
        (settings.seed + n + k * SAMPLE_SEED_STRIDE, dialogue, boundary)
        for k in range(settings.samples)
        for n, (dialogue, boundary) in enumerate(points)
    ]


def evaluate_models(
    specs: list[ModelSpec],
    dialogues: list[Dialogue],
    settings: EvalSettings | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    data_root: Path | None = None,
) -> list[ModelResult]:
    """Generates every reply with every model, then scores each model; raises Cancelled if asked to stop."""
    settings = settings or EvalSettings()
    report = progress or (lambda fraction, text: None)
    points = evaluation_points(dialogues, settings.max_turns)
    if not points:
        raise ModelError("There is nothing to evaluate: no officer line answered by a civilian.")
    draws = sampled_points(points, settings)
    references = [b.reply for _, _, b in draws]
    results: list[ModelResult] = []
    sampling = PAPER_PROTOCOL.with_overrides(temperature=settings.temperature, top_p=settings.top_p)
    total = len(draws) * len(specs)
    for m, spec in enumerate(specs):
        report(m * len(draws) / total, f"Loading {spec.name}")
        model = LanguageModel.load(
            spec.model_path,
            adapter_path=spec.adapter_path,
            n_ctx=settings.n_ctx,
            n_threads=settings.n_threads,
        )
        budget = model.n_ctx - settings.max_new_tokens - 8
        predictions, latencies = [], []
        try:
            for n, (seed, dialogue, boundary) in enumerate(draws):
                if cancelled is not None and cancelled():
                    raise Cancelled()
                prompt = fit_prompt(dialogue, boundary, model.count_tokens, budget, settings.window_step)
                reply = model.generate(
                    prompt,
                    max_tokens=settings.max_new_tokens,
                    stop=STOP_SEQUENCES,
                    seed=seed,
                    sampling=sampling,
                )
                seconds = reply.latency_s
                predictions.append(reply.text.strip())
                latencies.append(seconds)
                done = m * len(draws) + n + 1
                report(done / total, f"{spec.name}: reply {n + 1} of {len(draws)} ({seconds:.2f} s)")
        finally:
            model.close()
        report((m + 1) * len(draws) / total, f"Scoring {spec.name}")
        scores = compute_metrics(predictions, references, data_root=data_root)
        ordered = sorted(latencies)
        results.append(
            ModelResult(
                name=spec.name,
                **scores,
                latency_s=round(statistics.fmean(latencies), 4),
                latency_p95_s=round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 4),
                n_turns=len(points),
                model=str(spec.model_path),
                adapter=str(spec.adapter_path) if spec.adapter_path else None,
                predictions=predictions,
                latencies=[round(x, 4) for x in latencies],
            )
        )
        log.info("evaluated %s: %s", spec.name, results[-1].row())
    return results
