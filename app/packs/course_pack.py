"""Course packs (instructor -> trainees): the format's contents, written and read (FORMAT.md).

A course pack carries the course's identity (a UUID) and key, the assignments (scenario + due
date), the scenario cards they need, the role-play settings that decide grading, and which adapter
to use (the house adapter by name, or the academy's own as a file in the pack).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deescal.app.packs import fields as f
from deescal.app.packs import signing
from deescal.app.packs.container import PackReader
from deescal.app.roleplay.tension import ESCALATED_SETTING
from deescal.scenario_library.schema import Scenario, ScenarioFormatError

KIND = "deescal-course-pack"
VERSION = 1
SUFFIX = ".deescal-course"
COURSE_MEMBER, SCENARIOS_MEMBER = "course.json", "scenarios.json"
MAX_ASSIGNMENTS = 500
MAX_COURSE_JSON = 4 * 1024**2
MAX_SCENARIOS_JSON = 64 * 1024**2
MAX_ADAPTER_BYTES = 512 * 1024**2
MAX_COURSE_NAME = 120
ESCALATED_RANGE = (1, 6)  # as Settings > Role-play allows


@dataclass
class CourseAdapter:
    name: str
    builtin: bool  # the house adapter every install ships: named, not carried
    member: str | None  # the GGUF inside the pack, for the academy's own
    base_model_sha256: str | None


@dataclass
class CoursePackContents:
    course_id: str
    key: bytes
    name: str
    created_at: str
    settings: dict[str, Any]
    adapter: CourseAdapter | None
    assignments: list[dict[str, Any]]  # id, scenario (content hash), case_id, title, due_at
    scenarios: dict[str, Scenario]  # content hash -> card

    def course_row(self) -> dict[str, Any]:
        """What the records layer keeps of the course."""
        adapter = self.adapter and {"name": self.adapter.name, "builtin": self.adapter.builtin}
        return {
            "id": self.course_id,
            "name": self.name,
            "created_at": self.created_at,
            "settings": self.settings,
            "adapter": adapter,
        }


def header(course_id: str, name: str, created_at: str, key: bytes, app_version: str) -> dict[str, Any]:
    """The manifest fields of a course pack (the key travels here: see signing.py for why)."""
    return {
        "course_id": course_id,
        "course_name": name,
        "created_at": created_at,
        "app_version": app_version,
        "course_key": signing.encode_key(key),
        "key_id": signing.key_id(key),
    }


def read_course_pack(reader: PackReader) -> CoursePackContents:
    """Every field of a course pack, checked (signature included); raises naming the first bad one."""
    manifest = reader.manifest
    try:
        course_id = f.uuid_text("course_id", manifest.get("course_id"))
    except f.FieldError as exc:
        raise reader.fail(f"has a manifest with a bad {exc}") from exc
    key = signing.decode_key(manifest.get("course_key"))
    if key is None:
        raise reader.fail("has no valid course key")
    reader.verify(key)
    course = reader.json_member(COURSE_MEMBER, MAX_COURSE_JSON)
    raw_scenarios = reader.json_member(SCENARIOS_MEMBER, MAX_SCENARIOS_JSON)
    try:
        course = f.mapping("course", course)
        name = f.text("course.name", course.get("name"), MAX_COURSE_NAME).strip()
        if not name:
            raise f.FieldError("course.name", "is empty")
        settings = f.mapping("course.settings", course.get("settings"))
        escalated = f.integer(
            f"course.settings.{ESCALATED_SETTING}",
            settings.get(ESCALATED_SETTING),
            *ESCALATED_RANGE,
            optional=True,
        )
        scenarios = _scenarios(f.mapping("scenarios", raw_scenarios))
        assignments = [
            _assignment(f"course.assignments[{n}]", item, scenarios)
            for n, item in enumerate(
                f.items("course.assignments", course.get("assignments"), MAX_ASSIGNMENTS)
            )
        ]
        if len({a["id"] for a in assignments}) != len(assignments):
            raise f.FieldError("course.assignments", "holds the same assignment twice")
        adapter = _adapter(course.get("adapter"), reader.names)
        created_at = f.timestamp("course.created_at", course.get("created_at"))
    except f.FieldError as exc:
        raise reader.fail(f"has a bad {exc}") from exc
    return CoursePackContents(
        course_id=course_id,
        key=key,
        name=name,
        created_at=created_at,
        settings={} if escalated is None else {ESCALATED_SETTING: escalated},
        adapter=adapter,
        assignments=assignments,
        scenarios=scenarios,
    )


def _scenarios(raw: dict[str, Any]) -> dict[str, Scenario]:
    cards = {}
    for key, card in raw.items():
        f.text("scenarios key", key, f.MAX_NAME)
        try:
            cards[key] = Scenario.from_dict(card, f"scenarios[{key[:40]}]")
        except ScenarioFormatError as exc:
            raise f.FieldError(f"scenarios[{key[:40]}].{exc.field_name}", exc.problem) from exc
    return cards


def _assignment(where: str, raw: Any, scenarios: dict[str, Scenario]) -> dict[str, Any]:
    item = f.mapping(where, raw)
    scenario = f.text(f"{where}.scenario", item.get("scenario"), f.MAX_NAME)
    if scenario not in scenarios:
        raise f.FieldError(f"{where}.scenario", "names a scenario the pack does not hold")
    return {
        "id": f.uuid_text(f"{where}.id", item.get("id")),
        "scenario": scenario,
        "due_at": f.timestamp(f"{where}.due_at", item.get("due_at"), optional=True),
    }


def _adapter(raw: Any, members: set[str]) -> CourseAdapter | None:
    if raw is None:
        return None
    item = f.mapping("course.adapter", raw)
    builtin = item.get("builtin")
    if not isinstance(builtin, bool):
        raise f.FieldError("course.adapter.builtin", "must be true or false")
    member = f.text("course.adapter.member", item.get("member"), f.MAX_NAME, optional=True)
    if not builtin and (member is None or member not in members or not member.startswith("adapter/")):
        raise f.FieldError("course.adapter.member", "must name the adapter file the pack holds")
    return CourseAdapter(
        name=f.text("course.adapter.name", item.get("name"), 80),
        builtin=builtin,
        member=None if builtin else member,
        base_model_sha256=f.text(
            "course.adapter.base_model_sha256", item.get("base_model_sha256"), 64, optional=True
        ),
    )
