"""Scenario JSON files: the bundled library, DeEscalWild ``scenarios.json`` lists, and the app's export format.

Every problem is reported with the file (and scenario) it is in, so a hand-edited file can be fixed:
the bundled loader collects errors per file instead of stopping at the first, and the importer
returns the good scenarios of a file together with a reason for each bad one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deescal.scenario_library.derived_card import guess_card
from deescal.scenario_library.schema import Scenario, ScenarioFormatError

BUNDLED_DIR = Path(__file__).with_name("bundled")
EXPORT_FORMAT = "deescal-scenarios"
EXPORT_VERSION = 1
MAX_JSON_BYTES = 100 * 1024 * 1024


class ScenarioFileError(Exception):
    """A whole JSON file is unusable; ``str(error)`` says why."""


@dataclass
class BundledLibrary:
    scenarios: list[Scenario] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fingerprint: str = ""


def scenario_hash(scenario: Scenario) -> str:
    """Identifies a scenario's content (not where it came from) to spot duplicates."""
    data = scenario.to_dict()
    data.pop("provenance", None)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "json:" + hashlib.sha256(canonical.encode()).hexdigest()


def bundled_fingerprint(folder: Path = BUNDLED_DIR) -> str:
    """A hash of every bundled file's name and bytes: cheap to compare at start-up."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ScenarioFileError(f"is too large (over {MAX_JSON_BYTES // 1_048_576} MB)")
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioFileError(f"cannot be read ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise ScenarioFileError("is empty")
    if b"\x00" in raw[:8192]:
        raise ScenarioFileError("is a binary file, not JSON text")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ScenarioFileError("is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise ScenarioFileError(
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc


def load_bundled_file(path: Path) -> list[Scenario]:
    """One bundled file (a JSON array); raises :class:`ScenarioFormatError` naming the file and field."""
    try:
        data = _read_json(path)
    except ScenarioFileError as exc:
        raise ScenarioFormatError(path.name, "(file)", str(exc)) from exc
    if not isinstance(data, list):
        raise ScenarioFormatError(path.name, "(file)", "must be a JSON array of scenarios")
    return [Scenario.from_dict(item, f"{path.name} #{n + 1}") for n, item in enumerate(data)]


def load_bundled(folder: Path = BUNDLED_DIR) -> BundledLibrary:
    """All bundled files; a bad file is reported in ``errors`` and the others still load."""
    library = BundledLibrary(fingerprint=bundled_fingerprint(folder))
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            scenarios = load_bundled_file(path)
        except ScenarioFormatError as exc:
            library.errors.append(str(exc))
            continue
        for scenario in scenarios:
            if scenario.case_id in seen:
                library.errors.append(
                    f"{path.name} [{scenario.case_id}]: field 'case_id' is also used in {seen[scenario.case_id]}"
                )
                continue
            seen[scenario.case_id] = path.name
            library.scenarios.append(scenario)
    return library


def _from_deescalwild_case(item: dict, where: str, file_name: str) -> Scenario:
    """A DeEscalWild case (case_id, scenario_context, character_profile, police_dialogue) with a derived card."""
    profile = item.get("character_profile") if isinstance(item.get("character_profile"), dict) else {}
    dialogue = item.get("police_dialogue") or []
    if not isinstance(dialogue, list) or not all(isinstance(line, str) for line in dialogue):
        raise ScenarioFormatError(where, "police_dialogue", "must be a list of strings")
    context = item.get("scenario_context")
    if not isinstance(context, str) or not context.strip():
        raise ScenarioFormatError(where, "scenario_context", "must be a non-empty string")
    described = [context, str(profile.get("emotional_state", "")), str(profile.get("background", ""))]
    card = guess_card(described + dialogue, described[1:], [context], 1)
    name = profile.get("name")
    if not isinstance(name, str | None):
        raise ScenarioFormatError(where, "character_profile.name", "must be a string")
    name = (name or "").strip() or "Unnamed civilian"
    data = {
        "case_id": f"dws-{item.get('case_id')}",
        "title": f"{card.category}: {name}",
        "category": card.category,
        "scenario_context": context,
        "character_profile": {**profile, "name": name},
        "difficulty": card.difficulty,
        "initial_tension": card.initial_tension,
        "tags": ["deescalwild", "scenarios-json", *card.markers],
        "reference_transcript": [
            {"role": "officer", "speaker": "Officer", "text": line} for line in dialogue if line.strip()
        ],
        "provenance": {"source": "imported", "file": file_name},
    }
    return Scenario.from_dict(data, where)


def scenarios_from_json(path: str | Path) -> tuple[list[Scenario], list[tuple[str, str]]]:
    """Reads an export, a bundled-style array or a DeEscalWild ``scenarios.json``.

    Returns the usable scenarios and, for each unusable entry, (where, reason). Raises
    :class:`ScenarioFileError` when the file as a whole is unusable.
    """
    path = Path(path)
    data = _read_json(path)
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        items = data.get("scenarios")
        if not isinstance(items, list):
            raise ScenarioFileError("is a DeEscal export without a 'scenarios' list")
    elif isinstance(data, dict) and isinstance(data.get("scenarios"), list):
        items = data["scenarios"]
    elif isinstance(data, list):
        items = data
    else:
        raise ScenarioFileError("is not a scenario file (expected a list of scenarios or a DeEscal export)")
    if not items:
        raise ScenarioFileError("contains no scenarios")

    scenarios, problems = [], []
    for n, item in enumerate(items):
        where = f"{path.name} #{n + 1}"
        try:
            if isinstance(item, dict) and "title" not in item and "police_dialogue" in item:
                scenarios.append(_from_deescalwild_case(item, where, path.name))
            else:
                scenario = Scenario.from_dict(item, where)
                if scenario.provenance.source == "imported" and not scenario.provenance.file:
                    scenario.provenance.file = path.name
                scenarios.append(scenario)
        except ScenarioFormatError as exc:
            problems.append((exc.where, f"field '{exc.field_name}' {exc.problem}"))
    return scenarios, problems


def write_export(scenarios: Iterable[Scenario], out_path: str | Path) -> int:
    """Writes the app's export format atomically (a crash never leaves half a file); returns the count."""
    out_path = Path(out_path)
    items = [s.to_dict() for s in scenarios]
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "count": len(items),
        "scenarios": items,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return len(items)
