"""Shared fixtures: a private data folder per test, and a guard that fails any network connection."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.models.llm_fixtures import embedded_in_data_dir, embedded_path  # noqa: F401 (fixtures, one per run)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE"):
    os.environ[_name] = "1"

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "deescalwild"
TRANSCRIPTS = SHARED_DATA / "transcripts"


class NetworkUsed(AssertionError):
    pass


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded(real):
    def connect(self, address):
        if self.family == getattr(socket, "AF_UNIX", None):
            return real(self, address)
        raise NetworkUsed(f"the app tried to open a network connection to {address!r}")

    return connect


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded(_real_connect)
    socket.socket.connect_ex = _guarded(_real_connect_ex)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh data folder, also exported as $DEESCAL_HOME for code and subprocesses."""
    from deescal.app.paths import resolve_data_dir

    root = tmp_path / "deescal-home"
    monkeypatch.setenv("DEESCAL_HOME", str(root))
    return resolve_data_dir(root)


@pytest.fixture
def ctx(data_dir):
    from deescal.app.context import AppContext

    context = AppContext.open(data_dir.root)
    yield context
    context.close()


@pytest.fixture
def store(ctx):
    return ctx.store


@pytest.fixture
def transcripts_dir() -> Path:
    if not TRANSCRIPTS.is_dir():
        pytest.skip(f"DeEscalWild transcripts not found at {TRANSCRIPTS} (shared data folder absent)")
    return TRANSCRIPTS
