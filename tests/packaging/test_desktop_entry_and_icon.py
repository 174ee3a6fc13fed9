"""The Linux .desktop file and the app icon (PNG sizes, Windows .ico, the window icon)."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import bundle_layout as layout
import pytest
from PySide6.QtGui import QImage, QImageReader


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(layout.DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_the_cli_with_the_app_icon():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == layout.APP_TITLE
    assert entry["Exec"] == layout.CLI_NAME  # on PATH through the .deb's /usr/bin link
    assert entry["Icon"] == layout.APP_ID
    assert entry["Terminal"] == "false"
    assert "Education;" in entry["Categories"]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_entry_passes_desktop_file_validate():
    result = subprocess.run(
        ["desktop-file-validate", str(layout.DESKTOP_FILE)], capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_every_icon_size_is_a_square_png_of_that_size(qapp):
    for size in layout.LINUX_ICON_SIZES:
        image = QImage(str(layout.icon_png(size)))
        assert (image.width(), image.height()) == (size, size), size
        assert image.hasAlphaChannel()


def test_windows_ico_holds_the_sizes_windows_asks_for(qapp):
    reader = QImageReader(str(layout.ICON_ICO))
    sizes = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        sizes.append(reader.read().width())
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_ico_pixels_match_the_png_of_the_same_size(qapp):
    reader = QImageReader(str(layout.ICON_ICO))
    reader.jumpToImage(2)
    from_ico = reader.read().convertToFormat(QImage.Format.Format_ARGB32)
    from_png = QImage(str(layout.icon_png(32))).convertToFormat(QImage.Format.Format_ARGB32)
    assert from_ico.size() == from_png.size()
    # The same picture: a channel of a semi-transparent pixel may round one step apart depending on
    # which image libraries Qt decodes with (two of 1,024 pixels did on a machine with Debian's).
    worst = max(
        abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF))
        for x in range(32)
        for y in range(32)
        for a, b in [(from_ico.pixel(x, y), from_png.pixel(x, y))]
        for shift in (0, 8, 16, 24)
    )
    assert worst <= 1


def test_app_icon_offers_every_size(qapp):
    from deescal.ui.resources import ICON_SIZES, app_icon

    assert [s.width() for s in app_icon().availableSizes()] == list(ICON_SIZES)
    assert tuple(ICON_SIZES) == layout.LINUX_ICON_SIZES
