"""Selftest: the metric modules load by path offline and score a pair; WordNet is in place."""

from __future__ import annotations

from deescal.app.context import AppContext
from deescal.app.metrics.reference import compute_metrics
from deescal.app.metrics.wordnet import find_wordnet


def check_metrics(ctx: AppContext) -> str:
    """Quick: METEOR's WordNet index (seconds to load) is only checked for its files here."""
    folder = find_wordnet(ctx.data.root)
    scores = compute_metrics(
        ["I just want my car back."],
        ["I just want to get my car back."],
        metrics=("rougeL", "bleu4", "bertscore_f1"),
        data_root=ctx.data.root,
    )
    if not 0.5 < scores["rougeL"] < 1.0 or not 0.5 < scores["bertscore_f1"] <= 1.0:
        raise RuntimeError(f"unexpected scores {scores}")
    shown = ", ".join(f"{key} {value:.2f}" for key, value in scores.items())
    return f"{shown}; WordNet at {folder}"
