"""The model registry: embedded default, GGUFs added by path (checked, hashed), adapters attached."""

from __future__ import annotations

import pytest
from deescal.app.errors import ModelError, UserFacingError
from deescal.models.embedded import EMBEDDED_LLM_NAME
from deescal.models.registry import ModelRegistry

from tests.models.llm_fixtures import write_tiny_model
from tests.models.lora_files import write_lora_adapter

CHAT_TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}<|assistant|>"


@pytest.fixture
def registry(ctx, embedded_in_data_dir):
    return ctx.service(ModelRegistry)


def test_embedded_model_is_registered_as_the_default(registry):
    models = registry.list()
    assert [m.name for m in models] == [EMBEDDED_LLM_NAME]
    default = registry.default()
    assert default.is_default and default.prompt_style == "completion" and default.embedded
    assert len(default.sha256) == 64 and default.size_bytes > 200_000_000
    assert registry.model_file(default).is_file()


def test_add_by_path_records_prompt_style_and_becomes_default(registry, tmp_path):
    chat = registry.add(write_tiny_model(tmp_path / "tiny-chat.gguf", CHAT_TEMPLATE))
    plain = registry.add(write_tiny_model(tmp_path / "plain.gguf"), name="plain model")
    assert (chat.name, chat.prompt_style, chat.context_length) == ("tiny-chat", "chat", 8192)
    assert plain.prompt_style == "completion"
    assert registry.set_default("tiny-chat").is_default
    assert registry.default().name == "tiny-chat"
    registry.remove("tiny-chat")
    assert registry.default().name == EMBEDDED_LLM_NAME


def test_add_refuses_duplicates_adapters_and_junk(registry, tmp_path):
    model = write_tiny_model(tmp_path / "tiny.gguf")
    registry.add(model)
    with pytest.raises(UserFacingError, match="already exists"):
        registry.add(model)
    with pytest.raises(UserFacingError, match="already registered as 'tiny'"):
        registry.add(model, name="again")
    with pytest.raises(ModelError, match="not a model"):
        registry.add(write_lora_adapter(tmp_path / "lora.gguf"))
    junk = tmp_path / "junk.gguf"
    junk.write_text("not a model")
    with pytest.raises(ModelError, match="junk.gguf is damaged"):
        registry.add(junk)
    with pytest.raises(ModelError, match="No language model called 'nope'"):
        registry.get("nope")


def test_moved_model_file_is_reported(registry, tmp_path):
    record = registry.add(write_tiny_model(tmp_path / "moving.gguf"))
    (tmp_path / "moving.gguf").unlink()
    with pytest.raises(ModelError, match="is missing"):
        registry.model_file(record)


def test_adapters_are_checked_then_attached(registry, tmp_path):
    with pytest.raises(ModelError, match="does not fit"):
        registry.add_adapter(write_lora_adapter(tmp_path / "bad.gguf", wrong_shape=True))
    added = registry.add_adapter(write_lora_adapter(tmp_path / "good.gguf"), name="calm-civilians")
    assert added.base_model_sha256 == registry.default().sha256 and not added.is_active
    assert registry.set_active_adapter("calm-civilians").is_active
    assert registry.active_adapter().name == "calm-civilians"
    registry.set_active_adapter(None)
    assert registry.active_adapter() is None
