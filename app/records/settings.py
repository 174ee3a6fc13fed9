"""Small key/value preferences: ``settings`` (values kept as JSON)."""

from __future__ import annotations

import json
from typing import Any

from deescal.app.records.store import Store


class SettingsRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str, default: Any = None) -> Any:
        with self.store.lock:
            row = next(self.store.db["settings"].rows_where("key = ?", [key], select="value"), None)
        return json.loads(row["value"]) if row else default

    def set(self, key: str, value: Any) -> None:
        with self.store.write():
            self.store.db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")
