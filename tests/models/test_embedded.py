"""The embedded model's verification marker: a damaged one means verify again, never a crash."""

from __future__ import annotations

import json

import pytest
from deescal.models.embedded import embedded_gguf


@pytest.mark.parametrize("damage", [b"", b'{"size": 2538', b"\xff\xfe", b"[]"])
def test_an_empty_or_cut_marker_is_verified_again_and_rewritten(embedded_path, damage):
    marker = embedded_path.with_suffix(".verified.json")
    marker.write_bytes(damage)
    assert embedded_gguf(embedded_path.parent) == embedded_path
    assert json.loads(marker.read_text())["size"] == embedded_path.stat().st_size
    assert not list(embedded_path.parent.glob("*.partial"))
