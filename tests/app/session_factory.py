"""Builds role-play sessions straight in SQL (as the role-play writes them) for review tests."""

from __future__ import annotations

import itertools
import json
from functools import cache

from deescal.app.records.store import Store
from deescal.app.scoring import SCORER_VERSION, get_scorer

OFFICER_LINES = [
    "Hi, I'm Officer Grant. What's going on tonight?",
    "I can see you're upset. Take your time.",
    "Calm down, you're overreacting.",
    "So he took your keys and left, is that right?",
    "Shut up and sit down now!",
    "You can wait here or in the car, it's up to you.",
]
CIVILIAN_LINES = [
    "Why are you here? I didn't call anybody.",
    "My boyfriend took my keys and I can't get home.",
    "Don't tell me to calm down!",
    "Yes. He just drove off with them.",
    "You can't talk to me like that!",
    "Fine, I'll wait here.",
]


_case_numbers = itertools.count(1)


def add_scenario(store: Store, case_id: str | None = None, character: str = "Jordan Pike") -> int:
    """A scenario row with a whole card (training and the debrief read the card)."""
    case_id = case_id or f"test-case-{next(_case_numbers)}"
    card = json.dumps(
        {
            "case_id": case_id,
            "title": "Locked out after an argument",
            "category": "Domestic disturbance",
            "scenario_context": "A woman is locked out of her flat after her boyfriend drove off with her keys.",
            "initial_tension": 6,
            "difficulty": 2,
            "character_profile": {"name": character, "age": 29, "gender": "female"},
            "levers": ["being believed"],
            "learning_objectives": ["Acknowledge her frustration", "Explain what happens next"],
            "hidden_facts": [{"text": "Her boyfriend has hit her before.", "reveal_at_tension": 3}],
        }
    )
    return int(
        store.execute(
            "INSERT INTO scenarios(case_id, title, category, difficulty, initial_tension, character_name, card, source)"
            " VALUES (?, 'Locked out after an argument', 'domestic', 2, 6, ?, ?, 'imported')",
            (case_id, character, card),
        ).lastrowid
    )


def add_reference_officer_turns(store: Store, scenario_id: int, lines: list[str]) -> None:
    for idx, text in enumerate(lines):
        store.execute(
            "INSERT INTO reference_turns(scenario_id, idx, role, speaker, text) VALUES (?, ?, 'officer', 'Officer Dee', ?)",
            (scenario_id, idx, text),
        )


@cache
def _scored(officer: str, civilian: str) -> tuple[float, str, str]:
    """The real scorer's result; cached because the factory repeats a handful of lines."""
    result = get_scorer().score(officer, civilian)
    return result.score, json.dumps(result.techniques_json()), result.feedback


def make_session(
    store: Store,
    officer_turns: int = 6,
    *,
    trainee: str | None = "Alex Morgan",
    scenario_id: int | None = None,
    status: str = "resolved",
    score: bool = True,
    started_at: str | None = None,
) -> int:
    """A session of alternating civilian and officer turns, officer turns scored by the real scorer."""
    scenario_id = scenario_id or add_scenario(store)
    trainee_id = None
    if trainee:
        store.execute("INSERT INTO trainees(name) VALUES (?) ON CONFLICT(name) DO NOTHING", (trainee,))
        trainee_id = store.query_one("SELECT id FROM trainees WHERE name = ?", (trainee,))["id"]
    session = int(
        store.execute(
            "INSERT INTO sessions(scenario_id, trainee_id, status, initial_tension, final_tension, started_at)"
            " VALUES (?, ?, ?, 6, 3, COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
            (scenario_id, trainee_id, status, started_at),
        ).lastrowid
    )
    idx = 0
    for n in range(officer_turns):
        civilian = CIVILIAN_LINES[n % len(CIVILIAN_LINES)]
        officer = OFFICER_LINES[n % len(OFFICER_LINES)]
        store.execute(
            "INSERT INTO session_turns(session_id, idx, role, text, tension) VALUES (?, ?, 'civilian', ?, ?)",
            (session, idx, civilian, 6 - n % 4),
        )
        turn = store.execute(
            "INSERT INTO session_turns(session_id, idx, role, text, tension) VALUES (?, ?, 'officer', ?, ?)",
            (session, idx + 1, officer, 5 - n % 3),
        ).lastrowid
        idx += 2
        if score:
            value, techniques, feedback = _scored(officer, civilian)
            store.execute(
                "INSERT INTO turn_scores(turn_id, score, techniques, feedback, scorer_version) VALUES (?, ?, ?, ?, ?)",
                (turn, value, techniques, feedback, SCORER_VERSION),
            )
    return session
