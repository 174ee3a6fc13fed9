"""The Models page: add a GGUF by path off the UI thread, choose the default, add and attach adapters."""

from __future__ import annotations

from deescal.ui.views.models import ModelsView

from tests.models.llm_fixtures import write_tiny_model
from tests.models.lora_files import write_lora_adapter


def _names(table) -> list[str]:
    return [table.item(row, 1).text() for row in range(table.rowCount())]


def test_add_model_set_default_and_attach_adapter(ctx, embedded_in_data_dir, qtbot, tmp_path):
    view = ModelsView(ctx)
    qtbot.addWidget(view)
    assert _names(view.models_table) == ["Gemma 3 270M Q4_K_M (embedded)"]
    assert view.models_table.item(0, 0).text() == "✔"

    view.add_model(str(write_tiny_model(tmp_path / "tiny-chat.gguf", "{{ messages }}")))
    assert not view.add_model_button.isEnabled() and not view.add_adapter_button.isEnabled()
    view.add_model(str(tmp_path / "second-click.gguf"))  # while the first is checked: said, not queued
    assert "Still checking the previous file" in view.status.text()
    qtbot.waitUntil(lambda: view.models_table.rowCount() == 2, timeout=30_000)
    assert "Added 'tiny-chat' (chat model)" in view.status.text()
    qtbot.waitUntil(view.add_model_button.isEnabled, timeout=30_000)  # its worker has finished
    view.models_table.selectRow(_names(view.models_table).index("tiny-chat"))
    view.set_default()
    assert view.models_table.item(0, 1).text() == "tiny-chat" and view.models_table.item(0, 0).text() == "✔"

    junk = tmp_path / "broken.gguf"
    junk.write_bytes(b"GGUF" + b"\xff" * 64)
    view.add_model(str(junk))
    qtbot.waitUntil(lambda: "b00020" in view.status.text(), timeout=30_000)
    assert "broken.gguf" in view.status.text() and view.models_table.rowCount() == 2


def test_adapter_is_checked_then_attached(ctx, embedded_in_data_dir, qtbot, tmp_path):
    view = ModelsView(ctx)
    qtbot.addWidget(view)
    view.add_adapter(str(write_lora_adapter(tmp_path / "wrong.gguf", wrong_shape=True)))
    qtbot.waitUntil(lambda: "does not fit" in view.status.text(), timeout=60_000)
    qtbot.waitUntil(view.add_adapter_button.isEnabled, timeout=30_000)
    view.add_adapter(str(write_lora_adapter(tmp_path / "calm.gguf")))
    qtbot.waitUntil(lambda: view.adapters_table.rowCount() == 2, timeout=60_000)  # and the house one
    assert [view.adapters_table.item(n, 1).text() for n in range(2)] == ["calm", "house"]
    view.adapters_table.selectRow(0)
    view.attach()
    assert [view.adapters_table.item(n, 0).text() for n in range(2)] == ["✔", ""]
    view.detach()
    assert [view.adapters_table.item(n, 0).text() for n in range(2)] == ["", ""]


def test_the_house_adapter_is_listed_active_and_can_be_switched_off(ctx, embedded_in_data_dir, qtbot):
    view = ModelsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    assert view.adapters_table.rowCount() == 1 and view.adapters_table.item(0, 1).text() == "house"
    assert view.adapters_table.item(0, 0).text() == "✔"
    view.detach()
    assert view.adapters_table.item(0, 0).text() == "" and "no adapter" in view.status.text()
