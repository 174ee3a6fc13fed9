"""Technique detection on the project's technique set, and the issue's natural phrasings, exactly."""

from __future__ import annotations

from collections import Counter

import pytest
from deescal.app.scoring.labelled import load_technique_lines, technique_measures
from deescal.app.scoring.techniques import TECHNIQUES

from tests.bench.bench_techniques import MACRO_F1_GOAL, MIN_F1_GOAL, detection


def found(scorer, officer: str, civilian: str | None = None) -> dict[str, str]:
    return {hit.name: hit.evidence for hit in scorer.score(officer, civilian).techniques}


def test_technique_set_covers_every_technique_with_a_fixed_split():
    lines = load_technique_lines()
    counts = Counter(name for line in lines for name in line.techniques)
    assert {t.name for t in TECHNIQUES} == set(counts)
    assert min(counts.values()) >= 25
    validation = Counter(name for line in load_technique_lines("validation") for name in line.techniques)
    assert min(validation[t.name] for t in TECHNIQUES) >= 8
    assert {line.split for line in lines} == {"train", "validation"}
    assert len({(line.civilian_before, line.officer_turn) for line in lines}) == len(lines)


def test_validation_detection_meets_the_goals(scorer):
    result = detection(scorer, "validation")
    assert result["macro_f1"] >= MACRO_F1_GOAL
    assert result["min_f1"] >= MIN_F1_GOAL, {n: m["f1"] for n, m in result["per_technique"].items()}


def test_measures_count_precision_and_recall_per_technique():
    expected = [frozenset({"a"}), frozenset({"a", "b"}), frozenset()]
    measures = technique_measures(expected, [{"a"}, {"b"}, {"a"}], ["a", "b"])
    assert (measures["a"].precision, measures["a"].recall, measures["a"].support) == (0.5, 0.5, 2)
    assert (measures["b"].precision, measures["b"].recall, measures["b"].f1) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("officer", "technique"),
    [
        (
            "Good evening, Deputy Marsh from the sheriff's office. Who do I have the pleasure of speaking with?",
            "introduces_self",
        ),
        ("Would you like to take a seat on the bench?", "offers_choices"),
        ("I can tell that dog means the world to you.", "acknowledges_feelings"),
        ("You seem really wound up. When did you last sleep?", "acknowledges_feelings"),
    ],
)
def test_natural_calming_phrasings_are_found_with_their_words(scorer, officer, technique):
    result = scorer.score(officer)
    hits = {hit.name: hit.evidence for hit in result.techniques}
    assert technique in hits and hits[technique] in officer
    assert all(hit.polarity > 0 for hit in result.techniques)
    assert result.score > 70 and not result.feedback.startswith("Neutral")


def test_an_offer_phrased_as_a_question_is_not_an_order(scorer):
    assert "orders_no_reason" not in found(scorer, "Would you like to take a seat on the bench?")
    assert "orders_no_reason" not in found(
        scorer, "Do you want to sit in the car or out here, where it's cooler?"
    )


def test_sarcasm_is_found(scorer):
    officer = "Oh brilliant, running from a police car, smart move."
    result = scorer.score(officer)
    assert "sarcasm" in {hit.name for hit in result.techniques}
    assert result.score < 30 and "sarcasm" in result.feedback.lower()


def test_a_command_to_a_calm_fisherman_is_an_order_not_a_safety_command(scorer):
    calm = "A man with a knife. On a fishing pier. Cleaning fish. Imagine that."
    result = scorer.score("Put the knife down now! Do it now!", calm)
    names = {hit.name for hit in result.techniques}
    assert "safety_command" not in names and "orders_no_reason" in names
    assert result.score < 30
    threat = "(raises the fillet knife) Come any closer and I'll gut you like these fish!"
    under_threat = scorer.score("Put the knife down now! Do it now!", threat)
    assert "safety_command" in {hit.name for hit in under_threat.techniques} and under_threat.score > 60


def test_asking_permission_is_not_an_order(scorer):
    """MiniLM read "Can I sit here?" like "Sit here." and coached a polite trainee to stop ordering."""
    assert "orders_no_reason" not in found(scorer, "Can I sit here?")
    assert "orders_no_reason" in found(scorer, "Sit down.")


@pytest.mark.parametrize(
    "officer",
    [
        "I'm sorry, that was me being impatient. You didn't deserve that.",
        "Sorry, I came in too hot. Let me start again.",
        "My mistake. Let's try that again.",
        "I'm sorry I rushed you earlier, that wasn't fair.",  # a neutral 56 in a read-through
    ],
)
def test_owning_a_misstep_counts_as_respect(scorer, officer):
    """The repair that lets a poor start recover scored as a neutral turn ("say who you are")."""
    result = scorer.score(officer, "You're asking too much.")
    assert "shows_respect" in {hit.name for hit in result.techniques}
    assert result.score > 70 and not result.feedback.startswith("Neutral")


