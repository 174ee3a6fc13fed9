"""The Role-play page with the real model: type a line, see the reply stream in, end -> Review."""

from __future__ import annotations

import pytest
from deescal.app import sessions as db
from deescal.app.roleplay.tension import ESCALATED_TURNS
from deescal.ui.main_window import MainWindow
from deescal.ui.widgets.conversation import ScoreChip
from PySide6.QtCore import Qt

from tests.app.roleplay_fixtures import CALM_LINES, store_scenario


@pytest.fixture
def window(ctx, qtbot, embedded_in_data_dir):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    yield win
    win.close()  # drains the task layer, then each page cleans up


def playing(window, qtbot, scenario_id: int):
    """The Role-play page with a session started on the scenario, ready for the trainee's first line."""
    view = window.show_page("Role-play")
    view.start_for_scenario(scenario_id)
    view.start_session()
    qtbot.waitUntil(lambda: view.session is not None and view.input.isEnabled(), timeout=120_000)
    return view


def test_send_a_line_see_the_reply_stream_then_end_and_review(window, ctx, qtbot):
    scenario = store_scenario(ctx.store, case_id="ui-001")
    view = window.show_page("Role-play")
    view.start_for_scenario(scenario.id)
    assert "Man shouting" in view.setup.scenario_title.text()
    view.setup.trainee_combo.setCurrentText("Robin Diaz")
    qtbot.mouseClick(view.setup.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.session is not None and view.input.isEnabled(), timeout=120_000)
    assert "Darnell Whitaker" in view.card.text() and "Tension 6.0" in view.meter.text()

    prepared: list[int] = []
    prepare = view.session.prepare
    view.session.prepare = lambda draft: prepared.append(prepare(draft)) or prepared[-1]
    qtbot.keyClicks(view.input, CALM_LINES[0][:40])
    qtbot.waitUntil(
        lambda: bool(prepared) and not view._preparing.busy, timeout=30_000
    )  # read during a pause
    assert prepared[0] > 0
    view.input.clear()

    streamed: list[str] = []
    original = view.conversation.update_civilian
    view.conversation.update_civilian = lambda label, name, text: (
        streamed.append(text),
        original(label, name, text),
    )
    qtbot.keyClicks(view.input, CALM_LINES[0])
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    assert view.input.text() == "" and not view.input.isEnabled() and view.cancel_button.isEnabled()
    assert view.conversation.typing()  # the civilian "is speaking" until the first words arrive
    qtbot.waitUntil(lambda: view.input.isEnabled(), timeout=60_000)
    assert not view.conversation.typing()

    turns = db.turns(ctx.store, view.session.id)
    reply = turns[1].text
    assert len(streamed) >= 2 and streamed[-1] == reply  # pieces first, then the cleaned reply
    assert view.conversation.texts()[-2:] == [("officer", CALM_LINES[0]), ("civilian", reply)]
    chips = view.conversation.findChildren(ScoreChip)
    assert chips[-1].text() == f"{turns[0].auto_score:.0f}"
    assert chips[-1].property("chip") == ("good" if turns[0].auto_score >= 65 else "fair")
    assert chips[-1].coach.isVisibleTo(view.conversation)  # shown once scored, not in a tooltip
    assert chips[-1].coach.text() == turns[0].feedback  # under the line itself
    labels = [t["label"] for t in turns[0].techniques]
    assert labels and all(label in chips[-1].techniques.text() for label in labels)
    assert chips[-1].techniques.isVisibleTo(view.conversation)
    assert turns[0].feedback.strip()
    assert view.meter.tension < 6.0 and view.status.text() == "Your turn."
    assert " s " not in view.status.text()  # no developer timings

    session_id = view.session.id
    box = view.end_session()  # asks first: End session is not one stray Enter away
    assert box is not None and box.defaultButton() is box.button(box.StandardButton.Cancel)
    qtbot.mouseClick(box.button(box.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert db.session_row(ctx.store, session_id).status == "active" and view.input.isEnabled()
    box = view.end_session()
    qtbot.mouseClick(box.button(box.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert not view.input.isEnabled() and not view.end_button.isEnabled()  # while it is being ended
    qtbot.waitUntil(lambda: view.banner.isVisibleTo(view), timeout=10_000)
    assert db.session_row(ctx.store, session_id).status == "ended"
    assert "Session ended" in view.banner_text.text()
    assert not view.cancel_button.isEnabled() and not view.input.isEnabled()
    qtbot.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.view("Review")


def test_unknown_scenario_is_reported_in_the_setup_panel(window, qtbot):
    view = window.show_page("Role-play")
    view.setup.scenario_edit.setText("no-such-case")
    qtbot.mouseClick(view.setup.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: view.setup.start_button.isEnabled() and view.setup.status.text() != "", timeout=30_000
    )
    qtbot.waitUntil(lambda: "b00020" in view.setup.status.text(), timeout=30_000)
    assert view.session is None and view.pages.currentIndex() == 0


def test_an_open_page_loads_the_model_in_the_background(window, qtbot):
    window.show()
    view = window.show_page("Role-play")
    assert view.service.loaded_model is None
    qtbot.waitUntil(lambda: view.service.loaded_model == "gemma-3-270m-q4_k_m", timeout=120_000)
    qtbot.waitUntil(lambda: not view._preloading.busy, timeout=60_000)
    assert view.setup.start_button.isEnabled()


def test_an_escalated_session_offers_its_review(window, ctx, qtbot):
    scenario = store_scenario(ctx.store, case_id="ui-escalate", initial_tension=9.5)
    view = playing(window, qtbot, scenario.id)
    for _ in range(ESCALATED_TURNS):
        qtbot.waitUntil(lambda: not view._turns.busy and view.input.isEnabled(), timeout=60_000)
        view.send_text("Shut up and get on the ground right now or I'll tase you!")
    qtbot.waitUntil(lambda: view.session.status == "escalated" and not view._turns.busy, timeout=60_000)
    assert not view.input.isEnabled() and not view.cancel_button.isEnabled()  # nothing left to stop
    assert view.banner.isVisibleTo(view) and view.banner.property("banner") == "escalated"
    assert "Escalated" in view.banner_text.text() and not view.end_button.isVisibleTo(view)
    session_id = view.session.id
    qtbot.mouseClick(view.review_button, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.view("Review")
    assert db.session_row(ctx.store, session_id).status == "escalated"


def test_the_banner_says_when_the_finished_session_could_not_reach_the_drop_folder(
    window, ctx, qtbot, tmp_path
):
    from deescal.app.packs import PackService

    from tests.app.pack_fixtures import open_laptop

    with open_laptop(tmp_path / "instructor") as instructor:
        instructor.service(PackService).export_course(tmp_path / "c.deescal-course", ["mh-001"], name="Class")
    packs = ctx.service(PackService)
    packs.import_course(tmp_path / "c.deescal-course")
    drop = tmp_path / "share"
    drop.mkdir()
    packs.set_drop_folder(drop)
    drop.rmdir()  # the stick is pulled out
    scenario = store_scenario(ctx.store, case_id="ui-unplugged")
    view = playing(window, qtbot, scenario.id)
    view.end_now()
    qtbot.waitUntil(lambda: view.banner.isVisibleTo(view), timeout=10_000)
    text = view.banner_text.text()
    assert "Session ended" in text and "cannot be reached" in text and "kept here" in text


def test_ending_does_not_wait_on_the_drop_folder_in_the_ui_thread(window, ctx, qtbot, monkeypatch):
    import time

    from deescal.app.roleplay import session as session_module

    def slow_share_publish(_packs):  # stands for a network share that takes a second to answer
        time.sleep(1.0)
        return None

    monkeypatch.setattr(session_module, "publish_after_session", slow_share_publish)
    scenario = store_scenario(ctx.store, case_id="ui-slow-share")
    view = playing(window, qtbot, scenario.id)
    started = time.perf_counter()
    view.end_now()
    assert time.perf_counter() - started < 0.5 and not view.banner.isVisibleTo(view)
    qtbot.waitUntil(lambda: view.banner.isVisibleTo(view), timeout=10_000)
    assert "Session ended" in view.banner_text.text()
