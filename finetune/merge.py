"""Merges a GGUF LoRA adapter into its base GGUF: one standalone model file, no adapter needed.

Every tensor the adapter changes is de-quantised, gets ``W + (alpha / r) * B @ A`` added, and is
stored as Q8_0 (finer than the base's 4-6 bit types, so the merge adds almost no error); all other
tensors and all metadata are copied byte for byte. Written beside the target, then moved into place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from deescal.app.errors import ModelError
from deescal.models.adapter_check import check_adapter
from deescal.models.gguf_output import gguf_output

MERGED_TYPE_NAME = "Q8_0"


def _copy_metadata(reader, writer, name: str) -> None:
    import gguf

    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == gguf.Keys.General.ARCHITECTURE:
            continue  # written by the writer itself
        if field.name == gguf.Keys.General.NAME:
            writer.add_name(name)
            continue
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), kind, sub_type=sub)


def merge_adapter(
    base_gguf: Path,
    adapter_gguf: Path,
    out_path: Path,
    name: str = "",
    progress: Callable[[float, str], None] | None = None,
) -> Path:
    """Writes ``out_path``: ``base_gguf`` with ``adapter_gguf`` folded into its weights."""
    import gguf
    import numpy as np

    report = progress or (lambda fraction, text: None)
    info = check_adapter(adapter_gguf, base_gguf)
    report(0.02, "Reading the adapter")
    adapter = gguf.GGUFReader(str(adapter_gguf))
    lora = {t.name: np.asarray(t.data, dtype=np.float32) for t in adapter.tensors}
    report(0.05, "Reading the base model")
    base = gguf.GGUFReader(str(base_gguf))
    arch = str(base.fields[gguf.Keys.General.ARCHITECTURE].contents())
    out_path = Path(out_path)
    with gguf_output(out_path, arch) as writer:
        _copy_metadata(base, writer, name or out_path.stem)
        count = len(base.tensors)
        for n, tensor in enumerate(base.tensors):
            a, b = lora.get(tensor.name + ".lora_a"), lora.get(tensor.name + ".lora_b")
            if a is None or b is None:
                writer.add_tensor(
                    tensor.name, tensor.data, raw_shape=tensor.data.shape, raw_dtype=tensor.tensor_type
                )
                continue
            weight = gguf.quants.dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
            delta = (info.alpha / a.shape[0]) * (b @ a)  # B [out, r] @ A [r, in] -> [out, in]
            if delta.shape != weight.shape:
                raise ModelError(
                    f"The adapter does not fit '{tensor.name}' ({delta.shape} vs {weight.shape})."
                )
            merged = gguf.quants.quantize(weight + delta, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(tensor.name, merged, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
            report(0.05 + 0.85 * n / count, f"Merging {tensor.name}")
        report(0.92, "Writing the merged model")
    report(1.0, f"Merged model written to {out_path.name}")
    return out_path
