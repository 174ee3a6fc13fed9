"""Self-test for the scenario library: bundled files valid, search fast, transcript import working."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.library.service import LibraryService
from deescal.scenario_library.transcript_csv import read_transcript
from deescal.scenario_library.transcript_import import scenario_from_transcript

PROBE = (
    "start_time,speaker_label,transcript\n"
    '00:00,Deputy Cole,"Sheriff\'s office. Can I see your license, please?"\n'
    "00:03,Sam,\"Sure, officer. I'm sorry, I didn't see the sign.\"\n"
)


def check_library(ctx: AppContext) -> str:
    library = ctx.service(LibraryService)
    if library.bundled_errors:
        raise RuntimeError("; ".join(library.bundled_errors[:3]))
    authored, imported = library.count(source="authored"), library.count(source="imported")
    if authored < 150:
        raise RuntimeError(f"only {authored} authored scenarios in the library")
    started = time.perf_counter()
    library.search("knife", limit=50)
    library.count("knife")
    search_ms = (time.perf_counter() - started) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.csv"
        probe.write_text(PROBE, encoding="utf-8")
        roles = {
            t.speaker: t.role for t in scenario_from_transcript(read_transcript(probe)).reference_transcript
        }
    if roles != {"Deputy Cole": "officer", "Sam": "civilian"}:
        raise RuntimeError(f"role inference gave {roles}")
    return (
        f"{authored} authored + {imported} imported scenarios in {len(library.categories())} categories; "
        f"search {search_ms:.0f} ms; transcript import ok"
    )
