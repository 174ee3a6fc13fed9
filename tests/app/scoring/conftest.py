"""The shared scorer, warmed once per test module (MiniLM loads once per process)."""

from __future__ import annotations

import pytest
from deescal.app.scoring import get_scorer


@pytest.fixture(scope="module")
def scorer():
    shared = get_scorer()
    shared.warm_up()
    return shared
