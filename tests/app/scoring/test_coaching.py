"""The next step fits the moment: the civilian's last line, the scenario card, the session so far."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from deescal.app.scoring.coaching import ADVICE, Moment, choose_next_step, lever_technique, session_moment
from deescal.app.scoring.context import scene_shows_threat
from deescal.scenario_library.scenario_files import load_bundled
from deescal.scenario_library.schema import Scenario

from tests.app.roleplay_fixtures import CARD
from tests.bench.bench_techniques import NEXT_STEP_SHARE_GOAL, next_step_variety, scripted_next_steps


@pytest.fixture(scope="module")
def bundled() -> dict[str, Scenario]:
    return {s.case_id: s for s in load_bundled().scenarios}


@pytest.mark.parametrize(
    ("civilian", "technique"),
    [
        ("Please don't shoot me, I'm scared, I didn't do anything!", "reassures_safety"),
        ("They towed my car again, the third time this month, for nothing.", "paraphrases"),
        ("My wife left last week and took the kids.", "acknowledges_feelings"),
        ("No. I'm not going anywhere with you.", "offers_choices"),
    ],
)
def test_what_the_civilian_just_said_picks_the_technique(civilian, technique):
    step = choose_next_step(set(), civilian)
    assert step.technique == technique and ADVICE[technique] in step.text


def test_a_technique_used_this_turn_or_the_last_is_never_suggested():
    scared = "I'm scared, please don't hurt me."
    assert choose_next_step({"reassures_safety"}, scared).technique != "reassures_safety"
    earlier = Moment(earlier_turns=(frozenset({"reassures_safety"}),))
    assert choose_next_step(set(), scared, earlier).technique != "reassures_safety"
    older = Moment(earlier_turns=(frozenset({"reassures_safety"}), frozenset()))
    assert choose_next_step(set(), scared, older).technique == "reassures_safety"


def test_the_scenario_levers_and_objectives_come_before_the_generic_order():
    moment = Moment(levers=("honesty about what happens next",), objectives=("Ask rather than order",))
    first = choose_next_step({"introduces_self"}, "Okay.", moment)
    assert first.technique == "explains_why" and "honesty about what happens next" in first.text
    second = choose_next_step(set(), "Okay.", replace(moment, earlier_turns=(frozenset({"explains_why"}),)))
    assert second.technique == "offers_choices" and "Ask rather than order" in second.text


def test_naming_a_feeling_is_not_followed_by_name_the_feeling(scorer):
    result = scorer.score("You seem really wound up. When did you last sleep?")
    assert result.next_step and ADVICE["acknowledges_feelings"] not in result.next_step
    assert ADVICE["open_question"] not in result.next_step
    assert result.next_step in result.feedback


def test_a_weapon_on_the_card_is_a_threat_only_when_the_state_says_so(bundled):
    fisherman, student = bundled["edge-009"], bundled["edge-003"]
    assert not scene_shows_threat(fisherman, 9.0)  # tagged low-threat: a fillet knife on a pier
    assert not scene_shows_threat(student, 3.0)
    assert scene_shows_threat(student, 7.0)
    assert not scene_shows_threat(Scenario.from_dict(json.loads(json.dumps(CARD))), 9.0)


def test_the_scene_makes_a_command_right_when_the_line_alone_does_not(scorer, bundled):
    student = bundled["edge-003"]
    command = "Put the knife down now!"
    tense = scorer.score(command, "Leave me alone.", session_moment(student, 7.0, []))
    calm = scorer.score(command, "Leave me alone.", session_moment(student, 3.0, []))
    assert "safety_command" in {h.name for h in tense.techniques}
    assert "orders_no_reason" in {h.name for h in calm.techniques}


def test_next_steps_over_the_scripted_sessions_vary_and_never_repeat_the_last_turns(scorer):
    variety = next_step_variety(scripted_next_steps(scorer))
    assert variety["most_common_share"] <= NEXT_STEP_SHARE_GOAL, variety["most_common_text"]
    assert variety["suggests_recent_technique"] == 0


def test_advice_given_in_the_last_two_turns_gives_way_to_the_next_fit():
    """A trainee who does not take a piece of advice hears another, not the same line every turn."""
    moment = Moment(levers=("explaining calmly what just happened", "offering to call her sister"))
    given: list[str] = []
    for step in _steps_of_a_trainee_who_only_introduces_themself(moment, 6):
        assert step.text not in given[-2:]
        given.append(step.text)
    assert len(set(given)) >= 3


def test_two_levers_pointing_to_one_technique_do_not_repeat_its_advice():
    """Seen in dom-002: "tell them plainly they are safe" came in 4 of 6 turns, reached by two levers."""
    moment = Moment(levers=("being told she is safe now", "protecting her children"))
    given: list[str] = []
    for step in _steps_of_a_trainee_who_only_introduces_themself(moment, 4):
        assert not any(ADVICE[step.technique] in said for said in given[-2:]), (step.text, given)
        given.append(step.text)


def test_learning_objectives_read_as_the_technique_that_meets_them():
    """The debrief marks an objective met by these techniques; a goal no line can show stays unread."""
    assert lever_technique("Separate the parties and hear each side") == "open_question"
    assert lever_technique("Invite the person to propose a solution") == "asks_what_helps"
    assert lever_technique("Give a distressed person space to settle") == "slows_down"
    assert lever_technique("Check understanding rather than assuming it") == "paraphrases"
    assert lever_technique("Engage without an ultimatum") == "offers_choices"
    assert lever_technique("Stay visibly neutral in a labour dispute") == "explains_why"
    assert lever_technique("Recognise atypical heart attack signs, especially in women") is None


def test_reassurance_about_a_feeling_is_not_advice_to_say_they_are_safe():
    """grief-002's "reassurance about the last argument" was coached as "tell them plainly they are
    safe and what you are not going to do", to a mother told of her son's death."""
    assert lever_technique("reassurance about the last argument") == "acknowledges_feelings"
    assert lever_technique("reassurance that many new parents feel this way") == "acknowledges_feelings"
    assert lever_technique("reassurance she is not in trouble") == "reassures_safety"
    assert lever_technique("reassurance that she is not under arrest") == "reassures_safety"
    assert lever_technique("clear reassurance that medical help comes first") == "reassures_safety"
    assert lever_technique("reassurance that Ayşe and Elif are safe") == "reassures_safety"


def _steps_of_a_trainee_who_only_introduces_themself(moment: Moment, turns: int):
    """The next step of each turn, each turn seeing the advice given before it."""
    given: list[str] = []
    for _ in range(turns):
        step = choose_next_step(
            {"introduces_self"},
            "Okay.",
            replace(
                moment,
                earlier_turns=(frozenset({"introduces_self"}),) * len(given),
                earlier_advice=tuple(given),
            ),
        )
        given.append(step.text)
        yield step


def test_under_threat_only_a_command_about_the_danger_is_a_safety_command(scorer, bundled):
    """With a firearm on the card and tension 6.4, "do what I say" scored 90 as a safety command."""
    veteran = bundled["vet-002"]
    moment = session_moment(veteran, 6.4, [])
    vague = scorer.score("Enough, I need you to do what I say right now.", "Get away from me!", moment)
    concrete = scorer.score("Keep your hands where I can see them.", "Get away from me!", moment)
    assert "orders_no_reason" in {h.name for h in vague.techniques} and vague.score < 30
    assert "safety_command" in {h.name for h in concrete.techniques} and concrete.score > 60
