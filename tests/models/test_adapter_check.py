"""A LoRA adapter is checked against the model before llama.cpp sees it (a mismatch would segfault)."""

from __future__ import annotations

import pytest
from deescal.app.errors import ModelError
from deescal.models.adapter_check import check_adapter
from deescal.models.gguf_info import read_gguf_info
from deescal.models.llm import LanguageModel

from tests.models.lora_files import write_lora_adapter


def test_header_of_the_embedded_model_is_read_fast_and_completely(embedded_path):
    info = read_gguf_info(embedded_path)
    assert info.architecture == "gemma3" and info.file_type == "model"
    assert info.tensors["blk.0.attn_q.weight"].shape == (640, 1024)
    assert info.chat_template is None  # a base model: prompted as a transcript


def test_matching_adapter_passes(tmp_path, embedded_path):
    info = check_adapter(write_lora_adapter(tmp_path / "good.gguf", rank=4), embedded_path)
    assert (info.rank, info.n_pairs, info.architecture) == (4, 36, "gemma3")


def test_mismatched_adapter_is_rejected_before_loading(tmp_path, embedded_path):
    bad = write_lora_adapter(tmp_path / "bad.gguf", wrong_shape=True)
    with pytest.raises(ModelError, match="does not fit the model"):
        LanguageModel.load(embedded_path, adapter_path=bad)


def test_adapter_for_another_architecture_is_rejected(tmp_path, embedded_path):
    other = write_lora_adapter(tmp_path / "llama.gguf", architecture="llama")
    with pytest.raises(ModelError, match="made for a llama model"):
        check_adapter(other, embedded_path)


def test_a_model_is_not_an_adapter(embedded_path):
    with pytest.raises(ModelError, match="not a LoRA adapter"):
        check_adapter(embedded_path, embedded_path)


def test_truncated_adapter_gives_a_clear_message(tmp_path, embedded_path):
    good = write_lora_adapter(tmp_path / "cut.gguf")
    good.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(ModelError, match="damaged or is not a GGUF file"):
        check_adapter(good, embedded_path)


def test_an_adapter_full_of_nan_is_refused(tmp_path, embedded_path):
    """A diverged training run writes NaN weights: llama.cpp would load them and the model write gibberish."""
    import numpy as np

    path = write_lora_adapter(tmp_path / "nan.gguf", rank=4)
    info = read_gguf_info(path, "adapter")
    first = min(info.tensors.values(), key=lambda t: t.offset)
    data = bytearray(path.read_bytes())
    at = info.data_start + first.offset
    data[at : at + 8] = np.array([np.nan, np.inf], dtype=np.float32).tobytes()
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="NaN or infinite values"):
        check_adapter(path, embedded_path)


def _header(fields: bytes, n_fields: int) -> bytes:
    import struct

    return b"GGUF" + struct.pack("<IQQ", 3, 0, n_fields) + fields


def _key(name: str) -> bytes:
    import struct

    return struct.pack("<Q", len(name)) + name.encode()


@pytest.mark.parametrize(
    "header",
    [
        # general.alignment = 0: the data offset would divide by zero
        _header(_key("general.alignment") + (4).to_bytes(4, "little") + (0).to_bytes(4, "little"), 1),
        # an array of arrays of arrays ... nested past Python's recursion limit
        _header(
            _key("x")
            + (9).to_bytes(4, "little")
            + ((9).to_bytes(4, "little") + (1).to_bytes(8, "little")) * 5000,
            1,
        ),
    ],
    ids=["zero-alignment", "deeply-nested-arrays"],
)
def test_hand_made_headers_get_the_damaged_message(tmp_path, header):
    path = tmp_path / "odd.gguf"
    path.write_bytes(header + bytes(64))
    with pytest.raises(ModelError, match="damaged or is not a GGUF file"):
        read_gguf_info(path)
