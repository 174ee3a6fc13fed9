"""A scenario: the DeEscalWild case format plus what training needs (tension, triggers, hidden facts...).

``Scenario.from_dict`` validates and raises :class:`ScenarioFormatError` naming the file and field, so
an instructor can fix a hand-edited file. See ``FORMAT.md`` beside this file for the JSON layout.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from deescal.app.errors import UserFacingError

ROLES = ("officer", "civilian", "bystander", "dispatcher", "other")
SOURCES = ("authored", "imported")


class ScenarioFormatError(UserFacingError):
    def __init__(self, where: str, field_name: str, problem: str) -> None:
        super().__init__(f"{where}: field '{field_name}' {problem}")
        self.where, self.field_name, self.problem = where, field_name, problem


def _non_finite_field(value: Any, path: str) -> str | None:
    """The path of the first NaN or Infinity in parsed JSON: SQLite's JSON functions cannot read them back."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        children = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list):
        children = ((f"{path}[{n}]", item) for n, item in enumerate(value))
    else:
        return None
    return next((found for child, item in children if (found := _non_finite_field(item, child))), None)


@dataclass
class CharacterProfile:
    name: str
    age: int | None = None
    gender: str = ""
    emotional_state: str = ""
    speaking_style: str = ""
    background: str = ""


@dataclass
class HiddenFact:
    text: str
    reveal_at_tension: float = 4.0


@dataclass
class Turn:
    role: str
    text: str
    speaker: str = ""
    start_time: str | None = None


@dataclass
class Provenance:
    source: str = "authored"
    file: str | None = None


@dataclass
class Scenario:
    case_id: str
    title: str
    category: str
    scenario_context: str
    character_profile: CharacterProfile
    difficulty: int = 3
    initial_tension: float = 5.0
    tags: list[str] = field(default_factory=list)
    location: str = ""
    triggers: list[str] = field(default_factory=list)
    levers: list[str] = field(default_factory=list)
    learning_objectives: list[str] = field(default_factory=list)
    hidden_facts: list[HiddenFact] = field(default_factory=list)
    reference_transcript: list[Turn] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    id: int | None = None  # database id, once stored

    @property
    def police_dialogue(self) -> list[str]:
        return [turn.text for turn in self.reference_transcript if turn.role == "officer"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("id")
        data["police_dialogue"] = self.police_dialogue
        return data

    @classmethod
    def from_dict(cls, data: Any, where: str = "scenario") -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioFormatError(where, "(scenario)", "must be a JSON object")
        where = f"{where} [{data.get('case_id', '?')}]"
        non_finite = _non_finite_field(data, "")
        if non_finite:
            raise ScenarioFormatError(where, non_finite, "is NaN or Infinity, which a scenario cannot hold")

        def text(name: str, required: bool = True) -> str:
            value = data.get(name, "")
            if not isinstance(value, str) or (required and not value.strip()):
                raise ScenarioFormatError(where, name, "must be a non-empty string")
            return value.strip()

        def strings(name: str) -> list[str]:
            value = data.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ScenarioFormatError(where, name, "must be a list of strings")
            return [v.strip() for v in value if v.strip()]

        def items(name: str) -> list:
            value = data.get(name)
            if value is not None and not isinstance(value, list):
                raise ScenarioFormatError(where, name, "must be a list")
            return value or []

        def optional_text(value: Any, name: str) -> str | None:
            if value is not None and not isinstance(value, str):
                raise ScenarioFormatError(where, name, "must be a string or null")
            return value

        def number(name: str, low: float, high: float, default: float) -> float:
            value = data.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ScenarioFormatError(where, name, f"must be a number from {low:g} to {high:g}")
            return value

        profile = data.get("character_profile")
        if (
            not isinstance(profile, dict)
            or not isinstance(profile.get("name"), str)
            or not profile["name"].strip()
        ):
            raise ScenarioFormatError(where, "character_profile.name", "is required and must be a string")
        age = profile.get("age")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 < age < 120):
            raise ScenarioFormatError(where, "character_profile.age", "must be a whole number of years")
        character = CharacterProfile(
            name=profile["name"].strip(),
            age=age,
            **{
                k: optional_text(profile.get(k), f"character_profile.{k}") or ""
                for k in ("gender", "emotional_state", "speaking_style", "background")
            },
        )

        facts = []
        for n, fact in enumerate(items("hidden_facts")):
            if isinstance(fact, str):
                fact = {"text": fact}
            if not isinstance(fact, dict) or not str(fact.get("text", "")).strip():
                raise ScenarioFormatError(where, f"hidden_facts[{n}].text", "is required")
            threshold = fact.get("reveal_at_tension", 4.0)
            if (
                isinstance(threshold, bool)
                or not isinstance(threshold, int | float)
                or not 0 <= threshold <= 10
            ):
                raise ScenarioFormatError(where, f"hidden_facts[{n}].reveal_at_tension", "must be 0-10")
            facts.append(HiddenFact(str(fact["text"]).strip(), float(threshold)))

        turns = []
        for n, turn in enumerate(items("reference_transcript")):
            if not isinstance(turn, dict) or turn.get("role") not in ROLES:
                raise ScenarioFormatError(
                    where, f"reference_transcript[{n}].role", f"must be one of {', '.join(ROLES)}"
                )
            if not isinstance(turn.get("text"), str) or not turn["text"].strip():
                raise ScenarioFormatError(
                    where, f"reference_transcript[{n}].text", "must be a non-empty string"
                )
            speaker = optional_text(turn.get("speaker"), f"reference_transcript[{n}].speaker") or ""
            start_time = optional_text(turn.get("start_time"), f"reference_transcript[{n}].start_time")
            turns.append(Turn(turn["role"], turn["text"].strip(), speaker, start_time))

        prov = data.get("provenance") or {}
        if not isinstance(prov, dict) or prov.get("source", "authored") not in SOURCES:
            raise ScenarioFormatError(where, "provenance.source", "must be 'authored' or 'imported'")

        difficulty = number("difficulty", 1, 5, 3)
        if difficulty != int(difficulty):
            raise ScenarioFormatError(where, "difficulty", "must be a whole number from 1 to 5")
        return cls(
            case_id=text("case_id"),
            title=text("title"),
            category=text("category"),
            scenario_context=text("scenario_context"),
            character_profile=character,
            difficulty=int(difficulty),
            initial_tension=float(number("initial_tension", 0, 10, 5)),
            tags=strings("tags"),
            location=text("location", required=False),
            triggers=strings("triggers"),
            levers=strings("levers"),
            learning_objectives=strings("learning_objectives"),
            hidden_facts=facts,
            reference_transcript=turns,
            provenance=Provenance(
                prov.get("source", "authored"), optional_text(prov.get("file"), "provenance.file")
            ),
        )
