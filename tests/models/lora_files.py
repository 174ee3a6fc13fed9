"""Writes small LoRA adapter GGUFs for tests, the way the fine-tune export does (gguf package only)."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np


def write_lora_adapter(
    path: Path, *, rank: int = 4, wrong_shape: bool = False, architecture: str = "gemma3", scale: float = 0.0
) -> Path:
    """A rank-``rank`` adapter on every q/v projection of the embedded Gemma 3 270M.

    ``wrong_shape`` writes B for a model twice as wide (what an adapter for another model looks like).
    ``scale`` 0 gives an adapter that changes nothing, so generation stays as without it.
    """
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(rank))
    rng = np.random.default_rng(0)
    for block in range(18):
        for name, out_features in (("attn_q", 1024), ("attn_v", 256)):
            out = out_features * (2 if wrong_shape else 1)
            a = (rng.standard_normal((rank, 640)) * scale).astype(np.float32)  # peft A: [r, in]
            b = (rng.standard_normal((out, rank)) * scale).astype(np.float32)  # peft B: [out, r]
            writer.add_tensor(f"blk.{block}.{name}.weight.lora_a", a)
            writer.add_tensor(f"blk.{block}.{name}.weight.lora_b", b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
