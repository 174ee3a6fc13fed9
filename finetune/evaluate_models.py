"""Evaluation the way the DeEscalWild paper does it, for several models/adapters side by side.

For each dialogue, at every officer -> civilian boundary, the civilian's reply is generated from the
real history so far (teacher forcing: the real line, not the generated one, then joins the history),
sampled at temperature 0.6 with top-p 0.9 (no other sampler: no top-k, min-p or repetition
penalty), at most 128 new tokens, seeded per turn (the same seed for every model). Replies are
compared with the real lines by ROUGE-L, BLEU-4, METEOR and BERTScore F1 (``compute_metrics``), and
the wall time of every reply is recorded. The prompt is the role-play prompt, so what is measured is
what trainees get.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from deescal.app.errors import Cancelled, ModelError
from deescal.app.metrics import compute_metrics
from deescal.app.roleplay.persona import STOP_SEQUENCES
from deescal.finetune.dataset import Dialogue
from deescal.finetune.samples import Boundary, boundaries, fit_prompt

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass
class EvalSettings:
    temperature: float = 0.6
    top_p: float = 0.9
    max_new_tokens: int = 128
    seed: int = 1234
    max_turns: int | None = None  # boundaries per dialogue (the first N)
    n_ctx: int = 2048
    window_step: int = 8  # history turns dropped at a time when the prompt outgrows the context
    n_threads: int | None = None


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


class _Generator:
    """One llama.cpp model (+ adapter), checked before loading; reuses its KV cache across turns."""

    def __init__(self, spec: ModelSpec, settings: EvalSettings) -> None:
        import llama_cpp
        from deescal.models.adapter_check import check_adapter
        from deescal.models.gguf_info import read_gguf_info
        from deescal.models.llm import default_threads

        info = read_gguf_info(spec.model_path)
        if spec.adapter_path is not None:
            check_adapter(spec.adapter_path, info)  # a bad adapter would crash llama.cpp, not raise
        try:
            self.llama = llama_cpp.Llama(
                str(spec.model_path),
                n_ctx=min(settings.n_ctx, info.context_length),
                n_threads=settings.n_threads or default_threads(),
                lora_path=str(spec.adapter_path) if spec.adapter_path else None,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"llama.cpp could not load {Path(spec.model_path).name}: {exc}") from exc
        self.settings = settings

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=True, special=True))

    def reply(self, prompt: str, seed: int) -> tuple[str, float]:
        s = self.settings
        start = time.perf_counter()
        out = self.llama.create_completion(
            prompt,
            max_tokens=s.max_new_tokens,
            temperature=s.temperature,
            top_p=s.top_p,
            top_k=0,
            min_p=0.0,
            repeat_penalty=1.0,
            stop=STOP_SEQUENCES,
            seed=seed,
        )
        return out["choices"][0]["text"].strip(), time.perf_counter() - start

    def close(self) -> None:
        self.llama.close()


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
    references = [b.reply for _, b in points]
    results: list[ModelResult] = []
    total = len(points) * len(specs)
    for m, spec in enumerate(specs):
        report(m * len(points) / total, f"Loading {spec.name}")
        generator = _Generator(spec, settings)
        budget = generator.llama.n_ctx() - settings.max_new_tokens - 8
        predictions, latencies = [], []
        try:
            for n, (dialogue, boundary) in enumerate(points):
                if cancelled is not None and cancelled():
                    raise Cancelled()
                prompt = fit_prompt(dialogue, boundary, generator.count_tokens, budget, settings.window_step)
                text, seconds = generator.reply(prompt, settings.seed + n)
                predictions.append(text)
                latencies.append(seconds)
                done = m * len(points) + n + 1
                report(done / total, f"{spec.name}: reply {n + 1} of {len(points)} ({seconds:.2f} s)")
        finally:
            generator.close()
        report((m + 1) * len(points) / total, f"Scoring {spec.name}")
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
