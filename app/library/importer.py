"""Imports transcript CSVs and scenario JSON files, one file at a time, reporting every file.

Each scenario is written in its own transaction, so a bad file, a crash or a cancel never leaves a
half-written scenario and never touches what is already in the library. Duplicates are found by
content (the same dialogue under another file name is still a duplicate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deescal.app.errors import UserFacingError
from deescal.app.records.scenarios import ScenarioRepository
from deescal.app.records.store import Store
from deescal.scenario_library.scenario_files import ScenarioFileError, scenario_hash, scenarios_from_json
from deescal.scenario_library.schema import ScenarioFormatError
from deescal.scenario_library.transcript_csv import TranscriptFileError, read_transcript
from deescal.scenario_library.transcript_import import scenario_from_transcript

log = logging.getLogger(__name__)

IMPORTABLE_SUFFIXES = (".csv", ".json")
Progress = Callable[[float, str], None]


@dataclass
class ImportReport:
    imported: list[dict] = field(default_factory=list)  # id, case_id, title, file
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    cancelled: bool = False

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "skipped": [{"file": file, "reason": reason} for file, reason in self.skipped],
            "cancelled": self.cancelled,
        }


def files_to_import(path: Path) -> list[Path]:
    """The file itself, or every .csv/.json under a folder (hidden files and folders left out)."""
    if not path.exists():
        raise UserFacingError(f"{path} does not exist.")
    if path.is_file():
        return [path]
    found = [
        p
        for p in path.rglob("*")
        if p.suffix.lower() in IMPORTABLE_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]
    return sorted(found)


class Importer:
    def __init__(self, store: Store) -> None:
        self.scenarios = ScenarioRepository(store)

    def _duplicate_of(self, content_hash: str) -> dict | None:
        return self.scenarios.with_content(content_hash)

    def _store(self, scenario, content_hash: str, path: Path, report: ImportReport, label: str) -> None:
        duplicate = self._duplicate_of(content_hash)
        if duplicate:
            report.skipped.append(
                (label, f"is already in the library as #{duplicate['id']} \u201c{duplicate['title']}\u201d")
            )
            return
        scenario.case_id = self.scenarios.free_case_id(scenario.case_id)
        scenario_id = self.scenarios.insert(scenario, content_hash, str(path))
        report.imported.append(
            {"id": scenario_id, "case_id": scenario.case_id, "title": scenario.title, "file": label}
        )

    def _import_csv(self, path: Path, report: ImportReport) -> None:
        transcript = read_transcript(path)
        duplicate = self._duplicate_of(transcript.content_hash)
        if duplicate:  # checked before role inference: re-importing a folder is quick
            report.skipped.append(
                (
                    path.name,
                    f"is already in the library as #{duplicate['id']} \u201c{duplicate['title']}\u201d",
                )
            )
            return
        self._store(scenario_from_transcript(transcript), transcript.content_hash, path, report, path.name)

    def _import_json(self, path: Path, report: ImportReport) -> None:
        scenarios, problems = scenarios_from_json(path)
        report.skipped.extend(problems)
        for scenario in scenarios:
            label = f"{path.name} [{scenario.case_id}]" if len(scenarios) > 1 else path.name
            try:
                self._store(scenario, scenario_hash(scenario), path, report, label)
            except Exception as exc:  # one entry that cannot be stored must not cost the entries after it
                log.exception("storing %s failed", label)
                report.skipped.append((label, f"could not be stored ({exc}); details are in the log"))

    def run(
        self, path: str | Path, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None
    ) -> ImportReport:
        files = files_to_import(Path(path))
        report = ImportReport()
        if not files:
            raise UserFacingError(f"No .csv or .json files were found in {path}.")
        for n, file in enumerate(files):
            if cancelled and cancelled():
                report.cancelled = True
                break
            if progress:
                progress(n / len(files), f"Importing {file.name} ({n + 1} of {len(files)})")
            try:
                if file.suffix.lower() == ".csv":
                    self._import_csv(file, report)
                elif file.suffix.lower() == ".json":
                    self._import_json(file, report)
                else:
                    report.skipped.append((file.name, "is not a .csv transcript or a .json scenario file"))
            except (TranscriptFileError, ScenarioFileError) as exc:
                report.skipped.append((file.name, str(exc)))
            except ScenarioFormatError as exc:
                report.skipped.append((file.name, f"field '{exc.field_name}' {exc.problem}"))
            except Exception as exc:  # one broken file must not stop the others
                log.exception("importing %s failed", file)
                report.skipped.append((file.name, f"could not be imported ({exc}); details are in the log"))
        if progress:
            progress(1.0, f"Imported {len(report.imported)}, skipped {len(report.skipped)}")
        return report
