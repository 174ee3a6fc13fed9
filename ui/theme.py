"""The app's look in one place: light and dark palettes, the font size, and the few custom styles.

Pages never hard-code colours for their own widgets: they set an object name or a property
(``bubble``, ``chip``, ``banner``) and this stylesheet colours it, so a theme or font-size change in
Settings reaches every open page at once. Sizes are never set in style sheets, so the application
font (``ui.font_size``) scales everything, headings included.
"""

from __future__ import annotations

from dataclasses import dataclass

from deescal.app.context import AppContext
from deescal.app.settings import get_setting, set_setting
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

THEME_SETTING = "ui.theme"
FONT_SIZE_SETTING = "ui.font_size"
FONT_SIZES = (9, 20)  # points, smallest and largest offered (20 reads from the back of a classroom)
DEFAULT_FONT_SIZE = 10


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    button: str
    highlight: str
    highlight_text: str
    border: str
    officer: str  # the trainee's bubble
    officer_text: str
    civilian: str
    civilian_text: str
    good: str  # score chips and banners: background, then text on it
    good_text: str
    fair: str
    fair_text: str
    poor: str
    poor_text: str
    link: str


LIGHT = Theme(
    name="light",
    window="#eef0f3",
    base="#ffffff",
    alternate="#f5f6f8",
    text="#1b1f24",
    muted="#4d5661",
    button="#f7f8fa",
    highlight="#2463b0",
    highlight_text="#ffffff",
    border="#b9c0c9",
    officer="#d3e4fa",
    officer_text="#0f2540",
    civilian="#ffffff",
    civilian_text="#1b1f24",
    good="#1f7a3a",
    good_text="#ffffff",
    fair="#f2c14e",
    fair_text="#2b2000",
    poor="#b3261e",
    poor_text="#ffffff",
    link="#1a55a0",
)

DARK = Theme(
    name="dark",
    window="#1d2025",
    base="#262a31",
    alternate="#2d323a",
    text="#eceff3",
    muted="#b4bcc6",
    button="#30353e",
    highlight="#4b8fe0",
    highlight_text="#0b1522",
    border="#4a525e",
    officer="#24466f",
    officer_text="#f2f6fb",
    civilian="#353b45",
    civilian_text="#f1f3f5",
    good="#3fae5f",
    good_text="#08210f",
    fair="#f2c14e",
    fair_text="#2b2000",
    poor="#ef6b61",
    poor_text="#2a0705",
    link="#8ab8f0",
)

THEMES = {theme.name: theme for theme in (LIGHT, DARK)}

_current = LIGHT


def current() -> Theme:
    """The theme in use (widgets that paint themselves ask for it)."""
    return _current


def score_level(score: float) -> str:
    """The chip colour of a 0-100 score: the same bands as the Review table."""
    return "good" if score >= 65 else "fair" if score >= 40 else "poor"


def saved_theme(ctx: AppContext) -> str:
    name = get_setting(ctx.store, THEME_SETTING, LIGHT.name)
    return name if name in THEMES else LIGHT.name


def saved_font_size(ctx: AppContext) -> int:
    try:
        size = int(get_setting(ctx.store, FONT_SIZE_SETTING, DEFAULT_FONT_SIZE))
    except (TypeError, ValueError):
        size = DEFAULT_FONT_SIZE
    return max(FONT_SIZES[0], min(FONT_SIZES[1], size))


def apply_saved(ctx: AppContext) -> None:
    """Applies the theme and font size the user chose last time."""
    apply(saved_theme(ctx), saved_font_size(ctx))


def choose(ctx: AppContext, theme_name: str | None = None, font_size: int | None = None) -> None:
    """Saves a new choice from Settings and applies it at once."""
    if theme_name is not None:
        set_setting(ctx.store, THEME_SETTING, theme_name)
    if font_size is not None:
        set_setting(ctx.store, FONT_SIZE_SETTING, int(font_size))
    apply_saved(ctx)


def apply(theme_name: str, font_size: int) -> None:
    """Palette, font and style sheet for the whole application."""
    global _current
    theme = THEMES.get(theme_name, LIGHT)
    _current = theme
    app = QApplication.instance()
    if app.style().name().lower() != "fusion":  # once: replacing a style frees the old one under live widgets
        app.setStyle("Fusion")  # the one style whose colours come entirely from the palette
    app.setPalette(palette(theme))
    font = QFont(app.font())
    font.setPointSize(font_size)
    app.setFont(font)
    app.setStyleSheet(stylesheet(theme))


def palette(theme: Theme) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    for r, colour in (
        (role.Window, theme.window),
        (role.WindowText, theme.text),
        (role.Base, theme.base),
        (role.AlternateBase, theme.alternate),
        (role.Text, theme.text),
        (role.PlaceholderText, theme.muted),
        (role.Button, theme.button),
        (role.ButtonText, theme.text),
        (role.BrightText, theme.poor),
        (role.Highlight, theme.highlight),
        (role.HighlightedText, theme.highlight_text),
        (role.ToolTipBase, theme.base),
        (role.ToolTipText, theme.text),
        (role.Link, theme.link),
        (role.Mid, theme.border),
    ):
        pal.setColor(r, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(disabled, r, QColor(theme.muted).darker(130 if theme is LIGHT else 70))
    return pal


def stylesheet(theme: Theme) -> str:
    t = theme
    return f"""
QListWidget#navigation {{ background: {t.base}; border: none; border-right: 1px solid {t.border}; }}
QListWidget#navigation::item {{ padding: 6px 8px; border-radius: 6px; }}
QListWidget#navigation::item:selected {{ background: {t.highlight}; color: {t.highlight_text}; }}
QLabel[bubble="officer"] {{ background: {t.officer}; color: {t.officer_text};
    border-radius: 10px; padding: 8px 11px; }}
QLabel[bubble="civilian"] {{ background: {t.civilian}; color: {t.civilian_text};
    border: 1px solid {t.border}; border-radius: 10px; padding: 8px 11px; }}
QLabel[bubble="note"] {{ color: {t.muted}; font-style: italic; padding: 4px; }}
QLabel[role="coach"] {{ color: {t.text}; padding: 0 4px 6px 4px; }}
QLabel[role="techniques"] {{ color: {t.muted}; }}
QLabel[role="typing"] {{ color: {t.muted}; font-style: italic; padding: 2px 6px; }}
QLabel[chip="pending"] {{ color: {t.muted}; padding: 2px 8px; }}
QLabel[chip="good"] {{ background: {t.good}; color: {t.good_text}; border-radius: 9px; padding: 2px 9px;
    font-weight: 600; }}
QLabel[chip="fair"] {{ background: {t.fair}; color: {t.fair_text}; border-radius: 9px; padding: 2px 9px;
    font-weight: 600; }}
QLabel[chip="poor"] {{ background: {t.poor}; color: {t.poor_text}; border-radius: 9px; padding: 2px 9px;
    font-weight: 600; }}
QFrame[banner="resolved"] {{ background: {t.good}; border-radius: 8px; }}
QFrame[banner="escalated"] {{ background: {t.poor}; border-radius: 8px; }}
QFrame[banner="ended"] {{ background: {t.highlight}; border-radius: 8px; }}
QFrame[banner="resolved"] QLabel {{ color: {t.good_text}; }}
QFrame[banner="escalated"] QLabel {{ color: {t.poor_text}; }}
QFrame[banner="ended"] QLabel {{ color: {t.highlight_text}; }}
QProgressBar#tensionBar {{ border: 1px solid {t.border}; border-radius: 5px; background: {t.base}; }}
QLabel#tensionValue {{ font-weight: 700; }}
"""
