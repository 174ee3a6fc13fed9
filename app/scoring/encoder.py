"""The local all-MiniLM-L6-v2 sentence encoder, loaded once from the installed package (offline).

Plain transformers + mean pooling (what sentence-transformers does for this model), so the app
needs no extra dependency and never touches a model hub.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
from deescal.app.errors import ModelError

log = logging.getLogger(__name__)

# A turn is a handful of short sentences: one thread does it in ~10 ms, and more threads only
# spin-wait against llama.cpp, which is generating the civilian's reply at the same moment (with two
# threads under that load a turn took 10-20x longer). Set for the calling thread only, then restored.
ENCODE_THREADS = 1


class SentenceEncoder:
    """Encodes sentences into unit-length 384-d vectors; thread-safe, loads on first use."""

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir
        self._lock = threading.Lock()
        self._tokenizer = None
        self._model = None

    def _load(self) -> None:
        from deescal.app.context import force_offline

        force_offline()
        import torch  # noqa: F401 (imported here so importing the scorer stays cheap)
        from deescal.models.embedded import minilm_model_dir
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output
        folder = self._model_dir or minilm_model_dir()
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            model = AutoModel.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"The sentence encoder in {folder} could not be loaded: {exc}") from exc
        model.eval()
        self._model = model
        log.info("loaded MiniLM sentence encoder from %s", folder)

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 384), dtype=np.float32)
        import torch

        with self._lock:
            if self._model is None:
                self._load()
            batch = self._tokenizer(
                sentences, padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            previous = torch.get_num_threads()
            torch.set_num_threads(ENCODE_THREADS)
            try:
                with torch.inference_mode():
                    hidden = self._model(**batch).last_hidden_state
            finally:
                torch.set_num_threads(previous)
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        vectors = torch.nn.functional.normalize(pooled, dim=1)
        return vectors.numpy().astype(np.float32)
