"""Fits the scorer's weights on the train part of the labelled lines and writes ``weights.json``.

Reproducible: ``python -m deescal.app.scoring.calibrate`` (deterministic; about a minute on 2 cores).
An L2-regularised logistic regression (Newton's method, numpy only) over the features of
``analysis.py``, with each technique's weights kept to the technique's polarity so that a listed
calming technique never lowers a score; the regularisation strength is chosen by 5-fold cross-validation on train. The
validation lines are scored once, at the end, only to report the AUC.
"""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path

import numpy as np
from deescal.app.scoring.analysis import feature_names
from deescal.app.scoring.labelled import LabelledLine, load_labelled, roc_auc
from deescal.app.scoring.scorer import DISPLAY_TEMPERATURE, TurnScorer, default_weights
from deescal.app.scoring.techniques import BY_NAME

STRENGTHS = (0.3, 1.0, 3.0, 10.0)
FOLDS = 5


def fit_logistic(x: np.ndarray, y: np.ndarray, strength: float, steps: int = 50) -> tuple[np.ndarray, float]:
    """Weights and intercept minimising log-loss + strength/2 * |w|^2 (the intercept is not penalised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], strength)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ theta))
        gradient = design.T @ (p - y) + penalty * theta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def expected_signs(names: list[str]) -> np.ndarray:
    """+1 / -1 where a weight must keep the technique's polarity (so explanations stay true), else 0."""
    signs = np.zeros(len(names))
    for i, name in enumerate(names):
        kind, _, technique = name.partition(":")
        if kind in ("pat", "emb"):
            signs[i] = BY_NAME[technique].polarity
    signs[names.index("positives")] = 1
    signs[names.index("negatives")] = -1
    signs[names.index("dismiss_in_crisis")] = -1
    return signs


def fit_signed(x: np.ndarray, y: np.ndarray, strength: float, signs: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic fit where a weight that comes out against its polarity is dropped and the rest refitted."""
    active = np.ones(x.shape[1], dtype=bool)
    while True:
        coef = np.zeros(x.shape[1])
        coef[active], intercept = fit_logistic(x[:, active], y, strength)
        wrong = (signs * coef < 0) & active
        if not wrong.any():
            return coef, intercept
        active &= ~wrong


def features_of(scorer: TurnScorer, lines: list[LabelledLine]) -> np.ndarray:
    names = feature_names()
    return np.array([scorer.analyse(line.officer_turn, line.civilian_before).vector(names) for line in lines])


def cross_validated_auc(x: np.ndarray, y: np.ndarray, strength: float) -> float:
    order = np.random.default_rng(7).permutation(len(y))
    scores = np.zeros(len(y))
    for fold in range(FOLDS):
        held = order[fold::FOLDS]
        kept = np.setdiff1d(order, held)
        coef, intercept = fit_signed(x[kept], y[kept], strength, expected_signs(feature_names()))
        scores[held] = x[held] @ coef + intercept
    return roc_auc(y, scores)


def calibrate(encoder_from: TurnScorer | None = None) -> dict:
    """Fits and evaluates; ``encoder_from`` lends an already loaded MiniLM (tests, benches)."""
    encoder = encoder_from.analyser.banks.encoder if encoder_from else None
    scorer = TurnScorer(weights=default_weights(), encoder=encoder)
    train, validation = load_labelled("train"), load_labelled("validation")
    x_train = features_of(scorer, train)
    y_train = np.array([line.label for line in train], dtype=float)
    cv = {strength: cross_validated_auc(x_train, y_train, strength) for strength in STRENGTHS}
    # Cross-validated AUCs within 0.001 are a tie; the weakest regularisation among them keeps the
    # 0-100 scale spread (a strong one squeezes a clearly good turn towards 50, which reads as neutral).
    best = min(STRENGTHS, key=lambda s: (-round(cv[s], 3), s))
    coef, intercept = fit_signed(x_train, y_train, best, expected_signs(feature_names()))
    names = feature_names()
    x_val = features_of(scorer, validation)
    y_val = np.array([line.label for line in validation])
    val_auc = roc_auc(y_val, x_val @ coef + intercept)
    train_auc = roc_auc(y_train, x_train @ coef + intercept)
    return {
        "about": "Logistic regression over analysis.feature_names(); written by calibrate.py, fitted on train only.",
        "intercept": round(intercept, 5),
        "coef": {name: round(float(w), 5) for name, w in zip(names, coef, strict=True) if abs(w) > 1e-6},
        "embedding_threshold": default_weights()["embedding_threshold"],
        "display_temperature": DISPLAY_TEMPERATURE,
        "l2_strength": best,
        "cross_validation_auc": {str(s): round(a, 4) for s, a in cv.items()},
        "train": {"n": len(train), "auc": round(train_auc, 4)},
        "validation": {"n": len(validation), "auc": round(val_auc, 4)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(str(resources.files("deescal.app.scoring").joinpath("weights.json")))
    parser.add_argument(
        "--out", type=Path, default=default, help=f"where to write the weights (default {default})"
    )
    args = parser.parse_args(argv)
    weights = calibrate()
    args.out.write_text(json.dumps(weights, indent=1) + "\n")
    print(
        f"train n={weights['train']['n']} auc={weights['train']['auc']}  "
        f"validation n={weights['validation']['n']} auc={weights['validation']['auc']}  "
        f"(L2 {weights['l2_strength']}, CV {weights['cross_validation_auc']}) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
