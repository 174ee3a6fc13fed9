"""The house role-play corpus: its validator passes on the whole corpus and catches what it should."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from deescal.finetune.corpus import (
    MIN_PER_SCENARIO,
    SKILLS,
    check_corpus,
    held_out_case_ids,
    load_corpus,
    training_dialogues,
)
from deescal.scenario_library.scenario_files import load_bundled

SCENARIOS = {s.case_id: s for s in load_bundled().scenarios}


def test_the_corpus_passes_its_validator():
    report = check_corpus(SCENARIOS)
    assert not report.errors, "\n".join(report.errors[:30])
    assert report.dialogues >= 600
    assert all(report.per_scenario[c] >= MIN_PER_SCENARIO for c in SCENARIOS)
    assert all(report.skills[s] >= len(SCENARIOS) for s in SKILLS)
    assert report.turns >= 10 * report.dialogues


def test_written_tensions_agree_with_the_apps_tension_model():
    """The validator replays the tension model over the officer lines (a fixed fifth of the corpus)."""
    from deescal.app.scoring import get_scorer
    from deescal.finetune.corpus import CORPUS_DIR

    files = sorted(CORPUS_DIR.glob("*.json"))[::5]
    summary = check_corpus(SCENARIOS, files=files, scorer=get_scorer()).summary()["tension_vs_model"]
    print(summary)
    assert summary["mean_abs_gap"] <= 1.5 and summary["within_2"] >= 0.8


def test_a_quarter_of_the_scenarios_is_held_out_across_every_category():
    held = held_out_case_ids()
    assert held <= set(SCENARIOS) and 0.24 <= len(held) / len(SCENARIOS) <= 0.3
    assert set(Counter(SCENARIOS[c].category for c in held)) == {s.category for s in SCENARIOS.values()}


def test_training_dialogues_render_with_the_written_tensions():
    corpus = [d for d in load_corpus() if d.case_id == "intox-001"]
    dialogues = training_dialogues(corpus, SCENARIOS)
    assert len(dialogues) == len(corpus) >= MIN_PER_SCENARIO
    first = dialogues[0]
    assert [role for role, _ in first.turns[:2]] == ["officer", "civilian"]
    assert first.tensions[1] == corpus[0].turns[0].tension and first.tensions[0] is None


def _write(tmp_path, turns, case_id="intox-001"):
    dialogues = [{"id": f"{case_id}-{skill}", "officer_skill": skill, "turns": turns} for skill in SKILLS]
    path = tmp_path / f"{case_id}.json"
    path.write_text(json.dumps({"case_id": case_id, "dialogues": dialogues}))
    return path


REPLIES = [
    "Am I in trouble? I'm just sitting here.",
    "My phone's dead, that's all.",
    "Everything's kind of spinny right now.",
    "I lost my friends near the big stage.",
    "Can I have some water?",
    "It's so loud, my head hurts.",
    "Sorry, I'm being such a mess.",
    "The tent over there?",
    "Will you walk with me?",
    "Okay, yeah, let's go.",
]
GOOD = [
    {
        "officer": f"Line {n} from the officer about the festival?",
        "civilian": line,
        "tension": 4,
        "reveals": None,
    }
    for n, line in enumerate(REPLIES)
]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"tension": 11}, "tension must be a whole number"),
        ({"civilian": "Okay (sniffs) fine."}, "would cut this line"),
        ({"civilian": "One. Two. Three."}, "would cut this line"),
        ({"civilian": "I understand your concern, officer."}, "assistant language"),
        ({"civilian": "Line 3 from the officer about the festival?"}, "echoes the officer"),
        ({"reveals": 0}, "told before trust is earned"),
        ({"reveals": 5}, "the card has 2"),
    ],
)
def test_the_validator_names_each_broken_rule(tmp_path, change, problem):
    turns = [dict(t) for t in GOOD]
    turns[3].update(change)
    report = check_corpus(SCENARIOS, files=[_write(tmp_path, turns)])
    assert any(problem in error for error in report.errors), report.errors


def test_a_clean_file_passes_and_too_few_turns_do_not(tmp_path):
    assert check_corpus(SCENARIOS, files=[_write(tmp_path, GOOD)]).errors == []
    report = check_corpus(SCENARIOS, files=[_write(tmp_path, GOOD[:9])])
    assert any("at least 10 turns" in e for e in report.errors)


def test_a_fact_told_once_trust_is_earned_passes(tmp_path):
    scenario = SCENARIOS["intox-001"]
    fact = max(range(2), key=lambda i: scenario.hidden_facts[i].reveal_at_tension)
    turns = [dict(t) for t in GOOD]
    turns[2]["tension"] = int(scenario.hidden_facts[fact].reveal_at_tension)
    turns[3].update(
        {"reveals": fact, "civilian": "Someone gave me half a pill in the crowd, I don't know what."}
    )
    report = check_corpus(SCENARIOS, files=[_write(tmp_path, turns)])
    assert report.errors == []
