"""How sure an evaluation is: a paired bootstrap over the replies, model against the base model.

Each reply is scored once (ROUGE-L, METEOR and BERTScore F1 per reply; BLEU-4 as its n-gram counts,
since BLEU is a corpus score), then replies are resampled with replacement many times; the share of
resamples in which a model beats the base says how far its margin is from noise. With several sampled
replies per boundary (``deescal eval --samples``) the boundaries are resampled, each carrying all of
its samples, so the model's sampling noise is averaged in rather than counted as evidence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from deescal.app.metrics.reference import compute_metrics

MEAN_METRICS = ("rougeL", "meteor", "bertscore_f1")


def per_reply_scores(predictions: list[str], references: list[str], data_root: Path | None = None) -> dict:
    """Per-reply ROUGE-L, METEOR, BERTScore F1 and BLEU statistics (through the same metric modules)."""
    from sacrebleu.metrics import BLEU

    scores: dict = {key: [] for key in MEAN_METRICS}
    for prediction, reference in zip(predictions, references, strict=True):
        one = compute_metrics([prediction], [reference], MEAN_METRICS, data_root=data_root)
        for key in MEAN_METRICS:
            scores[key].append(one[key])
    bleu = BLEU(max_ngram_order=4, smooth_method="exp", effective_order=True)
    stats = []
    for prediction, reference in zip(predictions, references, strict=True):
        s = bleu.corpus_score([prediction.strip()], [[reference.strip()]])
        stats.append([*s.counts, *s.totals, s.sys_len, s.ref_len])
    scores["bleu_stats"] = stats
    return scores


def by_boundary(scores: dict, n_boundaries: int) -> dict:
    """Per-reply scores of ``k`` samples of each boundary (sample-major order) folded into one entry per
    boundary: the mean of each mean metric, the sum of the BLEU statistics."""
    samples = len(scores["rougeL"]) // n_boundaries
    folded = {
        key: np.asarray(scores[key]).reshape(samples, n_boundaries).mean(axis=0).tolist()
        for key in MEAN_METRICS
    }
    stats = np.asarray(scores["bleu_stats"], dtype=np.int64)
    folded["bleu_stats"] = stats.reshape(samples, n_boundaries, -1).sum(axis=0).tolist()
    return folded


def _bleu(stats: np.ndarray) -> float:
    from sacrebleu.metrics import BLEU

    total = stats.sum(axis=0)
    score = BLEU.compute_bleu(
        list(total[:4]),
        list(total[4:8]),
        int(total[8]),
        int(total[9]),
        smooth_method="exp",
        effective_order=True,
    )
    return score.score / 100.0


def paired_bootstrap(base: dict, other: dict, resamples: int = 1000, seed: int = 1234) -> dict[str, float]:
    """Share of resamples in which ``other`` scores above ``base``, per metric (0-1)."""
    n = len(base["rougeL"])
    rng = np.random.default_rng(seed)
    wins = dict.fromkeys((*MEAN_METRICS, "bleu4"), 0)
    arrays = {k: (np.asarray(base[k]), np.asarray(other[k])) for k in MEAN_METRICS}
    bleu_a, bleu_b = (
        np.asarray(base["bleu_stats"], dtype=np.int64),
        np.asarray(other["bleu_stats"], dtype=np.int64),
    )
    for _ in range(resamples):
        pick = rng.integers(0, n, n)
        for key, (a, b) in arrays.items():
            wins[key] += b[pick].mean() > a[pick].mean()
        wins["bleu4"] += _bleu(bleu_b[pick]) > _bleu(bleu_a[pick])
    return {key: round(count / resamples, 3) for key, count in wins.items()}
