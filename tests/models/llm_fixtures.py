"""Shared real-model fixtures: the embedded GGUF assembled once per test run, loaded once per module."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import gguf
import pytest


@pytest.fixture(scope="session")
def embedded_path(tmp_path_factory) -> Path:
    from deescal.models.embedded import embedded_gguf, embedded_gguf_sha256
    from deescal.models.vocab_trim import role_play_copy

    path = embedded_gguf(tmp_path_factory.mktemp("embedded-models"))
    role_play_copy(path, embedded_gguf_sha256())  # made once here, then linked like the model
    return path


def link_embedded(models_dir: Path, source: Path) -> None:
    """Puts the embedded GGUF and its role-play copy into a data folder as hard links: no 253 + 115 MB
    copy (and disk) per test."""
    models_dir.mkdir(parents=True, exist_ok=True)
    for path in [source, *source.parent.glob(f"{source.stem}.role-play-*.gguf")]:
        target = models_dir / path.name
        if not target.exists():
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)
    target = models_dir / source.name
    marker = source.with_suffix(".verified.json")
    shutil.copy(marker, target.with_suffix(".verified.json"))


@pytest.fixture
def embedded_in_data_dir(data_dir, embedded_path) -> None:
    """The test's data folder gets the embedded model without assembling it again."""
    link_embedded(data_dir.models, embedded_path)


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


GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{% set role = 'model' if m['role'] == 'assistant' else 'user' %}"
    "<start_of_turn>{{ role }}\n{{ m['content'] }}<end_of_turn>\n{% endfor %}{{ '<start_of_turn>model\\n' }}"
)


def copy_with_chat_template(source: Path, target: Path, template: str = GEMMA_CHAT_TEMPLATE) -> Path:
    """A copy of a GGUF with ``tokenizer.chat_template`` added: header rewritten, tensors copied as-is."""
    import mmap
    import struct

    from deescal.models.gguf_info import _Cursor

    with source.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buffer:
        cursor = _Cursor(buffer)
        cursor.pos = 8
        n_tensors, n_fields = cursor.unpack("<Q"), cursor.unpack("<Q")
        alignment = 32
        for _ in range(n_fields):
            key = cursor.string()
            value = cursor.value(cursor.unpack("<I"))
            if key == "general.alignment":
                alignment = value
        kv_end = cursor.pos
        for _ in range(n_tensors):
            cursor.string()
            dims = cursor.unpack("<I")
            cursor.pos += 8 * dims + 4 + 8
        infos_end = cursor.pos
        data_start = -(-infos_end // alignment) * alignment
        key, text = b"tokenizer.chat_template", template.encode()
        extra = struct.pack("<Q", len(key)) + key + struct.pack("<I", 8) + struct.pack("<Q", len(text)) + text
        header = buffer[:8] + struct.pack("<QQ", n_tensors, n_fields + 1) + buffer[24:kv_end] + extra
        header += buffer[kv_end:infos_end]
        header += b"\0" * (-len(header) % alignment)
        with target.open("wb") as out:
            out.write(header)
            out.write(buffer[data_start:])
    return target
