"""A transcript becomes a scenario with roles and a derived card, or is refused with a reason."""

from __future__ import annotations

import csv

import pytest
from deescal.scenario_library.transcript_csv import TranscriptFileError
from deescal.scenario_library.transcript_import import import_transcript, rederive_card

from tests.scenario_library.transcript_samples import NARRATION_ONLY, write_transcript


def test_derived_card_from_an_invented_traffic_stop(tmp_path):
    scenario, content_hash = import_transcript(write_transcript(tmp_path / "youtube_9001.csv"))
    assert scenario.case_id == "dw-youtube-9001"
    assert scenario.category == "Traffic stop"
    assert scenario.character_profile.name == "Lena Ortiz"
    assert scenario.title == "Traffic stop: Lena Ortiz"
    assert (
        "nervous" in scenario.character_profile.emotional_state or scenario.character_profile.emotional_state
    )
    assert 0 <= scenario.initial_tension <= 5  # polite and apologetic
    assert scenario.difficulty <= 2
    assert {t.role for t in scenario.reference_transcript} == {"officer", "civilian", "dispatcher"}
    assert scenario.provenance.source == "imported" and scenario.provenance.file == "youtube_9001.csv"
    assert "youtube" in scenario.tags and content_hash.startswith("csv:")


def test_an_angry_opening_raises_tension_and_weapons_raise_difficulty(tmp_path):
    rows = [
        ("00:00", "Officer Reyes", "Sir, drop the knife! Put it down!"),
        ("00:02", "Marcus", "Fuck you! Get away from me! I'm not going anywhere!"),
        ("00:04", "Officer Reyes", "I hear you. I'm not coming closer. Just put the knife on the ground."),
        ("00:07", "Marcus", "You can't tell me what to do! This is bullshit!"),
    ]
    scenario, _ = import_transcript(write_transcript(tmp_path / "k.csv", rows))
    assert scenario.initial_tension >= 7
    assert scenario.difficulty >= 3
    assert "weapon" in scenario.tags


def test_single_speaker_and_one_sided_files_are_refused_with_a_reason(tmp_path):
    with pytest.raises(TranscriptFileError, match="single speaker"):
        import_transcript(write_transcript(tmp_path / "n.csv", NARRATION_ONLY))
    officers_only = [
        ("00:00", "Deputy A", "Copy, en route."),
        ("00:01", "Deputy B", "Copy that, I'm out with the vehicle."),
    ]
    with pytest.raises(TranscriptFileError, match="no civilian"):
        import_transcript(write_transcript(tmp_path / "o.csv", officers_only))
    narrated_clip = [
        (
            "00:00",
            "[Narrator]",
            "Welcome back to the channel. In this video we look at a traffic stop in Ohio.",
        ),
        (
            "00:09",
            "[Narrator]",
            "Watch how the officer approaches the car before we talk about what went wrong.",
        ),
        ("00:15", "[Officer]", "Driver, show me your hands! Show me your hands now!"),
        ("00:18", "[Officer]", "Step out of the vehicle. Keep your hands where I can see them."),
        (
            "00:30",
            "[Narrator]",
            "So let's break down what the officer did well in this clip and what he could improve.",
        ),
    ]
    with pytest.raises(
        TranscriptFileError, match=r"narrated commentary: .*only '\[Officer\]' \(officer\) speaks"
    ):
        import_transcript(write_transcript(tmp_path / "c.csv", narrated_clip))


def test_rederive_after_a_role_correction_changes_the_character(tmp_path):
    scenario, _ = import_transcript(write_transcript(tmp_path / "s.csv"))
    for turn in scenario.reference_transcript:
        if turn.speaker == "Lena Ortiz":
            turn.role = "bystander"
        elif turn.speaker == "Dispatch":
            turn.role = "civilian"
    rederive_card(scenario)
    assert scenario.character_profile.name == "Dispatch"
    assert scenario.title == "Traffic stop: Dispatch" or scenario.title.endswith(": Dispatch")


def test_real_transcripts_each_become_a_dialogue_or_a_reason(transcripts_dir):
    with open(transcripts_dir.parent / "manifest.csv", newline="", encoding="utf-8") as handle:
        manifest = {row["file"].split("/")[-1]: int(row["speakers"]) for row in csv.DictReader(handle)}
    imported = 0
    for name, speakers in sorted(manifest.items())[::6]:  # a spread sample; the full run is in test_library
        try:
            scenario, _ = import_transcript(transcripts_dir / name)
        except TranscriptFileError as exc:
            assert str(exc)
            if speakers == 1:
                assert "single speaker" in str(exc)
            continue
        roles = {t.role for t in scenario.reference_transcript}
        assert {"officer", "civilian"} <= roles
        assert 0 <= scenario.initial_tension <= 10 and 1 <= scenario.difficulty <= 5
        imported += 1
    assert imported >= 8
