"""Redaction benchmark: recall and precision on the project's labelled set, and the time per line.

Run by ``make bench`` (or ``python tests/bench/bench_redaction.py``); prints the numbers and writes
``bench-results/redaction.json``. The set, ``redaction_eval.txt`` beside this file, marks each
personal detail as ``[[KIND:text]]``; lines without marks must come back unchanged.

- recall: a marked detail counts as caught when redaction replaced every character of it;
- precision: a replaced span counts as right when it overlaps a marked detail;
- goal: recall >= 97%, precision >= 90%.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EVAL_SET = Path(__file__).with_name("redaction_eval.txt")
RESULTS = REPO / "bench-results" / "redaction.json"
_MARK = re.compile(r"\[\[([A-Z]+):(.+?)\]\]")


@dataclass(frozen=True)
class Labelled:
    text: str
    items: list[tuple[int, int, str]]  # (start, end, kind) in text


def load_eval_set(path: Path = EVAL_SET) -> list[Labelled]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        text, items, cursor = "", [], 0
        for m in _MARK.finditer(raw):
            text += raw[cursor : m.start()]
            items.append((len(text), len(text) + len(m.group(2)), m.group(1)))
            text += m.group(2)
            cursor = m.end()
        lines.append(Labelled(text + raw[cursor:], items))
    return lines


def evaluate(lines: list[Labelled]) -> dict:
    """Recall (overall and per kind), precision, the misses and false alarms, and the time per line."""
    from deescal.app.pii_engine import analyzer, find

    analyzer()  # loaded once, not timed per line
    caught, total, right, predicted = Counter(), Counter(), 0, 0
    misses, false_alarms = [], []
    start = time.perf_counter()
    for line in lines:
        spans = [(f.start, f.end) for f in find(line.text)]
        for s, e, kind in line.items:
            total[kind] += 1
            covered = set().union(*(range(a, b) for a, b in spans)) if spans else set()
            if set(range(s, e)) <= covered:
                caught[kind] += 1
            else:
                misses.append(f"{kind} {line.text[s:e]!r} in {line.text!r}")
        for a, b in spans:
            predicted += 1
            if any(a < e and s < b for s, e, _ in line.items):
                right += 1
            else:
                false_alarms.append(f"{line.text[a:b]!r} in {line.text!r}")
    seconds = time.perf_counter() - start
    return {
        "lines": len(lines),
        "items": sum(total.values()),
        "recall": sum(caught.values()) / max(1, sum(total.values())),
        "precision": right / max(1, predicted),
        "recall_by_kind": {kind: f"{caught[kind]}/{n}" for kind, n in sorted(total.items())},
        "ms_per_line": 1000 * seconds / max(1, len(lines)),
        "misses": misses,
        "false_alarms": false_alarms,
    }


def main() -> int:
    sys.path.insert(0, str(REPO))
    load_start = time.perf_counter()
    from deescal.app.pii_engine import analyzer

    analyzer()
    result = {"engine_load_s": time.perf_counter() - load_start, **evaluate(load_eval_set())}
    print(
        f"redaction: {result['lines']} lines, {result['items']} items; recall {result['recall']:.1%} "
        f"(goal >= 97%), precision {result['precision']:.1%} (goal >= 90%); "
        f"{result['ms_per_line']:.1f} ms per line, engine load {result['engine_load_s']:.1f} s"
    )
    print("recall by kind:", result["recall_by_kind"])
    for line in result["misses"]:
        print("  missed", line)
    for line in result["false_alarms"]:
        print("  false alarm", line)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
