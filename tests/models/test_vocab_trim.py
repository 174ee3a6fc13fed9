"""The role-play copy of the embedded model: fewer tokens, the same tokenization and the same scores."""

from __future__ import annotations

import os

import numpy as np
import pytest
from deescal.app.roleplay.persona import render_prompt
from deescal.models.embedded import embedded_gguf_sha256
from deescal.models.vocab_trim import KEEP_LIST, read_keep_list, role_play_copy, write_keep_list
from deescal.scenario_library.scenario_files import load_bundled
from llama_cpp import Llama


@pytest.fixture(scope="module")
def both(embedded_path):
    copy = role_play_copy(embedded_path, embedded_gguf_sha256())
    full = Llama(model_path=str(embedded_path), n_ctx=1024, n_threads=2, verbose=False)
    trimmed = Llama(model_path=str(copy), n_ctx=1024, n_threads=2, verbose=False)
    yield full, trimmed, read_keep_list()[1]
    full.close()
    trimmed.close()


def test_the_list_is_for_the_embedded_model_and_a_quarter_of_its_vocabulary():
    sha, keep = read_keep_list()
    assert sha == embedded_gguf_sha256()
    assert 20_000 < len(keep) < 262_144 // 3 and keep == sorted(set(keep))


def test_every_bundled_scenarios_prompt_tokenizes_exactly_as_with_the_full_model(both):
    full, trimmed, keep = both
    history = [
        ("officer", "Hi, I'm Officer Diaz. What's going on tonight?"),
        ("civilian", "I don't want to talk to you. Just leave me alone."),
        ("officer", "Okay. I hear you. What should I call you?"),
    ]
    differ = []
    for scenario in load_bundled().scenarios:
        prompt = render_prompt(scenario, history, 6.0, turn_tensions=[6.5]).encode()
        if [keep[i] for i in trimmed.tokenize(prompt)] != full.tokenize(prompt):
            differ.append(scenario.case_id)
    assert not differ, (
        f"run python -m deescal.finetune.vocabulary: these prompts tokenize differently: {differ}"
    )


def test_the_kept_tokens_score_exactly_as_in_the_full_model(both):
    full, trimmed, keep = both
    prompt = b"Officer: Sir, can you put the bottle down for me?\nCivilian (angry):"
    for model in (full, trimmed):
        model.reset()
        model.eval(model.tokenize(prompt))
    full_scores = np.asarray(full.scores[full.n_tokens - 1])
    trimmed_scores = np.asarray(trimmed.scores[trimmed.n_tokens - 1])
    assert trimmed_scores.shape == (len(keep),)
    assert np.allclose(trimmed_scores, full_scores[keep], atol=1e-4)
    assert keep[int(trimmed_scores.argmax())] == int(full_scores.argmax())


def test_the_copy_is_made_once_and_only_for_the_model_its_list_was_made_for(embedded_path, tmp_path):
    copy = role_play_copy(embedded_path, embedded_gguf_sha256())
    written = copy.stat().st_mtime_ns
    assert (
        role_play_copy(embedded_path, embedded_gguf_sha256()) == copy and copy.stat().st_mtime_ns == written
    )
    other = tmp_path / "other.txt"
    write_keep_list("0" * 64, read_keep_list()[1], other)
    assert role_play_copy(embedded_path, embedded_gguf_sha256(), keep_list=other) == embedded_path
    broken = tmp_path / "broken.txt"
    broken.write_text(f"# base sha256 {embedded_gguf_sha256()}\nnot a number\n")
    assert role_play_copy(embedded_path, embedded_gguf_sha256(), keep_list=broken) == embedded_path
    assert role_play_copy(embedded_path, embedded_gguf_sha256(), keep_list=tmp_path / "none") == embedded_path
    updated = tmp_path / "models" / embedded_path.name  # an install whose update ships a new list
    updated.parent.mkdir()
    os.link(embedded_path, updated)
    old = role_play_copy(updated, embedded_gguf_sha256())
    rewritten = tmp_path / "rewritten.txt"  # as many tokens as the shipped list, one of them different
    keep = read_keep_list()[1]
    write_keep_list(embedded_gguf_sha256(), [*keep[:-1], keep[-1] + 1], rewritten)
    fresh = role_play_copy(updated, embedded_gguf_sha256(), keep_list=rewritten)
    assert fresh.is_file() and fresh.name != old.name
    assert not old.exists()  # the copy made from the old list is removed
    assert KEEP_LIST.is_file()


def test_the_role_play_loads_the_copy_of_the_embedded_model(ctx, embedded_in_data_dir):
    from deescal.app.roleplay.service import RoleplayService

    service = ctx.service(RoleplayService)
    try:
        llm, _name = service.load_model(None, None)
        assert ".role-play-" in llm.path.name and llm.path.parent == ctx.data.models
        reply = llm.generate("Officer: What's your name?\nCivilian:", max_tokens=6, seed=1)
        assert reply.text.strip()
    finally:
        service.close()
