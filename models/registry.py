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
from pathlib import Path

from deescal.app.errors import ModelError, UserFacingError
from deescal.app.records.entities import AdapterRecord, ModelRecord
from deescal.app.records.language_models import ModelRepository
from deescal.models.adapter_check import check_adapter
from deescal.models.embedded import (
    EMBEDDED_LLM_NAME,
    HOUSE_ADAPTER,
    HOUSE_ADAPTER_NAME,
    HOUSE_CARD,
    embedded_gguf,
    embedded_gguf_sha256,
)
from deescal.models.gguf_info import read_gguf_info
from deescal.models.vocab_trim import role_play_copy

Progress = Callable[[float, str], None]
HASH_BLOCK = 8 * 1024 * 1024


def sha256_with_progress(path: Path, progress: Progress | None = None) -> str:
    digest, size, done = hashlib.sha256(), path.stat().st_size, 0
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_BLOCK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done / max(size, 1), f"Checking {path.name}")
    return digest.hexdigest()


class ModelRegistry:
    """Service (``ctx.service(ModelRegistry)``) over the model and adapter tables."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.records = ModelRepository(ctx.store)
        self._house_checked = False  # the shipped adapter is registered once per service, not per call

    # -- models --------------------------------------------------------------------------------
    def ensure_embedded(self) -> ModelRecord:
        """Registers the embedded GGUF (assembled into the data folder on first use)."""
        path = embedded_gguf(self.ctx.data.models)
        record = self.records.model_named(EMBEDDED_LLM_NAME)
        if record is None or record.path != str(path) or record.size_bytes != path.stat().st_size:
            info = read_gguf_info(path)
            fields = {"name": EMBEDDED_LLM_NAME, "path": str(path), "sha256": embedded_gguf_sha256()}
            fields["size_bytes"] = path.stat().st_size
            if record is None:
                fields["context_length"] = info.context_length
                fields["prompt_style"] = "chat" if info.chat_template else "completion"
            self.records.save_model(fields, default_if_none=True)
            record = self.records.model_named(EMBEDDED_LLM_NAME)
        return record

    def list(self) -> list[ModelRecord]:
        self.ensure_embedded()
        return self.records.models()

    def get(self, name: str | None = None) -> ModelRecord:
        """The model called ``name`` (or with that id); the default one when ``name`` is empty."""
        if not name:
            return self.default()
        self.ensure_embedded()
        record = self.records.model(name)
        if record is None:
            known = ", ".join(m.name for m in self.list())
            raise ModelError(f"No language model called '{name}'. Known models: {known}.")
        return record

    def default(self) -> ModelRecord:
        embedded = self.ensure_embedded()
        return self.records.default_model() or embedded

    def set_default(self, name: str) -> ModelRecord:
        record = self.get(name)
        self.records.set_default_model(record.id)
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
        if self.records.model_named(name):
            raise UserFacingError(f"A model called '{name}' already exists; choose another name with --name.")
        digest = sha256_with_progress(path, progress)
        same = self.records.model_with_sha256(digest)
        if same:
            raise UserFacingError(f"This file is already registered as '{same.name}'.")
        self.records.save_model(
            {
                "name": name,
                "path": str(path),
                "sha256": digest,
                "size_bytes": path.stat().st_size,
                "context_length": info.context_length,
                "prompt_style": "chat" if info.chat_template else "completion",
            }
        )
        return self.get(name)

    def remove(self, name: str) -> None:
        record = self.get(name)
        if record.embedded:
            raise UserFacingError("The embedded model cannot be removed.")
        self.records.remove_model(record.id, default_instead=EMBEDDED_LLM_NAME if record.is_default else None)

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

    def role_play_file(self, record: ModelRecord) -> Path:
        """The file the role-play loads: for the embedded model its copy with the role-play vocabulary
        (replies about twice as fast, ``vocab_trim``); any other model's own file."""
        path = self.model_file(record)
        return role_play_copy(path, record.sha256) if record.embedded else path

    # -- adapters ------------------------------------------------------------------------------
    def ensure_house_adapter(self) -> None:
        """Registers the shipped house adapter for the embedded model, once.

        It is made active at that first registration unless another adapter already is; after that
        the instructor's choice stands (detaching it is remembered). A moved install updates the path.
        """
        if self._house_checked or not HOUSE_ADAPTER.is_file():
            return
        self._house_checked = True
        house = self.records.adapter_named(HOUSE_ADAPTER_NAME)
        if house is not None:
            if house.path != str(HOUSE_ADAPTER):
                self.records.update_adapter(house.id, path=str(HOUSE_ADAPTER))
            return
        card = json.loads(HOUSE_CARD.read_text(encoding="utf-8")) if HOUSE_CARD.is_file() else {}
        self.records.add_adapter(
            {
                "name": HOUSE_ADAPTER_NAME,
                "path": str(HOUSE_ADAPTER),
                "base_model_sha256": embedded_gguf_sha256(),
                "training_summary": json.dumps({k: v for k, v in card.items() if k != "metrics"}),
                "metrics": json.dumps(card.get("metrics", {})),
            },
            active_if_none=True,
        )

    def adapters(self) -> list[AdapterRecord]:
        self.ensure_house_adapter()
        return self.records.adapters()

    def add_adapter(
        self, path: str | Path, name: str | None = None, model: str | None = None
    ) -> AdapterRecord:
        """Registers a LoRA adapter GGUF after checking it fits ``model`` (default model if omitted)."""
        path = Path(path).expanduser().resolve()
        record = self.check_fits(path, model)
        name = (name or path.stem).strip()
        if self.records.adapter_named(name) is not None:
            raise UserFacingError(f"An adapter called '{name}' already exists; choose another name.")
        self.records.add_adapter({"name": name, "path": str(path), "base_model_sha256": record.sha256})
        return self.adapter(name)

    def check_fits(self, path: str | Path, model: str | None = None) -> ModelRecord:
        """Raises ``ModelError`` unless the adapter file fits ``model`` (default model if omitted)."""
        record = self.get(model)
        check_adapter(path, self.model_file(record))
        return record

    def adapter(self, name: str) -> AdapterRecord:
        self.ensure_house_adapter()
        record = self.records.adapter(name)
        if record is None:
            raise ModelError(f"No adapter called '{name}'.")
        return record

    def describe_adapter(
        self, adapter_id: int, *, training_summary: dict | None = None, metrics: dict | None = None
    ) -> None:
        """Records how an adapter was trained, or how it measured, on its registration."""
        changes = {"training_summary": training_summary, "metrics": metrics}
        self.records.update_adapter(adapter_id, **{k: v for k, v in changes.items() if v is not None})

    def set_active_adapter(self, name: str | None) -> AdapterRecord | None:
        """Attaches an adapter to new role-play sessions by default (``None`` detaches)."""
        target = self.adapter(name) if name else None
        self.records.set_active_adapter(target.id if target else None)
        return self.adapter(target.name) if target else None

    def active_adapter(self) -> AdapterRecord | None:
        self.ensure_house_adapter()
        return self.records.active_adapter()
