"""What every front end (GUI, CLI, tests) holds: the data folder, the open database, and services."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any, TypeVar

from deescal.app.logs import configure_logging
from deescal.app.paths import DataDir, resolve_data_dir
from deescal.app.records.store import Store

T = TypeVar("T")


def force_offline() -> None:
    """The app never reaches the network: weights come from installed packages or local paths, and
    no library sends telemetry. onnxruntime (faster-whisper's voice-activity detector) looks up
    its telemetry server as soon as it is imported unless ``ORT_DISABLE_TELEMETRY`` is set, so this
    runs before any voice code loads; ``tests/test_no_network_syscalls.py`` checks it with strace."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE"):
        os.environ[name] = "1"
    for name in ("HF_HUB_DISABLE_TELEMETRY", "ORT_DISABLE_TELEMETRY", "DO_NOT_TRACK"):
        os.environ[name] = "1"


@dataclass
class AppContext:
    data: DataDir
    store: Store
    _services: dict[type, Any] = field(default_factory=dict, repr=False)
    _building: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None) -> AppContext:
        force_offline()
        data = resolve_data_dir(data_dir)
        configure_logging(data.logs)
        return cls(data=data, store=Store(data.database, data.backups))

    def service(self, kind: type[T]) -> T:
        """One shared instance per service class, built on first use as ``kind(self)``.

        Pages build services from background tasks too: one lock for all building makes two first
        uses at once share one instance (two library services would both add the bundled scenarios),
        and cannot deadlock when one service's constructor asks for another."""
        if kind in self._services:
            return self._services[kind]
        with self._building:
            if kind not in self._services:
                self._services[kind] = kind(self)
            return self._services[kind]

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for service in self._services.values():
            close = getattr(service, "close", None)
            if callable(close):
                close()
        self.store.close()
