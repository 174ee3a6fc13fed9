"""Writing a GGUF file so that it appears only once complete (adapter export, merge, role-play copy).

A half-written model at its final name would load as a corrupt file after a crash or a full disk, so
the writer fills ``<name>.partial``, an optional check reads it back, and only then is it moved to
its name; on any failure the partial file is removed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gguf


@contextmanager
def gguf_output(
    out: Path, architecture: str, check: Callable[[Path], object] | None = None
) -> Iterator[gguf.GGUFWriter]:
    """Yields a writer to fill with metadata and tensors; writes, checks and moves it in on exit."""
    import gguf  # noqa: F811 (imported when a file is written, not at start-up)

    partial = out.with_name(out.name + ".partial")
    writer = gguf.GGUFWriter(str(partial), architecture)
    try:
        yield writer
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        if check is not None:
            check(partial)
        os.replace(partial, out)
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise
