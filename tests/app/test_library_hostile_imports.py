"""Hostile scenario files (issue 17, item 3 and the import parts of item 6): nothing the app cannot read back
is stored, one bad entry never costs the others, a bad stored row never stops the library, and a scenario
can be deleted."""

from __future__ import annotations

import json

import pytest
from deescal.app.errors import UserFacingError
from deescal.app.library import LibraryService
from deescal.app.library.service import SEARCH_INDEX_KEY
from deescal.app.settings import set_setting
from deescal.cli import main

from tests.scenario_library.transcript_samples import TRAFFIC_STOP, write_transcript


@pytest.fixture
def library(ctx):
    return ctx.service(LibraryService)


def entry(case_id: str, **changes) -> dict:
    data = {
        "case_id": case_id,
        "title": f"Hostile test {case_id}",
        "category": "Test",
        "scenario_context": "A man shouts at a bus stop.",
        "character_profile": {"name": "Sam Doe"},
        "reference_transcript": [
            {"role": "officer", "text": "Hello, I am here to help.", "start_time": "0:01"}
        ],
    }
    data.update(changes)
    return data


def write_json(path, items) -> str:
    # json.dumps writes NaN and Infinity as Python's json.loads reads them back: the hostile file
    path.write_text(json.dumps(items), encoding="utf-8")
    return str(path)


def test_nan_and_infinity_anywhere_are_refused_per_entry_with_the_field_named(library, tmp_path):
    nan_turn = entry(
        "h-nan", reference_transcript=[{"role": "officer", "text": "Hi.", "start_time": float("nan")}]
    )
    inf_profile = entry("h-inf", character_profile={"name": "Sam", "mood_score": float("inf")})
    report = library.import_path(write_json(tmp_path / "many.json", [nan_turn, inf_profile, entry("h-good")]))
    assert [i["case_id"] for i in report.imported] == ["h-good"]
    reasons = dict(report.skipped)
    assert "start_time" in reasons["many.json #1 [h-nan]"] and "NaN" in reasons["many.json #1 [h-nan]"]
    assert "mood_score" in reasons["many.json #2 [h-inf]"] and "Infinity" in reasons["many.json #2 [h-inf]"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"hidden_facts": {"secret": "x"}}, "hidden_facts"), ({"hidden_facts": 5}, "hidden_facts"),
     ({"hidden_facts": "abc"}, "hidden_facts"), ({"reference_transcript": 7}, "reference_transcript"),
     ({"character_profile": {"name": ["Sam", "Doe"]}}, "character_profile.name"),
     ({"character_profile": {"name": "Sam", "background": {"a": 1}}}, "character_profile.background"),
     ({"reference_transcript": [{"role": "officer", "text": "Hi.", "start_time": [1]}]}, "start_time"),
     ({"provenance": {"source": "imported", "file": {"a": 1}}}, "provenance.file")],
)  # fmt: skip
def test_wrong_types_are_refused_per_entry_and_the_entries_after_still_import(
    library, tmp_path, changes, field
):
    report = library.import_path(
        write_json(tmp_path / "two.json", [entry("h-bad", **changes), entry("h-after")])
    )
    assert [i["case_id"] for i in report.imported] == ["h-after"]
    [(where, reason)] = report.skipped
    assert where == "two.json #1 [h-bad]" and field in reason


def _store_a_nan_card(library) -> int:
    """A row as an older version stored it: its card holds NaN, which SQLite's JSON functions reject."""
    scenario_id = library.find_id("sui-001")
    library.store.execute(
        'UPDATE scenarios SET card = replace(card, \'"initial_tension":\', \'"initial_tension":NaN,"x":\') '
        "WHERE id = ?",
        [scenario_id],
    )
    set_setting(library.store, SEARCH_INDEX_KEY, "an older index")
    return scenario_id


def test_the_index_rebuild_skips_and_reports_a_stored_row_with_bad_json(ctx, library, caplog):
    bad_id = _store_a_nan_card(library)
    again = LibraryService(ctx)  # an upgrade rebuilds the index here
    assert [problem.split(":")[0] for problem in again.index_problems] == [f"scenario #{bad_id}"]
    assert f"scenario #{bad_id}" in caplog.text
    assert again.count("bus") >= 0 and again.total() == library.total()
    assert again.search(again.get(again.find_id("sui-002")).title.split()[0])  # the other rows are searchable


def test_list_and_delete_still_work_from_the_cli_after_a_bad_row(ctx, library, data_dir, capsys):
    bad_id = _store_a_nan_card(library)
    ctx.close()
    assert main(["--data-dir", str(data_dir.root), "scenarios", "list", "--json"]) == 0
    assert bad_id in [row["id"] for row in json.loads(capsys.readouterr().out)]
    assert main(["--data-dir", str(data_dir.root), "scenarios", "delete", str(bad_id)]) == 0
    assert "Deleted" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir.root), "scenarios", "show", str(bad_id)]) == 2
    assert "No scenario" in capsys.readouterr().err


def test_deleting_a_scenario_removes_it_from_search_and_tags(library, tmp_path):
    write_transcript(tmp_path / "youtube_7001.csv", TRAFFIC_STOP)
    [imported] = library.import_path(tmp_path / "youtube_7001.csv").imported
    words = library.get(imported["id"]).reference_transcript[0].text.split()[:2]
    assert imported["id"] in [row.id for row in library.search(" ".join(words))]
    total = library.total()
    assert library.delete(imported["id"]) == imported["title"]
    assert library.total() == total - 1
    assert imported["id"] not in [row.id for row in library.search(" ".join(words))]
    assert not library.store.query("SELECT * FROM scenario_tags WHERE scenario_id = ?", [imported["id"]])
    with pytest.raises(UserFacingError, match="no scenario"):
        library.delete(imported["id"])


def test_a_scenario_with_recorded_sessions_is_only_deleted_with_them_when_asked(library, data_dir, capsys):
    scenario_id = library.find_id("sui-001")
    library.store.execute("INSERT INTO sessions(scenario_id, initial_tension) VALUES (?, 5)", [scenario_id])
    assert library.sessions_of(scenario_id) == 1
    with pytest.raises(UserFacingError, match="1 recorded session"):
        library.delete(scenario_id)
    assert library.delete(scenario_id, with_sessions=True)
    assert not library.store.query("SELECT * FROM sessions WHERE scenario_id = ?", [scenario_id])
