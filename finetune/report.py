"""Evaluation results as JSON, a markdown table and a grouped bar chart (PNG, matplotlib off-screen)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deescal.finetune.evaluate_models import ModelResult

METRICS = (("rougeL", "ROUGE-L"), ("bleu4", "BLEU-4"), ("meteor", "METEOR"), ("bertscore_f1", "BERTScore F1"))

# DeEscalWild paper (arXiv 2604.13075), fine-tuned Qwen 2.5 3B on its test split, in points (0-100).
PAPER_ROWS: list[dict[str, Any]] = [
    {
        "name": "paper: Qwen 2.5 3B fine-tuned",
        "rougeL": 15.8,
        "bleu4": 3.8,
        "meteor": 19.5,
        "bertscore_f1": None,
    },
]


def results_json(results: list[ModelResult], settings: dict, extra: dict | None = None) -> dict:
    """Scores per model, plus each reply's latency (no generated text: it quotes real transcripts)."""
    models = [{**r.row(), "latencies_s": r.latencies} for r in results]
    return {"settings": settings, "models": models, **(extra or {})}


def markdown_table(results: list[ModelResult], with_paper: bool = False) -> str:
    """Scores in points (0-100), as papers print them; latency in seconds per reply."""
    head = "| model | " + " | ".join(label for _, label in METRICS) + " | latency (s/reply) | turns |"
    lines = [head, "|" + "---|" * (len(METRICS) + 3)]
    for r in results:
        cells = [f"{100 * getattr(r, key):.1f}" for key, _ in METRICS]
        lines.append(f"| {r.name} | " + " | ".join(cells) + f" | {r.latency_s:.2f} | {r.n_turns} |")
    if with_paper:
        for row in PAPER_ROWS:
            cells = ["-" if row[key] is None else f"{row[key]:.1f}" for key, _ in METRICS]
            lines.append(f"| {row['name']} | " + " | ".join(cells) + " | - | - |")
    return "\n".join(lines) + "\n"


def bar_chart(
    results: list[ModelResult], path: Path, title: str = "Reply similarity to the real civilian line"
) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    width = 0.8 / max(1, len(results))
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for n, r in enumerate(results):
        xs = [i + (n - (len(results) - 1) / 2) * width for i in range(len(METRICS))]
        values = [100 * getattr(r, key) for key, _ in METRICS]
        bars = ax.bar(xs, values, width, label=r.name)
        ax.bar_label(bars, fmt="%.1f", fontsize=8)
    ax.set_xticks(range(len(METRICS)), [label for _, label in METRICS])
    ax.set_ylabel("score (0-100)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def write_report(
    results: list[ModelResult], json_path: Path, settings: dict, extra: dict | None = None
) -> dict[str, Path]:
    """Writes ``json_path`` and, beside it, the ``.md`` table and the ``.png`` chart."""
    json_path = Path(json_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results_json(results, settings, extra), indent=2))
    md_path = json_path.with_suffix(".md")
    md_path.write_text(markdown_table(results))
    png_path = bar_chart(results, json_path.with_suffix(".png"))
    return {"json": json_path, "markdown": md_path, "chart": png_path}
