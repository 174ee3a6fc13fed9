"""A LoRA adapter is checked against the model before llama.cpp sees it (a mismatch would segfault)."""

from __future__ import annotations

import pytest
from deescal.app.errors import ModelError
from deescal.models.adapter_check import check_adapter
from deescal.models.gguf_info import read_gguf_info
from deescal.models.llm import LanguageModel

from tests.models.llm_fixtures import embedded_path  # noqa: F401 (fixture)
from tests.models.lora_files import write_lora_adapter


def test_header_of_the_embedded_model_is_read_fast_and_completely(embedded_path):  # noqa: F811
    info = read_gguf_info(embedded_path)
    assert info.architecture == "gemma3" and info.file_type == "model"
    assert info.tensors["blk.0.attn_q.weight"].shape == (640, 1024)
    assert info.chat_template is None  # a base model: prompted as a transcript


def test_matching_adapter_passes(tmp_path, embedded_path):  # noqa: F811
    info = check_adapter(write_lora_adapter(tmp_path / "good.gguf", rank=4), embedded_path)
    assert (info.rank, info.n_pairs, info.architecture) == (4, 36, "gemma3")


def test_mismatched_adapter_is_rejected_before_loading(tmp_path, embedded_path):  # noqa: F811
    bad = write_lora_adapter(tmp_path / "bad.gguf", wrong_shape=True)
    with pytest.raises(ModelError, match="does not fit the model"):
        LanguageModel.load(embedded_path, adapter_path=bad)


def test_adapter_for_another_architecture_is_rejected(tmp_path, embedded_path):  # noqa: F811
    other = write_lora_adapter(tmp_path / "llama.gguf", architecture="llama")
    with pytest.raises(ModelError, match="made for a llama model"):
        check_adapter(other, embedded_path)


def test_a_model_is_not_an_adapter(embedded_path):  # noqa: F811
    with pytest.raises(ModelError, match="not a LoRA adapter"):
        check_adapter(embedded_path, embedded_path)


def test_truncated_adapter_gives_a_clear_message(tmp_path, embedded_path):  # noqa: F811
    good = write_lora_adapter(tmp_path / "cut.gguf")
    good.write_bytes(good.read_bytes()[:5000])
    with pytest.raises(ModelError, match="damaged or is not a GGUF file"):
        check_adapter(good, embedded_path)
