"""First run: the welcome page, its gentle example, and starting a role-play in one small step."""

from __future__ import annotations

import pytest
from deescal.app import sessions as db
from deescal.app.library import LibraryService
from deescal.app.settings import get_setting
from deescal.ui.main_window import MainWindow
from deescal.ui.tasks import drain
from deescal.ui.views.welcome import WELCOME_SEEN, WelcomeView


@pytest.fixture
def window(qtbot, ctx):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1024, 640)
    win.show()
    yield win
    win.close()  # drains the task layer


def welcome_ready(qtbot, window) -> WelcomeView:
    view = window.view("Welcome")
    qtbot.waitUntil(lambda: not view.tasks.busy, timeout=10_000)
    return view


def test_the_first_start_shows_the_welcome_page_once(qtbot, ctx, window):
    assert window.current_page() is window.view("Welcome")
    assert window.nav.currentItem().text() == "Welcome"
    assert get_setting(ctx.store, WELCOME_SEEN) is True
    view = welcome_ready(qtbot, window)
    text = view.findChildren(type(view.example_label))
    steps = " ".join(label.text() for label in text)
    assert "Pick a scenario" in steps and "Practise" in steps and "Review" in steps
    window.close()
    later = MainWindow(ctx)
    qtbot.addWidget(later)
    assert later.current_page() is later.view("Library")  # remembered: not shown again
    # ... but reachable from Help.
    getting_started = [a for a in later.menuBar().actions() if a.text() == "&Help"][0].menu().actions()[0]
    assert getting_started.text() == "&Getting started"
    getting_started.trigger()
    assert later.current_page() is later.view("Welcome")
    drain()
    later.close()


def test_the_example_is_gentle_and_the_steps_open_their_pages(qtbot, ctx, window):
    view = welcome_ready(qtbot, window)
    example = ctx.service(LibraryService).gentle_example()
    assert view.example is not None and view.example.id == example.id and example.difficulty == 1
    assert example.title in view.example_label.text() and view.start_button.isEnabled()
    view.step_buttons["Library"].click()
    assert window.current_page() is window.view("Library")
    library = window.view("Library")
    qtbot.waitUntil(lambda: not library.busy() and library.model.total > 0, timeout=10_000)
    assert library.detail.scenario is None  # no difficulty-5 scenario picked for the newcomer
    window.show_page("Welcome")
    view.step_buttons["Review"].click()
    assert window.current_page() is window.view("Review")


def test_an_empty_library_says_where_to_import(qtbot, ctx):
    library = ctx.service(LibraryService)
    for listing in library.search(limit=10_000):
        library.delete(listing.id)
    view = WelcomeView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: not view.tasks.busy, timeout=10_000)
    assert view.example is None and "library is empty" in view.example_label.text()
    assert not view.start_button.isEnabled()
    drain()


def test_start_goes_straight_to_the_session_from_welcome_and_library(
    qtbot,
    ctx,
    window,
    embedded_in_data_dir,
):
    view = welcome_ready(qtbot, window)
    dialog = view.start_example()
    assert view.example.title in dialog.title.text()
    dialog.trainee.setCurrentText("Sam Ortiz")
    dialog.start_button.click()
    roleplay = window.view("Role-play")
    assert window.current_page() is roleplay
    assert view.example.title in roleplay.setup.scenario_title.text()
    assert roleplay.setup.scenario_edit.text() == view.example.case_id  # never the database id
    qtbot.waitUntil(lambda: roleplay.session is not None, timeout=120_000)
    assert roleplay.pages.currentIndex() == 1 and view.example.title in roleplay.header.text()
    first = roleplay.session.id
    assert db.session_row(ctx.store, first).trainee == "Sam Ortiz"

    library = window.show_page("Library")
    qtbot.waitUntil(lambda: not library.busy() and library.model.total > 0, timeout=10_000)
    library.select_row(5)
    dialog = library.start_roleplay()
    assert dialog.trainee.currentText() == "Sam Ortiz"  # remembered
    dialog.start_button.click()
    assert window.current_page() is roleplay
    qtbot.waitUntil(lambda: roleplay.session is not None and roleplay.session.id != first, timeout=120_000)
    assert library.detail.scenario.title in roleplay.header.text() and roleplay.pages.currentIndex() == 1