def test_a_bare_sorry_after_bad_news_is_sympathy_not_an_apology(scorer):
    hits = found(scorer, "He died at the scene. I'm so sorry.", "Is it Kenji? Is he hurt?")
    assert "acknowledges_feelings" in hits and "shows_respect" not in hits


def test_announcing_ones_own_news_is_not_a_paraphrase(scorer):
    """MiniLM read the opening of a death notification as summarising what the person said."""
    assert "paraphrases" not in found(scorer, "I have some very difficult news about your son.")


@pytest.mark.parametrize(
    "officer", ["Mind if I sit with you for a bit?", "Would it be okay if I came a bit closer?"]
)
def test_asking_permission_leaves_them_the_choice(scorer, officer):
    """Scored as neutral turns before: asking leaves the choice with the person, as "Do you mind..." did."""
    assert "offers_choices" in found(scorer, officer)


@pytest.mark.parametrize(
    ("officer", "technique"),
    [
        ("You're not making any sense.", "dismisses_feelings"),
        ("You're lucky I'm being nice.", "threatens"),
        ("Why are you acting like this?", "blames"),
    ],
)
def test_veiled_escalation_is_named(scorer, officer, technique):
    """Each scored as a neutral turn (42, 49.5, 39) to a man hearing voices."""
    assert technique in found(scorer, officer, "The voices said to wait here.")


def test_getting_medical_help_reassures(scorer):
    """Scored as a neutral turn (56.7) to a man hearing voices: concrete help is on its way."""
    assert "reassures_safety" in found(
        scorer, "I'm going to call an ambulance for you, okay?", "My head hurts so much."
    )


# Found by scoring every officer line of the written corpus (tests/bench/bench_scoring.py): lines from its
# skilled officers that scored under 35, and lines from its poor officers that passed as good turns.
@pytest.mark.parametrize(
    ("officer", "technique"),
    [
        ("The ambulance is two minutes out, and I'll stay with you until it arrives.", "ultimatum"),
        ("Your mom is on her way here now. It'll be about five minutes.", "ultimatum"),
        ("I'm not going to ask you to give her up.", "ultimatum"),
        ("Sit tight here and I'll be back in a minute.", "orders_no_reason"),
        ("Take as long as you want. I'll be right over here.", "orders_no_reason"),
        ("I believe you. Back in a minute.", "orders_no_reason"),
        ("And the licence, this week, okay? Go and see your dad.", "orders_no_reason"),
        ("Good. Give her a call. While we wait, I'll find you a coffee.", "orders_no_reason"),
        (
            "I don't think you're overreacting. Something's wrong and you're not being heard.",
            "dismisses_feelings",
        ),
        ("I'll write it down, and if it happens again it builds a record.", "dismisses_feelings"),
        ("None of this is your fault.", "blames"),
        ("The guard who took your arm, he shouldn't have done that, and I'm sorry.", "blames"),
        ("That's a hard thing to leave, and I can see you want to do right by the animal.", "insults"),
        ("They work with families and can often move quickly.", "rushes"),
        ("I will wear gloves. I will walk in front of you, and I will not touch you.", "shouts"),
    ],
)
def test_a_skilled_line_is_not_read_as_escalation(scorer, officer, technique):
    assert technique not in found(scorer, officer)


@pytest.mark.parametrize(
    ("officer", "technique"),
    [
        ("You've got two minutes, then we come in.", "ultimatum"),
        ("Okay, I'm giving you one minute and then I'm done.", "ultimatum"),
        ("Nine now. Keep talking and it's five.", "ultimatum"),
        ("I'm not going to ask you again.", "ultimatum"),
        ("Quickly, I need an answer now.", "rushes"),
        ("Drop it! Drop it! Drop it!", "shouts"),
        ("Well, you shouldn't have left the kids alone.", "blames"),
        ("She's fine, no thanks to you.", "blames"),
        ("Keep talking. You're making it worse.", "blames"),
        ("You're overreacting.", "dismisses_feelings"),
        ("None of your business, shut up.", "silences"),
        ("Not my problem. Find it yourself.", "dismisses_feelings"),
        ("Your little protest is over. Everyone out, now!", "dismisses_feelings"),
        ("Everybody's got a sob story. What's your claim number?", "dismisses_feelings"),
        ("What are you, slow?", "insults"),
        ("How much have you had? You're absolutely off your face.", "insults"),
        ("Are you on medication? Because you're acting crazy.", "insults"),
        ("Don't get smart with me. Where's your mom?", "orders_no_reason"),
        ("You're going into the system, end of story.", "silences"),
    ],
)
def test_a_poor_line_is_named(scorer, officer, technique):
    assert technique in found(scorer, officer)


