"""Where the app keeps its data: one per-user folder, overridable for tests and portable installs."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from deescal.app.storage_faults import disk_full, explained_os_errors

ENV_VAR = "DEESCAL_HOME"
APP_NAME = "DeEscalTrainer"
DB_FILENAME = "deescal.sqlite3"
MIN_FREE_BYTES = 1_000_000  # below this not even one role-play turn may be saved, so say so at start


@dataclass(frozen=True)
class DataDir:
    """The data folder and the fixed layout inside it."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def adapters(self) -> Path:
        return self.root / "adapters"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def audio(self) -> Path:
        return self.root / "audio"

    def ensure(self) -> DataDir:
        for folder in (
            self.root,
            self.models,
            self.adapters,
            self.exports,
            self.logs,
            self.backups,
            self.audio,
        ):
            with explained_os_errors(folder):
                folder.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(self.root).free < MIN_FREE_BYTES:
            raise disk_full(self.root)
        return self


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> DataDir:
    """``--data-dir`` wins, then ``$DEESCAL_HOME``, then the platform's per-user data folder."""
    if override:
        root = Path(override)
    elif os.environ.get(ENV_VAR):
        root = Path(os.environ[ENV_VAR])
    else:
        root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return DataDir(root.expanduser().resolve()).ensure()
