"""Unblinds judged realism scores: ``python tests/bench/realism_judged.py KEY.json SCORES.json ...``.

Each SCORES file is one judge's list of ``{"label", "realism", "responsiveness", "emotional_dynamics"}``
for the packet that ``bench_realism.py`` wrote; KEY maps each label to the model, scenario group and
officer script. Prints the table by model and group (mean over judges and transcripts, with each
judge's own mean) and writes ``bench-results/realism-judged.json``.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIELDS = ("realism", "responsiveness", "emotional_dynamics")


def main(argv: list[str]) -> int:
    key = json.loads(Path(argv[0]).read_text())
    judges = [json.loads(Path(p).read_text()) for p in argv[1:]]
    cells: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_judge: dict[tuple[str, str], list[list[float]]] = defaultdict(lambda: [[] for _ in judges])
    for j, scores in enumerate(judges):
        for row in scores:
            info = key[row["label"]]
            for group in (info["group"], "all"):
                for field in FIELDS:
                    cells[(info["model"], group)][field].append(float(row[field]))
                per_judge[(info["model"], group)][j].append(float(row["realism"]))
    table = []
    print(
        "| model | scenarios | transcripts | realism (0-100) | by judge | responsiveness (1-5) | emotional dynamics (1-5) |"
    )
    print("|---|---|---|---|---|---|---|")
    for (model, group), values in sorted(cells.items()):
        means = {f: round(statistics.fmean(values[f]), 1) for f in FIELDS}
        judge_means = [round(statistics.fmean(v), 1) for v in per_judge[(model, group)] if v]
        n = len(values["realism"]) // max(1, len(judges))
        table.append({"model": model, "group": group, "transcripts": n, **means, "by_judge": judge_means})
        print(
            f"| {model} | {group} | {n} | {means['realism']} | {' / '.join(map(str, judge_means))} | "
            f"{means['responsiveness']} | {means['emotional_dynamics']} |"
        )
    out = REPO / "bench-results" / "realism-judged.json"
    out.write_text(json.dumps({"judges": len(judges), "table": table}, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
