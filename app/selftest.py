"""Checks that each component works on this machine, offline, with timings.

A check is ``"module:function"``; the function takes the :class:`AppContext` and returns a short
detail string, or raises. Components add their own check here.
"""

from __future__ import annotations

import importlib
import logging
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.records.settings import SettingsRepository
from deescal.app.records.store import Store

log = logging.getLogger(__name__)

CHECKS: list[tuple[str, str]] = [
    ("database", "deescal.app.selftest:check_database"),
    ("qt offscreen", "deescal.ui.selftest_check:check_qt_offscreen"),
    ("speech-to-text", "deescal.app.voice:check_speech_to_text"),
    ("text-to-speech", "deescal.app.voice:check_text_to_speech"),
    ("language model", "deescal.models.llm:check_language_model"),
    ("scenario library", "deescal.app.library.selftest_check:check_library"),
    ("scorer", "deescal.app.scoring.selftest_check:check_scorer"),
    ("metrics", "deescal.app.metrics.selftest_check:check_metrics"),
]


@dataclass
class CheckResult:
    name: str
    ok: bool
    seconds: float
    detail: str


def check_database(ctx: AppContext) -> str:
    """A scratch database: migrations, WAL, foreign keys, a write that survives reopening."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "selftest.sqlite3"
        store = Store(path)
        mode, fk = store.pragma("journal_mode"), store.pragma("foreign_keys")
        SettingsRepository(store).set("probe", 1)
        store.close()
        reopened = Store(path)
        found = SettingsRepository(reopened).get("probe")
        version = reopened.version
        reopened.close()
    if mode != "wal" or fk != 1 or not found:
        raise RuntimeError(f"journal_mode={mode} foreign_keys={fk} write_survived={bool(found)}")
    main_version = ctx.store.version
    return f"schema v{version}, WAL, foreign keys on; data dir schema v{main_version}"


def _resolve(target: str):
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def run_checks(ctx: AppContext, only: list[str] | None = None) -> list[CheckResult]:
    results = []
    for name, target in CHECKS:
        if only and name not in only:
            continue
        start = time.perf_counter()
        try:
            detail, ok = _resolve(target)(ctx), True
        except Exception as exc:  # a failed check is reported, not raised: the table shows all of them
            log.exception("selftest %s failed", name)
            detail, ok = f"{type(exc).__name__}: {exc}", False
        results.append(CheckResult(name, ok, round(time.perf_counter() - start, 3), str(detail)))
    return results


def results_as_dicts(results: list[CheckResult]) -> list[dict]:
    return [asdict(r) for r in results]
