"""Scoring benchmark: turn-scoring latency, review-page open time, and the scorer's AUC.

Run by ``make bench`` (or ``python tests/bench/bench_scoring.py``); prints the numbers and writes
``bench-results/scoring.json``. Torch set to 2 CPU threads, as on a modest laptop (the encoder
itself runs each turn on one thread, see ``encoder.ENCODE_THREADS``):

- scorer load (MiniLM + exemplar banks) and per-turn latency after warm-up, p50/p95 over every
  labelled line (goal: <= 50 ms per turn);
- the Review page opening a 60-turn session (30 civilian + 30 officer turns), offscreen Qt
  (goal: < 1 s), and the PDF/HTML export of it;
- ROC AUC of the shipped weights on the train and the validation part of the labelled set;
- every officer line of the written role-play corpus scored in its dialogue (the civilian's line
  before, the tension, the card): mean score per officer skill, and how many lines of its skilled
  officers score under 35 and of its poor officers over 70 (read those lists to find misreadings;
  a poor officer's plain question can fairly score high, a safety command in danger too).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench-results" / "scoring.json"
THREADS = 2


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_scorer() -> dict:
    import torch
    from deescal.app.scoring import SCORER_VERSION, TurnScorer
    from deescal.app.scoring.labelled import load_labelled, roc_auc

    torch.set_num_threads(THREADS)
    start = time.perf_counter()
    scorer = TurnScorer()
    scorer.warm_up()
    load_s = time.perf_counter() - start
    lines = load_labelled()
    for line in lines[:20]:  # warm-up
        scorer.score(line.officer_turn, line.civilian_before)
    latencies, scores = [], {}
    for line in lines:
        t = time.perf_counter()
        scores[line.id] = scorer.score(line.officer_turn, line.civilian_before).score
        latencies.append((time.perf_counter() - t) * 1000)
    auc = {}
    for split in ("train", "validation"):
        part = [line for line in lines if line.split == split]
        auc[split] = {
            "n": len(part),
            "auc": round(roc_auc([line.label for line in part], [scores[line.id] for line in part]), 4),
            "mean_score_deescalating": round(statistics.mean(scores[x.id] for x in part if x.label == 1), 1),
            "mean_score_escalating": round(statistics.mean(scores[x.id] for x in part if x.label == 0), 1),
        }
    return {
        "scorer_version": SCORER_VERSION,
        "labelled_lines": len(lines),
        "load_s": round(load_s, 2),
        "turns_timed": len(latencies),
        "latency_ms_p50": round(percentile(latencies, 0.5), 1),
        "latency_ms_p95": round(percentile(latencies, 0.95), 1),
        "latency_ms_max": round(max(latencies), 1),
        "auc": auc,
    }


def bench_corpus_skills() -> dict:
    from deescal.app.scoring import get_scorer
    from deescal.app.scoring.coaching import session_moment
    from deescal.finetune.corpus import load_corpus
    from deescal.scenario_library.scenario_files import load_bundled

    scenarios = {s.case_id: s for s in load_bundled().scenarios}
    scorer = get_scorer()
    scores: dict[str, list[float]] = {}
    skilled_low, poor_high = [], []
    for dialogue in load_corpus():
        scenario = scenarios[dialogue.case_id]
        before, tension = None, scenario.initial_tension
        for turn in dialogue.turns:
            result = scorer.score(turn.officer, before, session_moment(scenario, tension, []))
            scores.setdefault(dialogue.officer_skill, []).append(result.score)
            names = [h.name for h in result.techniques]
            if dialogue.officer_skill == "skilled" and result.score < 35:
                skilled_low.append({"score": result.score, "techniques": names, "officer": turn.officer})
            if dialogue.officer_skill == "poor" and result.score > 70:
                poor_high.append({"score": result.score, "techniques": names, "officer": turn.officer})
            before, tension = turn.civilian, turn.tension
    return {
        "mean_score": {skill: round(statistics.mean(v), 1) for skill, v in scores.items()},
        "lines": {skill: len(v) for skill, v in scores.items()},
        "skilled_under_35": skilled_low,
        "poor_over_70": poor_high,
    }


def bench_review(data_root: Path) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(REPO))
    from deescal.app.context import AppContext
    from deescal.app.report_export import export_html, export_pdf
    from deescal.app.review import ReviewService
    from deescal.ui.views.review import ReviewView
    from PySide6.QtWidgets import QApplication

    from tests.app.session_factory import make_session

    app = QApplication.instance() or QApplication([])
    ctx = AppContext.open(data_root)
    session = make_session(ctx.store, 30)
    build_start = time.perf_counter()
    view = ReviewView(ctx)
    view.resize(1280, 800)
    view.show()
    app.processEvents()
    build_s = time.perf_counter() - build_start
    opens = []
    for _ in range(5):
        t = time.perf_counter()
        view.show_session(session)
        app.processEvents()
        opens.append(time.perf_counter() - t)
    service = ctx.service(ReviewService)
    t = time.perf_counter()
    review = service.load(session)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    export_pdf(review, data_root / "review.pdf")
    pdf_s = time.perf_counter() - t
    t = time.perf_counter()
    export_html(review, data_root / "review.html")
    html_s = time.perf_counter() - t
    view.close()
    ctx.close()
    return {
        "turns": len(review.turns),
        "page_build_and_first_open_s": round(build_s, 3),
        "open_session_s_median": round(statistics.median(opens), 3),
        "open_session_s_max": round(max(opens), 3),
        "service_load_s": round(load_s, 4),
        "export_pdf_s": round(pdf_s, 3),
        "export_html_s": round(html_s, 3),
    }


def main() -> int:
    from deescal.app.context import force_offline

    force_offline()
    results = {"threads": THREADS, "cpu_count": os.cpu_count(), "scorer": bench_scorer()}
    results["corpus_skills"] = bench_corpus_skills()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DEESCAL_HOME"] = tmp
        results["review"] = bench_review(Path(tmp))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    s, r = results["scorer"], results["review"]
    print(
        f"scorer {s['scorer_version']}: load {s['load_s']} s; per turn p50 {s['latency_ms_p50']} ms, "
        f"p95 {s['latency_ms_p95']} ms over {s['turns_timed']} turns (goal <= 50 ms)"
    )
    for split, a in s["auc"].items():
        print(
            f"  {split}: n={a['n']} AUC={a['auc']} mean score calm {a['mean_score_deescalating']} "
            f"vs harsh {a['mean_score_escalating']}"
        )
    c = results["corpus_skills"]
    print(f"written corpus, mean score by officer skill: {c['mean_score']} ({c['lines']} lines)")
    safety = sum("safety_command" in line["techniques"] for line in c["poor_over_70"])
    print(
        f"  skilled lines under 35: {len(c['skilled_under_35'])}; poor lines over 70: {len(c['poor_over_70'])} "
        f"({safety} of them safety commands in danger)"
    )
    print(
        f"review page, {r['turns']} turns: open {r['open_session_s_median']} s median, {r['open_session_s_max']} s max "
        f"(goal < 1 s); first build {r['page_build_and_first_open_s']} s; PDF {r['export_pdf_s']} s, "
        f"HTML {r['export_html_s']} s"
    )
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
