"""The embedded GGUF and its de-quantised training copy, prepared once per test run and shared.

De-quantising the GGUF for transformers takes about a minute, so it is done once (in a temporary
folder removed at exit) and each test's data folder gets links to it in the places the app looks.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from deescal.app.paths import DataDir
from deescal.finetune.base_model import cache_dir_for, prepare_base
from deescal.models.embedded import embedded_gguf, embedded_gguf_sha256


@cache
def shared_models() -> tuple[Path, Path]:
    """(embedded GGUF, de-quantised base folder) in a per-run temporary folder."""
    root = Path(tempfile.mkdtemp(prefix="deescal-shared-models-"))
    atexit.register(shutil.rmtree, root, True)
    gguf = embedded_gguf(root)
    sha = embedded_gguf_sha256()
    base = prepare_base(gguf, cache_dir_for(root, gguf, sha), sha)
    return gguf, base


def seed_models(data: DataDir) -> Path:
    """Links the shared model files into ``data`` so the app finds them ready; returns the GGUF path."""
    gguf, base = shared_models()
    data.models.mkdir(parents=True, exist_ok=True)
    for source in (gguf, gguf.with_suffix(".verified.json")):
        target = data.models / source.name
        if not target.exists():
            target.symlink_to(source)
    hf = data.models / "hf" / base.name
    if not hf.exists():
        hf.parent.mkdir(parents=True, exist_ok=True)
        hf.symlink_to(base, target_is_directory=True)
    return data.models / gguf.name
