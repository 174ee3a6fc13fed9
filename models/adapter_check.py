"""Checks a LoRA adapter GGUF against its base model before llama.cpp loads it.

llama.cpp logs a mismatched adapter and carries on; llama-cpp-python does not raise, and the next
decode crashes the whole process. So every adapter is checked here first, with the same rules
llama.cpp applies (``llama-adapter.cpp``), and a mismatch becomes a clear :class:`ModelError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from deescal.app.errors import ModelError
from deescal.models.gguf_info import GGUFInfo, read_gguf_info

LORA_A, LORA_B = ".lora_a", ".lora_b"


@dataclass(frozen=True)
class AdapterInfo:
    path: Path
    architecture: str
    rank: int
    alpha: float
    n_pairs: int


def _pairs(adapter: GGUFInfo) -> dict[str, dict[str, tuple[int, ...]]]:
    pairs: dict[str, dict[str, tuple[int, ...]]] = {}
    for name, tensor in adapter.tensors.items():
        for suffix in (LORA_A, LORA_B):
            if name.endswith(suffix):
                pairs.setdefault(name[: -len(suffix)], {})[suffix] = tensor.shape
                break
        else:
            raise ModelError(
                f"The adapter {adapter.path.name} holds the tensor '{name}', which is not a LoRA A/B "
                "matrix. Export the adapter again from the Fine-tune page."
            )
    return pairs


def _shape_problem(base: str, model_shape: tuple[int, ...], a: tuple[int, ...], b: tuple[int, ...]) -> str:
    if len(a) != 2 or len(b) != 2 or len(model_shape) < 2:
        return "is not a matrix"
    if base == "token_embd.weight":
        if model_shape[0] != b[1] or model_shape[1] != a[1]:
            return f"has shapes A{a} B{b} that do not fit the model's {model_shape}"
        return ""
    if model_shape[0] != a[0] or model_shape[1] != b[1]:
        return f"has shapes A{a} B{b} that do not fit the model's {model_shape}"
    if a[1] != b[0]:
        return f"has A{a} and B{b} of different rank"
    return ""


def check_adapter(adapter_path: str | Path, model: GGUFInfo | str | Path) -> AdapterInfo:
    """Raises :class:`ModelError` unless the adapter fits ``model`` exactly; returns what it holds."""
    model_info = model if isinstance(model, GGUFInfo) else read_gguf_info(model)
    adapter = read_gguf_info(adapter_path, what="adapter")
    label = adapter.path.name
    if adapter.file_type != "adapter" or adapter.metadata.get("adapter.type") != "lora":
        kind = "a full model" if adapter.file_type == "model" else f"a '{adapter.file_type}' file"
        raise ModelError(f"{label} is {kind}, not a LoRA adapter. Choose an adapter GGUF.")
    if adapter.architecture != model_info.architecture:
        raise ModelError(
            f"The adapter {label} was made for a {adapter.architecture or 'unknown'} model, but the "
            f"selected model is {model_info.architecture}. Choose the model it was trained on."
        )
    pairs = _pairs(adapter)
    if not pairs:
        raise ModelError(f"The adapter {label} holds no LoRA weights.")
    ranks = set()
    for base, parts in sorted(pairs.items()):
        if LORA_A not in parts or LORA_B not in parts:
            missing = LORA_B if LORA_A in parts else LORA_A
            raise ModelError(f"The adapter {label} lacks '{base}{missing}'; it is incomplete.")
        if base not in model_info.tensors:
            raise ModelError(
                f"The adapter {label} changes '{base}', which the model {model_info.path.name} does not "
                "have. It was trained on a different model."
            )
        problem = _shape_problem(base, model_info.tensors[base].shape, parts[LORA_A], parts[LORA_B])
        if problem:
            raise ModelError(
                f"The adapter {label} does not fit the model {model_info.path.name}: '{base}' {problem}. "
                "It was trained on a different model; choose the matching model or adapter."
            )
        ranks.add(parts[LORA_B][0] if base != "token_embd.weight" else parts[LORA_A][0])
    broken = _first_non_finite(adapter)
    if broken:
        raise ModelError(
            f"The adapter {label} holds NaN or infinite values in '{broken}' (a training run that "
            "diverged); it would make the model write gibberish. Train it again or choose another."
        )
    return AdapterInfo(
        path=adapter.path,
        architecture=adapter.architecture,
        rank=max(ranks),
        alpha=float(adapter.metadata.get("adapter.lora.alpha", 0.0)),
        n_pairs=len(pairs),
    )


_FLOAT_TYPES = {0: np.float32, 1: np.float16}  # what LoRA adapters are stored as (GGML F32, F16)


def _first_non_finite(adapter: GGUFInfo) -> str | None:
    """The first float tensor with a NaN or an infinity in it, if any (the file is mapped, not read)."""
    data = np.memmap(adapter.path, dtype=np.uint8, mode="r")
    for tensor in adapter.tensors.values():
        dtype = _FLOAT_TYPES.get(tensor.type)
        if dtype is None:
            continue
        count = int(np.prod(tensor.shape, dtype=np.int64))
        values = np.frombuffer(data, dtype=dtype, count=count, offset=adapter.data_start + tensor.offset)
        if not np.isfinite(values).all():
            return tensor.name
    return None
