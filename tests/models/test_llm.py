"""The llama.cpp back end on the real embedded GGUF: streaming, cancel, KV-cache reuse, clear errors."""

from __future__ import annotations

from dataclasses import replace

import pytest
from deescal.app.errors import ModelError
from deescal.models.llm import PAPER_PROTOCOL, ROLE_PLAY, Contrast, LanguageModel, default_threads

from tests.models.llm_fixtures import llm  # noqa: F401 (fixture)
from tests.models.lora_files import write_lora_adapter

PROMPT = "Police body-camera transcript.\n\nOfficer: Good evening. Do you know why I stopped you?\nDriver:"


def test_streams_a_reply_and_is_repeatable_with_a_seed(llm):  # noqa: F811
    pieces: list[str] = []
    first = llm.generate(PROMPT, max_tokens=8, stop=["\n"], seed=3, on_text=pieces.append)
    assert first.text and "".join(pieces) == first.text
    assert 1 <= first.n_tokens <= 9 and first.first_token_s is not None
    again = llm.generate(PROMPT, max_tokens=8, stop=["\n"], seed=3)
    assert again.text == first.text


def test_next_turn_only_evaluates_the_new_tokens(llm):  # noqa: F811
    first = llm.generate(PROMPT, max_tokens=6, stop=["\n"], seed=1)
    longer = PROMPT + first.text + "\nOfficer: Can I see your licence, please?\nDriver:"
    second = llm.generate(longer, max_tokens=4, stop=["\n"], seed=1)
    assert second.evaluated_tokens < 25 < second.prompt_tokens


def test_cancel_stops_mid_reply(llm):  # noqa: F811
    result = llm.generate(PROMPT, max_tokens=40, seed=2, cancelled=lambda: True)
    assert result.finish == "cancelled" and result.n_tokens <= 3


def test_enough_ends_a_reply_early(llm):  # noqa: F811
    result = llm.generate(PROMPT, max_tokens=40, seed=2, enough=lambda text: len(text) > 0)
    assert result.finish == "done" and result.n_tokens <= 3


def test_prompt_larger_than_the_context_is_a_clear_error(llm):  # noqa: F811
    with pytest.raises(ModelError, match="no longer fits"):
        llm.generate("word " * 1100, max_tokens=4)


def test_corrupt_gguf_gives_a_clear_message(tmp_path):
    junk = tmp_path / "model.gguf"
    junk.write_bytes(b"\x00garbage" * 4096)
    with pytest.raises(ModelError, match="model.gguf is damaged or is not a GGUF file"):
        LanguageModel.load(junk)


def test_truncated_gguf_gives_a_clear_message(tmp_path, embedded_path):
    cut = tmp_path / "cut.gguf"
    with embedded_path.open("rb") as source:
        cut.write_bytes(source.read(3_000_000))
    with pytest.raises(ModelError, match="cut short"):
        LanguageModel.load(cut)


def test_adapter_file_is_not_loaded_as_a_model(tmp_path):
    adapter = write_lora_adapter(tmp_path / "adapter.gguf")
    with pytest.raises(ModelError, match="not a language model"):
        LanguageModel.load(adapter)


def test_matching_adapter_loads_and_generates(tmp_path, embedded_path):
    adapter = write_lora_adapter(tmp_path / "zero.gguf", scale=0.0)
    model = LanguageModel.load(embedded_path, adapter_path=adapter, n_ctx=256)
    try:
        result = model.generate(PROMPT, max_tokens=4, stop=["\n"], seed=3)
    finally:
        model.close()
    assert model.adapter_path == adapter and result.n_tokens >= 1


def test_threads_follow_the_cpu():
    assert 1 <= default_threads() <= 8


def test_a_closed_model_raises_instead_of_crashing(embedded_path):
    model = LanguageModel.load(embedded_path, n_ctx=256)
    model.close()
    model.close()
    with pytest.raises(ModelError, match="was unloaded"):
        model.generate(PROMPT, max_tokens=2)


def test_avoid_start_makes_a_retry_begin_differently(llm):  # noqa: F811
    greedy = ROLE_PLAY.with_overrides(temperature=0.0)
    first = llm.generate(PROMPT, max_tokens=6, stop=["\n"], seed=4, sampling=greedy)
    again = llm.generate(PROMPT, max_tokens=6, stop=["\n"], seed=4, sampling=greedy, avoid_start=first.text)
    assert first.text.split()[0] != again.text.split()[0]


def test_the_paper_protocol_is_seeded_and_takes_overrides(llm):  # noqa: F811
    paper = [llm.generate(PROMPT, max_tokens=12, stop=["\n"], seed=9, sampling=PAPER_PROTOCOL) for _ in "ab"]
    assert paper[0].text == paper[1].text  # seeded: the evaluation is repeatable
    assert (PAPER_PROTOCOL.temperature, PAPER_PROTOCOL.top_p, PAPER_PROTOCOL.top_k) == (0.6, 0.9, 0)
    assert PAPER_PROTOCOL.with_overrides(top_p=0.5) == replace(PAPER_PROTOCOL, top_p=0.5)
    assert PAPER_PROTOCOL.with_overrides(temperature=None) == PAPER_PROTOCOL


def test_contrast_favours_what_the_prompt_adds_and_keeps_the_cache_warm(llm):  # noqa: F811
    greedy = ROLE_PLAY.with_overrides(temperature=0.0)
    asked = PROMPT.replace("Do you know why I stopped you?", "What is your name?")
    unsaid = PROMPT.replace("Do you know why I stopped you?", "...")
    plain = llm.generate(asked, max_tokens=8, stop=["\n"], seed=5, sampling=greedy)
    contrasted = llm.generate(
        asked, max_tokens=8, stop=["\n"], seed=5, sampling=greedy, contrast=Contrast(unsaid, weight=3.0)
    )
    assert contrasted.text and contrasted.text != plain.text
    again = llm.generate(
        asked, max_tokens=8, stop=["\n"], seed=5, sampling=greedy, contrast=Contrast(unsaid, weight=3.0)
    )
    assert again.text == contrasted.text  # seeded and repeatable, like a plain reply
    assert llm.prefill_contrast(unsaid) == 0  # the contrast prompt stays in its own cache
    assert llm.generate(asked, max_tokens=8, stop=["\n"], seed=5, sampling=greedy).text == plain.text


def test_contrast_and_a_banned_start_apply_together(llm):  # noqa: F811
    greedy = ROLE_PLAY.with_overrides(temperature=0.0)
    unsaid = Contrast(PROMPT.replace("Do you know why I stopped you?", "..."))
    first = llm.generate(PROMPT, max_tokens=6, stop=["\n"], seed=4, sampling=greedy, contrast=unsaid)
    again = llm.generate(
        PROMPT, max_tokens=6, stop=["\n"], seed=4, sampling=greedy, contrast=unsaid, avoid_start=first.text
    )
    assert first.text.split()[0] != again.text.split()[0]
