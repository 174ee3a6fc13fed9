"""The .tar.gz and .deb writers, run on a small stand-in bundle (the real one takes minutes to build)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile

import bundle_layout as layout
import linux_artifacts
import pytest

VERSION = layout.project_version()


@pytest.fixture
def stand_in_bundle(tmp_path):
    """A folder shaped like PyInstaller's output: the executable, _internal/ with a library symlink."""
    bundle = tmp_path / layout.APP_ID
    internal = bundle / layout.CONTENTS_DIR
    internal.mkdir(parents=True)
    exe = bundle / layout.CLI_NAME
    exe.write_text("#!/bin/sh\necho stand-in\n")
    exe.chmod(0o755)
    (internal / "libexample.so.1.2").write_bytes(b"\x7fELF")
    (internal / "libexample.so.1").symlink_to("libexample.so.1.2")
    out = tmp_path / "out"
    out.mkdir()
    return bundle, out


def test_tarball_holds_the_bundle_and_the_desktop_integration(stand_in_bundle):
    bundle, out = stand_in_bundle
    target = linux_artifacts.write_tarball(bundle, out, VERSION)
    assert target.name.startswith(f"{layout.APP_ID}-{VERSION}-linux-") and target.name.endswith(".tar.gz")
    top = f"{layout.APP_ID}-{VERSION}"
    with tarfile.open(target) as tar:
        members = {m.name: m for m in tar.getmembers()}
        readme = tar.extractfile(f"{top}/README.txt").read().decode()
    for name in ("deescal", "deescal-trainer.desktop", "deescal-trainer.png", "install-desktop-entry.sh"):
        assert f"{top}/{name}" in members, name
    assert members[f"{top}/{layout.CLI_NAME}"].mode & 0o111
    assert members[f"{top}/_internal/libexample.so.1"].issym()
    assert {m.uname for m in members.values()} == {"root"}
    assert "espeak-ng" in readme and VERSION in readme
    assert not list(out.glob("*.partial")) and not (out / "README.txt").exists()


def test_install_script_adds_a_menu_entry_pointing_at_the_unpacked_app(stand_in_bundle, tmp_path):
    bundle, out = stand_in_bundle
    with tarfile.open(linux_artifacts.write_tarball(bundle, out, VERSION)) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    unpacked = tmp_path / "unpacked" / f"{layout.APP_ID}-{VERSION}"
    data_home = tmp_path / "data-home"
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "HOME": str(tmp_path)}
    subprocess.run(
        ["sh", str(unpacked / "install-desktop-entry.sh")], check=True, env=env, capture_output=True
    )
    entry = (data_home / "applications" / f"{layout.APP_ID}.desktop").read_text()
    assert f'Exec="{unpacked}/{layout.CLI_NAME}"' in entry.splitlines()
    assert (data_home / "icons" / "hicolor" / "256x256" / "apps" / f"{layout.APP_ID}.png").is_file()


@pytest.mark.skipif(
    shutil.which("dpkg-deb") is None, reason="dpkg-deb is Debian's; this is not a Debian system"
)
def test_deb_installs_under_opt_with_a_command_menu_entry_and_icons(stand_in_bundle):
    bundle, out = stand_in_bundle
    target = linux_artifacts.write_deb(bundle, out, VERSION)
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(target)], check=True, capture_output=True, text=True
    ).stdout
    assert f"Package: {layout.APP_ID}\n" in fields and f"Version: {VERSION}\n" in fields
    assert "Depends: libc6 (>= " in fields and "Recommends: espeak-ng" in fields
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(target)], check=True, capture_output=True, text=True
    ).stdout
    assert f"./opt/{layout.APP_ID}/{layout.CLI_NAME}\n" in listing
    assert f"./usr/bin/{layout.CLI_NAME} -> /opt/{layout.APP_ID}/{layout.CLI_NAME}" in listing
    assert f"./usr/share/applications/{layout.APP_ID}.desktop" in listing
    for size in layout.LINUX_ICON_SIZES:
        assert f"./usr/share/icons/hicolor/{size}x{size}/apps/{layout.APP_ID}.png" in listing
    assert " root/root " in listing and not (out / "deb-root").exists()
