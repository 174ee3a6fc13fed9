"""Role-play benchmark: a scripted multi-turn session on the embedded model, as a trainee would play it.

Run by ``make bench`` (or ``python tests/bench/bench_roleplay.py``); prints the numbers and writes
``bench-results/roleplay.json``. Per civilian turn, measured from the moment the trainee's line is
submitted (so scoring and the tension update are included):

- time to the first civilian token (goal <= 0.25 s) and to the complete reply (median goal <= 0.38 s),
  for lines submitted at once (CLI, voice) and for lines typed in the GUI (read while typed), and the
  cost of the adapter and of the contrast (replies weighed against the line unsaid) measured in one run;
- a 40-token reply (goal <= 1.2 s) and the decode rate in tokens/s;
- prompt tokens evaluated per turn (the KV cache should leave only the new ones), peak RAM;
- the longest UI-thread stall while the real Role-play view streams replies (goal <= 50 ms).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench-results" / "roleplay.json"
CASES = ["mh-001", "sui-001", "med-001"]

SCRIPT = [
    "Hi, I'm Officer Kim with the city police. I'm going to stay right here. What's going on tonight?",
    "Okay. I hear you. I'm not here to hurt you. What should I call you?",
    "Thanks. Take your time. Can you tell me what happened before I got here?",
    "That sounds really hard. Is anyone hurt, or is there anything on you I should know about?",
    "You're doing the right thing talking to me. What would help you right now?",
    "Get over here now, I'm not asking again!",
    "Sorry, that came out wrong. I want to make sure you're safe. Can we sit down for a minute?",
    "Is there someone you'd like me to call for you?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_cases(ctx) -> list:
    """The first bundled scenario of three categories, from the scenario library."""
    from deescal.app.library import LibraryService

    library = ctx.service(LibraryService)
    return [library.get(library.find_id(case_id)) for case_id in CASES]


def play_script(service, scenarios, typed: bool, adapter: str | None = None) -> list[dict]:
    """Plays SCRIPT on each scenario; ``typed`` lets the model read each line as it is typed (GUI).

    ``adapter`` None uses the default adapter (the house adapter unless detached); "" uses none.
    """
    turns = []
    for scenario in scenarios:
        session = service.start(scenario.id, seed=1, adapter=adapter)
        for line in SCRIPT:
            if session.status != "active":
                break
            if typed:
                words = line.split()
                for end in range(3, len(words), 3):  # a short pause every few words
                    session.prepare(" ".join(words[:end]))
            result = session.officer_turn(line)
            turns.append(
                {
                    "case_id": scenario.case_id,
                    "first_token_s": result.first_token_s,
                    "latency_s": result.latency_s,
                    "score_s": result.score_s,
                    "n_tokens": result.n_tokens,
                    "evaluated_tokens": result.generation.evaluated_tokens,
                    "prompt_tokens": result.generation.prompt_tokens,
                    "reply": result.reply,
                    "tension": result.tension,
                }
            )
        session.end()
    return turns


def summarise(turns: list[dict]) -> dict:
    first = [t["first_token_s"] for t in turns if t["first_token_s"] is not None]
    full = [t["latency_s"] for t in turns]
    return {
        "turns": len(turns),
        "first_token_s": {
            "median": statistics.median(first),
            "p90": percentile(first, 0.9),
            "max": max(first),
        },
        "full_reply_s": {"median": statistics.median(full), "p90": percentile(full, 0.9), "max": max(full)},
        "score_s_median": statistics.median(t["score_s"] for t in turns),
        "reply_tokens_median": statistics.median(t["n_tokens"] for t in turns),
        "evaluated_prompt_tokens_median": statistics.median(t["evaluated_tokens"] for t in turns),
    }


def bench_session(ctx, scenarios) -> dict:
    from deescal.app.roleplay.service import RoleplayService
    from deescal.app.roleplay.session import CONTRAST_SETTING
    from deescal.app.scoring import get_scorer
    from deescal.app.settings import set_setting

    service = ctx.service(RoleplayService)
    start = time.perf_counter()
    service.preload()
    preload_s = time.perf_counter() - start
    at_once = play_script(service, scenarios, typed=False)
    typed = play_script(service, scenarios, typed=True)
    without_adapter = play_script(service, scenarios, typed=False, adapter="")  # the adapter's overhead
    set_setting(ctx.store, CONTRAST_SETTING, False)
    try:
        typed_plain = play_script(service, scenarios, typed=True)  # the contrast's overhead
    finally:
        set_setting(ctx.store, CONTRAST_SETTING, True)
    # A 40-token reply on a warm cache, from submitting the line: scoring + exactly 40 tokens.
    session = service.start(scenarios[0].id, seed=1)
    session.officer_turn(SCRIPT[0])
    session.conversation.add_officer("Tell me everything that happened today, from the start.")
    begin = time.perf_counter()
    get_scorer().score(session.history[-1][1], session.last_civilian_line)
    long = session.model.generate(session.prompt(), max_tokens=40, stop=[], seed=2)
    long_s = time.perf_counter() - begin
    decode_rate = (long.n_tokens - 1) / max(long.latency_s - (long.first_token_s or 0), 1e-6)
    session.end()
    return {
        "model_and_scorer_load_s": round(preload_s, 2),
        "adapter": service.default_adapter(),
        "submitted_at_once": summarise(at_once),
        "submitted_at_once_without_adapter": summarise(without_adapter),
        "typed_in_gui": summarise(typed),
        "typed_in_gui_without_contrast": summarise(typed_plain),
        "prompt_tokens_last": at_once[-1]["prompt_tokens"],
        "reply_40_tokens_s": round(long_s, 3),
        "reply_40_tokens_generated": long.n_tokens,
        "decode_tokens_per_s": round(decode_rate, 1),
        "model_threads": session.model.n_threads,
        "samples": at_once + typed,
    }


def wait_until(done, timeout_s: float) -> bool:
    """Runs the Qt event loop until ``done()``. (QApplication.processEvents() in a loop is not an
    option: in PySide6 6.12 on Python 3.11 every call drops a reference to None, and the process
    aborts after a few thousand calls.)"""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, poll, deadline = QEventLoop(), QTimer(), time.perf_counter() + timeout_s

    def check() -> None:
        if done() or time.perf_counter() > deadline:
            loop.quit()

    poll.setInterval(5)
    poll.timeout.connect(check)
    poll.start()
    if not done():
        loop.exec()
    poll.stop()
    return done()


def bench_ui_stall(ctx, scenario) -> dict:
    """Longest gap between 2 ms timer ticks on the UI thread while the real view plays turns."""
    from deescal.ui.tasks import drain
    from deescal.ui.views.roleplay import RoleplayView
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    view = RoleplayView(ctx)
    view.resize(1100, 750)
    view.show()
    view.start_for_scenario(scenario.id)
    view.start_session()
    if not wait_until(lambda: view.session is not None and view.input.isEnabled(), 180):
        raise RuntimeError(f"the session did not start: {view.setup.status.text()}")
    clock, gaps, measuring = QElapsedTimer(), [], [False]
    clock.start()
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        if measuring[0]:
            gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(tick)
    timer.start()
    for line in SCRIPT[:4]:
        last[0] = clock.elapsed()
        measuring[0] = True
        view.send_text(line)
        wait_until(lambda: not view._turns.busy, 120)
        measuring[0] = False
    timer.stop()
    if view.session is not None:
        view.end_now()
    drain()
    view.shutdown()
    view.deleteLater()
    return {
        "ui_longest_stall_ms": max(gaps),
        "ui_stall_p99_ms": percentile(gaps, 0.99),
        "ui_ticks": len(gaps),
    }


def main() -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from deescal.app.context import AppContext

    with tempfile.TemporaryDirectory() as home:
        ctx = AppContext.open(home)
        try:
            scenarios = load_cases(ctx)
            results = bench_session(ctx, scenarios)
            results.update(bench_ui_stall(ctx, scenarios[0]))
        finally:
            ctx.close()
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    results["goals"] = {
        "first_token_s": 0.25,
        "full_reply_median_s": 0.38,
        "reply_40_tokens_s": 1.2,
        "ui_longest_stall_ms": 50,
    }
    results["machine"] = {"cpus": os.cpu_count(), "load_avg_at_end": os.getloadavg()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    summary = {k: v for k, v in results.items() if k != "samples"}
    print(json.dumps(summary, indent=2))
    for sample in results["samples"]:
        print(
            f"  {sample['case_id']:8} first {sample['first_token_s'] or 0:5.2f} s  full {sample['latency_s']:5.2f} s"
            f"  score {sample['score_s']:4.2f} s  eval {sample['evaluated_tokens']:3}/{sample['prompt_tokens']:4}"
            f"  T {sample['tension']:4.1f}  {sample['reply']}"
        )
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
