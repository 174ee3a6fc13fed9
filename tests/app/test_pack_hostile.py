"""Packs that must be refused whole, each with a message: tampered, from another course, cut short,
not a pack, zip bombs, escaping paths, huge or wrong fields, newer formats."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from deescal.app.packs import PackError, PackService, container, session_pack
from deescal.app.packs.drop_folder import REFUSED_FOLDER, scan
from deescal.app.records.packs import PackRepository

from tests.app.pack_fixtures import open_laptop, record_scripted_session


def _members(pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _raw_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _resigned(pack: Path, out: Path, key: bytes, edit) -> Path:
    """The pack rebuilt by someone holding the course key, with ``edit(sessions)`` applied: the
    signature is right, so only the field checks stand between it and the database."""
    sessions = json.loads(_members(pack)["sessions.json"])
    edit(sessions)
    return _resigned_bytes(pack, out, key, json.dumps(sessions).encode())


def _resigned_bytes(pack: Path, out: Path, key: bytes, sessions: bytes) -> Path:
    members = _members(pack)
    manifest = json.loads(members["manifest.json"])
    header = {k: v for k, v in manifest.items() if k not in ("format", "version", "members")}
    return container.write_pack(
        out,
        kind=session_pack.KIND,
        version=manifest["version"],
        header=header,
        members={"sessions.json": sessions, "scenarios.json": members["scenarios.json"]},
        key=key,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An instructor with a course, and a good session pack from one laptop of it."""
    root = tmp_path_factory.mktemp("world")
    with open_laptop(root / "instructor") as instructor:
        course = instructor.service(PackService).export_course(
            root / "c.deescal-course", ["mh-001"], name="Class"
        )
        key = PackRepository(instructor.store).course_key(course.id)
    with open_laptop(root / "laptop") as laptop:
        laptop.service(PackService).import_course(root / "c.deescal-course")
        record_scripted_session(laptop, "mh-001", "Sam Cole")
        laptop.service(PackService).export_sessions(root / "good.deescal-sessions")
    return {"root": root, "key": key, "good": root / "good.deescal-sessions"}


@pytest.fixture
def instructor(world, tmp_path):
    """A fresh copy of the instructor's data folder, so each test starts from nothing imported."""
    import shutil

    shutil.copytree(world["root"] / "instructor", tmp_path / "instructor")
    ctx = open_laptop(tmp_path / "instructor")
    yield ctx
    ctx.close()


def _refused(instructor, pack: Path, *words: str) -> str:
    before = instructor.store.query("SELECT count(*) AS n FROM sessions")[0]["n"]
    report = instructor.service(PackService).import_sessions([pack])
    assert report.imported == [] and report.refused_files == [str(pack)], report.skipped
    reason = report.skipped[0]["reason"]
    assert pack.name in reason and "nothing was imported" in reason
    for word in words:
        assert word in reason, reason
    assert instructor.store.query("SELECT count(*) AS n FROM sessions")[0]["n"] == before
    assert instructor.service(PackService).queue_count() == 0
    return reason


def test_the_good_pack_imports(instructor, world):
    assert len(instructor.service(PackService).import_sessions([world["good"]]).imported) == 1


def test_a_session_edited_after_export_is_refused(instructor, world, tmp_path):
    members = _members(world["good"])
    members["sessions.json"] = members["sessions.json"].replace(b'"score":80.0', b'"score":99.0')
    _refused(instructor, _raw_zip(tmp_path / "edited.deescal-sessions", members), "differs from its manifest")


def test_a_manifest_edited_to_match_is_refused_by_the_signature(instructor, world, tmp_path):
    members = _members(world["good"])
    members["sessions.json"] = members["sessions.json"].replace(b"Sam Cole", b"Someone Else")
    manifest = json.loads(members["manifest.json"])
    import hashlib

    manifest["members"]["sessions.json"] = hashlib.sha256(members["sessions.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    _refused(instructor, _raw_zip(tmp_path / "forged.deescal-sessions", members), "signed with another key")


def test_a_pack_from_another_course_is_refused_and_kept_apart(instructor, tmp_path):
    with open_laptop(tmp_path / "other-instructor") as other:
        other.service(PackService).export_course(tmp_path / "other.deescal-course", ["mh-001"], name="Other")
    with open_laptop(tmp_path / "stranger") as stranger:
        stranger.service(PackService).import_course(tmp_path / "other.deescal-course")
        record_scripted_session(stranger, "mh-001", "Stranger")
        drop = tmp_path / "share"
        drop.mkdir()
        stranger.service(PackService).export_sessions(drop / "stranger.deescal-sessions")
    reason = _refused(
        instructor, drop / "stranger.deescal-sessions", "from a course this data folder does not hold"
    )
    packs = instructor.service(PackService)
    packs.set_drop_folder(drop)
    report = scan(packs)
    assert report.imported == [] and report.refused_files
    assert not (drop / "stranger.deescal-sessions").exists()
    kept = drop / REFUSED_FOLDER / "stranger.deescal-sessions"
    assert kept.is_file() and reason in (drop / REFUSED_FOLDER / f"{kept.name}.reason.txt").read_text()
    assert scan(packs).refused_files == []  # not tried again


def test_a_pack_signed_with_another_key_for_this_course_is_refused(instructor, world, tmp_path):
    forged = _resigned(world["good"], tmp_path / "f.deescal-sessions", b"k" * 32, lambda sessions: None)
    _refused(instructor, forged, "signed with another key")


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.02])
def test_a_truncated_pack_is_refused(instructor, world, tmp_path, keep):
    data = world["good"].read_bytes()
    cut = tmp_path / "cut.deescal-sessions"
    cut.write_bytes(data[: int(len(data) * keep)])
    _refused(instructor, cut, "cut short")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"just some notes\n", "not a DeEscal pack"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a DeEscal pack"),
    ],
)
def test_a_file_that_is_not_a_pack_is_refused(instructor, tmp_path, content, words):
    path = tmp_path / "notes.deescal-sessions"
    path.write_bytes(content)
    _refused(instructor, path, words)


