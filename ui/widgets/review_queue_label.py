"""The "N new sessions to review" line of the Review and Trainees pages."""

from __future__ import annotations

from deescal.app.context import AppContext
from deescal.app.packs import PackService
from PySide6.QtWidgets import QLabel


class ReviewQueueLabel(QLabel):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.setObjectName("reviewQueue")
        self.packs = ctx.service(PackService)
        self.refresh()

    def refresh(self) -> int:
        """Reads the queue again; hidden while it is empty. Returns the count."""
        count = self.packs.queue_count()
        self.setText(f"<b>{count} new session{'s' if count != 1 else ''} to review</b>" if count else "")
        self.setVisible(count > 0)
        return count
