"""The persona prompt: stable layout (so the KV cache is reused), cues by tension, and output cleaning."""

from __future__ import annotations

import json

import pytest
from deescal.app.roleplay.persona import (
    STOP_SEQUENCES,
    clean_reply,
    fact_to_offer,
    offered_fact,
    render_messages,
    render_prompt,
    reply_is_complete,
)
from deescal.scenario_library.schema import Scenario

CARD = {
    "case_id": "test-001",
    "title": "Man shouting in a parking garage",
    "category": "Mental-health crisis",
    "scenario_context": "A man is crouched behind a pillar shouting at people to get down.",
    "initial_tension": 7,
    "location": "Parking garage, level three",
    "character_profile": {
        "name": "Darnell Whitaker",
        "age": 58,
        "gender": "male",
        "emotional_state": "hypervigilant",
        "speaking_style": "clipped",
        "background": "A former combat medic who drives a city bus.",
    },
    "triggers": ["shouted commands"],
    "levers": ["calm low voice"],
    "hidden_facts": [
        {"text": "He carries a folding knife for work.", "reveal_at_tension": 4},
        {"text": "He stopped seeing his counsellor.", "reveal_at_tension": 2},
    ],
}


@pytest.fixture
def scenario() -> Scenario:
    return Scenario.from_dict(json.loads(json.dumps(CARD)))


def test_prompt_ends_ready_for_the_civilian_and_holds_the_card(scenario):
    prompt = render_prompt(scenario, [("officer", "Hi, I'm Officer Reyes.")], 7.0)
    assert prompt.endswith("\nDarnell (agitated, raising voice):")
    assert "Officer: Hi, I'm Officer Reyes." in prompt
    assert "parking garage" in prompt.lower()
    assert "agitated" in prompt


def test_prompt_is_deterministic_and_extends_the_previous_turn(scenario):
    first = [("officer", "Hi, I'm Officer Reyes.")]
    turn1 = render_prompt(scenario, first, 6.0)
    assert turn1 == render_prompt(scenario, first, 6.0)
    second = first + [("civilian", "Get away from me."), ("officer", "I'll stay right here.")]
    turn2 = render_prompt(scenario, second, 5.0, turn_tensions=[6.0])
    # Everything up to the first reply's tag is the previous prompt: llama.cpp reuses that cache.
    assert turn2.startswith(turn1)


def _after(reply_tension: float) -> tuple[list[tuple[str, str]], list[float]]:
    """A dialogue whose last reply was spoken at ``reply_tension``, ending with a new officer line."""
    return [("officer", "Hi."), ("civilian", "Hm."), ("officer", "What should I call you?")], [reply_tension]


def test_hidden_facts_are_offered_once_trust_was_earned_one_at_a_time(scenario):
    first_line = [("officer", "What should I call you?")]
    assert "knife" not in render_prompt(scenario, first_line, 1.0)  # no trust before the first line
    history, tensions = _after(6.0)
    assert "knife" not in render_prompt(scenario, history, 1.0, turn_tensions=tensions)
    history, tensions = _after(3.5)
    offer = render_prompt(scenario, history, 5.0, turn_tensions=tensions)
    assert "admit: He carries a folding knife" in offer and "counsellor" not in offer
    told = ["He carries a folding knife for work."]
    assert "knife" not in render_prompt(scenario, history, 3.5, revealed_facts=told, turn_tensions=tensions)
    history, tensions = _after(1.0)
    assert "counsellor" in render_prompt(scenario, history, 1.0, revealed_facts=told, turn_tensions=tensions)
    assert offered_fact(scenario, history, told, tensions) == "He stopped seeing his counsellor."
    assert fact_to_offer(scenario, 1.0, told + ["He stopped seeing his counsellor."]) is None


def test_the_offer_does_not_depend_on_the_new_score_and_stays_in_the_transcript(scenario):
    history, tensions = _after(3.0)
    calm, angry = (render_prompt(scenario, history, t, turn_tensions=tensions) for t in (1.0, 9.0))
    head = calm[: len(calm) - len("Darnell (calm):")]
    assert angry.startswith(head) and "admit: He carries a folding knife" in head
    told = ["He carries a folding knife for work."]
    later = history + [
        ("civilian", "I have a folding knife, for work."),
        ("officer", "Thanks for telling me."),
    ]
    second = render_prompt(scenario, later, 1.5, revealed_facts=told, turn_tensions=tensions + [1.0])
    assert second.startswith(calm)  # the offer stays where it was: the KV cache is reused
    assert second.endswith("admit: He stopped seeing his counsellor.)\nDarnell (calm):")


def test_chat_messages_put_the_card_in_the_system_prompt(scenario):
    history = [("officer", "Hello."), ("civilian", "Back off."), ("officer", "Okay, I'm backing off.")]
    messages = render_messages(scenario, history, 8.5)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "Darnell Whitaker" in messages[0]["content"]
    assert "furious" in messages[-1]["content"]
    assert render_prompt(scenario, history, 8.5, prompt_style="chat").endswith("<|im_start|>assistant\n")
    with pytest.raises(ValueError):
        render_prompt(scenario, history, 5.0, prompt_style="telepathy")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (" I just want my car back.", "I just want my car back."),
        ("Darnell: Get down! Get down! (crouches) You hear me? I was", "Get down! You hear me?"),
        ("Darnell (shouting): Back off!", "Back off!"),
        ("Leave me alone. Officer: Sir, calm down.", "Leave me alone."),
        ("no no no no no no no no", "no no no"),
        ("Fine. Fine. Fine. Fine.", "Fine."),
        ("One. Two. Three. Four.", "One. Two."),
        (": What do you need?", "What do you need?"),
        ("...Type one. I took my shot at noon.", "...Type one. I took my shot at noon."),
        ("   ", ""),
        ("Officer: put your hands up", ""),
        ("I don't know what you", "I don't know what you"),
    ],
)
def test_clean_reply(raw, clean):
    assert clean_reply(raw) == clean


def test_stop_sequences_end_at_the_next_speaker():
    assert "\n" in STOP_SEQUENCES and "Officer:" in STOP_SEQUENCES


def test_titles_and_times_do_not_end_a_sentence():
    line = "Bà Lan, Mrs. Lan. Is my son car, not my car?"
    assert clean_reply(line) == line
    assert clean_reply("I saw Dr. Patel at 4 p.m. yesterday. He said no. Then more.") == (
        "I saw Dr. Patel at 4 p.m. yesterday. He said no."
    )


def test_generation_stops_after_a_whole_thought_or_two_sentences():
    assert not reply_is_complete("My mom.")  # a short first sentence gets its second
    assert reply_is_complete("My mom. She knows.")
    assert not reply_is_complete("I was texting my mom at every single")
    assert reply_is_complete("I was texting my mom at every single stop.")  # a whole thought
    assert reply_is_complete("No. No.")  # a loop
    assert reply_is_complete("Okay. Officer: sit down")  # the model started the officer's line
