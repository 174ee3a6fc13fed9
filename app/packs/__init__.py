"""Course packs (instructor -> trainees) and session packs (trainees -> instructor), and the drop
folder between them. Formats: ``FORMAT.md`` beside this file; the service: :class:`PackService`."""

from deescal.app.packs.container import PackError
from deescal.app.packs.service import CourseImport, PackService, SessionImportReport

__all__ = ["CourseImport", "PackError", "PackService", "SessionImportReport"]
