"""Laptops for the pack tests: data folders with finished sessions, stored without a language model."""

from __future__ import annotations

from pathlib import Path

from deescal.app import sessions as db
from deescal.app.context import AppContext
from deescal.app.library import LibraryService

SCRIPT = [
    ("Hi, I'm Officer Grant. I'm here to help, what's going on?", "I didn't call anybody. Leave me alone."),
    ("I hear you. You sound really worn out tonight.", "Yeah. It's been a long week."),
    ("Would you rather talk here or sit down over there?", "Here is fine, I guess."),
]
FIXED_SCORE = 80.0  # the tests are about packs, not scoring: every officer line gets this score


def record_scripted_session(
    ctx: AppContext,
    case_id: str,
    trainee: str | None,
    *,
    status: str = "resolved",
    script: list[tuple[str, str]] = SCRIPT,
) -> int:
    """A finished session stored through the session API (app/sessions.py) from a fixed script, with
    a fixed score per officer line: no language model and no scorer run. Returns its id."""
    library = ctx.service(LibraryService)
    scenario = library.get(library.find_id(case_id))
    session_id = db.create_session(
        ctx.store,
        scenario_id=scenario.id,
        trainee=trainee,
        model_name="gemma-3-270m",
        adapter_path="/somewhere/models/house/house-adapter.gguf",
        seed=7,
        initial_tension=scenario.initial_tension,
    )
    tension = scenario.initial_tension
    for officer, civilian in script:
        tension = max(0.0, tension - 1.5)
        db.add_officer_turn(
            ctx.store,
            session_id,
            text=officer,
            tension=tension,
            score=FIXED_SCORE,
            techniques=[
                {"name": "open_question", "label": "Open question", "polarity": 1, "evidence": "what's"}
            ],
            feedback="Good open question.",
            scorer_version="fixed-for-tests",
            model_name="gemma-3-270m",
            adapter_path=None,
        )
        db.add_civilian_turn(
            ctx.store,
            session_id,
            text=civilian,
            tension=tension,
            latency_s=0.3,
            first_token_s=0.1,
            n_tokens=9,
            model_name="gemma-3-270m",
            adapter_path="/somewhere/models/house/house-adapter.gguf",
            revealed_facts=[],
        )
    db.finish_session(ctx.store, session_id, status, tension)
    return session_id


def open_laptop(root: Path) -> AppContext:
    """A data folder standing for one laptop."""
    return AppContext.open(root)
