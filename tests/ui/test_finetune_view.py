"""Fine-tune page: start a tiny run, cancel it, resume it, evaluate base vs adapter, make it active."""

from __future__ import annotations

import json

import pytest
from deescal.finetune.defaults import TRAINING_DEFAULTS
from deescal.models.registry import ModelRegistry
from deescal.ui.views.finetune import FinetuneView

from tests.finetune.shared_models import seed_models


def test_page_opens_with_sane_defaults_and_nothing_to_resume(qtbot, ctx):
    view = FinetuneView(ctx)
    qtbot.addWidget(view)
    assert view.start_button.isEnabled() and not view.resume_button.isEnabled()
    assert not view.eval_button.isEnabled() and not view.activate_button.isEnabled()
    assert not view.cancel_button.isEnabled()
    assert view.steps.value() == 100 and view.max_length.value() in (384, 768) and view.name_edit.text()
    assert view.settings()["max_length"] == TRAINING_DEFAULTS["max_length"]
    assert view.settings()["reply_end_weight"] == 0.75 and view.lr.value() == pytest.approx(4e-4)
    assert "0 approved sessions" in view.sessions_label.text() and not view.use_sessions.isEnabled()
    assert view.session_list.count() == 0
    assert view.active_label.text() == "Active adapter: house"  # the shipped one, active by default


def test_approved_sessions_can_be_picked_one_by_one(qtbot, ctx):
    from PySide6.QtCore import Qt

    card = json.dumps(
        {"case_id": "p-1", "title": "Blocked driveway", "category": "Neighbour dispute", "scenario_context": "x",
         "character_profile": {"name": "Dale"}}
    )  # fmt: skip
    scenario = ctx.store.execute(
        "INSERT INTO scenarios(case_id, title, category, difficulty, initial_tension, card, source)"
        " VALUES ('p-1', 'Blocked driveway', 'Neighbour dispute', 3, 6, ?, 'authored')",
        (card,),
    ).lastrowid
    for approved in (1, 1, 0):
        ctx.store.execute(
            "INSERT INTO sessions(scenario_id, initial_tension, approved) VALUES (?, 6, ?)",
            (scenario, approved),
        )
    view = FinetuneView(ctx)
    qtbot.addWidget(view)
    assert "2 approved sessions" in view.sessions_label.text() and view.session_list.count() == 2
    assert not view.session_list.isEnabled()
    view.use_sessions.setChecked(True)
    assert view.session_list.isEnabled()
    view.session_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    kept = view.session_list.item(1).data(Qt.ItemDataRole.UserRole)
    assert view.spec().approved_sessions and view.spec().session_ids == [kept]
    view.refresh()  # ticks survive a refresh
    assert view.spec().session_ids == [kept]


@pytest.mark.slow
def test_train_cancel_resume_evaluate_and_activate(qtbot, ctx, transcripts_dir):
    seed_models(ctx.data)
    view = FinetuneView(ctx)
    qtbot.addWidget(view)
    view.show()
    view.use_transcripts.setChecked(True)
    view.folder_edit.setText(str(transcripts_dir))
    view.limit_files.setValue(3)
    view.steps.setValue(5)
    view.batch.setValue(1)
    view.accum.setValue(1)
    view.max_length.setValue(64)
    view.name_edit.setText("from-the-page")

    view.start_button.click()
    assert view.cancel_button.isEnabled() and not view.start_button.isEnabled()
    qtbot.waitUntil(lambda: view.chart.point_count() >= 1, timeout=600_000)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: not view.tasks.busy, timeout=300_000)
    assert "Resume" in view.status.text()
    assert view.resume_button.isEnabled() and not view.eval_button.isEnabled()
    registry = ctx.service(ModelRegistry)
    assert [a.name for a in registry.adapters()] == ["house"] and registry.active_adapter().name == "house"
    stopped_at = view.job["step"]
    assert 1 <= stopped_at < 5

    view.resume_button.click()
    qtbot.waitUntil(lambda: not view.tasks.busy, timeout=600_000)
    assert "is ready" in view.status.text(), view.status.text()
    assert view.chart.point_count() == 5 and view.progress.value() == 1000
    assert [a.name for a in registry.adapters()] == ["from-the-page", "house"]

    view.eval_turns.setValue(1)
    view.eval_button.click()
    qtbot.waitUntil(lambda: not view.tasks.busy, timeout=600_000)
    assert view.table.rowCount() == 3, view.status.text()  # base, the house adapter it started from, new
    names = [view.table.item(n, 0).text() for n in range(3)]
    assert names[0].endswith("(base)") and names[1:] == ["house", "from-the-page"]
    assert "of 4 metrics and the house adapter it started from on" in view.status.text()

    assert view.activate_button.isEnabled()
    view.activate_button.click()
    assert registry.active_adapter().name == "from-the-page"
    assert (
        view.active_label.text() == "Active adapter: from-the-page" and not view.activate_button.isEnabled()
    )
