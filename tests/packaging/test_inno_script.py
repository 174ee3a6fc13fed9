"""The Inno Setup script (built only on a Windows runner) installs what the PyInstaller spec produces."""

from __future__ import annotations

import re
from pathlib import PureWindowsPath

import bundle_layout as layout
import pytest

from tests.packaging.iss_parser import parse_iss

ISS = layout.REPO / "packaging" / "deescal.iss"
VERSION = "9.8.7"


@pytest.fixture(scope="module")
def script():
    return parse_iss(ISS, {"AppVersion": VERSION})


def repo_path(relative_to_iss: str):
    """A path written relative to the .iss file (Windows separators), resolved in the repository."""
    return (ISS.parent / PureWindowsPath(relative_to_iss).as_posix()).resolve()


def app_relative(value: str) -> str | None:
    match = re.fullmatch(r"\{app\}\\(.+)", value)
    return PureWindowsPath(match.group(1)).as_posix() if match else None


def test_per_user_install_without_admin_rights(script):
    assert script.setup["PrivilegesRequired"] == "lowest"
    assert script.setup["DefaultDirName"] == r"{localappdata}\Programs\DeEscal Trainer"
    assert "PrivilegesRequiredOverridesAllowed" not in script.setup


def test_version_comes_from_the_command_line_and_is_required(script):
    assert script.setup["AppVersion"] == VERSION
    assert VERSION in script.setup["OutputBaseFilename"]
    assert "#ifndef AppVersion" in script.directives
    assert any(line.startswith("#error") for line in script.directives)


def test_fixed_app_id_so_upgrades_replace_the_old_version(script):
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", script.setup["AppId"])


def test_installs_the_whole_one_folder_bundle(script):
    (files,) = script.sections["Files"]
    assert repo_path(files["Source"]) == layout.REPO / "dist" / layout.APP_ID / "*"
    assert files["DestDir"] == "{app}"
    assert {"recursesubdirs", "createallsubdirs"} <= set(files["Flags"].split())


def test_icon_and_output_folder_exist_in_the_repository(script):
    assert repo_path(script.setup["SetupIconFile"]) == layout.ICON_ICO
    assert layout.ICON_ICO.is_file()
    assert repo_path(script.setup["OutputDir"]) == layout.REPO / "dist"


def test_start_menu_shortcut_opens_the_windowed_executable(script):
    start_menu = [icon for icon in script.sections["Icons"] if icon["Name"].startswith("{autoprograms}\\")]
    assert len(start_menu) == 1
    assert app_relative(start_menu[0]["Filename"]) == f"{layout.WINDOWS_GUI_NAME}.exe"
    assert app_relative(script.setup["UninstallDisplayIcon"]) == f"{layout.WINDOWS_GUI_NAME}.exe"


def test_every_installed_path_it_names_is_in_the_bundle_layout(script):
    named = [app_relative(script.setup["UninstallDisplayIcon"])]
    for section in ("Icons", "Run"):
        named += [app_relative(entry["Filename"]) for entry in script.sections[section]]
    known = set(layout.executables("win32")) | set(layout.required_paths("win32"))
    assert named and all(path in known for path in named), named


def test_windows_layout_has_both_executables():
    assert layout.executables("win32") == [f"{layout.CLI_NAME}.exe", f"{layout.WINDOWS_GUI_NAME}.exe"]
    assert all(not path.startswith("/") for path in layout.required_paths("win32"))
