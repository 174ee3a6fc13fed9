"""The shared drop folder: trainees' laptops write session packs into it, the instructor's app reads them.

Writers never leave half a pack under a pack's name (``write_pack`` writes a hidden temporary file
and renames it), so a reader may scan at any moment. A trainee publishes one pack per finished
session, named by the session's UUID, so publishing again is a no-op and a session finished while
the share was away goes out the next time. The instructor's scan opens only files it has not read
in this size and version (``pack_files``); a refused pack is moved to ``refused/`` beside a note
saying why, kept apart and never retried.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from deescal.app.errors import UserFacingError
from deescal.app.packs import session_pack
from deescal.app.packs.service import PackService, SessionImportReport

log = logging.getLogger(__name__)

REFUSED_FOLDER = "refused"
Progress = Callable[[float, str], None]


def session_pack_name(session_uuid: str) -> str:
    return f"{session_uuid}{session_pack.SUFFIX}"


def publish_finished(service: PackService) -> int:
    """Writes a pack for each finished session played here that the drop folder lacks; returns how
    many. Does nothing without a drop folder or a joined course."""
    folder = service.drop_folder
    if folder is None or not service.joined_a_course():
        return 0
    if not folder.is_dir():
        raise UserFacingError(
            f"The drop folder {folder} cannot be reached (is the stick or share connected?); finished "
            "sessions are kept here and will be written there next time."
        )
    published = 0
    for row in service.packs.finished_sessions():
        name = session_pack_name(row["uuid"])
        if (folder / name).exists() or (folder / REFUSED_FOLDER / name).exists():
            continue
        service.export_sessions(folder / name, [row["id"]])
        published += 1
    return published


def scan(
    service: PackService, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None
) -> SessionImportReport:
    """Imports the drop folder's packs not read before (by path, size and modification time)."""
    report = SessionImportReport()
    folder = service.drop_folder
    if folder is None or not folder.is_dir():
        return report
    seen = service.packs.seen_files()
    waiting = []
    for entry in os.scandir(folder):
        if entry.name.startswith(".") or not entry.name.endswith(session_pack.SUFFIX) or not entry.is_file():
            continue
        stat = entry.stat()
        if seen.get(entry.path) != (stat.st_size, stat.st_mtime_ns):
            waiting.append((Path(entry.path), stat.st_size, stat.st_mtime_ns))
    waiting.sort()
    for n, (path, size, mtime_ns) in enumerate(waiting):
        if cancelled and cancelled():
            report.cancelled = True
            break
        if progress:
            progress(n / len(waiting), f"Importing {path.name} ({n + 1} of {len(waiting)})")
        result = service.import_session_pack(path)
        service.packs.remember_file(
            str(path), size, mtime_ns, "refused" if result.refused_files else "imported"
        )
        if result.refused_files:
            _keep_apart(path, result.skipped[-1]["reason"])
        report.merge(result)
    return report


def _keep_apart(path: Path, reason: str) -> None:
    """Moves a refused pack into ``refused/`` with a note beside it, so it is neither lost nor retried."""
    target_dir = path.parent / REFUSED_FOLDER
    try:
        target_dir.mkdir(exist_ok=True)
        os.replace(path, target_dir / path.name)
        (target_dir / f"{path.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not move refused pack %s aside: %s", path, exc)


def publish_after_session(service: PackService) -> str | None:
    """What the role-play calls when a session ends: publishes, and returns the problem as a message
    instead of raising (the session itself is saved either way; it goes out next time)."""
    try:
        publish_finished(service)
    except UserFacingError as exc:
        log.warning("publishing to the drop folder: %s", exc)
        return str(exc)
    return None
