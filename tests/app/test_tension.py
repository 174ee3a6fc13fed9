"""The tension model: score and content move it, harder scenarios calm slower, outcomes at the ends."""

from __future__ import annotations

import pytest
from deescal.app.roleplay.persona import fallback_reply, mood_for
from deescal.app.roleplay.tension import (
    ESCALATED_TURNS,
    MAX_CALMING,
    MAX_TENSION,
    MIN_TENSION,
    RESOLVED_MIN_TURNS,
    RESOLVED_TURNS,
    TENSION_BANDS,
    band_for,
    escalation_turns,
    next_tension,
    outcome,
)
from deescal.app.scoring import TechniqueHit, TurnScore, get_scorer
from deescal.scenario_library.schema import Scenario

from tests.app.roleplay_fixtures import CARD


def _scenario(**changes) -> Scenario:
    return Scenario.from_dict({**CARD, **changes})


def _hit(polarity: int) -> TechniqueHit:
    return TechniqueHit("x", "X", polarity, "")


def test_neutral_score_and_plain_words_leave_tension_alone():
    update = next_tension(6.0, TurnScore(50.0), "Okay.", _scenario())
    assert update.after == 6.0 and update.delta == 0


def test_good_turn_calms_and_bad_turn_escalates_more_than_it_calms():
    scenario = _scenario()
    calm = next_tension(6.0, TurnScore(100.0, [_hit(1), _hit(1)]), "I hear you.", scenario)
    rough = next_tension(6.0, TurnScore(0.0, [_hit(-1), _hit(-1)]), "Move.", scenario)
    assert calm.after < 6.0 < rough.after
    assert rough.delta > -calm.delta


def test_threats_insults_triggers_and_levers_count_even_with_a_middling_score():
    scenario = _scenario()
    assert next_tension(5.0, TurnScore(50.0), "Do it or I'll tase you, idiot.", scenario).delta >= 2.5
    trigger = next_tension(5.0, TurnScore(50.0), "I'm shining my flashlight at you.", scenario)
    assert trigger.delta > 0 and "trigger: flashlight in his face" in trigger.reasons
    lever = next_tension(5.0, TurnScore(50.0), "Which unit were you with?", scenario)
    assert lever.delta < 0 and "lever: asking about his unit" in lever.reasons


def test_harder_scenarios_calm_down_more_slowly():
    good = TurnScore(90.0, [_hit(1)])
    easy = next_tension(6.0, good, "Take your time.", _scenario(difficulty=1))
    hard = next_tension(6.0, good, "Take your time.", _scenario(difficulty=5))
    assert easy.after < hard.after < 6.0


def test_tension_stays_between_zero_and_ten():
    scenario = _scenario()
    assert next_tension(9.5, TurnScore(0.0, [_hit(-1)] * 4), "Shut up or I'll shoot.", scenario).after == 10
    assert next_tension(0.3, TurnScore(100.0, [_hit(1)] * 4), "Thank you.", scenario).after == 0


@pytest.mark.parametrize(
    ("tensions", "result"),
    [
        ([5.0, 10.0], None),
        ([5.0, 10.0, 10.0], None),
        ([5.0] + [10.0] * ESCALATED_TURNS, "escalated"),
        ([10.0, 10.0, 9.0, 10.0], None),
        ([5.0] * (RESOLVED_MIN_TURNS - RESOLVED_TURNS) + [2.0] * RESOLVED_TURNS, "resolved"),
        ([5.0] * (RESOLVED_MIN_TURNS - RESOLVED_TURNS) + [2.0] * (RESOLVED_TURNS - 1), None),
        ([2.0] * RESOLVED_TURNS, None),  # a calm start: three polite lines are not a resolution
        ([2.0] * RESOLVED_MIN_TURNS, "resolved"),
        ([2.0, 5.0, 2.0, 2.0, 5.0, 2.0, 2.0], None),
        ([], None),
    ],
)
def test_outcome(tensions, result):
    assert outcome(tensions) == result


def test_with_the_real_scorer_calm_lowers_and_threat_raises():
    scorer, scenario = get_scorer(), _scenario()
    calm_line = "I'm Officer Reyes. Take your time, I'm listening. What's going on for you tonight?"
    calm = next_tension(6.0, scorer.score(calm_line), calm_line, scenario)
    threat_line = "Shut up and get on the ground right now or I'll tase you!"
    threat = next_tension(6.0, scorer.score(threat_line), threat_line, scenario)
    assert calm.after < 6.0 < threat.after


def test_outcome_follows_the_instructors_setting():
    assert outcome([5.0, 10.0], escalated_after=1) == "escalated"
    assert outcome([10.0] * 4, escalated_after=5) is None


def test_escalation_turns_marks_each_climb_to_the_top():
    assert escalation_turns([5.0, 10.0, 10.0, 8.0, 10.0]) == [1, 4]
    assert escalation_turns([3.0, 6.0]) == []


def test_the_bands_tile_the_scale_and_each_tension_falls_in_exactly_one():
    uppers = [band.upper for band in TENSION_BANDS]
    assert uppers == sorted(set(uppers)) and uppers[0] > MIN_TENSION and uppers[-1] == MAX_TENSION
    assert [band_for(t).mood for t in (0.0, 2.0, 2.01, 4.0, 5.0, 6.01, 8.0, 9.5, 10.0)] == [
        "calm",
        "calm",
        "calmer",
        "calmer",
        "guarded",
        "agitated, raising voice",
        "agitated, raising voice",
        "shouting, furious",
        "shouting, furious",
    ]
    assert band_for(-3.0) == TENSION_BANDS[0] and band_for(42.0) == TENSION_BANDS[-1]


def test_prompt_mood_and_fallback_line_come_from_the_same_band():
    levels = [band.level for band in TENSION_BANDS]
    assert levels == sorted(levels, key=["calm", "tense", "agitated"].index)  # coarser, in order
    for band in TENSION_BANDS:
        assert mood_for(band.upper) == band.mood
    assert fallback_reply(5.0) == "I don't want to talk about it."
    assert fallback_reply(7.0) == "Just leave me alone!"  # the prompt says "agitated" there too


def test_one_line_lowers_the_tension_a_step_at_most_however_good():
    """Seen in role-plays: three polite lines took a domestic dispute from 5 to 0; people calm slower."""
    best = TurnScore(100.0, [_hit(1), _hit(1), _hit(1)])
    update = next_tension(8.0, best, "Which unit were you with? Take your time.", _scenario(difficulty=1))
    assert update.delta == -MAX_CALMING
