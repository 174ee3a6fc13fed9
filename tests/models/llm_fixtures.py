"""Shared real-model fixtures: the embedded GGUF assembled once per test run, loaded once per module."""

from __future__ import annotations

from pathlib import Path

import gguf
import pytest


@pytest.fixture(scope="session")
def embedded_path(tmp_path_factory) -> Path:
    from deescal.models.embedded import embedded_gguf

    return embedded_gguf(tmp_path_factory.mktemp("embedded-models"))


@pytest.fixture(scope="module")
def llm(embedded_path):
    from deescal.models.llm import LanguageModel

    model = LanguageModel.load(embedded_path, n_ctx=1024)
    yield model
    model.close()


def write_tiny_model(path: Path, chat_template: str | None = None) -> Path:
    """A small, valid GGUF "model" (header and one tensor): enough for registration, not for loading."""
    import numpy as np

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_context_length(8192)
    if chat_template:
        writer.add_chat_template(chat_template)
    writer.add_tensor("output_norm.weight", np.ones(16, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
