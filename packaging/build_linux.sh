#!/usr/bin/env bash
# `make package`: the Linux installers, then proof that they run.
#
# 1. PyInstaller builds the one-folder bundle dist/deescal-trainer from packaging/deescal.spec.
# 2. packaging/linux_artifacts.py checks the bundle and writes dist/*.tar.gz and dist/*.deb.
# 3. Last step: the .tar.gz is unpacked into a scratch folder and packaging/linux/check_packaged_app.sh
#    runs it with the network off, an empty home and data folder, and the build's Python hidden: its
#    version, its window under Xvfb, then `deescal selftest`. A failed check fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
started=$(date +%s)

# PyInstaller as pinned by pyproject's `package` extra.
pyinstaller_req=$("$py" -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["package"])')
"$py" -m pip install --quiet $pyinstaller_req

echo "== PyInstaller: building dist/deescal-trainer (several minutes)"
nice -n 10 "$py" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/deescal.spec
built=$(date +%s)

echo "== Archives"
nice -n 10 "$py" packaging/linux_artifacts.py dist/deescal-trainer dist
version=$("$py" -c 'import sys; sys.path.insert(0, "packaging"); import bundle_layout; print(bundle_layout.project_version())')
tarball=$(ls dist/deescal-trainer-"$version"-linux-*.tar.gz)

echo "== Selftest of the packaged app: network off, fresh home, no Python"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar -xzf "$tarball" -C "$scratch"
app="$scratch/deescal-trainer-$version/deescal"
mkdir -p "$scratch/home"
hide=("$PWD/.venv")
base_prefix=$("$py" -c 'import sys; print(sys.base_prefix)')
case "$base_prefix" in /usr | /usr/local) ;; *) hide+=("$base_prefix") ;; esac
for dir in /usr/lib/python3* /usr/local/lib/python3*; do [ -d "$dir" ] && hide+=("$dir"); done
userns=()
[ "$(id -u)" -eq 0 ] || userns=(--map-root-user)
env -i HOME="$scratch/home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
    unshare "${userns[@]}" --net --mount \
    sh packaging/linux/check_packaged_app.sh "$app" "$scratch" "${hide[@]}" 2>&1 | tee dist/selftest.txt
if ! grep -qx "deescal $version" dist/selftest.txt; then
    echo "the packaged app does not report version $version (package metadata missing?)" >&2
    exit 1
fi

finished=$(date +%s)
echo "== Done: PyInstaller $((built - started)) s, whole build $((finished - started)) s"
du -sh dist/deescal-trainer dist/*.tar.gz dist/*.deb
