"""LibraryService on a real SQLite file: bundled sync, search, import (good and bad), export, role correction."""

from __future__ import annotations

import csv
import json
import shutil
import time

import pytest
from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.library import LibraryService
from deescal.app.settings import get_setting
from deescal.scenario_library import transcript_csv
from deescal.scenario_library.role_accuracy import dialogue_files, load_labels
from deescal.scenario_library.scenario_files import BUNDLED_DIR

from tests.conftest import TRANSCRIPTS
from tests.scenario_library.transcript_samples import NARRATION_ONLY, TRAFFIC_STOP, write_transcript


@pytest.fixture
def library(ctx):
    return ctx.service(LibraryService)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """One data dir with every shared transcript imported (done once: it is the slow part)."""
    if not TRANSCRIPTS.is_dir():
        pytest.skip(f"DeEscalWild transcripts not found at {TRANSCRIPTS}")
    context = AppContext.open(tmp_path_factory.mktemp("imported-home"))
    service = context.service(LibraryService)
    report = service.import_path(TRANSCRIPTS)
    yield service, report
    context.close()


def _rows(store):
    return store.query("SELECT id, case_id, title, card, content_hash FROM scenarios ORDER BY id")


def test_bundled_scenarios_are_loaded_once_and_quickly(ctx, library):
    authored = library.count(source="authored")
    assert authored >= 150 and len(library.categories()) >= 15
    assert get_setting(ctx.store, "library.bundled_fingerprint")
    started = time.perf_counter()
    again = LibraryService(ctx)
    assert time.perf_counter() - started < 0.5
    assert again.count(source="authored") == authored
    assert again.ensure_bundled() == 0


def test_a_changed_bundled_scenario_is_updated_in_place_and_a_bad_file_reported(ctx, tmp_path, monkeypatch):
    folder = tmp_path / "bundled"
    folder.mkdir()
    source = sorted(BUNDLED_DIR.glob("*.json"))[0]
    shutil.copy(source, folder / source.name)
    monkeypatch.setattr(LibraryService, "bundled_dir", folder)
    first = LibraryService(ctx)
    data = json.loads((folder / source.name).read_text(encoding="utf-8"))
    case_id = data[0]["case_id"]
    old_id = first.find_id(case_id)
    data[0]["title"] = "A retitled scenario"
    (folder / source.name).write_text(json.dumps(data), encoding="utf-8")
    (folder / "broken.json").write_text("[{", encoding="utf-8")
    second = LibraryService(ctx)
    assert second.find_id(case_id) == old_id
    assert second.get(old_id).title == "A retitled scenario"
    assert second.search("retitled")[0].id == old_id
    assert second.bundled_errors and "broken.json" in second.bundled_errors[0]


def test_get_and_find_id(library):
    scenario_id = library.find_id("sui-001")
    scenario = library.get(scenario_id)
    assert scenario.id == scenario_id and scenario.case_id == "sui-001"
    assert len(scenario.reference_transcript) >= 8
    assert library.find_id(str(scenario_id)) == scenario_id
    with pytest.raises(UserFacingError, match="No scenario 'nope'"):
        library.find_id("nope")
    with pytest.raises(UserFacingError):
        library.get(10**9)


def test_search_words_prefixes_filters_and_sorts(library):
    scenario = library.get(library.find_id("sui-001"))
    name = scenario.character_profile.name.split()[0]
    assert scenario.id in [r.id for r in library.search(name)]
    assert scenario.id in [r.id for r in library.search(name[:3])]  # typing, prefix
    word = max(scenario.reference_transcript[1].text.split(), key=len).strip(".,!?\"'")
    assert scenario.id in [r.id for r in library.search(word, limit=1000)]
    rows = library.search(category=scenario.category)
    assert rows and all(r.category == scenario.category for r in rows)
    assert library.count(category=scenario.category) == len(rows)
    hard = library.search(difficulty=[4, 5], limit=1000)
    assert hard and all(r.difficulty >= 4 for r in hard)
    tag = scenario.tags[0]
    assert all(tag in r.tags for r in library.search(tags=[tag]))
    common, rare = library.tags()[0][0], library.tags()[-1][0]  # probed vs id-list SQL forms
    for some_tag in (common, rare):
        for extra in ({}, {"source": "authored"}, {"query": "officer"}):
            rows = library.search(tags=[some_tag], **extra, limit=1000)
            assert len(rows) == library.count(tags=[some_tag], **extra)
            assert all(some_tag in r.tags for r in rows)
    assert library.count(tags=[common]) == dict(library.tags())[common]
    assert library.count(source="imported") == 0
    titles = [r.title.lower() for r in library.search(sort="title", limit=1000)]
    assert titles == sorted(titles)
    tensions = [r.initial_tension for r in library.search(sort="-tension", limit=1000)]
    assert tensions == sorted(tensions, reverse=True)
    first, second = library.search(limit=2, offset=0), library.search(limit=2, offset=2)
    assert {r.id for r in first}.isdisjoint(r.id for r in second)
    for start in (scenario.title[:1], scenario.title[:2]):  # first letters typed: titles starting so
        rows = library.search(start, limit=1000)
        assert scenario.id in [r.id for r in rows]
        assert all(r.title.lower().startswith(start.lower()) for r in rows)
    assert library.count('"; DROP TABLE scenarios; --') >= 0  # typed text never reaches SQL or FTS syntax


