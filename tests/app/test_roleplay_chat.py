"""A model whose GGUF carries a chat template is prompted in chat mode (system card, officer = user)."""

from __future__ import annotations

import pytest
from deescal.app.context import AppContext
from deescal.app.roleplay.service import RoleplayService
from deescal.models.embedded import embedded_gguf
from deescal.models.registry import ModelRegistry

from tests.app.roleplay_fixtures import CALM_LINES, store_scenario
from tests.models.llm_fixtures import copy_with_chat_template, link_embedded


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedded_path):
    home = tmp_path_factory.mktemp("chat-home")
    link_embedded(home / "models", embedded_path)
    ctx = AppContext.open(home)
    chat_file = copy_with_chat_template(embedded_gguf(ctx.data.models), home / "gemma-chat.gguf")
    ctx.service(ModelRegistry).add(chat_file, name="gemma-chat")
    yield ctx.service(RoleplayService)
    ctx.close()


def test_chat_model_gets_the_card_as_system_prompt_and_replies_cleanly(service):
    scenario = store_scenario(service.ctx.store, case_id="chat-001")
    session = service.start(scenario.id, model="gemma-chat", seed=3)
    assert session.model.prompt_style == "chat"
    result = session.officer_turn(CALM_LINES[0])
    prompt = session.prompt()
    assert prompt.startswith("<start_of_turn>user\nYou play Darnell Whitaker") and prompt.endswith(
        "<start_of_turn>model\n"
    )
    assert (
        f"Officer: {CALM_LINES[0]}" in prompt
        and f"<start_of_turn>model\n{result.reply}<end_of_turn>" in prompt
    )
    assert result.reply and "<end_of_turn>" not in result.reply and "\n" not in result.reply
    assert session.transcript()["model"] == "gemma-chat"
