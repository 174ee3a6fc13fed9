"""The scorer on lines it never saw: validation AUC, ranking, techniques with evidence, context."""

from __future__ import annotations

import pytest
from deescal.app.scoring import SCORER_VERSION, TechniqueHit, TurnScore, get_scorer
from deescal.app.scoring.labelled import load_labelled, roc_auc

AUC_FLOOR = 0.90


@pytest.fixture(scope="module")
def validation_scores(scorer):
    lines = load_labelled("validation")
    return lines, [scorer.score(line.officer_turn, line.civilian_before).score for line in lines]


def test_labelled_set_is_large_balanced_and_split():
    lines = load_labelled()
    assert len(lines) >= 200
    positives = sum(line.label for line in lines)
    assert 0.4 < positives / len(lines) < 0.6
    assert {line.split for line in lines} == {"train", "validation"}
    assert len(load_labelled("validation")) >= 60
    assert sum(1 for line in lines if line.civilian_before) >= 30


def test_validation_auc_above_floor(validation_scores):
    lines, scores = validation_scores
    assert roc_auc([line.label for line in lines], scores) >= AUC_FLOOR


def test_deescalating_lines_score_above_escalating_ones(validation_scores):
    lines, scores = validation_scores
    calm = [s for line, s in zip(lines, scores, strict=True) if line.label == 1]
    harsh = [s for line, s in zip(lines, scores, strict=True) if line.label == 0]
    assert sorted(calm)[len(calm) // 2] > 70 > 30 > sorted(harsh)[len(harsh) // 2]
    assert sum(calm) / len(calm) - sum(harsh) / len(harsh) > 40


def test_score_shape_and_evidence(scorer):
    text = "Hi, I'm Officer Lee. I can see you're upset. What happened tonight?"
    result = scorer.score(text)
    assert isinstance(result, TurnScore) and 0 <= result.score <= 100
    names = {hit.name for hit in result.techniques}
    assert {"introduces_self", "acknowledges_feelings", "open_question"} <= names
    for hit in result.techniques:
        assert isinstance(hit, TechniqueHit) and hit.polarity in (1, -1)
        assert hit.evidence and hit.evidence in text
    assert result.feedback.startswith("Good")
    assert SCORER_VERSION.startswith("minilm-lr-")


def test_escalating_turn_names_the_problem(scorer):
    result = scorer.score("Shut up and sit down, you idiot. Last chance!")
    names = {hit.name for hit in result.techniques}
    assert {"silences", "insults", "ultimatum"} <= names
    assert result.score < 15
    assert any(word in result.feedback for word in ("Insults", "Interrupts", "ultimatum", "Gives an"))


def test_command_after_weapon_threat_is_legitimate(scorer):
    command = "Drop the knife! Drop it now!"
    after_threat = scorer.score(command, "I've got a knife and I'll stab you if you come closer!")
    no_threat = scorer.score(command, "I'm just waiting for my sister.")
    assert "safety_command" in {h.name for h in after_threat.techniques}
    assert "orders_no_reason" in {h.name for h in no_threat.techniques}
    assert after_threat.score > 60 > no_threat.score


def test_dismissing_after_self_harm_is_flagged_and_coached(scorer):
    result = scorer.score("Relax, you're overreacting.", "I just want to die, there's no point anymore.")
    assert result.score < 20
    assert "self-harm" in result.feedback
    asked = scorer.score("Are you thinking of hurting yourself right now?", "I just want to die.")
    assert "asks_about_self_harm" in {h.name for h in asked.techniques}
    assert asked.score > 60


def test_uses_the_name_the_civilian_gave(scorer):
    result = scorer.score("Okay Priya, let's figure this out.", "My name's Priya and I live here.")
    assert any(h.name == "introduces_self" and h.evidence == "Priya" for h in result.techniques)


def test_empty_and_huge_input(scorer):
    assert 0 <= scorer.score("").score <= 100
    assert scorer.score("").techniques == []
    long_turn = "I understand how you feel. " * 500
    assert 0 <= scorer.score(long_turn).score <= 100


def test_get_scorer_is_shared():
    assert get_scorer() is get_scorer()
