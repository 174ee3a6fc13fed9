"""Bundled library loading, DeEscalWild scenarios.json, and the export format."""

from __future__ import annotations

import json
import shutil

import pytest
from deescal.scenario_library.scenario_files import (
    BUNDLED_DIR,
    ScenarioFileError,
    load_bundled,
    load_bundled_file,
    scenario_hash,
    scenarios_from_json,
    write_export,
)
from deescal.scenario_library.schema import ScenarioFormatError


def test_every_bundled_file_loads_through_the_schema():
    library = load_bundled()
    assert library.errors == []
    files = sorted(BUNDLED_DIR.glob("*.json"))
    assert files and sum(len(load_bundled_file(f)) for f in files) == len(library.scenarios)
    assert len({s.case_id for s in library.scenarios}) == len(library.scenarios)


def test_bundled_scenarios_have_complete_cards_and_real_exchanges():
    for s in load_bundled().scenarios:
        where = f"{s.case_id}"
        profile = s.character_profile
        assert s.provenance.source == "authored", where
        assert profile.name and profile.age and profile.emotional_state and profile.speaking_style, where
        assert profile.background and s.location and s.triggers and s.levers, where
        assert s.learning_objectives and s.hidden_facts, where
        assert len(s.reference_transcript) >= 8, where
        assert {"officer", "civilian"} <= {t.role for t in s.reference_transcript}, where


def test_acceptance_at_least_150_authored_scenarios_in_15_categories():
    scenarios = load_bundled().scenarios
    assert len(scenarios) >= 150
    assert len({s.category for s in scenarios}) >= 15


def test_a_broken_bundled_file_is_reported_by_file_and_field_and_the_rest_load(tmp_path):
    for path in sorted(BUNDLED_DIR.glob("*.json"))[:2]:
        shutil.copy(path, tmp_path / path.name)
    first, second = sorted(tmp_path.glob("*.json"))
    data = json.loads(first.read_text(encoding="utf-8"))
    data[1]["difficulty"] = 9
    first.write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "zz_truncated.json").write_text('[{"case_id": "x",', encoding="utf-8")
    library = load_bundled(tmp_path)
    assert len(library.errors) == 2
    assert f"{first.name} #2" in library.errors[0] and "'difficulty'" in library.errors[0]
    assert "zz_truncated.json" in library.errors[1] and "not valid JSON" in library.errors[1]
    assert len(library.scenarios) == len(load_bundled_file(second))
    with pytest.raises(ScenarioFormatError, match="difficulty"):
        load_bundled_file(first)


def test_duplicate_case_ids_across_bundled_files_are_reported(tmp_path):
    source = sorted(BUNDLED_DIR.glob("*.json"))[0]
    shutil.copy(source, tmp_path / "a.json")
    shutil.copy(source, tmp_path / "b.json")
    library = load_bundled(tmp_path)
    assert library.errors and all("b.json" in e and "also used in a.json" in e for e in library.errors)


def test_deescalwild_scenarios_json_list_gets_a_derived_card(tmp_path):
    cases = [
        {
            "case_id": 7,
            "scenario_context": "A man is shouting at voters outside a polling place; he has a hunting knife on his belt.",
            "character_profile": {"name": "Rick", "age": 52, "emotional_state": "angry, paranoid",
                                  "speaking_style": "loud", "background": "Army veteran."},
            "police_dialogue": ["Sir, my name is Officer Dana. Can we talk over here?", "I hear you."],
        },
        {"case_id": 8, "scenario_context": "", "character_profile": {"name": "X"}, "police_dialogue": []},
    ]  # fmt: skip
    path = tmp_path / "scenarios.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    scenarios, problems = scenarios_from_json(path)
    assert len(scenarios) == 1 and len(problems) == 1
    rick = scenarios[0]
    assert rick.case_id == "dws-7" and rick.category == "Person with an edged weapon"
    assert rick.character_profile.age == 52 and rick.title.endswith("Rick")
    assert [t.role for t in rick.reference_transcript] == ["officer", "officer"]
    assert rick.police_dialogue[0].startswith("Sir, my name")
    assert problems[0][0].startswith("scenarios.json #2") and "scenario_context" in problems[0][1]


def test_export_round_trip_keeps_every_field(tmp_path):
    originals = load_bundled().scenarios[:3]
    out = tmp_path / "sub" / "export.json"
    assert write_export(originals, out) == 3
    again, problems = scenarios_from_json(out)
    assert problems == []
    assert [s.to_dict() for s in again] == [s.to_dict() for s in originals]
    assert [scenario_hash(s) for s in again] == [scenario_hash(s) for s in originals]
    assert not list(out.parent.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"{nope", "not valid JSON"), (b'{"a": 1}', "not a scenario file"), (b"[]", "no scenarios"),
     (b"\x00\x01\x02", "binary")],
)  # fmt: skip
def test_unusable_json_files_say_why(tmp_path, content, reason):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(ScenarioFileError, match=reason):
        scenarios_from_json(path)
