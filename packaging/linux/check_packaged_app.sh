#!/bin/sh
# The last step of `make package`, run by build_linux.sh inside new network and mount namespaces
# (`unshare --net --mount`): no network, and every Python installation named after the first two
# arguments is covered by an empty read-only mount. Then the unpacked app must report its version,
# open its window on an X display (when Xvfb is installed) and pass its selftest.
#   check_packaged_app.sh APP SCRATCH_DIR [DIR_TO_HIDE...]
set -eu
app=$1
scratch=$2
shift 2
for dir in "$@"; do mount -t tmpfs -o ro none "$dir"; done
if python3 -c pass 2>/dev/null; then
    echo "a Python is still usable here: this check would prove nothing" >&2
    exit 1
fi
"$app" --version
if command -v xvfb-run >/dev/null 2>&1; then
    status=0
    DEESCAL_HOME="$scratch/gui-data" QT_QPA_PLATFORM=xcb \
        xvfb-run -a -s "-screen 0 1280x800x24" timeout 20 "$app" || status=$?
    if [ "$status" -ne 124 ]; then
        echo "the desktop app did not stay open on an X display (exit $status)" >&2
        exit 1
    fi
    echo "desktop window on an X display (xcb): stayed open 20 s"
fi
DEESCAL_HOME="$scratch/data" QT_QPA_PLATFORM=offscreen exec "$app" selftest
