"""Fine-tune page: start a tiny run, cancel it, resume it, evaluate base vs adapter, make it active."""

from __future__ import annotations

import json

import pytest
from deescal.finetune.defaults import TRAINING_DEFAULTS
from deescal.finetune.presets import PRESETS, describe_duration, estimate_seconds, settings_for
from deescal.models.registry import ModelRegistry
from deescal.ui.tasks import drain
from deescal.ui.views.finetune import FinetuneView
from PySide6.QtWidgets import QGraphicsTextItem

from tests.finetune.shared_models import seed_models


@pytest.fixture(autouse=True)
def stop_background_work():
    """The page reads its state in background tasks: they end before the test's database closes."""
    yield
    drain()


def open_page(qtbot, ctx) -> FinetuneView:
    view = FinetuneView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: not view.loading, timeout=10_000)
    return view


def test_page_opens_with_sane_defaults_and_nothing_to_resume(qtbot, ctx):
    view = open_page(qtbot, ctx)
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
    view = open_page(qtbot, ctx)
    assert "2 approved sessions" in view.sessions_label.text() and view.session_list.count() == 2
    # Approved means meant for training: used, and every session ticked, from the start.
    assert view.use_sessions.isChecked() and view.session_list.isEnabled()
    assert not view.sessions_stack.is_empty()
    assert view.spec().approved_sessions and len(view.spec().session_ids) == 2
    view.session_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    kept = view.session_list.item(1).data(Qt.ItemDataRole.UserRole)
    assert view.spec().approved_sessions and view.spec().session_ids == [kept]
    view.use_sessions.setChecked(False)
    view.refresh()  # ticks, and the choice not to use sessions, survive a refresh
    qtbot.waitUntil(lambda: not view.loading, timeout=10_000)
    assert view.spec().session_ids == [kept] and not view.use_sessions.isChecked()


@pytest.mark.slow
def test_train_cancel_resume_evaluate_and_activate(qtbot, ctx, transcripts_dir):
    seed_models(ctx.data)
    view = open_page(qtbot, ctx)
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
    qtbot.waitUntil(lambda: not view.tasks.busy and not view.loading, timeout=300_000)
    assert "Resume" in view.status.text()
    assert view.resume_button.isEnabled() and not view.eval_button.isEnabled()
    registry = ctx.service(ModelRegistry)
    assert [a.name for a in registry.adapters()] == ["house"] and registry.active_adapter().name == "house"
    stopped_at = view.job["step"]
    assert 1 <= stopped_at < 5

    view.resume_button.click()
    qtbot.waitUntil(lambda: not view.tasks.busy and not view.loading, timeout=600_000)
    assert "is ready" in view.status.text(), view.status.text()
    assert view.chart.point_count() == 5 and view.progress.value() == 1000
    assert [a.name for a in registry.adapters()] == ["from-the-page", "house"]

    view.eval_turns.setValue(1)
    view.eval_button.click()
    qtbot.waitUntil(lambda: not view.tasks.busy and not view.loading, timeout=600_000)
    assert view.table.rowCount() == 3, view.status.text()  # base, the house adapter it started from, new
    names = [view.table.item(n, 0).text() for n in range(3)]
    assert names[0].endswith("(base)") and names[1:] == ["house", "from-the-page"]
    assert "of 4 metrics and the house adapter it started from on" in view.status.text()

    assert view.activate_button.isEnabled()
    view.activate_button.click()
    assert registry.active_adapter().name == "from-the-page"
    qtbot.waitUntil(lambda: not view.loading, timeout=10_000)
    assert (
        view.active_label.text() == "Active adapter: from-the-page" and not view.activate_button.isEnabled()
    )


def test_presets_show_their_estimated_time_and_raw_settings_are_under_advanced(qtbot, ctx):
    view = open_page(qtbot, ctx)
    view.show()
    # No run in this data folder yet: the estimate comes from the house adapter's recorded build.
    house = ctx.service(ModelRegistry).adapters()[0].training_summary
    assert view.timing is not None and not view.timing.on_this_machine
    assert view.timing.seconds_per_token == pytest.approx(
        house["training"]["seconds"] / (house["training"]["step"] * 8 * house["config"]["max_length"])
    )
    assert "estimate" in view.estimate_note.text() and "'house' adapter" in view.estimate_note.text()
    for preset in PRESETS:
        expected = describe_duration(estimate_seconds(view.timing, settings_for(preset)))
        assert view.preset_buttons[preset.name].text().endswith(expected), preset.name
    assert view.preset_buttons["standard"].isChecked()  # the tested defaults
    assert not view.advanced.isVisible() and not view.steps.isVisible()
    view.advanced_button.click()
    assert view.advanced.isVisible() and view.steps.isVisible() and view.lr.isVisible()

    view.preset_buttons["quick"].click()
    assert view.steps.value() == 30 and view.settings()["max_steps"] == 30
    view.accum.setValue(4)  # a raw change makes it custom: no preset ticked, its own estimate shown
    assert not any(button.isChecked() for button in view.preset_buttons.values())
    custom = describe_duration(estimate_seconds(view.timing, view.settings()))
    assert "Custom settings (30 steps, " + custom in view.estimate_note.text()
    view.preset_buttons["thorough"].click()
    assert view.steps.value() == 300 and view.accum.value() == TRAINING_DEFAULTS["grad_accum"]
    assert view.preset_buttons["thorough"].isChecked()


def test_a_run_measured_here_replaces_the_house_estimate(qtbot, ctx):
    from deescal.finetune.job import job_dir
    from deescal.finetune.train import TrainConfig

    folder = job_dir(ctx)
    (folder / "checkpoint").mkdir(parents=True)
    (folder / "checkpoint" / "state.json").write_text(json.dumps({"step": 4, "seconds": 120.0}))
    TrainConfig(base_dir="x", max_steps=10, batch_size=1, grad_accum=2, max_length=128).save(folder)
    view = open_page(qtbot, ctx)
    assert view.timing.on_this_machine and view.timing.seconds_per_token == pytest.approx(120 / (4 * 2 * 128))
    assert "your last training run (4 steps)" in view.estimate_note.text()
    assert "another computer" not in view.estimate_note.text()


def test_empty_page_explains_itself_and_the_loss_chart_has_readable_ticks(qtbot, ctx):
    view = open_page(qtbot, ctx)
    view.resize(1024, 640)
    view.show()
    assert view.sessions_stack.is_empty() and "No approved sessions" in view.sessions_stack.empty.label.text()
    assert view.sessions_stack.empty.button.text().startswith("Choose a transcripts folder")
    assert view.chart_stack.is_empty() and "No training run yet" in view.chart_stack.empty.label.text()
    assert view.table_stack.is_empty() and "No evaluation yet" in view.table_stack.empty.label.text()
    # At its smallest height the chart still has room for its tick labels (they were all "...").
    view.chart.resize(800, view.chart.minimumHeight())
    view.chart.clear(100)
    view.chart.add_step(1, 2.7)
    view.chart_stack.set_empty(False)
    qtbot.waitUntil(lambda: view.chart.isVisible())
    view.chart.grab()
    # Qt Charts' labels are private QGraphicsTextItem subclasses: PySide6 6.11 hands them over as plain
    # QGraphicsItems, so they are reached through their QObject side.
    objects = [item.toGraphicsObject() for item in view.chart.scene().items()]
    labels = [o.toPlainText() for o in objects if isinstance(o, QGraphicsTextItem)]
    assert "100" in labels and "step" in labels and not [t for t in labels if t in ("...", "\u2026")]
