"""The labelled officer lines the scorer is calibrated and judged on, and the measures to judge by.

``labelled_lines.csv`` (written for this project, not taken from any transcript): one officer line
per row, optionally the civilian line before it, ``label`` 1 = de-escalating, 0 = escalating, and a
fixed ``split`` (train / validation). Weights are fitted on train only; validation is for reporting.

``technique_lines.csv`` (also written for this project, at least 25 lines per technique, phrased the
many ways officers talk): each line with every technique it shows, so technique detection is judged
per technique by precision, recall and F1 on its own fixed validation split.
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


@dataclass(frozen=True)
class TechniqueLine:
    id: int
    split: str
    techniques: frozenset[str]
    civilian_before: str | None
    officer_turn: str


@dataclass(frozen=True)
class TechniqueMeasure:
    precision: float
    recall: float
    f1: float
    support: int  # lines that show the technique


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("deescal.app.scoring").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def load_labelled(split: str | None = None) -> list[LabelledLine]:
    lines = [
        LabelledLine(
            int(row["id"]),
            row["split"],
            int(row["label"]),
            row["civilian_before"] or None,
            row["officer_turn"],
        )
        for row in _rows("labelled_lines.csv")
    ]
    return [line for line in lines if split is None or line.split == split]


def load_technique_lines(split: str | None = None) -> list[TechniqueLine]:
    lines = [
        TechniqueLine(
            int(row["id"]),
            row["split"],
            frozenset(name for name in row["techniques"].split(";") if name),
            row["civilian_before"] or None,
            row["officer_turn"],
        )
        for row in _rows("technique_lines.csv")
    ]
    return [line for line in lines if split is None or line.split == split]


def technique_measures(
    expected: list[frozenset[str]], found: list[set[str]], names: list[str]
) -> dict[str, TechniqueMeasure]:
    """Precision, recall and F1 of each technique over lines (expected vs found technique names)."""
    measures = {}
    for name in names:
        hits = sum(1 for e, f in zip(expected, found, strict=True) if name in e and name in f)
        wanted = sum(1 for e in expected if name in e)
        claimed = sum(1 for f in found if name in f)
        precision = hits / claimed if claimed else 0.0
        recall = hits / wanted if wanted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        measures[name] = TechniqueMeasure(round(precision, 3), round(recall, 3), round(f1, 3), wanted)
    return measures


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
