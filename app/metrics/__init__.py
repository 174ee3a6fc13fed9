"""Offline reference metrics: ROUGE-L, BLEU-4, METEOR and BERTScore F1 (all 0-1)."""

from deescal.app.metrics.reference import METRIC_KEYS, compute_metrics
from deescal.app.metrics.wordnet import bundled_wordnet_dir, find_wordnet, prepare_wordnet

__all__ = ["METRIC_KEYS", "compute_metrics", "bundled_wordnet_dir", "find_wordnet", "prepare_wordnet"]
