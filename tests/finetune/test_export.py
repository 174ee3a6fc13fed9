"""GGUF export: llama.cpp with the exported adapter gives the peft model's next-token distribution.

Tolerance: llama.cpp runs the Q4_K_M weights, transformers their float32 de-quantisation, so even the
bare base models differ (total variation ~0.04 between their next-token distributions). With the
adapter the same holds: TV(llama.cpp + adapter, peft) <= 0.08 on every prompt, the adapter's effect
(log-prob shift of the 50 likeliest tokens) correlates >= 0.9 between the two, and the adapter moves
the distribution a lot (TV >= 0.1), so a wrong orientation or scale cannot pass (alpha doubled
gives TV 0.25-0.42 and correlation ~0.7).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from deescal.app.errors import ModelError
from deescal.finetune.export_gguf import export_lora_gguf
from deescal.finetune.merge import merge_adapter
from deescal.models.adapter_check import check_adapter

from tests.finetune.shared_models import shared_models

pytestmark = pytest.mark.slow

PROMPTS = [
    "Police body-camera transcript.\nOfficer: Sir, can you step out of the car?\nDale (agitated, raising voice):",
    "Officer: How are you doing today, ma'am?\nMaria (calm):",
    "The capital of France is",
]


@pytest.fixture(scope="module")
def peft_adapter(tmp_path_factory):
    """A LoRA on every projection with random B (an untrained LoRA would change nothing)."""
    import torch
    from deescal.finetune.base_model import load_base
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    model, tokenizer = load_base(shared_models()[1])
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    model = get_peft_model(
        model, LoraConfig(r=8, lora_alpha=16, target_modules=targets, task_type="CAUSAL_LM")
    )
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.02)
    folder = tmp_path_factory.mktemp("peft")
    model.save_pretrained(folder)
    return model, tokenizer, folder


@pytest.fixture(scope="module")
def exported(peft_adapter, tmp_path_factory) -> Path:
    return export_lora_gguf(
        peft_adapter[2], shared_models()[0], tmp_path_factory.mktemp("gguf") / "test.gguf"
    )


@pytest.fixture(scope="module")
def llama_base() -> list[np.ndarray]:
    return _llama_logprobs(shared_models()[0])


@pytest.fixture(scope="module")
def small_adapter(tmp_path_factory) -> Path:
    """A LoRA on four layers only: merging re-quantises just the tensors it changes, so this stays quick."""
    import torch
    from deescal.finetune.base_model import load_base
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(1)
    model, _ = load_base(shared_models()[1])
    config = LoraConfig(
        r=8, lora_alpha=16, target_modules=["q_proj", "down_proj"], layers_to_transform=[0, 1, 2, 3]
    )
    model = get_peft_model(model, config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.05)
    folder = tmp_path_factory.mktemp("small-peft")
    model.save_pretrained(folder)
    return export_lora_gguf(folder, shared_models()[0], folder / "small.gguf")


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64) - x.max()
    return x - np.log(np.exp(x).sum())


def _llama_logprobs(model_path: Path, adapter: Path | None = None) -> list[np.ndarray]:
    import llama_cpp

    llm = llama_cpp.Llama(
        str(model_path),
        n_ctx=128,
        n_threads=2,
        logits_all=True,
        verbose=False,
        lora_path=str(adapter) if adapter else None,
    )
    out = []
    for prompt in PROMPTS:
        llm.reset()
        llm.eval(llm.tokenize(prompt.encode(), add_bos=True, special=True))
        out.append(_log_softmax(np.array(llm.scores[llm.n_tokens - 1])))
    llm.close()
    return out


def _peft_logprobs(model, tokenizer, adapter_on: bool) -> list[np.ndarray]:
    import contextlib

    import torch

    out = []
    context = contextlib.nullcontext() if adapter_on else model.disable_adapter()
    with torch.no_grad(), context:
        for prompt in PROMPTS:
            ids = torch.tensor([tokenizer(prompt)["input_ids"]])
            out.append(_log_softmax(model(input_ids=ids).logits[0, -1].numpy()))
    return out


def _tv(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(np.exp(a) - np.exp(b)).sum())


def test_exported_adapter_matches_peft_in_llama_cpp(peft_adapter, exported, llama_base):
    model, tokenizer, _ = peft_adapter
    gguf_path = shared_models()[0]
    info = check_adapter(exported, gguf_path)
    assert (info.rank, info.alpha, info.n_pairs) == (8, 16.0, 18 * 7)
    llama_lora = _llama_logprobs(gguf_path, exported)
    peft_base, peft_lora = _peft_logprobs(model, tokenizer, False), _peft_logprobs(model, tokenizer, True)
    for n in range(len(PROMPTS)):
        assert _tv(peft_base[n], peft_lora[n]) >= 0.1, "the adapter should change the distribution"
        assert _tv(llama_lora[n], peft_lora[n]) <= 0.08, n
        top = np.argsort(-peft_lora[n])[:50]
        shift_llama = (llama_lora[n] - llama_base[n])[top]
        shift_peft = (peft_lora[n] - peft_base[n])[top]
        assert np.corrcoef(shift_llama, shift_peft)[0, 1] >= 0.9, n


def test_merged_model_matches_base_plus_adapter(small_adapter, llama_base, tmp_path):
    merged = merge_adapter(shared_models()[0], small_adapter, tmp_path / "merged.gguf")
    assert not (tmp_path / "merged.gguf.partial").exists()
    with_adapter, alone = _llama_logprobs(shared_models()[0], small_adapter), _llama_logprobs(merged)
    for n in range(len(PROMPTS)):
        assert _tv(with_adapter[n], alone[n]) <= 0.1  # Q8_0 re-quantisation of the changed tensors
        assert _tv(llama_base[n], alone[n]) >= 0.1


def test_export_refuses_what_does_not_fit_and_leaves_no_file(peft_adapter, tmp_path):
    import shutil

    from safetensors.numpy import load_file, save_file

    broken = tmp_path / "broken"
    shutil.copytree(peft_adapter[2], broken)
    weights = load_file(broken / "adapter_model.safetensors")
    key = next(k for k in weights if "q_proj.lora_A" in k)
    weights[key] = weights[key][:, :-1].copy()  # one input column short
    save_file(weights, broken / "adapter_model.safetensors")
    with pytest.raises(ModelError):
        export_lora_gguf(broken, shared_models()[0], tmp_path / "out.gguf")
    assert list(tmp_path.glob("out.gguf*")) == []


def test_gguf_adapter_loads_back_into_peft_exactly(peft_adapter, exported):
    """Fine-tuning can start from a shipped GGUF adapter (the house one): A and B come back as trained."""
    import torch
    from deescal.finetune.base_model import load_base
    from deescal.finetune.export_gguf import load_lora_gguf
    from peft import LoraConfig, get_peft_model

    trained = peft_adapter[0]
    fresh, _ = load_base(shared_models()[1])
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    fresh = get_peft_model(
        fresh, LoraConfig(r=8, lora_alpha=16, target_modules=targets, task_type="CAUSAL_LM")
    )
    assert load_lora_gguf(fresh, exported) == 18 * len(targets)
    want = {k: v for k, v in trained.state_dict().items() if "lora_" in k}
    got = fresh.state_dict()
    assert want and all(torch.equal(got[k], v) for k, v in want.items())


def test_loading_an_adapter_of_another_rank_is_refused_by_name(exported):
    from deescal.finetune.base_model import load_base
    from deescal.finetune.export_gguf import load_lora_gguf
    from peft import LoraConfig, get_peft_model

    model, _ = load_base(shared_models()[1])
    model = get_peft_model(
        model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj"], task_type="CAUSAL_LM")
    )
    with pytest.raises(ModelError, match="q_proj"):
        load_lora_gguf(model, exported)


def test_a_resume_before_the_first_checkpoint_still_starts_from_the_given_adapter(exported, tmp_path):
    """Stopped before its first checkpoint, a run started from the house adapter restarts from it,
    not from an empty LoRA."""
    from deescal.finetune.dataset import Dialogue, save_dialogues
    from deescal.finetune.train import DIALOGUES_FILE, TrainConfig, train
    from deescal.scenario_library.scenario_files import load_bundled

    scenario = load_bundled().scenarios[0]
    turns = [("officer", "Hi, I'm Officer Daniels. What's going on?"), ("civilian", "He took my bike, man.")]
    save_dialogues(
        [Dialogue("a", scenario, turns), Dialogue("b", scenario, turns, split="validation")],
        tmp_path / DIALOGUES_FILE,
    )
    TrainConfig(
        base_dir=str(shared_models()[1]),
        init_adapter=str(exported),
        lora_r=8,
        lora_alpha=16,
        max_steps=1,
        grad_accum=1,
        max_length=96,
        val_samples=1,
    ).save(tmp_path)
    events: list[dict] = []
    train(tmp_path, resume=True, on_progress=events.append)  # no checkpoint in the job yet
    assert {"event": "status", "text": f"Starting from {exported.name}"} in events
