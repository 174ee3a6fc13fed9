"""The Library page driven like a user: type, filter, sort, open a scenario, correct a role, import, start."""

from __future__ import annotations

import pytest
from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.library import LibraryService
from deescal.app.library.service import SEARCH_INDEX_KEY
from deescal.app.settings import set_setting
from deescal.ui.main_window import MainWindow
from deescal.ui.tasks import drain
from deescal.ui.views.library import LibraryView
from deescal.ui.widgets.library_table_model import LOADING, PAGE_SIZE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.scenario_library.transcript_samples import NARRATION_ONLY, write_transcript


@pytest.fixture
def view(qtbot, ctx):
    widget = LibraryView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitUntil(lambda: not widget.busy() and widget.model.total > 0, timeout=10_000)
    yield widget
    drain()
    widget.shutdown()


def settle(qtbot, view):
    qtbot.waitUntil(lambda: not view.busy() and not view._search_timer.isActive(), timeout=15_000)


def visible_titles(view, n=50):
    return [view.model.data(view.model.index(r, 0)) for r in range(min(n, view.model.rowCount()))]


def test_typing_searches_after_a_pause(qtbot, view):
    everything = view.model.total
    assert everything >= 150 and "scenario" in view.count_label.text()
    name = view.library.get(view.library.find_id("sui-001")).character_profile.name.split()[0]
    qtbot.keyClicks(view.search_edit, name[:4])
    assert view._search_timer.isActive()  # debounced, not one search per key
    settle(qtbot, view)
    assert 0 < view.model.total < everything
    assert view.library.find_id("sui-001") in [view.model.scenario_id(r) for r in range(view.model.total)]
    assert f"of {everything:,}" in view.count_label.text()
    view.search_edit.clear()
    settle(qtbot, view)
    assert view.model.total == everything


def test_filters_and_sorting(qtbot, view):
    category = view.library.categories()[0][0]
    view.category_box.setCurrentIndex(view.category_box.findData(category))
    settle(qtbot, view)
    assert view.model.total == view.library.count(category=category)
    assert {view.model.row(r).category for r in range(view.model.total)} == {category}
    view.difficulty_box.setCurrentIndex(view.difficulty_box.findData(5))
    settle(qtbot, view)
    assert all(view.model.row(r).difficulty == 5 for r in range(view.model.total))
    view.clear_filters()
    settle(qtbot, view)
    view.source_box.setCurrentIndex(view.source_box.findData("authored"))
    tag = view.library.tags()[0][0]
    view.tag_box.setEditText(tag)
    view.tag_box.lineEdit().editingFinished.emit()
    settle(qtbot, view)
    assert 0 < view.model.total == view.library.count(tags=[tag], source="authored")
    view.clear_filters()
    settle(qtbot, view)
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    settle(qtbot, view)
    titles = [t.lower() for t in visible_titles(view)]
    assert titles == sorted(titles, reverse=True)


def test_opening_a_scenario_shows_card_and_coloured_transcript(qtbot, view):
    view.select_row(3)
    scenario = view.detail.scenario
    assert scenario is not None and scenario.id == view.model.scenario_id(3)
    card = view.detail.card.toPlainText()
    assert (
        scenario.character_profile.name in card and "Learning objectives" in card and "Hidden facts" in card
    )
    assert view.detail.transcript.count() == len(scenario.reference_transcript)
    colours = {
        view.detail.transcript.item(n).background().color().name()
        for n in range(view.detail.transcript.count())
    }
    assert len(colours) >= 2  # officer and civilian turns look different
    assert view.start_button.isEnabled()


def test_correcting_a_role_is_saved(qtbot, view, ctx):
    view.select_row(0)
    scenario_id = view.current_scenario_id()
    view.detail.transcript.setCurrentRow(1)
    old_role = view.detail.scenario.reference_transcript[1].role
    new_role = "bystander" if old_role != "bystander" else "other"
    view.detail.whole_speaker.setChecked(False)
    view.detail.role_box.setCurrentText(new_role)
    view.detail.role_box.activated.emit(view.detail.role_box.currentIndex())
    settle(qtbot, view)
    qtbot.waitUntil(lambda: view.detail.scenario.reference_transcript[1].role == new_role, timeout=10_000)
    assert "\u270e" in view.detail.transcript.item(1).text()
    assert view.current_scenario_id() == scenario_id
    other = AppContext.open(ctx.data.root)
    try:
        saved = other.service(LibraryService)
        assert saved.get(scenario_id).reference_transcript[1].role == new_role
        assert 1 in saved.corrected_turns(scenario_id)
    finally:
        other.close()


