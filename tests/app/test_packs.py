"""Course packs out, session packs back: the class-of-laptops round trip, idempotence, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deescal.app.packs import PackError, PackService
from deescal.app.packs.drop_folder import publish_finished, scan
from deescal.app.packs.laptop import this_laptop
from deescal.cli import main

from tests.app.pack_fixtures import SCRIPT, open_laptop, record_scripted_session

COURSE_SCENARIOS = ["mh-001", "sui-001", "dom-001"]


def _everything(ctx) -> dict[str, list[dict]]:
    """Every row an import could touch, to show a second import changes nothing."""
    tables = ("sessions", "session_turns", "turn_scores", "review_queue", "scenarios", "trainees", "courses")
    return {table: ctx.store.query(f"SELECT * FROM {table} ORDER BY rowid") for table in tables}


@pytest.fixture
def instructor(tmp_path):
    ctx = open_laptop(tmp_path / "instructor")
    yield ctx
    ctx.close()


def test_three_laptops_send_their_sessions_to_the_instructor_through_a_drop_folder(instructor, tmp_path):
    packs = instructor.service(PackService)
    course = packs.export_course(
        tmp_path / "class.deescal-course",
        COURSE_SCENARIOS,
        name="Class 26-A",
        due_at="2026-06-01",
        adapter="house",
    )
    due = {a.case_id: a for a in packs.assignments(course.id)}
    assert list(due) == COURSE_SCENARIOS and all(a.due_at == "2026-06-01" for a in due.values())
    drop = tmp_path / "share"
    drop.mkdir()

    played = {}  # session uuid -> (trainee, laptop id)
    for n, case_id in enumerate(["mh-001", "sui-001", "mh-001"], start=1):
        with open_laptop(tmp_path / f"laptop-{n}") as laptop:
            trainee_packs = laptop.service(PackService)
            joined = trainee_packs.import_course(tmp_path / "class.deescal-course")
            assert (joined.name, joined.assignments, joined.adapter) == ("Class 26-A", 3, "house")
            assert not any(a.done for a in trainee_packs.assignments())
            session_id = record_scripted_session(laptop, case_id, f"Recruit {n}")
            done = {a.case_id for a in trainee_packs.assignments() if a.done}
            assert done == {case_id}
            trainee_packs.set_drop_folder(drop)
            assert publish_finished(trainee_packs) == 1
            assert publish_finished(trainee_packs) == 0  # already there
            uuid = laptop.store.query_one("SELECT uuid FROM sessions WHERE id = ?", (session_id,))["uuid"]
            played[uuid] = (f"Recruit {n}", this_laptop(laptop.data).id, case_id)
    assert len({laptop for _, laptop, _ in played.values()}) == 3
    assert sorted(p.name for p in drop.iterdir()) == sorted(f"{u}.deescal-sessions" for u in played)

    packs.set_drop_folder(drop)
    report = scan(packs)
    assert (len(report.imported), report.skipped) == (3, [])
    queue = packs.review_queue()
    assert {q.uuid for q in queue} == set(played)
    for item in queue:
        trainee, laptop_id, case_id = played[item.uuid]
        assert (item.trainee, item.laptop_id, item.case_id) == (trainee, laptop_id, case_id)
        assert item.course_id == course.id and item.assignment_id == due[case_id].id
        assert item.status == "resolved"
    turns = instructor.store.query(
        "SELECT st.role, st.text, ts.score FROM session_turns st LEFT JOIN turn_scores ts ON ts.turn_id = st.id"
        " JOIN sessions s ON s.id = st.session_id WHERE s.id = ? ORDER BY st.idx",
        (queue[0].session_id,),
    )
    assert [t["text"] for t in turns] == [line for pair in SCRIPT for line in pair]
    assert [t["score"] for t in turns if t["role"] == "officer"] == [80.0] * len(SCRIPT)

    before = _everything(instructor)
    assert scan(packs).imported == []  # files already read are not opened again
    again = packs.import_sessions([drop])  # and reading them anyway imports nothing
    assert again.imported == [] and len(again.skipped) == 3
    assert all("imported before" in item["reason"] for item in again.skipped)
    assert _everything(instructor) == before


def test_session_import_through_the_cli_prints_json(instructor, tmp_path, capsys):
    course_file = tmp_path / "c.deescal-course"
    instructor.service(PackService).export_course(course_file, ["mh-001"], name="Night class")
    with open_laptop(tmp_path / "laptop") as laptop:
        laptop.service(PackService).import_course(course_file)
        record_scripted_session(laptop, "mh-001", "Sam Cole")
        record_scripted_session(laptop, "mh-001", "Sam Cole", status="escalated")
    pack = tmp_path / "sam.deescal-sessions"
    assert main(["--data-dir", str(tmp_path / "laptop"), "sessions", "export", str(pack)]) == 0
    assert "Wrote 2 session(s)" in capsys.readouterr().out
    home = str(instructor.data.root)
    instructor.close()
    assert main(["--data-dir", home, "sessions", "import", str(pack), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"imported": 2, "skipped": [], "cancelled": False}
    assert main(["--data-dir", home, "sessions", "queue", "--json"]) == 0
    queue = json.loads(capsys.readouterr().out)
    assert [q["trainee"] for q in queue] == ["Sam Cole", "Sam Cole"]
    assert sorted(q["status"] for q in queue) == ["escalated", "resolved"]
    assert main(["--data-dir", home, "sessions", "import", str(pack), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 0 and "2 of its 2 sessions were imported before" in out["skipped"][0]["reason"]


def test_a_laptop_without_a_course_is_told_to_import_one(tmp_path):
    with open_laptop(tmp_path / "laptop") as laptop:
        record_scripted_session(laptop, "mh-001", "Sam Cole")
        with pytest.raises(Exception, match="import the course pack first"):
            laptop.service(PackService).export_sessions(tmp_path / "x.deescal-sessions")
        assert not (tmp_path / "x.deescal-sessions").exists()


def test_a_newer_pack_of_the_course_replaces_the_assignments(instructor, tmp_path):
    packs = instructor.service(PackService)
    first = packs.export_course(tmp_path / "v1.deescal-course", ["mh-001"], name="Class")
    packs.export_course(tmp_path / "v2.deescal-course", ["sui-001", "dom-001"], course_id=first.id)
    with open_laptop(tmp_path / "laptop") as laptop:
        trainee = laptop.service(PackService)
        assert not trainee.import_course(tmp_path / "v1.deescal-course").updated
        updated = trainee.import_course(tmp_path / "v2.deescal-course")
        assert updated.updated and [a.case_id for a in trainee.assignments()] == ["sui-001", "dom-001"]
        assert len(trainee.courses()) == 1


def test_sessions_on_a_scenario_the_instructor_lacks_bring_its_card(instructor, tmp_path):
    packs = instructor.service(PackService)
    packs.export_course(tmp_path / "c.deescal-course", ["mh-001"], name="Class")
    card = Path(__file__).resolve().parents[2] / "scenario_library" / "bundled"
    assert card.is_dir()
    with open_laptop(tmp_path / "laptop") as laptop:
        trainee = laptop.service(PackService)
        trainee.import_course(tmp_path / "c.deescal-course")
        scenario = trainee.library.get(trainee.library.find_id("mh-001"))
        scenario.case_id, scenario.title = "own-001", "The trainee's own scenario"
        own = tmp_path / "own.json"
        from deescal.scenario_library.scenario_files import write_export

        write_export([scenario], own)
        assert trainee.library.import_path(own).imported
        record_scripted_session(laptop, "own-001", "Sam Cole")
        trainee.export_sessions(tmp_path / "s.deescal-sessions")
    report = packs.import_sessions([tmp_path / "s.deescal-sessions"])
    assert len(report.imported) == 1
    assert packs.review_queue()[0].title == "The trainee's own scenario"


def test_the_academys_own_adapter_travels_in_the_course_pack(tmp_path, embedded_path):
    from deescal.models.registry import ModelRegistry

    from tests.models.llm_fixtures import link_embedded
    from tests.models.lora_files import write_lora_adapter

    adapter = write_lora_adapter(tmp_path / "academy.gguf")
    course_file = tmp_path / "c.deescal-course"
    with open_laptop(tmp_path / "instructor") as instructor:
        link_embedded(instructor.data.models, embedded_path)
        instructor.service(ModelRegistry).add_adapter(adapter, "academy")
        instructor.service(PackService).export_course(
            course_file, ["mh-001"], name="Class", adapter="academy"
        )
    with open_laptop(tmp_path / "laptop") as laptop:
        link_embedded(laptop.data.models, embedded_path)
        joined = laptop.service(PackService).import_course(course_file)
        active = laptop.service(ModelRegistry).active_adapter()
        assert joined.adapter == active.name == "academy (Class)"
        carried = Path(active.path)
        assert carried.parent == laptop.data.adapters and carried.read_bytes() == adapter.read_bytes()
        assert laptop.service(PackService).import_course(course_file).updated  # again: same adapter, no error
        assert laptop.service(ModelRegistry).active_adapter().name == "academy (Class)"


def test_a_newer_course_pack_whose_adapter_does_not_fit_is_refused_and_keeps_the_old_one(
    tmp_path,
    embedded_path,
):
    from deescal.models.registry import ModelRegistry

    from tests.models.llm_fixtures import link_embedded
    from tests.models.lora_files import write_lora_adapter

    adapter = write_lora_adapter(tmp_path / "academy.gguf")
    fitting = adapter.read_bytes()
    with open_laptop(tmp_path / "instructor") as instructor:
        link_embedded(instructor.data.models, embedded_path)
        instructor.service(ModelRegistry).add_adapter(adapter, "academy")
        packs = instructor.service(PackService)
        course = packs.export_course(
            tmp_path / "v1.deescal-course", ["mh-001"], name="Class", adapter="academy"
        )
        write_lora_adapter(adapter, wrong_shape=True)  # retrained for another model, same name
        packs.export_course(
            tmp_path / "v2.deescal-course", ["mh-001", "dom-001"], adapter="academy", course_id=course.id
        )
    with open_laptop(tmp_path / "laptop") as laptop:
        link_embedded(laptop.data.models, embedded_path)
        packs = laptop.service(PackService)
        packs.import_course(tmp_path / "v1.deescal-course")
        with pytest.raises(PackError, match="does not fit"):
            packs.import_course(tmp_path / "v2.deescal-course")
        active = laptop.service(ModelRegistry).active_adapter()
        assert active.name == "academy (Class)" and Path(active.path).read_bytes() == fitting
        assert [a.case_id for a in packs.assignments(course.id)] == ["mh-001"]
        assert list(laptop.data.adapters.glob("*.incoming")) == []
