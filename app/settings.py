"""Small key/value preferences kept in the database (JSON values), for callers holding only a store."""

from __future__ import annotations

from typing import Any

from deescal.app.records.settings import SettingsRepository
from deescal.app.records.store import Store


def get_setting(store: Store, key: str, default: Any = None) -> Any:
    return SettingsRepository(store).get(key, default)


def set_setting(store: Store, key: str, value: Any) -> None:
    SettingsRepository(store).set(key, value)
