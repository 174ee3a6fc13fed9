"""Checks the PyInstaller bundle and wraps it for Linux: a .tar.gz (with a .desktop file, icon and a
per-user menu installer) and a .deb built with dpkg-deb. An AppImage needs appimagetool and its
runtime, which no package registry we can reach carries, so we ship these two instead.

    .venv/bin/python packaging/linux_artifacts.py dist/deescal-trainer dist
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bundle_layout as layout  # noqa: E402

INSTALL_SCRIPT = Path(__file__).resolve().parent / "linux" / "install-desktop-entry.sh"
DEB_MAINTAINER = "DeEscal Trainer team <support@deescal-trainer.invalid>"
# Shared libraries the bundle loads from the system (measured with ldd against the bundle's own
# folder), and what makes speech work. Qt, FFmpeg, X/xcb helpers and the rest travel in the bundle.
DEB_DEPENDS = ("libgl1", "libegl1", "libxcb1", "libdrm2", "libwayland-client0")
DEB_RECOMMENDS = ("espeak-ng",)
TAR_README = """DeEscal Trainer {version} for Linux (x86-64, glibc {glibc} or newer)

Run it:                ./deescal            (no Python needed; everything runs offline)
Add it to your menu:   ./install-desktop-entry.sh
Check this computer:   ./deescal selftest
Speech output needs espeak-ng (Debian/Ubuntu: sudo apt install espeak-ng).
Your data lives in ~/.local/share/DeEscalTrainer (or $DEESCAL_HOME).
"""


def folder_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def glibc_version() -> str:
    """The build machine's glibc: the bundle's binaries need at least this one."""
    name, version = platform.libc_ver()
    return version if name == "glibc" and version else "2.36"


def _as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def write_tarball(bundle: Path, out_dir: Path, version: str) -> Path:
    top = f"{layout.APP_ID}-{version}"
    target = out_dir / f"{top}-linux-{platform.machine()}.tar.gz"
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top, filter=_as_root)
        tar.add(layout.DESKTOP_FILE, arcname=f"{top}/{layout.DESKTOP_FILE.name}", filter=_as_root)
        tar.add(layout.icon_png(256), arcname=f"{top}/{layout.APP_ID}.png", filter=_as_root)
        tar.add(INSTALL_SCRIPT, arcname=f"{top}/{INSTALL_SCRIPT.name}", filter=_as_root)
        readme = out_dir / "README.txt"
        readme.write_text(TAR_README.format(version=version, glibc=glibc_version()), encoding="utf-8")
        tar.add(readme, arcname=f"{top}/README.txt", filter=_as_root)
        readme.unlink()
    partial.replace(target)
    return target


def _link_tree(source: Path, target: Path) -> None:
    """A hard-linked copy (instant, no extra space); a plain copy across file systems."""
    try:
        shutil.copytree(source, target, symlinks=True, copy_function=os.link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, symlinks=True)


def deb_control(version: str, installed_kib: int, arch: str) -> str:
    return (
        f"Package: {layout.APP_ID}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {DEB_MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: libc6 (>= {glibc_version()}), {', '.join(DEB_DEPENDS)}\n"
        f"Recommends: {', '.join(DEB_RECOMMENDS)}\n"
        "Section: education\n"
        "Priority: optional\n"
        "Description: offline police de-escalation role-play training\n"
        " Instructors browse a library of de-escalation scenarios; trainees practise them\n"
        " in text or voice role-plays against a small language model that runs on the\n"
        " laptop; every turn is scored. Runs fully offline; no Python needed.\n"
    )


def write_deb(bundle: Path, out_dir: Path, version: str) -> Path:
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()
    root = out_dir / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    opt = root / "opt" / layout.APP_ID
    opt.parent.mkdir(parents=True)
    _link_tree(bundle, opt)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / layout.CLI_NAME).symlink_to(f"/opt/{layout.APP_ID}/{layout.CLI_NAME}")
    applications = root / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copyfile(layout.DESKTOP_FILE, applications / layout.DESKTOP_FILE.name)
    for size in layout.LINUX_ICON_SIZES:
        icons = root / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        icons.mkdir(parents=True)
        shutil.copyfile(layout.icon_png(size), icons / f"{layout.APP_ID}.png")
    control = root / "DEBIAN"
    control.mkdir(mode=0o755)
    installed_kib = (folder_size(root) + 1023) // 1024
    (control / "control").write_text(deb_control(version, installed_kib, arch), encoding="utf-8")
    target = out_dir / f"{layout.APP_ID}_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(root), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(root)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the PyInstaller one-folder output")
    parser.add_argument("out_dir", type=Path, help="where the archives go")
    args = parser.parse_args(argv)
    found = layout.problems(args.bundle)
    if found:
        print("The bundle is incomplete:\n  " + "\n  ".join(found), file=sys.stderr)
        return 1
    version = layout.project_version()
    mib = 1024 * 1024
    print(f"bundle folder {args.bundle}: {folder_size(args.bundle) / mib:.0f} MiB")
    for write in (write_tarball, write_deb):
        artefact = write(args.bundle, args.out_dir, version)
        print(f"{artefact}: {artefact.stat().st_size / mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
