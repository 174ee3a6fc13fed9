"""README screenshots in the light and the dark theme: the welcome page, a real role-play in
progress, and the Review page of that session once it has ended.

Plays a bundled scenario against the embedded model (in a fresh, temporary data folder), so the
pictures show real replies, score chips, techniques, coaching and the debrief, and saves the window
as PNG (``welcome-THEME.png``, ``roleplay-THEME.png``, ``review-THEME.png``):

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


def capture(theme_name: str, out: Path) -> list[Path]:
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
        welcome = window.show_page("Welcome")  # a first run opens here
        wait_until(app, lambda: welcome.example is not None)
        shots = [out / f"welcome-{theme_name}.png"]
        window.grab().save(str(shots[-1]))
        roleplay = window.show_page("Role-play")
        wait_until(app, lambda: not roleplay.setup.loading)
        roleplay.setup.scenario_edit.setText(SCENARIO)  # the setup takes a case id too
        roleplay.setup.trainee_combo.setCurrentText(TRAINEE)
        roleplay.start_session()
        wait_until(app, lambda: roleplay.session is not None and roleplay.input.isEnabled())
        for line in LINES:
            roleplay.send_text(line)
            wait_until(app, lambda: roleplay.input.isEnabled() or roleplay.session.status != "active")
        roleplay.input.setText("I hear you. Let's take this one step at a time")
        app.processEvents()
        shots.append(out / f"roleplay-{theme_name}.png")
        window.grab().save(str(shots[-1]))
        session_id = roleplay.session.id
        roleplay.end_now()
        review = window.show_page("Review")
        review.show_session(session_id)
        wait_until(app, lambda: review.review is not None and review.review.session.id == session_id)
        review.tabs.setCurrentIndex(1)  # the debrief
        app.processEvents()
        shots.append(out / f"review-{theme_name}.png")
        window.grab().save(str(shots[-1]))
        window.close()
    return shots


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
        for path in capture(theme_name, args.out):
            print(path)
    collector.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
