"""Writes a trained peft LoRA as a llama.cpp GGUF LoRA adapter, with the ``gguf`` package alone.

Follows llama.cpp's own ``convert_lora_to_gguf.py``: tensor names come from gguf's tensor-name map
for the base architecture plus ``.lora_a`` / ``.lora_b``; peft's A (``[r, in]``) and B
(``[out, r]``) are written as they are (no transpose; Gemma's projections are not permuted), and
``adapter.lora.alpha`` holds peft's ``lora_alpha``, so llama.cpp's scale ``alpha / r`` equals
peft's. The file is written beside the target, checked with the app's adapter check against the
base GGUF, and only then moved into place, so a failure never leaves a half-written adapter.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from deescal.app.errors import ModelError, UserFacingError
from deescal.models.adapter_check import check_adapter
from deescal.models.gguf_info import read_gguf_info
from deescal.models.gguf_output import gguf_output

PEFT_PREFIX = "base_model.model."


def gguf_arch(name: str):
    import gguf

    for arch, arch_name in gguf.MODEL_ARCH_NAMES.items():
        if arch_name == name:
            return arch
    raise ModelError(f"The gguf package does not know the model architecture '{name}'.")


def lora_pairs(adapter_dir: Path) -> tuple[dict[str, dict[str, Any]], dict]:
    """{hf module weight name: {"A": array [r, in], "B": array [out, r]}}, and the adapter config."""
    from safetensors.numpy import load_file

    config = json.loads((Path(adapter_dir) / "adapter_config.json").read_text())
    weights = load_file(Path(adapter_dir) / "adapter_model.safetensors")
    pairs: dict[str, dict[str, Any]] = {}
    for key, value in weights.items():
        for marker, part in ((".lora_A.weight", "A"), (".lora_B.weight", "B")):
            if key.endswith(marker):
                module = key[: -len(marker)].removeprefix(PEFT_PREFIX)
                pairs.setdefault(module + ".weight", {})[part] = value
                break
        else:
            raise ModelError(f"The trained adapter holds '{key}', which is not a LoRA A/B matrix.")
    return pairs, config


def export_lora_gguf(
    adapter_dir: Path, base_gguf: Path, out_path: Path, name: str = "", metadata: dict[str, str] | None = None
) -> Path:
    """Writes ``out_path`` (a GGUF LoRA adapter for ``base_gguf``) from a peft adapter folder."""
    import gguf
    import numpy as np

    base = read_gguf_info(base_gguf)
    arch = gguf_arch(base.architecture)
    n_blocks = int(base.metadata.get(f"{base.architecture}.block_count", 0))
    names = gguf.get_tensor_name_map(arch, n_blocks)
    pairs, config = lora_pairs(adapter_dir)
    rank = int(config["r"])
    alpha = float(config["lora_alpha"])
    if config.get("use_rslora"):
        alpha *= math.sqrt(rank)  # peft scales by alpha/sqrt(r); llama.cpp always by alpha/r

    out_path = Path(out_path)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with gguf_output(
            out_path, base.architecture, check=lambda written: check_adapter(written, base)
        ) as writer:
            writer.add_type(gguf.GGUFType.ADAPTER)
            writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
            writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
            writer.add_name(name or out_path.stem)
            for key, value in (metadata or {}).items():
                writer.add_string(f"deescal.{key}", str(value))
            for hf_name in sorted(pairs):
                parts = pairs[hf_name]
                target = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
                if target is None or target not in base.tensors or set(parts) != {"A", "B"}:
                    raise ModelError(
                        f"Cannot map the trained module '{hf_name}' to a tensor of {base.path.name}."
                    )
                writer.add_tensor(target + ".lora_a", np.ascontiguousarray(parts["A"], dtype=np.float32))
                writer.add_tensor(target + ".lora_b", np.ascontiguousarray(parts["B"], dtype=np.float32))
    except OSError as exc:
        raise UserFacingError(f"Cannot write the adapter to {out_path}: {exc.strerror or exc}.") from exc
    return out_path


def load_lora_gguf(peft_model, adapter_path: Path) -> int:
    """Copies a GGUF LoRA adapter's A/B matrices into a peft model's LoRA weights (the inverse of
    :func:`export_lora_gguf`), so training can continue from a shipped adapter; returns the count.

    The peft model must have the same rank and target modules; any mismatch is refused by name.
    """
    import gguf
    import torch

    reader = gguf.GGUFReader(str(adapter_path))
    tensors = {t.name: t for t in reader.tensors}
    arch = gguf_arch(str(bytes(reader.fields["general.architecture"].parts[-1]), "utf-8"))
    config = peft_model.base_model.model.config
    names = gguf.get_tensor_name_map(arch, int(config.num_hidden_layers))
    loaded = 0
    for module_name, module in peft_model.named_modules():
        if not hasattr(module, "lora_A") or "default" not in getattr(module, "lora_A", {}):
            continue
        hf_name = module_name.removeprefix(PEFT_PREFIX) + ".weight"
        target = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        parts = [tensors.get(f"{target}.lora_{x}") for x in ("a", "b")] if target else [None, None]
        weights = (module.lora_A["default"].weight, module.lora_B["default"].weight)
        if any(p is None for p in parts):
            raise ModelError(f"{Path(adapter_path).name} has no LoRA weights for '{hf_name}'.")
        for tensor, weight in zip(parts, weights, strict=True):
            shape = tuple(reversed([int(n) for n in tensor.shape]))  # GGUF lists dimensions innermost first
            if shape != tuple(weight.shape):
                raise ModelError(
                    f"{Path(adapter_path).name}: '{hf_name}' is {shape}, the model expects {tuple(weight.shape)} "
                    "(train with the adapter's rank and target modules)."
                )
            with torch.no_grad():
                weight.copy_(torch.from_numpy(tensor.data.reshape(shape).astype("float32")))
        loaded += 1
    if not loaded:
        raise ModelError(f"{Path(adapter_path).name} matched none of the model's LoRA modules.")
    return loaded
