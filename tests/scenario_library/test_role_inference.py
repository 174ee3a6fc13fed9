"""Speaker roles: label words, content, turn patterns; and the accuracy floor on hand-labelled real data."""

from __future__ import annotations

import pytest
from deescal.scenario_library.role_accuracy import load_labels, measure
from deescal.scenario_library.role_inference import classify_label, infer_roles

from tests.scenario_library.transcript_samples import TRAFFIC_STOP


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Deputy Diaz", "officer"),
        ("Sgt. Park", "officer"),
        ("[Police Officer]", "officer"),
        ("Calhoun County Sheriff's Office Deputy", "officer"),
        ("[Dispatcher]", "dispatcher"),
        ("911 Dispatcher", "dispatcher"),
        ("[Dispatcher or colleague of the deputy.]", "dispatcher"),
        ("[Narrator]", "other"),
        ("[Automated voice from a recording device.]", "other"),
        ("[Driver]", "subject"),
        ("[Resident who called the Sheriff's office about suspicious activity.]", "public"),
        ("Chloe's Dad", "public"),
        ("[Suspect's Wife]", "public"),
        ("[Unidentified speaker]", "unknown"),
        ("Simona", "name"),
    ],
)
def test_labels_are_read_by_their_head_word(label, kind):
    assert classify_label(label) == kind


def test_titles_dispatch_and_the_most_engaged_member_of_the_public():
    roles = infer_roles([(speaker, text) for _, speaker, text in TRAFFIC_STOP])
    assert roles == {"Deputy Marsh": "officer", "Lena Ortiz": "civilian", "Dispatch": "dispatcher"}


def test_an_officer_known_only_by_first_name_is_found_by_what_he_says():
    turns = [
        ("Tom", "Hi, my name is Tom with the sheriff's office. Do you have your license on you?"),
        ("Kayla", "I left it at home, I swear I wasn't speeding."),
        ("Tom", "Okay. Can you step out of the car for me and keep your hands where I can see them?"),
        ("Kayla", "Why am I getting out? I didn't do anything."),
        ("Tom", "You're not under arrest. I just need your date of birth to look you up."),
        ("Kayla", "It's March third. My mom is going to kill me."),
    ]
    assert infer_roles(turns) == {"Tom": "officer", "Kayla": "civilian"}


def test_commentary_laid_over_footage_is_not_a_civilian():
    commentary = (
        "Notice how the officer in this video keeps the car between them, you can see the lesson here."
    )
    turns = [("Jim", commentary)] * 6 + [
        ("[Officer]", "Show me your hands! Get on the ground!"),
        ("[Suspect]", "Okay, okay, don't shoot."),
        ("Jim", commentary),
    ]
    roles = infer_roles(turns)
    assert roles["Jim"] == "other" and roles["[Suspect]"] == "civilian"


def test_hand_labels_hold_no_transcript_text():
    labels = load_labels()
    assert sum(len(v) for v in labels.values()) >= 500
    assert all(
        set(roles.values()) <= {"officer", "civilian", "bystander", "dispatcher", "other"}
        for roles in labels.values()
    )
    assert max(len(label) for roles in labels.values() for label in roles) < 100


def test_accuracy_on_hand_labelled_deescalwild_speakers(transcripts_dir):
    result = measure(transcripts_dir)
    assert result.files >= 90
    # Floors a little under the measured 90% of labels / 95% of turns / 98% officer-vs-rest.
    assert result.label_accuracy >= 0.87
    assert result.turn_accuracy >= 0.93
    assert result.officer_turn_accuracy >= 0.96
