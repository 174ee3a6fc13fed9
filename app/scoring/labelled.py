"""The labelled officer lines the scorer is calibrated and judged on, and the AUC to judge by.

``labelled_lines.csv`` (written for this project, not taken from any transcript): one officer line
per row, optionally the civilian line before it, ``label`` 1 = de-escalating, 0 = escalating, and a
fixed ``split`` (train / validation). Weights are fitted on train only; validation is for reporting.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class LabelledLine:
    id: int
    split: str
    label: int
    civilian_before: str | None
    officer_turn: str


def load_labelled(split: str | None = None) -> list[LabelledLine]:
    text = resources.files("deescal.app.scoring").joinpath("labelled_lines.csv").read_text(encoding="utf-8")
    lines = [
        LabelledLine(
            int(row["id"]),
            row["split"],
            int(row["label"]),
            row["civilian_before"] or None,
            row["officer_turn"],
        )
        for row in csv.DictReader(io.StringIO(text))
    ]
    return [line for line in lines if split is None or line.split == split]


def roc_auc(labels: list[int] | np.ndarray, scores: list[float] | np.ndarray) -> float:
    """Area under the ROC curve (probability a random positive outranks a random negative; ties 0.5)."""
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=float)
    positives, negatives = scores[labels == 1], scores[labels == 0]
    if not len(positives) or not len(negatives):
        raise ValueError("AUC needs both positive and negative examples")
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))
