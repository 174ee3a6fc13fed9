"""Small key/value preferences kept in the database (JSON values)."""

from __future__ import annotations

import json
from typing import Any

from deescal.app.records.store import Store


def get_setting(store: Store, key: str, default: Any = None) -> Any:
    row = store.query_one("SELECT value FROM settings WHERE key = ?", (key,))
    return json.loads(row["value"]) if row else default


def set_setting(store: Store, key: str, value: Any) -> None:
    store.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )
