"""Scenario-library benchmark: import rate of the shared transcripts, role-inference accuracy, and
search/filter latency at 1,500 and 150,000 scenarios (generated from the bundled ones).

One measured search is what the Library view does after a keystroke or filter change: a count plus
the first page (200 rows). Queries mimic an instructor typing words letter by letter, choosing
filters and sorting. Writes bench-results/library.json. Run: ``python tests/bench/bench_library.py``
(``--sizes 1500`` for a quick run).
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.library import LibraryService
from deescal.app.records.scenarios import insert_scenario
from deescal.scenario_library.role_accuracy import dialogue_files, load_labels, measure
from deescal.scenario_library.scenario_files import load_bundled

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "deescalwild"
RESULTS = REPO / "bench-results" / "library.json"
PAGE = 200
FIRST = ["Ana", "Bilal", "Chen", "Dara", "Eli", "Farah", "Gus", "Hana", "Ivo", "Jaya", "Kofi", "Lena", "Milo",
         "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wes", "Yusuf", "Zoe"]  # fmt: skip
LAST = ["Okafor", "Lindqvist", "Moreau", "Nakamura", "Petrov", "Quispe", "Rahman", "Silva", "Tanaka", "Usman",
        "Varga", "Walsh", "Xu", "Yilmaz", "Zielinski", "Abbott", "Brennan", "Costa", "Dubois", "Evans"]  # fmt: skip
TIMES = [
    "at dawn",
    "mid-morning",
    "at noon",
    "after school",
    "at dusk",
    "late at night",
    "on a holiday weekend",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2),
    }


def bench_import(tmp: Path) -> dict:
    transcripts = SHARED / "transcripts"
    if not transcripts.is_dir():
        return {"skipped": f"{transcripts} not found"}
    shutil.rmtree(tmp / "import-home", ignore_errors=True)
    with open(SHARED / "manifest.csv", newline="", encoding="utf-8") as handle:
        speakers = {row["file"].split("/")[-1]: int(row["speakers"]) for row in csv.DictReader(handle)}
    ctx = AppContext.open(tmp / "import-home")
    library = ctx.service(LibraryService)
    started = time.perf_counter()
    report = library.import_path(transcripts)
    seconds = time.perf_counter() - started
    ctx.close()
    imported = {item["file"] for item in report.imported}
    dialogues = [f for f, n in speakers.items() if n >= 2]
    reasons = Counter(
        "single speaker" if "single speaker" in r else "narrated commentary" if "narrated commentary" in r
        else "no civilian" if "no civilian" in r else "no police officer" if "no police officer" in r
        else "other"
        for _, r in report.skipped
    )  # fmt: skip
    participants, exchanges = dialogue_files(load_labels())
    accuracy = measure(transcripts)
    return {
        "files": len(speakers),
        "seconds": round(seconds, 2),
        "files_per_second": round(len(speakers) / seconds, 1),
        "imported": len(imported),
        "skipped": len(report.skipped),
        "skip_reasons": dict(reasons),
        "multi_speaker_files": len(dialogues),
        "multi_speaker_imported_share": round(len(imported & set(dialogues)) / len(dialogues), 4),
        "files_with_two_participants": len(participants),
        "two_participant_imported_share": round(len(imported & participants) / len(participants), 4),
        "files_with_officer_civilian_exchange": len(exchanges),
        "exchange_imported_share": round(len(imported & exchanges) / len(exchanges), 4),
        "role_inference": accuracy.as_dict(),
    }


def generate(library: LibraryService, count: int, seed: int = 7) -> float:
    """Adds ``count`` scenarios varied from the bundled ones (names, places, numbers); returns seconds."""
    rnd = random.Random(seed)
    templates = load_bundled().scenarios
    started = time.perf_counter()
    existing = library.count()
    if existing >= count:
        return 0.0
    batch = 2000
    for start in range(existing, count, batch):
        with library.store.write() as conn:
            for n in range(start, min(count, start + batch)):
                base = templates[n % len(templates)]
                scenario = copy.deepcopy(base)
                old_name = base.character_profile.name
                new_name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                scenario.case_id = f"gen-{n}"
                scenario.title = f"{base.title} {rnd.choice(TIMES)} ({n})"
                scenario.character_profile.name = new_name
                scenario.character_profile.age = rnd.randint(14, 88)
                scenario.difficulty = rnd.randint(1, 5)
                scenario.initial_tension = round(rnd.uniform(0, 10), 1)
                scenario.provenance.source = "imported" if n % 3 else "authored"
                for turn in scenario.reference_transcript:
                    turn.text = turn.text.replace(old_name.split()[0], new_name.split()[0])
                    if turn.role == "civilian":
                        turn.speaker = new_name.split()[0]
                insert_scenario(conn, scenario, None)
    library.store.execute("ANALYZE")
    library._changed()
    return time.perf_counter() - started


def query_mix(library: LibraryService, seed: int = 11) -> dict[str, list[dict]]:
    """Keystroke-by-keystroke typing of words found in the library, filters, and both together."""
    rnd = random.Random(seed)
    templates = load_bundled().scenarios
    title_words = Counter(w for s in templates for w in set(re.findall(r"[a-z]{5,}", s.title.lower())))
    distinctive = sorted(w for w, n in title_words.items() if n <= 3)
    words = rnd.sample(distinctive, 14) + rnd.sample(FIRST, 3) + rnd.sample(LAST, 3)
    typing = [{"query": word[:n]} for word in words for n in range(1, len(word) + 1)]
    two_words = [{"query": f"{a} {b[:3]}"} for a, b in zip(words[::2], words[1::2], strict=False)]
    categories = [name for name, _ in library.categories()]
    tags = [name for name, _ in library.tags()[:40]]
    filters = []
    for _ in range(40):
        choice = {}
        if rnd.random() < 0.6:
            choice["category"] = rnd.choice(categories)
        if rnd.random() < 0.4:
            choice["difficulty"] = rnd.randint(1, 5)
        if rnd.random() < 0.3:
            choice["source"] = rnd.choice(["authored", "imported"])
        if rnd.random() < 0.3:
            choice["tags"] = [rnd.choice(tags)]
        choice["sort"] = rnd.choice(["title", "-title", "difficulty", "-tension", "newest", "category"])
        filters.append(choice)
    combined = [{**rnd.choice(filters), "query": rnd.choice(words)} for _ in range(30)]
    return {"typing": typing + two_words, "filters": filters, "query+filters": combined}


def timed_search(library: LibraryService, spec: dict, offset: int = 0) -> tuple[float, float]:
    """(wall-clock ms, CPU ms of this thread): on a shared machine the CPU time is the better guide
    to what the same search costs on an idle one, since SQLite runs in the calling thread."""
    sort = spec.get("sort", "title")
    criteria = {k: v for k, v in spec.items() if k != "sort"}
    wall, cpu = time.perf_counter(), time.thread_time()
    matches = library.count(**criteria)
    library.search(**criteria, sort=sort, limit=PAGE, offset=offset, matches=matches)
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def bench_search(tmp: Path, size: int) -> dict:
    home = tmp / f"search-{size}"
    ctx = AppContext.open(home)
    library = ctx.service(LibraryService)
    generation_s = generate(library, size)
    mix = query_mix(library)
    for specs in mix.values():  # warm the page cache once, as a running app would be
        for spec in specs:
            timed_search(library, spec)
    rounds = 3  # the machine is shared: each query's median of three runs damps interference
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    for name, specs in mix.items():
        for spec in specs:
            runs = [timed_search(library, spec) for _ in range(rounds)]
            walls.setdefault(name, []).append(statistics.median(w for w, _ in runs))
            cpus.setdefault(name, []).append(statistics.median(c for _, c in runs))
    everything = [t for times in walls.values() for t in times]
    slowest = sorted(
        ((t, spec) for name, specs in mix.items() for t, spec in zip(walls[name], specs, strict=True)),
        key=lambda pair: -pair[0],
    )[:8]
    total = library.count()
    scroll = [
        timed_search(library, {}, offset=max(0, round(total * f) - PAGE))[0] for f in (0.25, 0.5, 0.75, 1.0)
    ]
    size_mb = sum(p.stat().st_size for p in home.glob("*.sqlite3*")) / 1e6
    ctx.close()
    return {
        "scenarios": total,
        "generate_seconds": round(generation_s, 1),
        "database_mb": round(size_mb),
        "all": summary(everything),
        "all_cpu": summary([t for times in cpus.values() for t in times]),
        **{name: summary(times) for name, times in walls.items()},
        **{f"{name}_cpu": summary(times) for name, times in cpus.items()},
        "scroll_to_deep_pages": summary(scroll),
        "slowest": [{"ms": round(t, 1), **spec} for t, spec in slowest],
    }


def _wait(app, condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


def bench_view(tmp: Path, size: int) -> dict:
    """The real Library view on the generated library: UI-thread stalls while typing, time to results."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from deescal.ui.tasks import drain
    from deescal.ui.views.library import LibraryView
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    ctx = AppContext.open(tmp / f"search-{size}")
    started = time.perf_counter()
    view = LibraryView(ctx)
    view.resize(1280, 800)
    view.show()
    _wait(app, lambda: not view.busy() and view.model.total > 0)
    open_s = time.perf_counter() - started

    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()

    def tick() -> None:
        gaps.append(clock.restart())

    ticker = QTimer()
    ticker.timeout.connect(tick)
    ticker.start(5)
    to_results = []
    for word in ("kitchen", "Rahman", "bridge", "hospital", "Tara wal"):
        view.search_edit.clear()
        for char in word:  # about 8 keys a second, a quick typist
            view.search_edit.insert(char)
            _wait(app, lambda: False, 0.12)
        typed = time.perf_counter()
        _wait(app, lambda: not view.busy() and not view._search_timer.isActive())
        to_results.append((time.perf_counter() - typed) * 1000)
    view.clear_filters()
    _wait(app, lambda: not view.busy())
    scrolled = time.perf_counter()
    view.table.scrollToBottom()
    _wait(app, lambda: view.model.data(view.model.index(view.model.total - 1, 0)) != "\u2026")
    scroll_ms = (time.perf_counter() - scrolled) * 1000
    ticker.stop()
    drain()
    view.shutdown()
    ctx.close()
    stalls = [g - 5 for g in gaps if g > 5]
    return {
        "open_view_seconds": round(open_s, 2),
        "results_after_last_key_ms": [round(t) for t in to_results],
        "ui_thread_longest_stall_ms": round(max(stalls, default=0)),
        "ui_thread_stalls_over_50ms": sum(1 for g in stalls if g > 50),
        "scroll_to_last_row_ms": round(scroll_ms),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1500, 150_000])
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated libraries in this folder")
    args = parser.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="deescal-bench-library-"))
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "note": "shared 2-core machine: timings include interference from other work",
        "measured_search": f"count + first page of {PAGE} rows, as the Library view does per keystroke; "
        "each query's median of 3 runs",
    }
    try:
        if not args.skip_import:
            results["import"] = bench_import(tmp)
            print(json.dumps(results["import"], indent=1))
        results["search"] = {}
        for size in args.sizes:
            results["search"][str(size)] = bench_search(tmp, size)
            results["search"][str(size)]["library_view"] = bench_view(tmp, size)
            print(size, json.dumps(results["search"][str(size)], indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
