"""The paired bootstrap behind "how sure": per-reply scores agree with the corpus metrics, and a clear
win shows as a share near 1 while a tie never counts as a win."""

from __future__ import annotations

import pytest
from deescal.app.metrics.reference import compute_metrics
from deescal.finetune.bootstrap import by_boundary, paired_bootstrap, per_reply_scores

REFERENCES = [
    "I just want my car back, okay?",
    "She left an hour ago with the kids.",
    "No, I'm not going anywhere.",
]
GOOD = [
    "I want my car back, okay?",
    "She left with the kids an hour ago.",
    "No, I'm not going anywhere with you.",
]
BAD = ["What?", "I don't know.", "Leave me alone."]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    return per_reply_scores(BAD, REFERENCES, root), per_reply_scores(GOOD, REFERENCES, root), root


def test_per_reply_scores_average_to_the_corpus_metrics(scored):
    _, good, root = scored
    corpus = compute_metrics(GOOD, REFERENCES, data_root=root)
    for key in ("rougeL", "meteor", "bertscore_f1"):
        assert sum(good[key]) / 3 == pytest.approx(corpus[key], abs=1e-6)
    assert len(good["bleu_stats"]) == 3 and len(good["bleu_stats"][0]) == 10


def test_a_clear_win_and_a_tie(scored):
    bad, good, _ = scored
    wins = paired_bootstrap(bad, good, resamples=200)
    assert all(share >= 0.95 for share in wins.values()), wins
    assert all(share == 0.0 for share in paired_bootstrap(good, good, resamples=50).values())


def test_samples_of_a_boundary_fold_into_one_entry(scored):
    """Two sampled replies per boundary: the bootstrap resamples boundaries, each with both samples."""
    bad, good, _ = scored
    both = {key: good[key] + bad[key] for key in good}  # sample 1 of all boundaries, then sample 2
    folded = by_boundary(both, n_boundaries=3)
    for key in ("rougeL", "meteor", "bertscore_f1"):
        assert folded[key] == pytest.approx([(g + b) / 2 for g, b in zip(good[key], bad[key], strict=True)])
    assert folded["bleu_stats"][0] == [
        g + b for g, b in zip(good["bleu_stats"][0], bad["bleu_stats"][0], strict=True)
    ]
    assert len(folded["bleu_stats"]) == 3
