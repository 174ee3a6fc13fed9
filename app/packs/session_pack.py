"""Session packs (trainee -> instructor): the format's contents, written and read (FORMAT.md).

``session_document`` turns one recorded session into the pack's JSON; ``read_session_pack`` checks
every field of an incoming pack and returns rows ready for the records layer, or raises a
:class:`~deescal.app.packs.container.PackError` naming the field: a pack is used whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deescal.app.packs import fields as f
from deescal.app.packs.container import PackReader
from deescal.app.records.entities import Turn
from deescal.app.records.sessions import FINISHED

KIND = "deescal-session-pack"
VERSION = 1
SUFFIX = ".deescal-sessions"
SESSIONS_MEMBER, SCENARIOS_MEMBER = "sessions.json", "scenarios.json"
MAX_SESSIONS = 20_000
MAX_TURNS = 4_000
MAX_SESSIONS_JSON = 256 * 1024**2
MAX_SCENARIOS_JSON = 64 * 1024**2
MAX_AUDIO_BYTES = 200 * 1024**2
ROLES = ("officer", "civilian", "system")
MODES = ("text", "voice")
# Format versions this reader upgrades, oldest first: UPGRADES[n] turns a version-n session list into
# version n + 1. Version 1 is the first, so there is nothing to upgrade yet.
UPGRADES: dict[int, Callable[[list[Any]], list[Any]]] = {}


def audio_member(session_uuid: str, idx: int) -> str:
    return f"audio/{session_uuid}/{idx}.wav"


def session_document(
    row: dict[str, Any],
    turns: list[Turn],
    *,
    laptop: dict[str, str],
    course_id: str,
    assignment_id: str | None,
    app_version: str,
    audio: dict[str, Path],
) -> dict[str, Any]:
    """One session as the pack holds it. Audio files go into ``audio`` (member name -> file) when
    the caller asked for them; adapter paths leave as file names (a path on another laptop means nothing)."""
    out_turns = []
    for turn in turns:
        item: dict[str, Any] = {
            "idx": turn.idx,
            "role": turn.role,
            "text": turn.text,
            "tension": turn.tension,
            "latency_s": turn.latency_s,
            "first_token_s": turn.first_token_s,
            "n_tokens": turn.n_tokens,
            "model": turn.model_name,
            "adapter": Path(turn.adapter_path).name if turn.adapter_path else None,
            "audio": None,
            "score": None,
        }
        if turn.auto_score is not None:
            item["score"] = {
                "score": turn.auto_score,
                "techniques": turn.techniques,
                "feedback": turn.feedback,
                "scorer_version": turn.scorer_version,
            }
        if audio is not None and turn.audio_path and Path(turn.audio_path).is_file():
            item["audio"] = audio_member(row["uuid"], turn.idx)
            audio[item["audio"]] = Path(turn.audio_path)
        out_turns.append(item)
    imported = row["origin"] == "imported"
    return {
        "id": row["uuid"],
        "trainee": row["trainee"],
        "laptop": {"id": row["laptop_id"], "name": row["laptop_name"] or ""} if imported else laptop,
        "scenario": {"case_id": row["case_id"], "title": row["title"], "content_hash": row["content_hash"]},
        "course_id": course_id,
        "assignment_id": assignment_id,
        "mode": row["mode"],
        "status": row["status"],
        "model": row["model_name"],
        "adapter": Path(row["adapter_path"]).name if row["adapter_path"] else None,
        "seed": row["seed"],
        "initial_tension": row["initial_tension"],
        "final_tension": row["final_tension"],
        "revealed_facts": row["revealed_facts"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "app_version": row["app_version"] if imported else app_version,
        "turns": out_turns,
    }


@dataclass
class IncomingSession:
    """A checked session from a pack: ``sessions`` columns (ids still to resolve) and its turns."""

    uuid: str
    trainee: str | None
    scenario_hash: str | None
    case_id: str
    title: str
    columns: dict[str, Any]
    turns: list[dict[str, Any]]
    audio: dict[int, str] = field(default_factory=dict)  # turn idx -> member name


@dataclass
class SessionPackContents:
    pack_id: str
    course_id: str
    laptop_id: str
    laptop_name: str
    sessions: list[IncomingSession]
    scenarios: dict[str, dict[str, Any]]  # content hash -> card


def read_header(reader: PackReader) -> tuple[str, str]:
    """(pack id, course id) from the manifest, checked, so the caller can pick the key to verify with."""
    try:
        return (
            f.uuid_text("pack_id", reader.manifest.get("pack_id")),
            f.uuid_text("course_id", reader.manifest.get("course_id")),
        )
    except f.FieldError as exc:
        raise reader.fail(f"has a manifest with a bad {exc}") from exc


def read_session_pack(reader: PackReader) -> SessionPackContents:
    """Every field of a verified pack, checked; raises (naming the field) on the first bad one."""
    pack_id, course_id = read_header(reader)
    try:
        laptop = f.mapping("laptop", reader.manifest.get("laptop"))
        laptop_id = f.uuid_text("laptop.id", laptop.get("id"))
        laptop_name = f.text("laptop.name", laptop.get("name"), f.MAX_NAME) or ""
    except f.FieldError as exc:
        raise reader.fail(f"has a manifest with a bad {exc}") from exc
    raw = reader.json_member(SESSIONS_MEMBER, MAX_SESSIONS_JSON)
    scenarios = reader.json_member(SCENARIOS_MEMBER, MAX_SCENARIOS_JSON)
    for version in range(reader.version, VERSION):
        raw = UPGRADES[version](raw)
    try:
        sessions = [
            _session(f"sessions[{n}]", item, course_id, reader.names)
            for n, item in enumerate(f.items("sessions", raw, MAX_SESSIONS))
        ]
        scenarios = f.mapping("scenarios", scenarios)
        for key, card in scenarios.items():
            f.text(f"scenarios key {key[:40]!r}", key, f.MAX_NAME)
            f.mapping(f"scenarios[{key[:40]!r}]", card)
    except f.FieldError as exc:
        raise reader.fail(f"has a bad {exc}") from exc
    uuids = [s.uuid for s in sessions]
    if len(set(uuids)) != len(uuids):
        raise reader.fail("holds the same session twice")
    return SessionPackContents(pack_id, course_id, laptop_id, laptop_name, sessions, scenarios)


def _session(where: str, raw: Any, course_id: str, members: set[str]) -> IncomingSession:
    item = f.mapping(where, raw)
    session_uuid = f.uuid_text(f"{where}.id", item.get("id"))
    if f.uuid_text(f"{where}.course_id", item.get("course_id")) != course_id:
        raise f.FieldError(f"{where}.course_id", "names another course than the pack")
    laptop = f.mapping(f"{where}.laptop", item.get("laptop"))
    scenario = f.mapping(f"{where}.scenario", item.get("scenario"))
    status = f.choice(f"{where}.status", item.get("status"), FINISHED)
    columns = {
        "uuid": session_uuid,
        "laptop_id": f.uuid_text(f"{where}.laptop.id", laptop.get("id")),
        "laptop_name": f.text(f"{where}.laptop.name", laptop.get("name"), f.MAX_NAME, optional=True),
        "course_id": course_id,
        "assignment_id": f.uuid_text(f"{where}.assignment_id", item.get("assignment_id"), optional=True),
        "mode": f.choice(f"{where}.mode", item.get("mode"), MODES),
        "status": status,
        "model_name": f.text(f"{where}.model", item.get("model"), f.MAX_NAME, optional=True),
        "adapter_path": f.text(f"{where}.adapter", item.get("adapter"), f.MAX_NAME, optional=True),
        "seed": f.integer(f"{where}.seed", item.get("seed"), -(2**63), 2**63 - 1, optional=True),
        "initial_tension": f.number(f"{where}.initial_tension", item.get("initial_tension"), 0, 10),
        "final_tension": f.number(f"{where}.final_tension", item.get("final_tension"), 0, 10, optional=True),
        "revealed_facts": [
            f.text(f"{where}.revealed_facts[{n}]", fact)
            for n, fact in enumerate(f.items(f"{where}.revealed_facts", item.get("revealed_facts"), 100))
        ],
        "started_at": f.timestamp(f"{where}.started_at", item.get("started_at")),
        "ended_at": f.timestamp(f"{where}.ended_at", item.get("ended_at"), optional=True),
        "app_version": f.text(f"{where}.app_version", item.get("app_version"), 40, optional=True),
    }
    turns, audio = [], {}
    for n, raw_turn in enumerate(f.items(f"{where}.turns", item.get("turns"), MAX_TURNS)):
        turn, member = _turn(f"{where}.turns[{n}]", raw_turn, n, members)
        turns.append(turn)
        if member:
            audio[n] = member
    return IncomingSession(
        uuid=session_uuid,
        trainee=f.text(f"{where}.trainee", item.get("trainee"), 80, optional=True),
        scenario_hash=f.text(
            f"{where}.scenario.content_hash", scenario.get("content_hash"), f.MAX_NAME, optional=True
        ),
        case_id=f.text(f"{where}.scenario.case_id", scenario.get("case_id"), f.MAX_NAME),
        title=f.text(f"{where}.scenario.title", scenario.get("title"), 500),
        columns=columns,
        turns=turns,
        audio=audio,
    )


def _turn(where: str, raw: Any, n: int, members: set[str]) -> tuple[dict[str, Any], str | None]:
    item = f.mapping(where, raw)
    if f.integer(f"{where}.idx", item.get("idx"), 0, MAX_TURNS) != n:
        raise f.FieldError(f"{where}.idx", "is out of order")
    member = f.text(f"{where}.audio", item.get("audio"), f.MAX_NAME, optional=True)
    if member is not None and member not in members:
        raise f.FieldError(f"{where}.audio", "names a file the pack does not hold")
    turn = {
        "idx": n,
        "role": f.choice(f"{where}.role", item.get("role"), ROLES),
        "text": f.text(f"{where}.text", item.get("text")),
        "tension": f.number(f"{where}.tension", item.get("tension"), 0, 10, optional=True),
        "latency_s": f.number(f"{where}.latency_s", item.get("latency_s"), 0, 86_400, optional=True),
        "first_token_s": f.number(
            f"{where}.first_token_s", item.get("first_token_s"), 0, 86_400, optional=True
        ),
        "n_tokens": f.integer(f"{where}.n_tokens", item.get("n_tokens"), 0, 1_000_000, optional=True),
        "model_name": f.text(f"{where}.model", item.get("model"), f.MAX_NAME, optional=True),
        "adapter_path": f.text(f"{where}.adapter", item.get("adapter"), f.MAX_NAME, optional=True),
        "score": None,
    }
    score = item.get("score")
    if score is not None:
        score = f.mapping(f"{where}.score", score)
        techniques = [
            _technique(f"{where}.score.techniques[{k}]", hit)
            for k, hit in enumerate(f.items(f"{where}.score.techniques", score.get("techniques"), 64))
        ]
        turn["score"] = {
            "score": f.number(f"{where}.score.score", score.get("score"), 0, 100),
            "techniques": techniques,
            "feedback": f.text(f"{where}.score.feedback", score.get("feedback")),
            "scorer_version": f.text(
                f"{where}.score.scorer_version", score.get("scorer_version"), f.MAX_NAME
            ),
        }
    return turn, member


def _technique(where: str, raw: Any) -> dict[str, Any]:
    """A technique the scorer found (as ``TechniqueHit.to_dict`` writes it); other keys are dropped."""
    hit = f.mapping(where, raw)
    return {
        "name": f.text(f"{where}.name", hit.get("name"), 60),
        "label": f.text(f"{where}.label", hit.get("label"), f.MAX_NAME),
        "polarity": f.integer(f"{where}.polarity", hit.get("polarity"), -1, 1),
        "evidence": f.text(f"{where}.evidence", hit.get("evidence"), 2_000),
    }
