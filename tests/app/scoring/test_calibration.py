"""The shipped weights are what calibrate.py fits today, and the validation lines stay unseen."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
from deescal.app.scoring import get_scorer
from deescal.app.scoring.calibrate import calibrate, fit_logistic
from deescal.app.scoring.labelled import load_labelled, roc_auc


def shipped_weights() -> dict:
    return json.loads(resources.files("deescal.app.scoring").joinpath("weights.json").read_text())


def test_shipped_weights_are_reproducible():
    fresh, shipped = calibrate(get_scorer()), shipped_weights()
    assert fresh["validation"] == shipped["validation"] and fresh["l2_strength"] == shipped["l2_strength"]
    assert fresh["coef"].keys() == shipped["coef"].keys()
    for name, value in shipped["coef"].items():
        assert abs(fresh["coef"][name] - value) < 1e-3, name


def test_exemplar_banks_share_no_line_with_the_labelled_set():
    banks = json.loads(resources.files("deescal.app.scoring").joinpath("exemplars.json").read_text())
    exemplars = {
        s.lower().strip(" .!?")
        for group in banks.values()
        if isinstance(group, dict)
        for v in group.values()
        for s in v
    }
    labelled = {line.officer_turn.lower().strip(" .!?") for line in load_labelled()}
    assert not exemplars & labelled


def test_logistic_fit_separates_a_simple_case():
    x = np.array([[0.0], [0.2], [0.8], [1.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    coef, intercept = fit_logistic(x, y, strength=0.1)
    assert coef[0] > 0 and roc_auc(y, x @ coef + intercept) == 1.0