def test_a_zip_without_a_manifest_or_of_the_other_kind_is_refused(instructor, world, tmp_path):
    _refused(
        instructor, _raw_zip(tmp_path / "a.deescal-sessions", {"hello.txt": b"hi"}), "has no manifest.json"
    )
    course = world["root"] / "c.deescal-course"
    renamed = tmp_path / "course.deescal-sessions"
    renamed.write_bytes(course.read_bytes())
    _refused(instructor, renamed, "'deescal-course-pack' file, not a deescal-session-pack")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(instructor, world, tmp_path, monkeypatch):
    members = _members(world["good"])
    members["sessions.json"] = b"[" + b" " * (60 * 1024**2) + b"]"  # 60 MB that compresses ~1000:1
    bomb = _raw_zip(tmp_path / "bomb.deescal-sessions", members)
    assert bomb.stat().st_size < 1024**2
    _refused(instructor, bomb, "zip bomb")
    monkeypatch.setattr(container, "MAX_TOTAL_BYTES", 2000)
    _refused(instructor, world["good"], "would unpack to more than")


@pytest.mark.parametrize(
    "name", ["../../escaped.txt", "/tmp/absolute.txt", "audio/../../x.wav", "a\\..\\b.txt"]
)
def test_a_path_that_escapes_the_folder_is_refused(instructor, world, tmp_path, name):
    members = {**_members(world["good"]), name: b"gotcha"}
    reason = _refused(
        instructor, _raw_zip(tmp_path / "t.deescal-sessions", members), "name that is not allowed"
    )
    assert "escape" in reason
    assert not (tmp_path / "escaped.txt").exists() and not Path("/tmp/absolute.txt").exists()


def _first_turn(field: str, value):
    def edit(sessions):
        sessions[0]["turns"][0][field] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_first_turn("text", "x" * 1_000_000), "is 1,000,000 characters long"),
        (_first_turn("text", 42), "must be text"),
        (_first_turn("tension", 11), "must be between 0 and 10"),
        (_first_turn("tension", "high"), "must be a number"),
        (_first_turn("role", "narrator"), "must be one of officer, civilian, system"),
        (_first_turn("audio", "audio/x/0.wav"), "names a file the pack does not hold"),
        (lambda s: s[0].update(trainee="n" * 500), "sessions[0].trainee"),
        (lambda s: s[0].update(id="not-a-uuid"), "must be a UUID"),
        (lambda s: s[0].update(status="active"), "sessions[0].status"),
        (lambda s: s[0].update(started_at="yesterday"), "must be a date or time"),
        (lambda s: s[0].update(assignment_id="00000000-0000-4000-8000-000000000000"), "not in this course"),
        (lambda s: s.append(dict(s[0])), "holds the same session twice"),
        (lambda s: s[0]["turns"].extend({"idx": n} for n in range(4001)), "more than allowed (4,000)"),
    ],
)
def test_bad_fields_are_refused_even_with_the_right_key(instructor, world, tmp_path, edit, words):
    """A course member holding the key still cannot put junk, huge fields or a broken session in."""
    pack = _resigned(world["good"], tmp_path / "r.deescal-sessions", world["key"], edit)
    _refused(instructor, pack, words)


@pytest.mark.parametrize(
    ("sessions", "words"),
    [
        (b'[{"final_tension": NaN}]', "NaN is not a number JSON allows"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"[" * 40 + b"]" * 40, "nested deeper than 32 levels"),
        (b"\xff\xfe not text", "not UTF-8 text"),
    ],
)
def test_nan_deep_nesting_and_binary_are_refused_even_with_the_right_key(
    instructor, world, tmp_path, sessions, words
):
    _refused(
        instructor,
        _resigned_bytes(world["good"], tmp_path / "n.deescal-sessions", world["key"], sessions),
        words,
    )


def test_a_pack_from_a_newer_version_asks_for_an_update(instructor, world, tmp_path):
    members = _members(world["good"])
    manifest = json.loads(members["manifest.json"])
    manifest["version"] = 99
    members["manifest.json"] = json.dumps(manifest).encode()
    _refused(
        instructor, _raw_zip(tmp_path / "new.deescal-sessions", members), "newer DeEscal Trainer", "Update"
    )


def test_hostile_course_packs_are_refused_and_change_nothing(world, tmp_path):
    course = world["root"] / "c.deescal-course"
    members = _members(course)
    tampered = dict(members)
    tampered["course.json"] = tampered["course.json"].replace(b'"Class"', b'"Clasz"')
    escaping = {**members, "../adapter.gguf": b"x"}
    with open_laptop(tmp_path / "laptop") as laptop:
        packs = laptop.service(PackService)
        for path, words in (
            (_raw_zip(tmp_path / "t.deescal-course", tampered), "differs from its manifest"),
            (_raw_zip(tmp_path / "e.deescal-course", escaping), "name that is not allowed"),
            (world["good"], "'deescal-session-pack' file, not a deescal-course-pack"),
        ):
            with pytest.raises(PackError, match=words):
                packs.import_course(path)
        assert packs.courses() == [] and packs.assignments() == []
