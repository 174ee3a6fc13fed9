"""Course packs out to trainees, session packs back to the instructor: ``ctx.service(PackService)``.

The instructor exports a course (assignments, scenario cards, grading settings, adapter, and the
course key); a trainee imports it, plays, and exports session packs signed with that key; the
instructor imports any number of them. Import is idempotent (sessions are known by the UUID they
got where they were played), never touches existing records, writes each pack whole or not at
all, and queues new sessions for review. Formats and limits: ``app/packs/FORMAT.md``.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deescal.app import __version__
from deescal.app.context import AppContext
from deescal.app.errors import ModelError, UserFacingError
from deescal.app.library import LibraryService
from deescal.app.packs import course_pack, fields, session_pack, signing
from deescal.app.packs.container import PackError, PackReader, pack_files, refused, write_pack
from deescal.app.packs.laptop import Laptop, this_laptop
from deescal.app.records.entities import Assignment, Course, QueuedSession
from deescal.app.records.packs import PackRepository
from deescal.app.records.scenarios import ScenarioRepository
from deescal.app.records.sessions import SessionRepository
from deescal.app.records.store import now
from deescal.app.records.trainees import TraineeRepository
from deescal.app.roleplay.tension import ESCALATED_SETTING, ESCALATED_TURNS
from deescal.app.settings import get_setting, set_setting
from deescal.models.embedded import HOUSE_ADAPTER_NAME
from deescal.models.registry import ModelRegistry
from deescal.scenario_library.scenario_files import scenario_hash
from deescal.scenario_library.schema import Scenario, ScenarioFormatError

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
DROP_FOLDER_KEY = "packs.drop_folder"


@dataclass
class CourseImport:
    course_id: str
    name: str
    assignments: int
    new_scenarios: int
    adapter: str | None
    updated: bool  # a newer pack of a course that was already here


@dataclass
class SessionImportReport:
    imported: list[str] = field(default_factory=list)  # session UUIDs
    skipped: list[dict[str, str]] = field(default_factory=list)  # file, reason (and session)
    refused_files: list[str] = field(default_factory=list)  # packs refused whole
    cancelled: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"imported": len(self.imported), "skipped": self.skipped, "cancelled": self.cancelled}

    def merge(self, other: SessionImportReport) -> None:
        self.imported += other.imported
        self.skipped += other.skipped
        self.refused_files += other.refused_files


class PackService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.packs = PackRepository(ctx.store)
        self.scenarios = ScenarioRepository(ctx.store)
        self.sessions = SessionRepository(ctx.store)
        self.trainees = TraineeRepository(ctx.store)
        # Built first: it puts the bundled scenarios in the database, which packs find by content.
        self.library = ctx.service(LibraryService)

    @property
    def laptop(self) -> Laptop:
        return this_laptop(self.ctx.data)

    # -- courses ---------------------------------------------------------------------------------
    def courses(self) -> list[Course]:
        return self.packs.courses()

    def assignments(self, course_id: str | None = None) -> list[Assignment]:
        """The assignments of every course here (newest course first), each marked done or not."""
        return self.packs.assignments(course_id)

    def export_course(
        self,
        out: str | Path,
        scenario_keys: list[str | int],
        *,
        name: str | None = None,
        adapter: str | None = None,
        due_at: str | None = None,
        course_id: str | None = None,
    ) -> Course:
        """Writes a course pack; a new course, or a newer pack of ``course_id`` (same key, so the
        trainees' packs keep verifying) with these assignments replacing the old ones."""
        library = self.library
        ids = list(dict.fromkeys(library.find_id(key) for key in scenario_keys))
        if not ids:
            raise UserFacingError("A course needs at least one scenario (give scenario ids or case ids).")
        if due_at is not None:
            try:
                fields.timestamp("due", due_at)
            except fields.FieldError:
                raise UserFacingError(f"'{due_at}' is not a date; write it like 2026-05-01.") from None
        if course_id:
            existing = self.packs.course(course_id)
            if existing is None or existing.role != "owner":
                raise UserFacingError(f"There is no course {course_id} made in this data folder.")
            key = self.packs.course_key(course_id)
            name = name or existing.name
        else:
            course_id, key = str(uuid.uuid4()), signing.new_course_key()
        name = " ".join((name or "").split())
        if not name or len(name) > course_pack.MAX_COURSE_NAME:
            raise UserFacingError(f"A course needs a name of 1 to {course_pack.MAX_COURSE_NAME} characters.")
        cards: dict[str, dict] = {}
        assignments = []
        for scenario_id in ids:
            scenario = library.get(scenario_id)
            digest = self.scenarios.content_hash(scenario_id) or scenario_hash(scenario)
            cards[digest] = scenario.to_dict()
            assignments.append(
                {
                    "id": str(uuid.uuid4()),
                    "scenario": digest,
                    "scenario_id": scenario_id,
                    "case_id": scenario.case_id,
                    "title": scenario.title,
                    "due_at": due_at,
                }
            )
        files, adapter_doc = self._course_adapter(adapter)
        created_at = now()
        document = {
            "name": name,
            "created_at": created_at,
            "settings": {ESCALATED_SETTING: int(get_setting(self.store, ESCALATED_SETTING, ESCALATED_TURNS))},
            "adapter": adapter_doc,
            "assignments": [{k: v for k, v in a.items() if k != "scenario_id"} for a in assignments],
        }
        write_pack(
            Path(out),
            kind=course_pack.KIND,
            version=course_pack.VERSION,
            header=course_pack.header(course_id, name, created_at, key, __version__),
            members={
                course_pack.COURSE_MEMBER: _json_bytes(document),
                course_pack.SCENARIOS_MEMBER: _json_bytes(cards),
            },
            files=files,
            key=key,
        )
        kept = {**document, "id": course_id}
        if adapter_doc:
            kept["adapter"] = {"name": adapter_doc["name"], "builtin": adapter_doc["builtin"]}
        self.packs.save_course(kept, assignments, course_key=key, role="owner")
        return self.packs.course(course_id)

    def _course_adapter(self, name: str | None) -> tuple[dict[str, Path], dict | None]:
        if not name:
            return {}, None
        record = self.ctx.service(ModelRegistry).adapter(name)
        if record.name == HOUSE_ADAPTER_NAME:
            return {}, {"name": record.name, "builtin": True, "member": None,
                        "base_model_sha256": record.base_model_sha256}  # fmt: skip
        path = Path(record.path)
        if not path.is_file():
            raise UserFacingError(f"The file of adapter '{name}' ({path}) is missing; nothing was exported.")
        member = f"adapter/{_safe_name(record.name)}.gguf"
        return {member: path}, {"name": record.name, "builtin": False, "member": member,
                                "base_model_sha256": record.base_model_sha256}  # fmt: skip

    def import_course(self, path: str | Path) -> CourseImport:
        """Joins the course of a course pack (or takes a newer pack of it): scenarios the library
        lacks are added, the assignments replace the course's old ones, the grading settings and
        the course's adapter are applied. A pack that fails any check changes nothing."""
        path = Path(path)
        with PackReader(path, course_pack.KIND, course_pack.VERSION) as reader:
            contents = course_pack.read_course_pack(reader)
            existing = self.packs.course(contents.course_id)
            if existing is not None and self.packs.course_key(contents.course_id) != contents.key:
                raise refused(
                    reader.label,
                    "claims to be a course that is already here but holds another key (a forged or "
                    "foreign pack)",
                )
            staged_adapter = self._unpack_adapter(reader, contents)
        try:
            return self._join_course(path, contents, existing, staged_adapter)
        finally:
            if staged_adapter is not None:
                staged_adapter.unlink(missing_ok=True)  # left only when joining failed

    def _join_course(
        self,
        path: Path,
        contents: course_pack.CoursePackContents,
        existing: Course | None,
        staged_adapter: Path | None,
    ) -> CourseImport:
        added = 0
        with self.store.write():
            scenario_ids: dict[str, int] = {}
            for digest, scenario in contents.scenarios.items():
                found = self.scenarios.with_content(digest)
                if found is None:
                    found = {"id": self._add_scenario(scenario, digest, path.name)}
                    added += 1
                scenario_ids[digest] = found["id"]
            assignments = [{**a, "scenario_id": scenario_ids[a["scenario"]]} for a in contents.assignments]
            self.packs.save_course(
                contents.course_row(),
                assignments,
                course_key=contents.key,
                role=existing.role if existing else "member",
            )
            if ESCALATED_SETTING in contents.settings:
                set_setting(self.store, ESCALATED_SETTING, contents.settings[ESCALATED_SETTING])
        adapter_name = self._attach_adapter(contents, staged_adapter)
        self._library_changed()
        return CourseImport(
            contents.course_id, contents.name, len(assignments), added, adapter_name, existing is not None
        )

    def _add_scenario(self, scenario: Scenario, digest: str, pack_name: str) -> int:
        """A scenario the library lacks, added as imported (bundled ones are found by content)."""
        scenario.provenance.source = "imported"
        scenario.provenance.file = scenario.provenance.file or pack_name
        scenario.case_id = self.scenarios.free_case_id(scenario.case_id)
        return self.scenarios.insert(scenario, digest, pack_name)

    def _adapter_file(self, contents: course_pack.CoursePackContents) -> Path:
        """Where a course's own adapter lives on this laptop (a newer pack of the course replaces it)."""
        name = _safe_name(contents.adapter.name)  # only asked for a course that carries one
        return self.ctx.data.adapters / f"course-{contents.course_id[:8]}-{name}.gguf"

    def _unpack_adapter(self, reader: PackReader, contents: course_pack.CoursePackContents) -> Path | None:
        """The course's own adapter, copied beside its place and checked to fit this laptop's model
        before anything is imported; it replaces an earlier copy only once the course is in."""
        adapter = contents.adapter
        if adapter is None or adapter.builtin:
            return None
        staged = self._adapter_file(contents).with_suffix(".incoming")
        reader.copy_member(adapter.member, staged, course_pack.MAX_ADAPTER_BYTES)
        try:
            self.ctx.service(ModelRegistry).check_fits(staged)
        except ModelError as exc:
            staged.unlink(missing_ok=True)
            raise refused(
                reader.label, f"carries an adapter that does not fit this laptop's model ({exc})"
            ) from exc
        return staged

    def _attach_adapter(self, contents: course_pack.CoursePackContents, staged: Path | None) -> str | None:
        """Makes the course's adapter the one new role-plays use: the checked file takes its place
        (registered the first time) or the built-in one is chosen by name."""
        adapter = contents.adapter
        if adapter is None:
            return None
        registry = self.ctx.service(ModelRegistry)
        if adapter.builtin:
            registry.set_active_adapter(adapter.name)
            return adapter.name
        assert staged is not None  # a carried adapter is always unpacked
        path = self._adapter_file(contents)
        os.replace(staged, path)
        name = f"{adapter.name} ({contents.name})"[:80]
        known = {record.name: Path(record.path) for record in registry.adapters()}
        if name in known and known[name] != path:  # another adapter already has the name
            name = f"{name[:70]} {contents.course_id[:8]}"
        if name not in known:
            registry.add_adapter(path, name)
        registry.set_active_adapter(name)
        return name

    def _library_changed(self) -> None:
        self.library._changed()  # its cached counts and categories include the new scenarios

    # -- session packs out -------------------------------------------------------------------------
    def export_course_for_sessions(self, course_id: str | None) -> Course:
        """The course session packs are signed for: the one given, else the newest joined one."""
        if course_id:
            course = self.packs.course(course_id)
            if course is None:
                raise UserFacingError(f"There is no course {course_id} here.")
            return course
        joined = self.packs.courses("member") or self.packs.courses()
        if not joined:
            raise UserFacingError(
                "This laptop has no course, so its sessions cannot be signed for an instructor: import "
                "the course pack first (Course > Import course pack…, or deescal course import PACK)."
            )
        return joined[0]

    def export_sessions(
        self,
        out: str | Path,
        session_ids: Iterable[int] | None = None,
        *,
        course_id: str | None = None,
        audio: bool = False,
    ) -> int:
        """Writes finished sessions played here (all, or those given) to one signed session pack;
        returns how many. Active sessions and sessions imported from elsewhere are not exported."""
        course = self.export_course_for_sessions(course_id)
        wanted = None if session_ids is None else [int(n) for n in session_ids]
        if wanted is not None:
            self._check_exportable(wanted)
        rows = self.packs.finished_sessions(wanted)
        if not rows:
            raise UserFacingError("There are no finished sessions to export.")
        by_scenario = {a.scenario_id: a.id for a in reversed(self.packs.assignments(course.id))}
        laptop = self.laptop
        files: dict[str, Path] = {}
        documents, cards = [], {}
        for row in rows:
            digest = row["content_hash"]
            if digest is None or digest not in cards:
                scenario = self.scenarios.load(row["scenario_id"])
                digest = digest or scenario_hash(scenario)
                row["content_hash"] = digest
                cards[digest] = scenario.to_dict()
            documents.append(
                session_pack.session_document(
                    row,
                    self.sessions.turns(row["id"]),
                    laptop={"id": laptop.id, "name": laptop.name},
                    course_id=course.id,
                    assignment_id=by_scenario.get(row["scenario_id"]),
                    app_version=__version__,
                    audio=files if audio else None,
                )
            )
        header = {
            "pack_id": str(uuid.uuid4()),
            "created_at": now(),
            "app_version": __version__,
            "course_id": course.id,
            "course_name": course.name,
            "laptop": {"id": laptop.id, "name": laptop.name},
            "trainees": sorted({d["trainee"] for d in documents if d["trainee"]}),
            "sessions": len(documents),
        }
        write_pack(
            Path(out),
            kind=session_pack.KIND,
            version=session_pack.VERSION,
            header=header,
            members={
                session_pack.SESSIONS_MEMBER: _json_bytes(documents),
                session_pack.SCENARIOS_MEMBER: _json_bytes(cards),
            },
            files=files,
            key=self.packs.course_key(course.id),
        )
        return len(documents)

    def _check_exportable(self, wanted: list[int]) -> None:
        found = self.packs.session_ids(wanted)
        missing = [n for n in wanted if n not in found]
        if missing:
            raise UserFacingError(
                f"There is no session {', '.join(map(str, missing))}; nothing was exported."
            )
        active = [n for n in wanted if found[n] == "active"]
        if active:
            raise UserFacingError(
                f"Session {', '.join(map(str, active))} has not finished yet; end it first. Nothing was exported."
            )
        imported = [row["id"] for row in self.packs.finished_sessions(wanted) if row["origin"] == "imported"]
        if imported:
            raise UserFacingError(
                f"Session {', '.join(map(str, imported))} was imported from another laptop; only sessions "
                "played here are exported. Nothing was exported."
            )

    # -- session packs in --------------------------------------------------------------------------
    def import_sessions(
        self,
        paths: Iterable[str | Path],
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SessionImportReport:
        """Imports session packs (files, or every pack in a folder). Each pack is checked whole
        first (signature, every field) and written in one transaction, so a refused pack adds
        nothing; sessions already here are skipped and never changed."""
        files = pack_files(paths, session_pack.SUFFIX)
        report = SessionImportReport()
        for n, path in enumerate(files):
            if cancelled and cancelled():
                report.cancelled = True
                break
            if progress:
                progress(n / max(len(files), 1), f"Importing {path.name} ({n + 1} of {len(files)})")
            report.merge(self.import_session_pack(path))
        if progress:
            progress(1.0, f"Imported {len(report.imported)} sessions, skipped {len(report.skipped)}")
        return report

    def import_session_pack(self, path: Path) -> SessionImportReport:
        report = SessionImportReport()
        try:
            self._import_one(Path(path), report)
        except PackError as exc:
            report.skipped.append({"file": Path(path).name, "reason": str(exc)})
            report.refused_files.append(str(path))
        return report

    def _import_one(self, path: Path, report: SessionImportReport) -> None:
        with PackReader(path, session_pack.KIND, session_pack.VERSION) as reader:
            _, course_id = session_pack.read_header(reader)
            key = self.packs.course_key(course_id)
            if key is None:
                raise reader.fail(
                    "comes from a course this data folder does not hold (not one made or joined here); "
                    "it was kept apart"
                )
            reader.verify(key)
            contents = session_pack.read_session_pack(reader)
            known = self.packs.known_uuids(s.uuid for s in contents.sessions)
            new = [s for s in contents.sessions if s.uuid not in known]
            if known:
                report.skipped.append(
                    {
                        "file": path.name,
                        "reason": f"{len(known)} of its {len(contents.sessions)} sessions "
                        "were imported before (nothing changed for them)",
                    }  # fmt: skip
                )
            if not new:
                return
            self._check_assignments(reader, course_id, new)
            copied: list[Path] = []
            try:
                audio_paths = {}
                for session in new:
                    for idx, member in session.audio.items():
                        target = self.ctx.data.audio / "imported" / session.uuid / f"{idx}.wav"
                        copied.append(reader.copy_member(member, target, session_pack.MAX_AUDIO_BYTES))
                        audio_paths[(session.uuid, idx)] = str(target)
                with self.store.write():  # the whole pack or nothing, scenarios it adds included
                    scenario_ids = self._resolve_scenarios(reader, contents, new)
                    for session in new:
                        columns = {
                            **session.columns,
                            "scenario_id": scenario_ids[session.uuid],
                            "trainee_id": self.trainees.find_or_create(session.trainee),
                            "pack_id": contents.pack_id,
                        }
                        turns = [
                            {**turn, "audio_path": audio_paths.get((session.uuid, turn["idx"]))}
                            for turn in session.turns
                        ]
                        self.packs.insert_imported(columns, turns)
            except BaseException:
                for file in copied:
                    file.unlink(missing_ok=True)
                raise
        report.imported += [s.uuid for s in new]

    def _check_assignments(self, reader: PackReader, course_id: str, sessions: list) -> None:
        ids = {a.id for a in self.packs.assignments(course_id)}
        for session in sessions:
            assignment = session.columns["assignment_id"]
            if assignment is not None and assignment not in ids:
                raise reader.fail(f"has session {session.uuid} for an assignment that is not in this course")

    def _resolve_scenarios(
        self, reader: PackReader, contents: session_pack.SessionPackContents, sessions: list
    ) -> dict[str, int]:
        """Each session's scenario here: found by content, else added from the card in the pack
        (inside the import's transaction, so a refused pack adds no scenario either)."""
        found: dict[str, int] = {}
        by_hash: dict[str | None, int] = {}
        for session in sessions:
            digest = session.scenario_hash
            if digest not in by_hash:
                row = self.scenarios.with_content(digest) if digest else None
                if row is None:
                    card = contents.scenarios.get(digest or "")
                    if card is None:
                        raise reader.fail(f"has session {session.uuid} on a scenario it does not carry")
                    try:
                        scenario = Scenario.from_dict(card, f"scenarios[{session.case_id}]")
                    except ScenarioFormatError as exc:
                        raise reader.fail(f"has a bad scenario card ({exc})") from exc
                    row = {"id": self._add_scenario(scenario, digest, reader.label)}
                by_hash[digest] = row["id"]
            found[session.uuid] = by_hash[digest]
        return found

    # -- the review queue -------------------------------------------------------------------------
    def review_queue(self) -> list[QueuedSession]:
        return self.packs.queue()

    def queue_count(self) -> int:
        return self.packs.queue_count()

    def mark_seen(self, session_id: int) -> bool:
        return self.packs.mark_seen(session_id)

    # -- drop folder setting -------------------------------------------------------------------
    @property
    def drop_folder(self) -> Path | None:
        value = get_setting(self.store, DROP_FOLDER_KEY)
        return Path(value) if value else None

    def set_drop_folder(self, path: str | Path | None) -> Path | None:
        if path is None or str(path) == "":
            set_setting(self.store, DROP_FOLDER_KEY, None)
            return None
        folder = Path(path).expanduser().resolve()
        if not folder.is_dir():
            raise UserFacingError(f"{folder} is not a folder; choose an existing (shared) folder.")
        set_setting(self.store, DROP_FOLDER_KEY, str(folder))
        return folder

    def owns_a_course(self) -> bool:
        return bool(self.packs.courses("owner"))

    def joined_a_course(self) -> bool:
        return bool(self.packs.courses("member"))


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _safe_name(name: str) -> str:
    """A name as a file name inside a pack or the data folder: letters, digits, dot, dash, underscore."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in name).strip(".-") or "adapter"
    return cleaned[:60]