def test_a_dense_text_search_scanned_in_sort_order_lists_exactly_what_sorting_the_matches_does(library):
    from deescal.app.records.scenario_search import SORTS, SearchQuery
    from deescal.app.records.scenarios import listing

    assert "INDEXED BY scenarios_list_by_title" in SearchQuery("officer").rows_sql(50, 0, 120, 162)[0]
    assert "INDEXED BY" not in SearchQuery("officer").rows_sql(50, 0, 3, 150_000)[0]  # sparse: sort them
    assert "INDEXED BY" not in SearchQuery("").rows_sql(50, 0, 162, 162)[0]  # no text: nothing to check
    searches = [
        {"query": "calm"},
        {"query": "knif"},
        {"query": "officer", "difficulty": [2, 3]},
        {"query": "help ", "category": library.categories()[0][0]},
        {"query": "kni", "tags": [library.tags()[0][0]]},
    ]
    compared = 0
    for criteria in searches:
        matches = library.count(**criteria)
        for sort in SORTS:
            for limit, offset in ((7, 0), (7, 5), (200, 0)):
                fast = library.search(**criteria, sort=sort, limit=limit, offset=offset, matches=matches)
                slow = library.search(**criteria, sort=sort, limit=limit, offset=offset)
                assert fast == slow, (criteria, sort, limit, offset)
                compared += bool(fast)
    assert compared > 100
    assert library.search("officer", matches=0) == []  # the caller counted nothing: no query at all

    category = library.categories()[0][0]
    within = SearchQuery("help", category=category, category_share=0.05)
    assert "INDEXED BY scenarios_list_by_category" in within.count_sql()[0]
    assert "INDEXED BY" not in SearchQuery("help", category=category, category_share=0.5).count_sql()[0]
    for word in ("help", "calm", "kni", "officer"):
        joined = SearchQuery(word, category=category, sort="-tension")  # share unknown: join every match
        assert library.count(word, category=category) == library.store.query_one(*joined.count_sql())["n"]
        assert library.search(word, category=category, sort="-tension") == [
            listing(row) for row in library.store.query(*joined.rows_sql(200, 0))
        ]


def test_importing_all_shared_transcripts(imported, transcripts_dir):
    service, report = imported
    with open(transcripts_dir.parent / "manifest.csv", newline="", encoding="utf-8") as handle:
        manifest = {row["file"].split("/")[-1]: int(row["speakers"]) for row in csv.DictReader(handle)}
    imported_files = {item["file"] for item in report.imported}
    skipped = dict(report.skipped)
    assert imported_files | set(skipped) == set(manifest)  # every file imported or reported
    assert not imported_files & set(skipped)
    participants, exchanges = dialogue_files(load_labels())
    assert participants <= {f for f, n in manifest.items() if n >= 2}
    assert len(imported_files & participants) >= 0.95 * len(participants)
    assert exchanges <= imported_files  # every real officer-civilian exchange, by the hand labels
    for name, n in manifest.items():
        if n == 1:
            assert "single speaker" in skipped[name]
        elif name not in participants:
            assert "narrated commentary" in skipped[name], (name, skipped.get(name))
    for item in report.imported:
        roles = {t.role for t in service.get(item["id"]).reference_transcript}
        assert {"officer", "civilian"} <= roles, item


def test_reimporting_the_same_folder_changes_nothing(imported, transcripts_dir):
    service, first = imported
    before = _rows(service.store)
    again = service.import_path(transcripts_dir)
    assert again.imported == []
    assert sum("already in the library" in reason for _, reason in again.skipped) == len(first.imported)
    assert _rows(service.store) == before


