"""Reference metrics (ROUGE-L, BLEU-4, METEOR, BERTScore F1) through ``evaluate``, fully offline.

``evaluate.load("rouge")`` needs the network, so each metric is a module script in this package
(``modules/<name>/<name>.py``) loaded by path. Loaded modules are kept for the life of the process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from deescal.app.errors import UserFacingError
from deescal.app.metrics.wordnet import find_wordnet
from deescal.app.paths import resolve_data_dir

MODULES_DIR = Path(__file__).resolve().parent / "modules"
METRIC_KEYS = ("rougeL", "bleu4", "meteor", "bertscore_f1")
_MODULE_FOR_KEY = {"rougeL": "rouge_l", "bleu4": "bleu4", "meteor": "meteor", "bertscore_f1": "bertscore"}
BERTSCORE_LAYERS = 6  # all-MiniLM-L6-v2 has 6 layers; bert-score has no default for a local folder

_loaded: dict[str, Any] = {}
_lock = threading.Lock()


def metric_module(name: str):
    """The ``evaluate`` module for ``name`` (a folder under ``modules/``), loaded once."""
    with _lock:
        if name not in _loaded:
            for var in ("HF_EVALUATE_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
                os.environ[var] = "1"
            import evaluate

            script = MODULES_DIR / name / f"{name}.py"
            _loaded[name] = evaluate.load(str(script), keep_in_memory=True)
        return _loaded[name]


def compute_metrics(
    predictions: list[str],
    references: list[str],
    metrics: tuple[str, ...] = METRIC_KEYS,
    data_root: Path | None = None,
) -> dict[str, float]:
    """Mean scores of ``predictions`` against ``references`` (pairwise), each on a 0-1 scale.

    Keys: ``rougeL``, ``bleu4`` (corpus BLEU-4, smoothed), ``meteor``, ``bertscore_f1``; ``metrics``
    picks a subset. ``data_root`` is where WordNet is assembled if needed (default: the data dir).
    """
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    unknown = set(metrics) - set(METRIC_KEYS)
    if unknown:
        raise ValueError(f"unknown metrics {sorted(unknown)}; known: {', '.join(METRIC_KEYS)}")
    predictions = [str(p).strip() for p in predictions]
    references = [str(r).strip() for r in references]
    if not predictions:
        return dict.fromkeys(metrics, 0.0)
    results: dict[str, float] = {}
    for key in metrics:
        extra: dict[str, Any] = {}
        if key == "meteor":
            root = data_root if data_root is not None else resolve_data_dir().root
            extra["wordnet_dir"] = str(find_wordnet(root))
        elif key == "bertscore_f1":
            extra["model_dir"] = str(_minilm_dir())
            extra["num_layers"] = BERTSCORE_LAYERS
        module = metric_module(_MODULE_FOR_KEY[key])
        output = module.compute(predictions=predictions, references=references, **extra)
        results[key] = min(1.0, max(0.0, float(output[key])))  # float noise can pass 1.0
    return results


def _minilm_dir() -> Path:
    from deescal.models.embedded import minilm_model_dir

    folder = minilm_model_dir()
    if not (folder / "config.json").is_file():
        raise UserFacingError(
            f"The sentence encoder for BERTScore is incomplete in {folder}; reinstall the app."
        )
    return folder
