"""How tense a civilian's line sounds (0-10), learned from the lines people wrote for the house corpus.

The realism benchmark compares this with the tension a reply was spoken under. A word list (shouting,
exclamation marks, hostile words) ranked the corpus's own held-out lines at only 0.46 against their
written tension; a ridge regression on the lines' MiniLM vectors, fitted on the training scenarios'
lines, ranks the held-out scenarios' lines at about 0.6. The fitted weights ship in
``arousal_probe.json``; ``python -m deescal.finetune.arousal`` fits them again (a few minutes on 2
cores, mostly encoding about 7,000 lines) and prints the held-out rank correlation.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import numpy as np

PROBE_FILE = Path(__file__).with_name("arousal_probe.json")
RIDGE = 1.0  # the held-out correlation is flat from 0.1 to 3


def predict(vectors: np.ndarray) -> np.ndarray:
    """The tension each line sounds spoken under, from its MiniLM vector (rows of ``vectors``)."""
    weights, bias = _probe()
    return vectors @ weights + bias


@cache
def _probe() -> tuple[np.ndarray, float]:
    probe = json.loads(PROBE_FILE.read_text())
    return np.asarray(probe["weights"], dtype=np.float32), float(probe["bias"])


def _corpus_lines() -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(line, written tension) of the training scenarios' dialogues, and of the held-out ones."""
    from deescal.finetune.corpus import held_out_case_ids, load_corpus

    held_out = held_out_case_ids()
    training, testing = [], []
    for dialogue in load_corpus():
        lines = testing if dialogue.case_id in held_out else training
        lines += [(turn.civilian, float(turn.tension)) for turn in dialogue.turns]
    return training, testing


def fit(encoder) -> dict:
    """Fits the probe on the training scenarios' lines; reports its rank correlation on held-out ones."""
    from scipy.stats import spearmanr

    training, testing = _corpus_lines()
    x = encoder.encode([text for text, _ in training]).astype(np.float64)
    y = np.array([tension for _, tension in training])
    design = np.hstack([x, np.ones((len(x), 1))])
    solution = np.linalg.solve(design.T @ design + RIDGE * np.eye(design.shape[1]), design.T @ y)
    weights, bias = solution[:-1], float(solution[-1])
    held_x = encoder.encode([text for text, _ in testing])
    held_spearman = spearmanr(held_x @ weights + bias, [tension for _, tension in testing]).statistic
    return {
        "fitted_on": f"{len(training)} civilian lines of the house corpus's training scenarios",
        "ridge": RIDGE,
        "held_out_lines": len(testing),
        "held_out_spearman": round(float(held_spearman), 3),
        "bias": round(bias, 6),
        "weights": [round(float(w), 6) for w in weights],
    }


def main() -> int:
    from deescal.app.scoring.encoder import SentenceEncoder

    probe = fit(SentenceEncoder())
    PROBE_FILE.write_text(json.dumps(probe, indent=1) + "\n")
    print(f"wrote {PROBE_FILE}: held-out rank correlation {probe['held_out_spearman']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
