"""The scenario library service: ``ctx.service(LibraryService)``."""

from deescal.app.library.importer import ImportReport
from deescal.app.library.service import LibraryService

__all__ = ["ImportReport", "LibraryService"]
