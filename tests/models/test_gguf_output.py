"""A GGUF file appears at its name only once written and checked; a failure leaves nothing behind."""

from __future__ import annotations

import numpy as np
import pytest
from deescal.models.gguf_info import read_gguf_info
from deescal.models.gguf_output import gguf_output


def _fill(writer) -> None:
    writer.add_string("deescal.note", "written")
    writer.add_tensor("t", np.arange(8, dtype=np.float32))


def test_a_complete_file_is_moved_to_its_name(tmp_path):
    out = tmp_path / "model.gguf"
    with gguf_output(out, "llama") as writer:
        _fill(writer)
    assert read_gguf_info(out).metadata["deescal.note"] == "written"
    assert [p.name for p in tmp_path.iterdir()] == ["model.gguf"]


def test_a_failure_while_filling_or_checking_leaves_no_file(tmp_path):
    out = tmp_path / "model.gguf"
    with pytest.raises(RuntimeError), gguf_output(out, "llama") as writer:
        _fill(writer)
        raise RuntimeError("disk full")

    def refuse(written):
        assert written.name == "model.gguf.partial" and written.is_file()  # checked before the move
        raise ValueError("does not fit")

    with pytest.raises(ValueError), gguf_output(out, "llama", check=refuse) as writer:
        _fill(writer)
    assert list(tmp_path.iterdir()) == []
