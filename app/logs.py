"""Log to a rotating file in the data folder, so a bug report can include what happened."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from deescal.app.storage_faults import explained_os_errors

_configured: set[Path] = set()


def configure_logging(folder: Path, level: int = logging.INFO) -> Path:
    logfile = folder / "deescal.log"
    if logfile not in _configured:
        with explained_os_errors(folder):
            handler = logging.handlers.RotatingFileHandler(
                logfile, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(min(root.level or level, level))
        _configured.add(logfile)
    return logfile
