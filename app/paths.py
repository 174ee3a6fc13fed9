"""Where the app keeps its data: one per-user folder, overridable for tests and portable installs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_VAR = "DEESCAL_HOME"
APP_NAME = "DeEscalTrainer"
DB_FILENAME = "deescal.sqlite3"


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
            folder.mkdir(parents=True, exist_ok=True)
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
