"""Technique benchmark: per-technique precision, recall and F1, and how varied the next steps are.

Run by ``make bench`` (or ``python tests/bench/bench_techniques.py``); prints the numbers and writes
``bench-results/techniques.json``.

- Detection on the fixed validation split of ``technique_lines.csv`` (and on train, for the gap):
  precision, recall and F1 per technique, the macro F1 (goal >= 0.85) and the lowest F1 (goal >= 0.6).
- Next steps over the realism benchmark's scripted sessions (its four officer scripts on its 16
  scenarios), with each scenario's reference civilian lines standing in for the model's replies:
  the share of the most frequent next-step text (goal <= 20%) and how often a next step suggests a
  technique used in that turn or the one before (goal: never).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench-results" / "techniques.json"
MACRO_F1_GOAL, MIN_F1_GOAL, NEXT_STEP_SHARE_GOAL = 0.85, 0.6, 0.2


def detection(scorer, split: str) -> dict:
    from deescal.app.scoring.labelled import load_technique_lines, technique_measures
    from deescal.app.scoring.techniques import TECHNIQUES

    lines = load_technique_lines(split)
    found = [
        {hit.name for hit in scorer.analyse(line.officer_turn, line.civilian_before).hits} for line in lines
    ]
    measures = technique_measures([line.techniques for line in lines], found, [t.name for t in TECHNIQUES])
    f1s = [m.f1 for m in measures.values()]
    return {
        "lines": len(lines),
        "macro_f1": round(sum(f1s) / len(f1s), 3),
        "min_f1": min(f1s),
        "per_technique": {name: vars(m) for name, m in measures.items()},
    }


def scripted_next_steps(scorer) -> list[dict]:
    """Every officer turn of the scripted sessions: its techniques, the turn before's, and the next step."""
    from deescal.app.scoring.coaching import session_moment
    from deescal.scenario_library.scenario_files import load_bundled

    from tests.bench.bench_realism import SCRIPTS, plan

    scenarios = {s.case_id: s for s in load_bundled().scenarios}
    turns = []
    for case_id, _group, script in plan():
        scenario = scenarios[case_id]
        civilian_lines = [t.text for t in scenario.reference_transcript if t.role == "civilian"]
        earlier: list[frozenset[str]] = []
        civilian_before = None
        for n, line in enumerate(SCRIPTS[script]):
            moment = session_moment(scenario, scenario.initial_tension, earlier)
            result = scorer.score(line, civilian_before, moment)
            used = frozenset(hit.name for hit in result.techniques)
            turns.append(
                {
                    "used": used,
                    "used_before": earlier[-1] if earlier else frozenset(),
                    "next_step": result.next_step,
                }
            )
            earlier.append(used)
            civilian_before = civilian_lines[n] if n < len(civilian_lines) else None
    return turns


def suggested_technique(next_step: str) -> str | None:
    from deescal.app.scoring.coaching import ADVICE

    return next((name for name, advice in ADVICE.items() if advice in next_step), None)


def next_step_variety(turns: list[dict]) -> dict:
    counts = Counter(turn["next_step"] for turn in turns)
    text, most = counts.most_common(1)[0]
    repeats = [
        turn["next_step"]
        for turn in turns
        if suggested_technique(turn["next_step"]) in turn["used"] | turn["used_before"]
    ]
    return {
        "turns": len(turns),
        "distinct_texts": len(counts),
        "most_common_text": text,
        "most_common_share": round(most / len(turns), 3),
        "suggests_recent_technique": len(repeats),
    }


def main() -> int:
    from deescal.app.context import force_offline
    from deescal.app.scoring import get_scorer

    force_offline()
    scorer = get_scorer()
    results = {
        "goals": {"macro_f1": MACRO_F1_GOAL, "min_f1": MIN_F1_GOAL, "next_step_share": NEXT_STEP_SHARE_GOAL},
        "validation": detection(scorer, "validation"),
        "train": detection(scorer, "train"),
        "next_steps": next_step_variety(scripted_next_steps(scorer)),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'technique':24} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}   (validation split)")
    for name, m in results["validation"]["per_technique"].items():
        print(f"{name:24} {m['precision']:6.2f} {m['recall']:6.2f} {m['f1']:6.2f} {m['support']:4}")
    for split in ("validation", "train"):
        r = results[split]
        print(
            f"{split}: {r['lines']} lines, macro F1 {r['macro_f1']} (goal >= {MACRO_F1_GOAL}), "
            f"lowest F1 {r['min_f1']} (goal >= {MIN_F1_GOAL})"
        )
    n = results["next_steps"]
    print(
        f"next steps over {n['turns']} scripted turns: {n['distinct_texts']} distinct texts, the most common "
        f"{n['most_common_share']:.0%} (goal <= {NEXT_STEP_SHARE_GOAL:.0%}): {n['most_common_text']!r}; "
        f"suggesting a technique just used: {n['suggests_recent_technique']} (goal 0)"
    )
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
