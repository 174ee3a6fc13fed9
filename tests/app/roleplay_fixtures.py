"""Scenarios for role-play tests, stored in the test database, and a scripted stand-in model.

Until the scenario library service lands, ``use_scenarios`` points the role-play's scenario lookup
at the scenarios stored here (built with ``Scenario.from_dict``).
"""

from __future__ import annotations

import json
from dataclasses import replace

from deescal.app.errors import UserFacingError
from deescal.app.store import Store
from deescal.models.llm import Generation
from deescal.scenario_library.schema import Scenario

CARD = {
    "case_id": "rp-test-001",
    "title": "Man shouting in a parking garage after fireworks",
    "category": "Mental-health crisis",
    "scenario_context": "A man is crouched behind a pillar shouting at people to get down after fireworks went off.",
    "initial_tension": 6,
    "difficulty": 3,
    "location": "Parking garage, level three, night",
    "character_profile": {
        "name": "Darnell Whitaker",
        "age": 58,
        "gender": "male",
        "emotional_state": "hypervigilant, frightened",
        "speaking_style": "clipped, military phrasing",
        "background": "A former combat medic who now drives a city bus.",
    },
    "triggers": ["flashlight in his face", "shouted commands"],
    "levers": ["calm low voice", "asking about his unit"],
    "hidden_facts": [
        {"text": "He carries a folding knife on his belt for work.", "reveal_at_tension": 4},
    ],
}

CALM_LINES = [
    "Hi, I'm Officer Reyes. I'm going to stay right here. You're safe, those bangs were fireworks.",
    "Take your time. I'm listening. Can you tell me what's going on for you right now?",
    "That sounds exhausting. Thank you for telling me. What would help you feel safer?",
]
THREAT_LINE = "Shut up and get on the ground right now or I'll tase you!"


def store_scenario(store: Store, **changes) -> Scenario:
    """Stores the test card (with ``changes``) and returns it as a Scenario with its database id."""
    data = {**json.loads(json.dumps(CARD)), **changes}
    scenario = Scenario.from_dict(data)
    cursor = store.execute(
        "INSERT INTO scenarios(case_id, title, category, difficulty, initial_tension, character_name, card, source)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'authored')",
        (
            scenario.case_id,
            scenario.title,
            scenario.category,
            scenario.difficulty,
            scenario.initial_tension,
            scenario.character_profile.name,
            json.dumps(scenario.to_dict()),
        ),
    )
    return replace(scenario, id=int(cursor.lastrowid))


def stored_scenario(store: Store, key: int | str) -> Scenario:
    row = store.query_one("SELECT id, card FROM scenarios WHERE id = ? OR case_id = ?", (key, str(key)))
    if row is None:
        raise UserFacingError(f"There is no scenario '{key}' in the library.")
    return replace(Scenario.from_dict(json.loads(row["card"])), id=row["id"])


def use_scenarios(monkeypatch) -> None:
    import deescal.app.roleplay as roleplay

    monkeypatch.setattr(roleplay, "load_scenario", lambda ctx, key: stored_scenario(ctx.store, key))


class ScriptedModelNotLlama:
    """Stands in for the language model where a test is about session bookkeeping, not generation."""

    prompt_style = "completion"
    adapter_path = None
    n_ctx = 4096

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def prefill(self, prompt: str) -> int:
        return 0

    def generate(self, prompt: str, **kwargs) -> Generation:
        self.prompts.append(prompt)
        text = self.replies.pop(0)
        if kwargs.get("on_text"):
            kwargs["on_text"](text)
        return Generation(text, len(text.split()), len(prompt.split()), 5, 0.01, 0.02, "stop")
