"""The house adapter ships with the app: it matches its card, loads, is the default, and can be switched off."""

from __future__ import annotations

import json

import pytest
from deescal.models.embedded import (
    HOUSE_ADAPTER,
    HOUSE_ADAPTER_NAME,
    HOUSE_CARD,
    embedded_gguf_sha256,
    sha256_file,
)
from deescal.models.registry import ModelRegistry

CARD = json.loads(HOUSE_CARD.read_text())


def test_the_shipped_adapter_matches_its_card():
    assert HOUSE_ADAPTER.is_file() and HOUSE_ADAPTER.stat().st_size == CARD["size_bytes"]
    assert sha256_file(HOUSE_ADAPTER) == CARD["sha256"]
    assert CARD["base_model_sha256"] == embedded_gguf_sha256()
    assert CARD["size_bytes"] < 40 * 1024**2  # tens of MB at most: it ships in the installers
    assert (
        CARD["seed"] and CARD["training"]["status"] == "finished" and CARD["data"]["corpus_dialogues"] >= 400
    )


def test_it_fits_the_embedded_model(embedded_path):
    from deescal.models.adapter_check import check_adapter

    check_adapter(HOUSE_ADAPTER, embedded_path)


@pytest.fixture
def registry(ctx, embedded_in_data_dir):
    return ctx.service(ModelRegistry)


def test_it_is_active_by_default_and_detaching_is_remembered(registry):
    active = registry.active_adapter()
    assert active is not None and active.name == HOUSE_ADAPTER_NAME
    assert (
        active.base_model_sha256 == embedded_gguf_sha256()
        and active.training_summary["sha256"] == CARD["sha256"]
    )
    registry.set_active_adapter(None)
    assert registry.active_adapter() is None
    assert [a.name for a in registry.adapters()] == [HOUSE_ADAPTER_NAME]  # still listed, not re-activated
    registry.set_active_adapter(HOUSE_ADAPTER_NAME)
    assert registry.active_adapter().name == HOUSE_ADAPTER_NAME


def test_a_roleplay_uses_it_by_default_offline(ctx, embedded_in_data_dir):
    from deescal.app.roleplay.service import RoleplayService

    from tests.app.roleplay_fixtures import CALM_LINES, store_scenario

    scenario = store_scenario(ctx.store, case_id="house-default")
    service = ctx.service(RoleplayService)
    try:
        session = service.start(scenario.id, seed=3)
        assert session.adapter_path == str(HOUSE_ADAPTER.resolve())
        result = session.officer_turn(CALM_LINES[0])
        assert result.reply and result.civilian_turn_id
    finally:
        service.close()


def test_deescal_models_shows_it_and_switches_it_off(data_dir, embedded_in_data_dir, capsys):
    from deescal.cli import main

    def adapters() -> list[dict]:
        assert main(["--data-dir", str(data_dir.root), "models", "adapters", "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    assert [(a["name"], a["is_active"]) for a in adapters()] == [("house", True)]
    assert main(["--data-dir", str(data_dir.root), "models", "attach", "none"]) == 0
    capsys.readouterr()
    assert [(a["name"], a["is_active"]) for a in adapters()] == [("house", False)]


def test_a_continued_build_records_the_adapters_behind_it(tmp_path):
    """``--continue-from``: the starting adapter is copied into the job and its steps add up on the card."""
    import shutil

    from deescal.finetune.house import START_ADAPTER, _freeze_start, _lineage_lines

    first = tmp_path / "first.gguf"
    shutil.copyfile(HOUSE_ADAPTER, first)
    shutil.copyfile(HOUSE_CARD, first.with_suffix(".json"))
    job = tmp_path / "job"
    job.mkdir()
    start = _freeze_start(first, job)
    before = CARD["data"].get("continued_from", {})
    assert sha256_file(job / START_ADAPTER) == start["sha256"] == CARD["sha256"]
    assert start["steps"] == before.get("steps", 0) + CARD["training"]["step"]

    second = tmp_path / "second.gguf"  # a second continuation counts both runs before it
    shutil.copyfile(HOUSE_ADAPTER, second)
    card = {**CARD, "data": {**CARD["data"], "continued_from": start}}
    card["training"] = {**CARD["training"], "step": 10, "seconds": 60.0}
    second.with_suffix(".json").write_text(json.dumps(card))
    again = _freeze_start(second, job)
    assert again["steps"] == start["steps"] + 10
    assert again["runs"] == start["runs"] + 1  # the next run's data order is shuffled anew (seed + runs)
    line = _lineage_lines(start, card["training"], card["config"])[0]
    assert f"in all {start['steps'] + 10} steps" in line


def test_the_model_card_of_a_run_without_validation_data_says_so(tmp_path):
    """A run on transcripts alone has no held-out dialogue: its card is still written."""
    from deescal.finetune.house import write_model_card

    card = {**CARD, "training": {**CARD["training"], "val_loss": None}}
    (tmp_path / "run.json").write_text(json.dumps(card))
    text = write_model_card(tmp_path / "run.json").read_text()
    assert "validation not measured (no held-out data)" in text
    assert f"train {CARD['training']['train_loss']:.3f}" in text
