"""The role-play copy of the embedded model: its vocabulary cut to the tokens role-play text uses.

Gemma 3 270M has 262,144 tokens, and scoring every one of them for each new token is most of a
reply's time on a laptop CPU: on 2 cores, 28 ms of a token's 39 ms is ``llama_decode``, and with the
vocabulary cut to 66,000 tokens a 40-token reply takes 0.68 s instead of 1.28 s. The copy keeps the
tokens in :data:`KEEP_LIST` and the weights of each unchanged, so text made of them is tokenized
exactly as by the full model and the model's scores for them are the same; a word the list lacks
is spelled from smaller pieces. The list (written by ``python -m deescal.finetune.vocabulary``) holds
the tokens of the house corpus, the bundled scenarios' role-play prompts, the real transcripts and
WordNet's English words (see ``deescal.finetune.vocabulary``). Fine-tuning and evaluation keep the
full model; only the role-play loads this copy.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from deescal.models.gguf_info import read_gguf_info
from deescal.models.gguf_output import gguf_output

log = logging.getLogger(__name__)

KEEP_LIST = Path(__file__).with_name("house") / "role-play-vocabulary.txt"
TOKENS, SCORES, TYPES = "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"
_lock = threading.Lock()


def read_keep_list(path: Path = KEEP_LIST) -> tuple[str, list[int]]:
    """The base model's sha256 the list was made for, and the token ids it keeps (ascending)."""
    return _parse_keep_list(path.read_text())


def _list_header(text: str) -> str:
    """The base model's sha256 named on the list's first line."""
    return text.split("\n", 1)[0].removeprefix("# base sha256 ").strip()


def _parse_keep_list(text: str) -> tuple[str, list[int]]:
    lines = text.splitlines()
    sha = _list_header(text)
    ids: list[int] = []
    for line in lines[1:]:
        first, _, last = line.partition("-")
        ids.extend(range(int(first), int(last or first) + 1))
    return sha, ids


def write_keep_list(base_sha256: str, ids: Iterable[int], path: Path = KEEP_LIST) -> None:
    """Writes the ids as runs ("12-40"), one per line, under a header naming the base model."""
    ordered = sorted(set(ids))
    runs: list[str] = []
    start = prev = ordered[0]
    for i in [*ordered[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if i is not None:
            start = prev = i
    path.write_text("\n".join([f"# base sha256 {base_sha256}", *runs]) + "\n")


def role_play_copy(base: Path, base_sha256: str, keep_list: Path = KEEP_LIST) -> Path:
    """The trimmed copy beside ``base`` (made on first use); ``base`` itself if the list is for another model.

    The copy is named by the list's sha256, so a rewritten list makes a new copy; once it exists the
    list is only hashed, not parsed.
    """
    try:
        text = keep_list.read_text()
    except OSError as exc:
        log.warning("role-play vocabulary list unreadable (%s); using the full model", exc)
        return base
    if _list_header(text) != base_sha256:
        return base
    target = base.with_name(f"{base.stem}.role-play-{hashlib.sha256(text.encode()).hexdigest()[:16]}.gguf")
    with _lock:
        if not target.is_file():
            try:
                keep = _parse_keep_list(text)[1]
            except ValueError as exc:
                log.warning("role-play vocabulary list malformed (%s); using the full model", exc)
                return base
            log.info("writing the role-play copy of %s (%d of its tokens)", base.name, len(keep))
            write_trimmed(base, keep, target)
            _remove_stale_copies(base, target)
    return target


def _remove_stale_copies(base: Path, current: Path) -> None:
    """Copies made from an earlier list (an update shipped a new one) are 114 MB each of nothing."""
    for stale in base.parent.glob(f"{base.stem}.role-play-*.gguf"):
        if stale != current:
            try:
                stale.unlink()
            except OSError as exc:  # still open elsewhere (Windows): tried again with the next list
                log.warning("could not remove the old role-play copy %s: %s", stale.name, exc)


def write_trimmed(base: Path, keep: list[int], out: Path) -> Path:
    """Writes ``out``: ``base`` with only the ``keep`` tokens (renumbered in order) and their embeddings."""
    import gguf
    import numpy as np

    info = read_gguf_info(base, whole_arrays=True)
    data = np.memmap(base, dtype=np.uint8, mode="r")
    renumber = {old: new for new, old in enumerate(keep)}
    with gguf_output(out, info.architecture) as writer:
        for key, value in info.metadata.items():
            if key == "general.architecture":
                continue  # written by the writer itself
            if key in (TOKENS, SCORES, TYPES):
                value = [value[i] for i in keep]
            elif key.startswith("tokenizer.ggml.") and key.endswith("_token_id"):
                value = renumber[value]
            kind, item = info.value_types[key]
            writer.add_key_value(
                key,
                value,
                gguf.GGUFValueType(kind),
                sub_type=gguf.GGUFValueType(item) if item is not None else None,
            )
        for tensor in info.tensors.values():
            kind = gguf.GGMLQuantizationType(tensor.type)
            block, size = gguf.GGML_QUANT_SIZES[kind]
            row_bytes = tensor.shape[0] // block * size
            rows = tuple(int(d) for d in reversed(tensor.shape[1:]))
            start = info.data_start + tensor.offset
            raw = data[start : start + row_bytes * int(np.prod(rows, dtype=np.int64))].reshape(
                *rows, row_bytes
            )
            if tensor.name == "token_embd.weight":  # one row per token (also the output layer: tied)
                raw = raw[keep]
            writer.add_tensor(tensor.name, raw, raw_shape=raw.shape, raw_dtype=kind)
    return out
