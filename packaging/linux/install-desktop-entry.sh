#!/bin/sh
# Adds DeEscal Trainer to your desktop's application menu (for you only, no root needed).
# Run it from the unpacked folder; run it again after moving the folder. To undo it:
#   rm ~/.local/share/applications/deescal-trainer.desktop ~/.local/share/icons/hicolor/256x256/apps/deescal-trainer.png
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/deescal-trainer.png" "$icons/deescal-trainer.png"
sed "s|^Exec=.*|Exec=\"$here/deescal\"|" "$here/deescal-trainer.desktop" >"$apps/deescal-trainer.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "DeEscal Trainer is now in your application menu (launcher: $apps/deescal-trainer.desktop)."