def test_import_dialog_reports_each_file_and_selects_the_new_scenario(qtbot, view, tmp_path):
    write_transcript(tmp_path / "youtube_8101.csv")
    write_transcript(tmp_path / "youtube_8102.csv", NARRATION_ONLY)
    (tmp_path / "broken.csv").write_text("nonsense", encoding="utf-8")
    dialog = view.import_paths([tmp_path])
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=15_000)
    settle(qtbot, view)
    table = dialog.table
    results = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert results == {"youtube_8101.csv": "imported", "youtube_8102.csv": "skipped", "broken.csv": "skipped"}
    assert dialog.progress.value() == 1000
    qtbot.waitUntil(
        lambda: view.detail.scenario is not None and view.detail.scenario.case_id == "dw-youtube-8101"
    )
    assert view.source_box.findData("imported") >= 0
    dialog.buttons.button(dialog.buttons.StandardButton.Close).click()


def test_start_roleplay_opens_the_roleplay_page_with_the_scenario(qtbot, ctx, monkeypatch):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    view = window.view("Library")
    qtbot.waitUntil(lambda: not view.busy() and view.model.total > 0, timeout=10_000)
    roleplay = window.view("Role-play")
    started = []
    monkeypatch.setattr(roleplay, "start_for_scenario", started.append, raising=False)
    view.select_row(2)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert started == [view.current_scenario_id()]
    assert window.current_page() is roleplay
    window.close()


def test_table_pages_are_fetched_on_demand(qtbot, view, monkeypatch):
    calls = []
    original = view.library.search
    monkeypatch.setattr(
        view.library, "search", lambda *a, **k: calls.append(k.get("offset", 0)) or original(*a, **k)
    )
    view.model.total = PAGE_SIZE * 3  # pretend there are more rows than fit in the first page
    assert view.model.data(view.model.index(PAGE_SIZE * 2 + 5, 0)) == LOADING
    qtbot.waitUntil(lambda: not view.model.busy(), timeout=10_000)
    assert calls == [PAGE_SIZE * 2]


def test_delete_asks_first_and_removes_the_scenario(qtbot, view, ctx):
    view.select_row(0)
    scenario_id, title = view.current_scenario_id(), view.detail.scenario.title
    box = view.confirm_delete()
    assert title in box.text() and "cannot be undone" in box.text()
    box.button(box.StandardButton.Cancel).click()
    settle(qtbot, view)
    assert ctx.service(LibraryService).find_id(str(scenario_id)) == scenario_id
    box = view.confirm_delete()
    box.button(box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: view.model.row_of(scenario_id) is None and not view.busy(), timeout=15_000)
    with pytest.raises(UserFacingError, match="No scenario"):
        ctx.service(LibraryService).find_id(str(scenario_id))


def test_a_damaged_stored_scenario_is_reported_and_can_be_deleted(qtbot, ctx):
    library = ctx.service(LibraryService)
    bad_id = library.find_id("sui-001")
    ctx.store.execute(
        "UPDATE scenarios SET title = '!! damaged', "
        'card = replace(card, \'"initial_tension":\', \'"initial_tension":NaN,"x":\') WHERE id = ?',
        [bad_id],
    )
    set_setting(ctx.store, SEARCH_INDEX_KEY, "an older index")  # an upgrade rebuilds the index
    upgraded = AppContext.open(ctx.data.root)
    view = LibraryView(upgraded)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: not view.busy() and view.model.total > 0, timeout=10_000)
    assert view.warning.isVisible() and f"scenario #{bad_id}" in view.warning.text()
    view.select_row(view.model.row_of(bad_id))
    assert view.detail.scenario is None and "NaN" in view.count_label.text()
    assert view.delete_button.isEnabled() and not view.start_button.isEnabled()
    view.confirm_delete().button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: view.model.row_of(bad_id) is None and not view.busy(), timeout=15_000)
    assert library.scenarios.title_of(bad_id) is None
    drain()
    view.shutdown()
    upgraded.close()