def test_bad_files_are_reported_one_by_one_and_nothing_else_changes(library, tmp_path, monkeypatch):
    folder = tmp_path / "incoming"
    folder.mkdir()
    write_transcript(folder / "good.csv")
    write_transcript(folder / "same_dialogue_other_name.csv", newline="\r\n")
    write_transcript(folder / "narration.csv", NARRATION_ONLY)
    (folder / "binary.csv").write_bytes(b"\x00\x01\x02PK\x03\x04")
    (folder / "columns.csv").write_text("who,what\nA,B\n", encoding="utf-8")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "huge.csv").write_text("start_time,speaker_label,transcript\n" + "00:00,A,hello\n" * 200)
    (folder / "broken.json").write_text("{", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored: not a transcript", encoding="utf-8")
    (folder / ".hidden.csv").write_text("ignored", encoding="utf-8")
    monkeypatch.setattr(transcript_csv, "MAX_FILE_BYTES", 1500)
    before = _rows(library.store)
    steps = []
    report = library.import_path(folder, progress=lambda f, text: steps.append(f))
    assert [item["file"] for item in report.imported] == ["good.csv"]
    reasons = dict(report.skipped)
    assert set(reasons) == {
        "same_dialogue_other_name.csv", "narration.csv", "binary.csv", "columns.csv", "empty.csv",
        "huge.csv", "broken.json",
    }  # fmt: skip
    assert "already in the library" in reasons["same_dialogue_other_name.csv"]
    assert "single speaker" in reasons["narration.csv"]
    assert "binary" in reasons["binary.csv"]
    assert "wrong columns" in reasons["columns.csv"]
    assert "empty" in reasons["empty.csv"]
    assert "too large" in reasons["huge.csv"]
    assert "not valid JSON" in reasons["broken.json"]
    assert steps[0] == 0 and steps[-1] == 1.0
    assert _rows(library.store)[: len(before)] == before


def test_import_can_be_cancelled_between_files(library, tmp_path):
    for n in range(3):
        rows = [(t, s, f"{text} ({n})") for t, s, text in TRAFFIC_STOP]
        write_transcript(tmp_path / f"stop_{n}.csv", rows)
    calls = []
    report = library.import_path(tmp_path, cancelled=lambda: len(calls.append(1) or calls) > 2)
    assert report.cancelled and len(report.imported) == 2


def test_missing_path_is_a_user_facing_error(library, tmp_path):
    with pytest.raises(UserFacingError, match="does not exist"):
        library.import_path(tmp_path / "nowhere")


def test_scenarios_json_and_export_round_trip(library, tmp_path, data_dir):
    write_transcript(tmp_path / "youtube_4242.csv")
    cases = [{"case_id": "c1", "scenario_context": "Woman refusing to leave a closed library at night.",
              "character_profile": {"name": "Joan"}, "police_dialogue": ["Ma'am, can I help?"]}]  # fmt: skip
    (tmp_path / "scenarios.json").write_text(json.dumps(cases), encoding="utf-8")
    report = library.import_path(tmp_path)
    assert len(report.imported) == 2 and not report.skipped
    ids = [item["id"] for item in report.imported]
    out = tmp_path / "out" / "export.json"
    assert library.export(ids, out) == 2
    other = AppContext.open(tmp_path / "other-home")
    try:
        other_library = other.service(LibraryService)
        back = other_library.import_path(out)
        assert len(back.imported) == 2
        for original_id, item in zip(ids, back.imported, strict=True):
            assert other_library.get(item["id"]).to_dict() == library.get(original_id).to_dict()
        again = other_library.import_path(out)
        assert again.imported == [] and all("already in the library" in r for _, r in again.skipped)
    finally:
        other.close()
    with pytest.raises(UserFacingError, match="nothing to export"):
        library.export([], tmp_path / "none.json")


def test_correcting_a_role_is_saved_and_refreshes_the_derived_card(library, ctx, data_dir, tmp_path):
    write_transcript(tmp_path / "youtube_5150.csv")
    scenario_id = library.import_path(tmp_path / "youtube_5150.csv").imported[0]["id"]
    scenario = library.get(scenario_id)
    assert scenario.character_profile.name == "Lena Ortiz"
    dispatch_turn = next(n for n, t in enumerate(scenario.reference_transcript) if t.speaker == "Dispatch")
    lena_turn = next(n for n, t in enumerate(scenario.reference_transcript) if t.speaker == "Lena Ortiz")
    library.correct_role(scenario_id, dispatch_turn, "civilian")
    updated = library.correct_role(scenario_id, lena_turn, "bystander", whole_speaker=True)
    assert updated.reference_transcript[dispatch_turn].role == "civilian"
    assert all(t.role == "bystander" for t in updated.reference_transcript if t.speaker == "Lena Ortiz")
    assert updated.character_profile.name == "Dispatch" and updated.title.endswith("Dispatch")
    assert dispatch_turn in library.corrected_turns(scenario_id)
    assert library.search("Dispatch", source="imported")[0].id == scenario_id
    with pytest.raises(UserFacingError):
        library.correct_role(scenario_id, 999, "officer")
    with pytest.raises(UserFacingError):
        library.correct_role(scenario_id, 0, "captain")
    reopened = AppContext.open(data_dir.root)
    try:
        again = reopened.service(LibraryService).get(scenario_id)
        assert again.reference_transcript[dispatch_turn].role == "civilian"
        assert again.character_profile.name == "Dispatch"
    finally:
        reopened.close()


def test_correcting_an_authored_scenario_keeps_its_card(library):
    scenario_id = library.find_id("sui-001")
    before = library.get(scenario_id)
    after = library.correct_role(scenario_id, 0, "bystander")
    assert after.reference_transcript[0].role == "bystander"
    assert after.character_profile == before.character_profile and after.title == before.title
    assert library.ensure_bundled() == 0  # the correction survives the next start-up
