"""``deescal finetune`` and ``deescal eval`` on the real transcripts, with a tiny configuration.

One data folder for the module (the runs build on each other): a 20-step run that becomes the
active adapter; a run interrupted by SIGINT and resumed to the same step count, whose export fails
and then succeeds elsewhere, never touching the active adapter; and the evaluation side by side.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from deescal.app.context import AppContext
from deescal.cli import main
from deescal.finetune.checkpoint import read_state
from deescal.finetune.job import loss_history, read_job
from deescal.models.embedded import HOUSE_ADAPTER
from deescal.models.registry import ModelRegistry

from tests.finetune.shared_models import seed_models

pytestmark = pytest.mark.slow

TINY = ["--max-length", "128", "--batch-size", "1", "--grad-accum", "1", "--limit-files", "6"]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("finetune-home")
    ctx = AppContext.open(root)
    seed_models(ctx.data)
    ctx.close()
    return root


def _run(capsys, home: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(home), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _adapters(home: Path) -> tuple[list[str], str | None]:
    ctx = AppContext.open(home)
    try:
        registry = ModelRegistry(ctx)
        active = registry.active_adapter()
        return sorted(a.name for a in registry.adapters()), active.name if active else None
    finally:
        ctx.close()


def test_finetune_20_steps_on_cpu_writes_an_adapter_llama_cpp_uses(home, transcripts_dir, capsys):
    from deescal.models.llm import LanguageModel

    code, out, err = _run(
        capsys, home, "finetune", "--transcripts", str(transcripts_dir), "--steps", "20", *TINY,
        "--checkpoint-every", "10", "--eval-every", "10", "--name", "first", "--make-active", "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "finished" and result["training"]["step"] == 20
    assert result["training"]["device"] == "cpu" and result["splits"]["test"]["dialogues"] >= 1
    assert result["redaction"]["texts_seen"] > 0
    adapter = Path(result["path"])
    assert adapter.is_file() and adapter.parent == home / "adapters"
    assert _adapters(home) == (["first", "house"], "first")
    model = LanguageModel.load(home / "models" / "gemma-3-270m-q4_k_m.gguf", adapter_path=adapter, n_ctx=256)
    try:
        reply = model.generate(
            "Officer: Can you tell me what happened?\nDana (guarded):", max_tokens=8, seed=1
        )
    finally:
        model.close()
    assert reply.n_tokens >= 1 and reply.text.strip()
    ctx = AppContext.open(home)
    summary = ModelRegistry(ctx).adapter("first").training_summary
    ctx.close()
    assert summary["training"]["step"] == 20 and summary["config"]["max_length"] == 128
    # it started from the shipped house adapter, with some of the house corpus mixed in
    assert summary["config"]["init_adapter"] == str(HOUSE_ADAPTER) and summary["config"]["lora_r"] == 16
    assert summary["sources"]["house_corpus"]["used"] >= 20


def test_sigint_then_resume_reaches_the_same_step_count_and_failures_leave_the_active_adapter(
    home, transcripts_dir, tmp_path, capsys
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    command = [
        sys.executable, "-m", "deescal.cli", "--data-dir", str(home), "finetune",
        "--transcripts", str(transcripts_dir), "--steps", "8", *TINY, "--checkpoint-every", "3",
        "--eval-every", "100", "--name", "second", "--out", str(blocker / "second.gguf"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("step 4/8"):
            proc.send_signal(signal.SIGINT)
            break
    rest, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130, "".join(seen) + rest
    assert "deescal finetune --resume" in rest
    folder = home / "finetune" / "current"
    stopped_at = read_state(folder)["step"]
    assert 4 <= stopped_at < 8 and read_job(folder)["status"] == "interrupted"
    assert _adapters(home) == (["first", "house"], "first")

    code, out, err = _run(capsys, home, "finetune", "--resume")
    assert code == 2 and "Cannot write the adapter" in err  # the export fails: output under a file
    assert read_state(folder)["step"] == 8 and read_job(folder)["status"] == "finished"
    assert [e["step"] for e in loss_history(folder)] == list(range(1, 9))
    assert f"step {stopped_at + 1}/8" in out and "step 1/8" not in out
    assert _adapters(home) == (["first", "house"], "first")
    assert list(tmp_path.glob("**/*.partial")) == []

    good = tmp_path / "adapters" / "second.gguf"
    code, out, err = _run(capsys, home, "finetune", "--resume", "--out", str(good))
    assert code == 0, err
    assert good.is_file() and _adapters(home) == (["first", "house", "second"], "first")


def test_eval_compares_base_and_adapters_offline(home, transcripts_dir, tmp_path, capsys):
    report = tmp_path / "eval" / "result.json"
    code, out, err = _run(
        capsys, home, "eval", "--transcripts", str(transcripts_dir), "--adapter", "first",
        "--adapter", str(home / "adapters" / "first.gguf"), "--limit-files", "1", "--max-turns", "3",
        "--max-new-tokens", "16", "--json", str(report),
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(report.read_text())
    names = [m["name"] for m in data["models"]]
    assert len(names) == 3 and names[0].endswith("(base)") and names[1:] == ["first", "first"]
    for row in data["models"]:
        assert row["n_turns"] == 3 and row["latency_s"] > 0 and len(row["latencies_s"]) == 3
        assert all(0.0 <= row[key] <= 1.0 for key in ("rougeL", "bleu4", "meteor", "bertscore_f1"))
    assert data["models"][1]["rougeL"] == data["models"][2]["rougeL"]  # same adapter, same seeds
    assert report.with_suffix(".md").read_text().startswith("| model |")
    assert report.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert "ROUGE-L" in out
    ctx = AppContext.open(home)
    metrics = ModelRegistry(ctx).adapter("first").metrics
    ctx.close()
    assert metrics["n_turns"] == 3 and "base" in metrics
