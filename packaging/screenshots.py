"""README screenshots of a real role-play in progress, in the light and the dark theme.

Plays a bundled scenario against the embedded model (in a fresh, temporary data folder), so the
pictures show real replies, score chips, techniques and coaching, then saves the window as PNG:

    python packaging/screenshots.py                 # offscreen, into ui/resources/screenshots/
    xvfb-run -a python packaging/screenshots.py --platform xcb

Takes about a minute on 2 cores (model load and three turns per theme).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[1] / "ui" / "resources" / "screenshots"
SCENARIO = "mh-001"
TRAINEE = "Robin Diaz"
LINES = [
    "Hi, I'm Officer Reyes. I'm going to stay right here, and nobody is in trouble.",
    "That sounds really frightening. Can you tell me what's going on for you right now?",
    "Thank you for telling me. What would help you feel a bit safer?",
]
WINDOW_SIZE = (1280, 800)


def wait_until(app, condition, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the role-play did not get there in time")
        app.processEvents()
        time.sleep(0.02)


def capture(theme_name: str, out: Path) -> Path:
    from deescal.app.context import AppContext
    from deescal.ui import theme
    from deescal.ui.main_window import MainWindow
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    with tempfile.TemporaryDirectory(prefix="deescal-shots-") as home, AppContext.open(home) as ctx:
        theme.choose(ctx, theme_name=theme_name)
        window = MainWindow(ctx)
        window.resize(*WINDOW_SIZE)
        window.show()
        roleplay = window.show_page("Role-play")
        roleplay.setup.scenario_edit.setText(SCENARIO)  # the setup takes a case id too
        roleplay.setup.trainee_combo.setCurrentText(TRAINEE)
        roleplay.start_session()
        wait_until(app, lambda: roleplay.session is not None and roleplay.input.isEnabled())
        for line in LINES:
            roleplay.send_text(line)
            wait_until(app, lambda: roleplay.input.isEnabled() or roleplay.session.status != "active")
        roleplay.input.setText("I hear you. Let's take this one step at a time")
        app.processEvents()
        path = out / f"roleplay-{theme_name}.png"
        window.grab().save(str(path))
        window.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--platform", default="offscreen", help="Qt platform: offscreen, or xcb under Xvfb")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", args.platform)
    from deescal.ui.main_thread_gc import MainThreadGarbageCollector
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    collector = MainThreadGarbageCollector(app)
    args.out.mkdir(parents=True, exist_ok=True)
    for theme_name in ("light", "dark"):
        print(capture(theme_name, args.out))
    collector.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
