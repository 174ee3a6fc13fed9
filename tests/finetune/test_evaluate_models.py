"""The paper's evaluation with several sampled replies per boundary, on the real embedded model."""

from __future__ import annotations

from deescal.finetune.dataset import Dialogue
from deescal.finetune.evaluate_models import EvalSettings, ModelSpec, evaluate_models
from deescal.scenario_library.scenario_files import load_bundled

TURNS = [
    ("officer", "Hi, I'm Officer Daniels. What's going on?"),
    ("civilian", "He took my bike, man."),
    ("officer", "Someone took your bike? Which way did he go?"),
    ("civilian", "Down there, past the shop. It's red."),
]


def test_every_boundary_is_sampled_as_often_as_asked(embedded_path, tmp_path):
    dialogue = Dialogue("a", load_bundled().scenarios[0], TURNS)
    settings = EvalSettings(max_new_tokens=4, samples=3)
    seen: list[str] = []
    results = evaluate_models(
        [ModelSpec("base", embedded_path)],
        [dialogue],
        settings,
        lambda f, text: seen.append(text),
        data_root=tmp_path,
    )
    (result,) = results
    assert result.n_turns == 2 and len(result.predictions) == len(result.latencies) == 6
    assert any("reply 6 of 6" in text for text in seen)
    assert 0.0 <= result.rougeL <= 1.0 and result.latency_s > 0
