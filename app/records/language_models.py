"""Which language models and LoRA adapters are registered: ``language_models`` and ``adapters``.

At most one model is the default and at most one adapter is active; the flags are moved in one
transaction so there is never a moment with two.
"""

from __future__ import annotations

import json
from typing import Any

from deescal.app.records.entities import AdapterRecord, ModelRecord
from deescal.app.records.store import Store


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


class ModelRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _rows(
        self, table: str, where: str | None = None, params: list | None = None, order_by: str | None = None
    ):
        with self.store.lock:
            return list(self.store.db[table].rows_where(where, params or [], order_by=order_by))

    # -- models --------------------------------------------------------------------------------
    def models(self) -> list[ModelRecord]:
        return [_model(row) for row in self._rows("language_models", order_by="is_default DESC, name")]

    def model(self, key: str) -> ModelRecord | None:
        """The model with this name, or this id."""
        return self._model_where("name = ? OR CAST(id AS TEXT) = ?", [key, key])

    def model_named(self, name: str) -> ModelRecord | None:
        return self._model_where("name = ?", [name])

    def model_with_sha256(self, digest: str) -> ModelRecord | None:
        return self._model_where("sha256 = ?", [digest])

    def default_model(self) -> ModelRecord | None:
        return self._model_where("is_default = 1", [])

    def _model_where(self, where: str, params: list) -> ModelRecord | None:
        rows = self._rows("language_models", where, params)
        return _model(rows[0]) if rows else None

    def save_model(self, fields: dict[str, Any], *, default_if_none: bool = False) -> None:
        """Adds a model, or updates the one with that name; with ``default_if_none`` it becomes the
        default when no model is."""
        with self.store.write():
            table = self.store.db["language_models"]
            existing = self.model_named(fields["name"])
            if existing is None:
                no_default = table.count_where("is_default = 1") == 0
                table.insert({**fields, "is_default": int(default_if_none and no_default)})
            else:
                table.update(existing.id, fields)

    def set_default_model(self, model_id: int) -> None:
        with self.store.write():
            self.store.db.execute("UPDATE language_models SET is_default = (id = ?)", [model_id])

    def remove_model(self, model_id: int, *, default_instead: str | None = None) -> None:
        """Removes a model; ``default_instead`` names the model that becomes the default."""
        with self.store.write():
            self.store.db["language_models"].delete(model_id)
            if default_instead is not None:
                self.store.db.execute(
                    "UPDATE language_models SET is_default = 1 WHERE name = ?", [default_instead]
                )

    # -- adapters ------------------------------------------------------------------------------
    def adapters(self) -> list[AdapterRecord]:
        return [_adapter(row) for row in self._rows("adapters", order_by="created_at DESC, id DESC")]

    def adapter(self, key: str) -> AdapterRecord | None:
        """The adapter with this name, or this id."""
        return self._adapter_where("name = ? OR CAST(id AS TEXT) = ?", [key, key])

    def adapter_named(self, name: str) -> AdapterRecord | None:
        return self._adapter_where("name = ?", [name])

    def _adapter_where(self, where: str, params: list) -> AdapterRecord | None:
        rows = self._rows("adapters", where, params)
        return _adapter(rows[0]) if rows else None

    def active_adapter(self) -> AdapterRecord | None:
        rows = self._rows("adapters", "is_active = 1", order_by="id DESC")
        return _adapter(rows[0]) if rows else None

    def add_adapter(self, fields: dict[str, Any], *, active_if_none: bool = False) -> None:
        """Registers an adapter; with ``active_if_none`` it becomes active when no adapter is."""
        with self.store.write():
            table = self.store.db["adapters"]
            none_active = table.count_where("is_active = 1") == 0
            table.insert({**fields, "is_active": int(active_if_none and none_active)})

    def update_adapter(self, adapter_id: int, **changes: Any) -> None:
        """Changes an adapter's path, training summary or metrics (dicts are stored as JSON)."""
        values = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in changes.items()}
        with self.store.write():
            self.store.db["adapters"].update(adapter_id, values)

    def set_active_adapter(self, adapter_id: int | None) -> None:
        """Makes this adapter the active one (``None``: none is)."""
        with self.store.write():
            self.store.db.execute("UPDATE adapters SET is_active = (id = ?)", [adapter_id or -1])
