"""Session-pack benchmark: an instructor imports 2,000 sessions from 40 simulated laptops.

One real laptop (a data folder that joined the course) records 50 sessions through the session API
from a script (10 officer lines each, fixed scores: no language model) and exports a real pack.
Each of the 40 simulated laptops sends that pack's sessions under new session UUIDs, its own laptop
id and trainee name, written and signed by the app's own pack writer with the course key. The 40
packs go into a drop folder and the instructor's data folder imports them:

1. headless, with ``deescal.app.packs.drop_folder.scan`` (what the app runs): wall time and the
   process's peak memory (RSS sampled every 20 ms), then the same again to show a rescan is free;
2. through the app's ``DropFolderWatcher`` on an offscreen Qt event loop, into a fresh copy of the
   instructor's data folder, with a 10 ms UI timer: the longest gap between its ticks is how long
   the UI could not respond during the import.

Writes bench-results/packs.json. Run: ``python tests/bench/bench_packs.py`` (``--laptops 4`` quick).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

import psutil
from deescal.app.packs import PackService, container, session_pack
from deescal.app.packs.drop_folder import scan
from deescal.app.records.packs import PackRepository

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # so ``tests.app.pack_fixtures`` imports when run as a script
from tests.app.pack_fixtures import open_laptop, record_scripted_session  # noqa: E402

RESULTS = REPO / "bench-results" / "packs.json"
SCENARIOS = ["mh-001", "sui-001", "dom-001", "vet-001", "intox-001"]
SCRIPT = [
    (f"Officer line {n}: I'm here to help, can you tell me what happened?", f"Civilian line {n}: fine.")
    for n in range(10)
]


class PeakRss:
    """Samples this process's resident memory in a thread; ``peak`` in MB."""

    def __init__(self, every_s: float = 0.02) -> None:
        self.process, self.every_s, self.peak = psutil.Process(), every_s, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss / 1024**2)
            self._stop.wait(self.every_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def make_packs(work: Path, laptops: int, per_laptop: int) -> tuple[Path, Path, int]:
    """The instructor's data folder with the course, and a drop folder holding one pack per laptop."""
    course_file = work / "class.deescal-course"
    with open_laptop(work / "instructor") as instructor:
        course = instructor.service(PackService).export_course(course_file, SCENARIOS, name="Bench class")
        key = PackRepository(instructor.store).course_key(course.id)
    with open_laptop(work / "template-laptop") as laptop:
        packs = laptop.service(PackService)
        packs.import_course(course_file)
        for n in range(per_laptop):
            record_scripted_session(laptop, SCENARIOS[n % len(SCENARIOS)], "Template", script=SCRIPT)
        packs.export_sessions(work / "template.deescal-sessions")
    with zipfile.ZipFile(work / "template.deescal-sessions") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        template = json.loads(archive.read("sessions.json"))
        scenarios = archive.read("scenarios.json")
    drop = work / "drop"
    drop.mkdir()
    turns = 0
    for n in range(laptops):
        laptop = {"id": str(uuid.uuid4()), "name": f"academy-laptop-{n + 1:02d}"}
        sessions = []
        for item in template:
            sessions.append(
                {**item, "id": str(uuid.uuid4()), "trainee": f"Recruit {n + 1:02d}", "laptop": laptop}
            )
            turns += len(item["turns"])
        header = {k: v for k, v in manifest.items() if k not in ("format", "version", "members")}
        header.update(pack_id=str(uuid.uuid4()), laptop=laptop, trainees=[f"Recruit {n + 1:02d}"])
        container.write_pack(
            drop / f"{laptop['name']}{session_pack.SUFFIX}",
            kind=session_pack.KIND,
            version=session_pack.VERSION,
            header=header,
            members={"sessions.json": json.dumps(sessions).encode(), "scenarios.json": scenarios},
            key=key,
        )
    return work / "instructor", drop, turns


def headless_import(instructor_dir: Path, drop: Path) -> dict:
    with open_laptop(instructor_dir) as ctx:
        packs = ctx.service(PackService)
        packs.set_drop_folder(drop)
        before = psutil.Process().memory_info().rss / 1024**2
        with PeakRss() as rss:
            started = time.perf_counter()
            report = scan(packs)
            seconds = time.perf_counter() - started
        started = time.perf_counter()
        rescan = scan(packs)
        rescan_s = time.perf_counter() - started
        queue = packs.queue_count()
    return {
        "imported": len(report.imported),
        "skipped": report.skipped,
        "seconds": round(seconds, 2),
        "sessions_per_s": round(len(report.imported) / seconds, 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(rss.peak, 1),
        "review_queue": queue,
        "rescan_imported": len(rescan.imported),
        "rescan_seconds": round(rescan_s, 3),
    }


def ui_import(instructor_dir: Path, drop: Path) -> dict:
    """The same import through the app's watcher while a 10 ms UI timer measures the event loop."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from deescal.ui.drop_folder import DropFolderWatcher
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    with open_laptop(instructor_dir) as ctx:
        ctx.service(PackService).set_drop_folder(drop)
        gaps: list[float] = []
        clock = QElapsedTimer()
        ticker = QTimer(interval=10)

        def tick() -> None:
            gaps.append(clock.restart())

        ticker.timeout.connect(tick)
        result: dict = {}
        started = time.perf_counter()
        watcher = DropFolderWatcher(ctx)  # scans at start, on its task lane
        watcher.scanned.connect(lambda report: (result.update(report=report), app.quit()))
        clock.start()
        ticker.start()
        app.exec()
        seconds = time.perf_counter() - started
        ticker.stop()
        watcher.lane.stop()
    gaps = sorted(gaps[1:]) or [0.0]
    return {
        "imported": len(result["report"].imported),
        "seconds": round(seconds, 2),
        "ui_ticks": len(gaps),
        "longest_ui_gap_ms": round(gaps[-1], 1),
        "p99_ui_gap_ms": round(gaps[min(len(gaps) - 1, int(0.99 * len(gaps)))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laptops", type=int, default=40)
    parser.add_argument("--sessions", type=int, default=50, help="sessions per laptop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-packs-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        instructor, drop, turns = make_packs(work, args.laptops, args.sessions)
        setup_s = time.perf_counter() - started
        pristine = work / "instructor-pristine"
        shutil.copytree(instructor, pristine)
        pack_bytes = sum(p.stat().st_size for p in drop.iterdir())
        headless = headless_import(instructor, drop)
        ui = ui_import(pristine, drop)
    result = {
        "laptops": args.laptops,
        "sessions": args.laptops * args.sessions,
        "turns": turns,
        "packs_mb": round(pack_bytes / 1024**2, 2),
        "setup_seconds": round(setup_s, 1),
        "headless": headless,
        "through_the_ui": ui,
        "goal": {"seconds": 60, "peak_mb": 500},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
