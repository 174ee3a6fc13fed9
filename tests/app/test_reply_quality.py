"""The rules for an unbelievable civilian line, on the lines the issue found in role-plays."""

from __future__ import annotations

from deescal.app.roleplay.persona import fallback_reply
from deescal.app.roleplay.reply_quality import (
    addresses_absent,
    is_assistant_language,
    is_stock_filler,
    repeats_earlier,
    reply_flaw,
    speaks_for_officer,
)


def test_stock_filler_is_the_whole_line_not_a_word_in_it():
    assert is_stock_filler("I don't know.") and is_stock_filler("What?") and is_stock_filler("")
    assert is_stock_filler(fallback_reply(3.0)) and is_stock_filler(fallback_reply(9.0))
    assert not is_stock_filler("I don't know what she put in my drink, I swear.")


def test_assistant_language_and_officer_lines():
    assert is_assistant_language("I understand your concern, but I'm fine.")
    assert is_assistant_language("Thank you for your assistance, officer.")
    assert not is_assistant_language("Thanks. Can I sit down?")
    assert speaks_for_officer("Fine. Officer: Step out of the car.")
    assert not speaks_for_officer("Officer, please, I just want to go home.")


def test_talking_to_someone_absent():
    present = {"dale", "reyes"}
    assert addresses_absent("Karen, I'm not going to let you live.", present, {"karen"})
    assert not addresses_absent("Karen left me last week.", present, {"karen"})
    assert not addresses_absent("Reyes, please, just listen.", present, {"reyes"})
    assert addresses_absent("Scout, come here!", present, {"scout"})
    assert not addresses_absent("Had. Scout, my service dog, he died last month.", present, {"scout"})


def test_repeats_an_earlier_line():
    earlier = ["You're not the only one who lost something tonight."]
    assert repeats_earlier("You're not the only one who lost something tonight!", earlier)
    assert not repeats_earlier("My dog ran off when the fireworks started.", earlier)


def test_reply_flaw_names_what_makes_a_reply_worth_another_try():
    own = ["My truck's in the ditch, man."]
    recent = ["Is anybody hurt in the truck?", *own]
    assert reply_flaw("", own, recent) == "empty"
    assert reply_flaw("I don't know.", own, recent) == "stock filler"
    assert reply_flaw("My truck's in the ditch, man!", own, recent) == "repeats an earlier reply"
    assert reply_flaw("Is anybody hurt in the truck, you ask?", own, recent) == "echoes a recent line"
    assert reply_flaw("I appreciate your patience, officer.", own, recent) == "assistant language"
    assert reply_flaw("No, just me. My hands are frozen.", own, recent) is None


def test_a_clause_read_back_from_the_officer_is_an_echo():
    """Played on vet-002: the reply began with the officer's whole line, then went on."""
    recent = ["I said get out of the car!"]
    copied = "I said get out of the car! I got my sign, please don't move me."
    assert reply_flaw(copied, [], recent) == "echoes a recent line"
    assert reply_flaw("Get out of the car? I can't, my legs are shaking.", [], recent) is None