def test_lines_of_the_final_read_through_are_named(scorer):
    """Played as a trainee: the poor opener scored a neutral 40, the patient line a neutral 57."""
    assert "insults" in found(scorer, "Police. What's your problem?")
    assert "slows_down" in found(scorer, "Take as long as you want. I'll be right here.")


def test_ordering_everyone_out_is_no_reassurance(scorer):
    assert "reassures_safety" not in found(scorer, "Your little protest is over. Everyone out, now!")
    assert "reassures_safety" in found(scorer, "Everyone's out of the building and safe.")


def test_an_injury_check_is_not_a_question_about_self_harm(scorer):
    """ "Is anybody hurt, you included?" was credited as asking about self-harm (MiniLM's reading)."""
    assert "asks_about_self_harm" not in found(scorer, "Is anybody hurt, you included?")
    assert "asks_about_self_harm" in found(scorer, "Are you safe right now? Have you hurt yourself?")


def test_a_threat_dressed_as_a_denial_is_a_threat(scorer):
    """ "Don't think I won't arrest you" was read as the reassurance "I won't arrest you" (89.9)."""
    hits = found(scorer, "Don't think I won't arrest you.")
    assert "threatens" in hits and "reassures_safety" not in hits
    assert "reassures_safety" in found(scorer, "I won't arrest you, I promise.")


def test_a_charge_denied_once_and_then_made_is_named(scorer):
    assert "dismisses_feelings" in found(
        scorer, "I don't think you're overreacting, but you're overreacting now."
    )


@pytest.mark.parametrize(
    "officer",
    [
        "Why were you driving so fast in the rain?",  # a neutral 52 to a student in shock (lang-006)
        "Why would you leave the kids alone?",
        "Why didn't you just stop when we told you?",
        "Why did you run?",
        "Why were you even out this late?",
    ],
)
def test_a_why_asked_as_an_accusation_blames(scorer, officer):
    assert "blames" in found(scorer, officer)


@pytest.mark.parametrize(
    "officer",
    ["Why don't you tell me what happened?", "Why did you call us tonight?", "Why would you think that?"],
)
def test_a_why_that_asks_for_their_story_does_not_blame(scorer, officer):
    assert "blames" not in found(scorer, officer)


@pytest.mark.parametrize(
    ("officer", "technique"),
    [
        # An apology for earlier words scored 9.5 (an order and a dismissal), the recovery read as the slip.
        ("I'm sorry I told you to calm down, that wasn't fair. What's going on?", "dismisses_feelings"),
        ("I'm sorry I told you to calm down, that wasn't fair. What's going on?", "orders_no_reason"),
        ("I apologise for telling you to shut up earlier. Go on.", "silences"),
        ("I shouldn't have said you were being ridiculous. I'm sorry.", "dismisses_feelings"),
        # The second person denies the charge too.
        ("You're not being ridiculous, you're scared.", "dismisses_feelings"),
        ("You are not overreacting.", "dismisses_feelings"),
    ],
)
def test_words_taken_back_or_denied_are_not_said_again(scorer, officer, technique):
    assert technique not in found(scorer, officer)


@pytest.mark.parametrize(
    ("officer", "technique"),
    [
        ("Sorry, but calm down.", "dismisses_feelings"),
        ("I'm sorry I have to say this, but shut up.", "silences"),
        ("Sorry I snapped. Now shut up and listen.", "silences"),
        ("Sorry for yelling. Get out of the car now.", "orders_no_reason"),
        ("You're not overreacting, you're overreacting now.", "dismisses_feelings"),
    ],
)
def test_an_apology_that_takes_nothing_back_still_names_the_slip(scorer, officer, technique):
    assert technique in found(scorer, officer)


@pytest.mark.parametrize(
    "officer",
    [
        # A neutral 54 in the last read-through: the polite opening outweighed the rushing.
        "Ma'am, I need to ask you some questions quickly, I have other calls.",
        "Look, I've got other calls. Just tell me what happened.",
    ],
)
def test_rushing_wrapped_in_courtesy_scores_below_neutral(scorer, officer):
    result = scorer.score(officer)
    assert "rushes" in {hit.name for hit in result.techniques}
    assert result.score < 40
