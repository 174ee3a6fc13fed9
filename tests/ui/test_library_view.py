"""The Library page driven like a user: type, filter, sort, open a scenario, correct a role, import, start."""

from __future__ import annotations

import pytest
from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.library import LibraryService
from deescal.app.library.service import SEARCH_INDEX_KEY
from deescal.app.settings import get_setting, set_setting
from deescal.ui.main_window import MainWindow
from deescal.ui.tasks import drain
from deescal.ui.views.library import LibraryView
from deescal.ui.widgets.library_table_model import LOADING, PAGE_SIZE
from deescal.ui.widgets.start_dialog import LAST_MODEL, LAST_TRAINEE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QStyle, QStyleOptionComboBox

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
    folder = tmp_path / "to-import"  # beside the data folder, not above it
    folder.mkdir()
    write_transcript(folder / "youtube_8101.csv")
    write_transcript(folder / "youtube_8102.csv", NARRATION_ONLY)
    (folder / "broken.csv").write_text("nonsense", encoding="utf-8")
    dialog = view.import_paths([folder])
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


def test_start_asks_trainee_and_model_by_title_then_hands_over_the_scenario(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    view = window.show_page("Library")
    qtbot.waitUntil(lambda: not view.busy() and view.model.total > 0, timeout=10_000)
    requested = []
    view.roleplay_requested.connect(requested.append)
    view.select_row(2)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    dialog = view.start_dialog
    assert dialog is not None and dialog.isVisible()
    scenario = view.detail.scenario
    assert scenario.title in dialog.title.text() and str(scenario.id) not in dialog.title.text()
    assert dialog.model.currentData() == "gemma-3-270m-q4_k_m"
    dialog.trainee.setCurrentText("Robin Diaz")
    dialog.start_button.click()
    assert requested == [scenario.id]
    assert get_setting(ctx.store, LAST_TRAINEE) == "Robin Diaz"
    assert get_setting(ctx.store, LAST_MODEL) == "gemma-3-270m-q4_k_m"
    # Next time the same small step is pre-filled; Cancel starts nothing.
    view.select_row(3)
    dialog = view.start_roleplay()
    assert dialog.trainee.currentText() == "Robin Diaz"
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert requested == [scenario.id]
    drain()
    window.close()


def test_title_column_is_first_and_widest_and_filters_are_not_clipped(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    view = window.show_page("Library")
    window.show()
    for width, height in ((1024, 640), (1280, 720), (1920, 1080)):
        window.resize(width, height)
        qtbot.waitUntil(lambda w=width: window.width() == w)
        qtbot.waitUntil(lambda: not view.busy() and view.model.total > 0, timeout=10_000)
        table = view.table
        shown = [c for c in range(view.model.columnCount()) if not table.isColumnHidden(c)]
        widths = {c: table.columnWidth(c) for c in shown}
        assert shown[0] == 0 and view.model.headerData(0, Qt.Orientation.Horizontal) == "Title"
        assert widths[0] == max(widths.values()) and widths[0] >= 0.4 * table.viewport().width(), (
            width,
            widths,
        )
        assert widths[0] > 150  # "Agita..." was 45 px
        for box in (view.category_box, view.difficulty_box, view.source_box):
            assert text_fits(box, box.itemText(0)), (width, box.itemText(0))
        assert shown_columns_fit(view)
    title = view.model.data(view.model.index(0, 0))
    assert view.model.data(view.model.index(0, 0), Qt.ItemDataRole.ToolTipRole).startswith(title)
    view.select_row(0)
    assert title in view.detail.card.toPlainText()
    drain()
    window.close()


def text_fits(box, text: str) -> bool:
    """Whether the combo box's text field is wide enough for ``text`` (what it shows closed)."""
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    field = box.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, box
    )
    return field.width() >= box.fontMetrics().horizontalAdvance(text)


def shown_columns_fit(view) -> bool:
    header = view.table.horizontalHeader()
    return header.length() <= view.table.viewport().width() + 1


def test_category_counts_follow_the_search(qtbot, view):
    def counts() -> dict[str, str]:
        box = view.category_box
        return {box.itemData(n): box.itemText(n) for n in range(1, box.count())}

    everything = counts()
    name, total = view.library.categories()[0]
    assert everything[name] == f"{name} ({total:,})"
    word = view.library.get(view.library.find_id("sui-001")).character_profile.name.split()[0]
    view.search_edit.setText(word)
    view.apply_filters()
    settle(qtbot, view)
    searched = counts()
    assert set(searched) == set(everything)  # every category stays listed, with what the search finds
    found = {c: view.library.count(word, category=c) for c in searched}
    assert all(searched[c] == f"{c} ({n:,})" for c, n in found.items())
    assert sum(found.values()) == view.model.total < view.library.total()
    view.difficulty_box.setCurrentIndex(view.difficulty_box.findData(5))
    settle(qtbot, view)
    assert all(
        counts()[c] == f"{c} ({view.library.count(word, category=c, difficulty=5):,})" for c in searched
    )


def test_keyboard_reaches_the_list_the_start_button_and_the_card(qtbot, view):
    view.window().activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.detail.scenario is not None and view.current_scenario_id() == view.current_row_id()
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert view.start_button.hasFocus()  # Tab leaves the table; it does not walk its cells
    qtbot.keyClick(view.start_button, Qt.Key.Key_Tab)
    qtbot.keyClick(view.delete_button, Qt.Key.Key_Tab)
    assert view.detail.card.hasFocus()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert view.start_dialog is not None and view.start_dialog.isVisible()
    assert view.detail.scenario.title in view.start_dialog.title.text()
    view.start_dialog.reject()


def test_first_open_picks_no_scenario_and_an_empty_result_says_what_to_do(qtbot, view):
    assert view.detail.scenario is None and not view.start_button.isEnabled()
    view.search_edit.setText("zzqxnotaword")
    view.apply_filters()
    settle(qtbot, view)
    assert view.model.total == 0 and view.table_stack.is_empty()
    assert "No scenario matches" in view.empty.label.text()
    view.empty.button.click()
    settle(qtbot, view)
    assert view.search_edit.text() == "" and view.model.total > 0 and not view.table_stack.is_empty()


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
