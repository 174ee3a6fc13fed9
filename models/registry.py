"""Which language models and LoRA adapters the app knows: the ``language_models`` and ``adapters`` tables.

The embedded Gemma 3 270M is registered on first use. Other GGUFs are added by path: the file is
checked (header, completeness, that it is a model and not an adapter), hashed, and its prompt style
recorded (``chat`` when it carries a chat template). Files stay where they are; a file that moved
or changed size is reported before llama.cpp is asked to load it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deescal.app.errors import ModelError, UserFacingError
from deescal.models.adapter_check import check_adapter
from deescal.models.embedded import (
    EMBEDDED_LLM_LABEL,
    EMBEDDED_LLM_NAME,
    HOUSE_ADAPTER,
    HOUSE_ADAPTER_NAME,
    HOUSE_CARD,
    embedded_gguf,
    embedded_gguf_sha256,
)
from deescal.models.gguf_info import read_gguf_info

Progress = Callable[[float, str], None]
HASH_BLOCK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelRecord:
    id: int
    name: str
    path: str
    sha256: str
    size_bytes: int
    context_length: int
    prompt_style: str
    is_default: bool
    added_at: str

    @property
    def embedded(self) -> bool:
        return self.name == EMBEDDED_LLM_NAME

    @property
    def label(self) -> str:
        return EMBEDDED_LLM_LABEL if self.embedded else self.name

    def to_dict(self) -> dict:
        return {**self.__dict__, "embedded": self.embedded, "label": self.label}


@dataclass(frozen=True)
class AdapterRecord:
    id: int
    name: str
    path: str
    base_model_sha256: str | None
    is_active: bool
    created_at: str
    training_summary: dict
    metrics: dict

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def sha256_with_progress(path: Path, progress: Progress | None = None) -> str:
    digest, size, done = hashlib.sha256(), path.stat().st_size, 0
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_BLOCK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done / max(size, 1), f"Checking {path.name}")
    return digest.hexdigest()


def _model(row: dict) -> ModelRecord:
    return ModelRecord(**{**row, "is_default": bool(row["is_default"])})


def _adapter(row: dict) -> AdapterRecord:
    return AdapterRecord(
        **{
            **row,
            "is_active": bool(row["is_active"]),
            "training_summary": json.loads(row["training_summary"] or "{}"),
            "metrics": json.loads(row["metrics"] or "{}"),
        }
    )


class ModelRegistry:
    """Service (``ctx.service(ModelRegistry)``) over the model and adapter tables."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self._house_checked = False  # the shipped adapter is registered once per service, not per call

    # -- models --------------------------------------------------------------------------------
    def ensure_embedded(self) -> ModelRecord:
        """Registers the embedded GGUF (assembled into the data folder on first use)."""
        path = embedded_gguf(self.ctx.data.models)
        row = self.store.query_one("SELECT * FROM language_models WHERE name = ?", (EMBEDDED_LLM_NAME,))
        if row is None or row["path"] != str(path) or row["size_bytes"] != path.stat().st_size:
            info = read_gguf_info(path)
            with self.store.write() as conn:
                no_default = (
                    conn.execute("SELECT 1 FROM language_models WHERE is_default = 1").fetchone() is None
                )
                conn.execute(
                    "INSERT INTO language_models(name, path, sha256, size_bytes, context_length, prompt_style,"
                    " is_default) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                    " path = excluded.path, sha256 = excluded.sha256, size_bytes = excluded.size_bytes",
                    (
                        EMBEDDED_LLM_NAME,
                        str(path),
                        embedded_gguf_sha256(),
                        path.stat().st_size,
                        info.context_length,
                        "chat" if info.chat_template else "completion",
                        int(no_default),
                    ),
                )
            row = self.store.query_one("SELECT * FROM language_models WHERE name = ?", (EMBEDDED_LLM_NAME,))
        return _model(row)

    def list(self) -> list[ModelRecord]:
        self.ensure_embedded()
        rows = self.store.query("SELECT * FROM language_models ORDER BY is_default DESC, name")
        return [_model(row) for row in rows]

    def get(self, name: str | None = None) -> ModelRecord:
        """The model called ``name`` (or with that id); the default one when ``name`` is empty."""
        if not name:
            return self.default()
        self.ensure_embedded()
        row = self.store.query_one(
            "SELECT * FROM language_models WHERE name = ? OR CAST(id AS TEXT) = ?", (name, name)
        )
        if row is None:
            known = ", ".join(m.name for m in self.list())
            raise ModelError(f"No language model called '{name}'. Known models: {known}.")
        return _model(row)

    def default(self) -> ModelRecord:
        embedded = self.ensure_embedded()
        row = self.store.query_one("SELECT * FROM language_models WHERE is_default = 1")
        return _model(row) if row else embedded

    def set_default(self, name: str) -> ModelRecord:
        record = self.get(name)
        with self.store.write() as conn:
            conn.execute("UPDATE language_models SET is_default = (id = ?)", (record.id,))
        return self.get(record.name)

    def add(self, path: str | Path, name: str | None = None, progress: Progress | None = None) -> ModelRecord:
        """Checks, hashes and registers a GGUF model by path; returns the new record."""
        path = Path(path).expanduser().resolve()
        info = read_gguf_info(path)
        if info.file_type != "model":
            raise ModelError(
                f"{path.name} is a LoRA {info.file_type}, not a model. Attach it as an adapter instead."
            )
        name = (name or path.stem).strip()
        if not name:
            raise UserFacingError("A model needs a name.")
        if self.store.query_one("SELECT 1 FROM language_models WHERE name = ?", (name,)):
            raise UserFacingError(f"A model called '{name}' already exists; choose another name with --name.")
        digest = sha256_with_progress(path, progress)
        same = self.store.query_one("SELECT name FROM language_models WHERE sha256 = ?", (digest,))
        if same:
            raise UserFacingError(f"This file is already registered as '{same['name']}'.")
        self.store.execute(
            "INSERT INTO language_models(name, path, sha256, size_bytes, context_length, prompt_style)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                name,
                str(path),
                digest,
                path.stat().st_size,
                info.context_length,
                "chat" if info.chat_template else "completion",
            ),
        )
        return self.get(name)

    def remove(self, name: str) -> None:
        record = self.get(name)
        if record.embedded:
            raise UserFacingError("The embedded model cannot be removed.")
        with self.store.write() as conn:
            conn.execute("DELETE FROM language_models WHERE id = ?", (record.id,))
            if record.is_default:
                conn.execute("UPDATE language_models SET is_default = 1 WHERE name = ?", (EMBEDDED_LLM_NAME,))

    def model_file(self, record: ModelRecord) -> Path:
        """The record's file, after checking it is still there and unchanged in size."""
        if record.embedded:
            return embedded_gguf(self.ctx.data.models)
        path = Path(record.path)
        if not path.is_file():
            raise ModelError(
                f"The model file for '{record.name}' is missing ({path}). Put it back, or remove the model "
                "and add it again from its new place."
            )
        if path.stat().st_size != record.size_bytes:
            raise ModelError(
                f"The model file for '{record.name}' ({path}) changed since it was added. Remove the model "
                "and add the file again."
            )
        return path

    # -- adapters ------------------------------------------------------------------------------
    def ensure_house_adapter(self) -> None:
        """Registers the shipped house adapter for the embedded model, once.

        It is made active at that first registration unless another adapter already is; after that
        the instructor's choice stands (detaching it is remembered). A moved install updates the path.
        """
        if self._house_checked or not HOUSE_ADAPTER.is_file():
            return
        self._house_checked = True
        row = self.store.query_one("SELECT id, path FROM adapters WHERE name = ?", (HOUSE_ADAPTER_NAME,))
        if row is not None:
            if row["path"] != str(HOUSE_ADAPTER):
                self.store.execute(
                    "UPDATE adapters SET path = ? WHERE id = ?", (str(HOUSE_ADAPTER), row["id"])
                )
            return
        card = json.loads(HOUSE_CARD.read_text(encoding="utf-8")) if HOUSE_CARD.is_file() else {}
        with self.store.write() as conn:
            none_active = conn.execute("SELECT 1 FROM adapters WHERE is_active = 1").fetchone() is None
            conn.execute(
                "INSERT INTO adapters(name, path, base_model_sha256, training_summary, metrics, is_active)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    HOUSE_ADAPTER_NAME,
                    str(HOUSE_ADAPTER),
                    embedded_gguf_sha256(),
                    json.dumps({k: v for k, v in card.items() if k != "metrics"}),
                    json.dumps(card.get("metrics", {})),
                    int(none_active),
                ),
            )

    def adapters(self) -> list[AdapterRecord]:
        self.ensure_house_adapter()
        rows = self.store.query("SELECT * FROM adapters ORDER BY created_at DESC, id DESC")
        return [_adapter(row) for row in rows]

    def add_adapter(
        self, path: str | Path, name: str | None = None, model: str | None = None
    ) -> AdapterRecord:
        """Registers a LoRA adapter GGUF after checking it fits ``model`` (default model if omitted)."""
        path = Path(path).expanduser().resolve()
        record = self.get(model)
        check_adapter(path, self.model_file(record))
        name = (name or path.stem).strip()
        if self.store.query_one("SELECT 1 FROM adapters WHERE name = ?", (name,)):
            raise UserFacingError(f"An adapter called '{name}' already exists; choose another name.")
        self.store.execute(
            "INSERT INTO adapters(name, path, base_model_sha256) VALUES (?, ?, ?)",
            (name, str(path), record.sha256),
        )
        return self.adapter(name)

    def adapter(self, name: str) -> AdapterRecord:
        self.ensure_house_adapter()
        row = self.store.query_one(
            "SELECT * FROM adapters WHERE name = ? OR CAST(id AS TEXT) = ?", (name, name)
        )
        if row is None:
            raise ModelError(f"No adapter called '{name}'.")
        return _adapter(row)

    def set_active_adapter(self, name: str | None) -> AdapterRecord | None:
        """Attaches an adapter to new role-play sessions by default (``None`` detaches)."""
        target = self.adapter(name) if name else None
        with self.store.write() as conn:
            conn.execute("UPDATE adapters SET is_active = (id = ?)", (target.id if target else -1,))
        return self.adapter(target.name) if target else None

    def active_adapter(self) -> AdapterRecord | None:
        self.ensure_house_adapter()
        row = self.store.query_one("SELECT * FROM adapters WHERE is_active = 1 ORDER BY id DESC LIMIT 1")
        return _adapter(row) if row else None
