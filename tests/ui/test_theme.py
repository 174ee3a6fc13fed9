"""Light and dark themes and the text size: chosen in Settings (or the View menu), saved, applied to the
whole app at once, and back on the next start."""

from __future__ import annotations

import pytest
from deescal.ui import theme
from deescal.ui.main_window import MainWindow
from deescal.ui.widgets.conversation import ConversationView
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication


@pytest.fixture
def window(qtbot, ctx):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    yield win
    win.close()
    theme.apply(theme.LIGHT.name, theme.DEFAULT_FONT_SIZE)  # the next test starts from the default look


def window_colour() -> str:
    return QApplication.palette().color(QPalette.ColorRole.Window).name()


def test_settings_switch_theme_and_text_size_for_the_whole_app(window, ctx):
    assert window_colour() == theme.LIGHT.window  # the default
    settings = window.show_page("Settings")
    library = window.show_page("Library")
    settings.theme_combo.setCurrentIndex(settings.theme_combo.findData("dark"))
    assert window_colour() == theme.DARK.window and theme.current() is theme.DARK
    settings.font_spin.setValue(16)
    assert QApplication.font().pointSize() == 16
    assert library.search_edit.font().pointSize() == 16  # a page built before the change follows it
    assert (theme.saved_theme(ctx), theme.saved_font_size(ctx)) == ("dark", 16)


def test_the_saved_look_comes_back_on_the_next_start(qtbot, ctx, window):
    theme.choose(ctx, theme_name="dark", font_size=14)
    theme.apply(theme.LIGHT.name, theme.DEFAULT_FONT_SIZE)  # as if the app had quit
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    assert window_colour() == theme.DARK.window and QApplication.font().pointSize() == 14
    assert again.view("Settings").theme_combo.currentData() == "dark"
    again.close()


def test_view_menu_toggles_dark_and_steps_the_text_size(window, ctx):
    window.toggle_dark()
    assert theme.current() is theme.DARK and window.dark_action.isChecked()
    window.step_font_size(1)
    window.step_font_size(1)
    assert theme.saved_font_size(ctx) == theme.DEFAULT_FONT_SIZE + 2
    window.step_font_size(0)
    assert QApplication.font().pointSize() == theme.DEFAULT_FONT_SIZE
    for _ in range(30):
        window.step_font_size(1)
    assert theme.saved_font_size(ctx) == theme.FONT_SIZES[1]  # clamped
    window.toggle_dark()
    assert theme.current() is theme.LIGHT


@pytest.mark.parametrize("chosen", [theme.LIGHT, theme.DARK])
def test_bubbles_have_readable_contrast_in_both_themes(qtbot, chosen):
    """WCAG AA asks 4.5:1 for body text; the civilian bubble once was light grey on grey."""
    for background, text in (
        (chosen.officer, chosen.officer_text),
        (chosen.civilian, chosen.civilian_text),
        (chosen.base, chosen.text),
        (chosen.good, chosen.good_text),
        (chosen.fair, chosen.fair_text),
        (chosen.poor, chosen.poor_text),
    ):
        assert contrast(background, text) >= 4.5, (chosen.name, background, text)
    theme.apply(chosen.name, theme.DEFAULT_FONT_SIZE)
    view = ConversationView()
    qtbot.addWidget(view)
    view.add_civilian("Darnell", "Leave me alone.")
    label = view.bubbles[-1][1]
    view.show()
    assert label.palette().color(label.backgroundRole()).name() == chosen.civilian
    assert label.palette().color(label.foregroundRole()).name() == chosen.civilian_text
    theme.apply(theme.LIGHT.name, theme.DEFAULT_FONT_SIZE)


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
