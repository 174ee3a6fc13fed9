"""Scenarios for role-play tests, stored the way the library stores them, and a scripted stand-in model."""

from __future__ import annotations

import json
from dataclasses import replace

from deescal.app.records.scenarios import insert_scenario
from deescal.app.records.store import Store
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
    """Stores the test card (with ``changes``) in the library tables; returns it with its database id."""
    scenario = Scenario.from_dict({**json.loads(json.dumps(CARD)), **changes})
    with store.write() as conn:
        scenario_id = insert_scenario(conn, scenario, None)
    return replace(scenario, id=int(scenario_id))


class ScriptedModelNotLlama:
    """Stands in for the language model where a test is about session bookkeeping, not generation."""

    prompt_style = "completion"
    adapter_path = None
    n_ctx = 4096

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []
        self.calls: list[dict] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def prefill(self, prompt: str) -> int:
        return 0

    def prefill_contrast(self, prompt: str) -> int:
        return 0

    def generate(self, prompt: str, **kwargs) -> Generation:
        self.prompts.append(prompt)
        self.calls.append(kwargs)
        text = self.replies.pop(0)
        if kwargs.get("on_text"):
            kwargs["on_text"](text)
        return Generation(text, len(text.split()), len(prompt.split()), 5, 0.01, 0.02, "stop")


class FixedScorerNotMiniLM:
    """Scores every line 80 at once: for a child process whose test is about crashes, not scoring."""

    def warm_up(self) -> None:
        return None

    def score(self, officer_text: str, civilian_before: str | None = None, moment=None):
        from deescal.app.scoring import TurnScore

        return TurnScore(80.0, [], "fixed score for a crash test")


def play_scripted_session(service, scenario: Scenario, officer_lines: list[str], replies: list[str]) -> int:
    """Plays a whole session through the real role-play code (real scorer, tension, coaching and
    records) with scripted civilian replies, ends it, and returns its id."""
    from deescal.app import sessions as db
    from deescal.app.roleplay.session import RoleplaySession

    session_id = db.create_session(
        service.ctx.store,
        scenario_id=scenario.id,
        trainee="Alex Morgan",
        model_name="scripted",
        adapter_path=None,
        seed=1,
        initial_tension=scenario.initial_tension,
    )
    session = RoleplaySession(service, session_id, scenario, ScriptedModelNotLlama(replies), "scripted", 1)
    for line in officer_lines:
        session.officer_turn(line)
    session.end()
    return session_id
