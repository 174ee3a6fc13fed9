"""The base model for training: the app's own GGUF, de-quantised by transformers, cached as safetensors.

transformers reads the GGUF directly (``from_pretrained(dir, gguf_file=...)``) and de-quantises it
to float32, which takes about a minute; the result is saved once next to the models (a 1 GB folder
keyed by the GGUF's sha256) and reloads in seconds. Saving needs the GGUF quantizer marks removed.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from deescal.app.errors import ModelError

log = logging.getLogger(__name__)

MARKER = "deescal-base.json"


def cache_dir_for(models_dir: Path, gguf_path: Path, sha256: str) -> Path:
    return Path(models_dir) / "hf" / f"{Path(gguf_path).stem}-{sha256[:12]}"


def prepare_base(gguf_path: Path, cache_dir: Path, sha256: str) -> Path:
    """The de-quantised copy of ``gguf_path`` in ``cache_dir``, converted now if missing."""
    marker = cache_dir / MARKER
    if marker.is_file() and json.loads(marker.read_text()).get("sha256") == sha256:
        return cache_dir
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path = Path(gguf_path)
    log.info("de-quantising %s for training into %s", gguf_path.name, cache_dir)
    partial = cache_dir.with_name(cache_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
        )
    except (ValueError, OSError, KeyError) as exc:
        raise ModelError(
            f"transformers cannot read {gguf_path.name} for training ({exc}). Fine-tuning needs a GGUF of a "
            "model type transformers supports (Gemma, Llama, Qwen, Mistral...)."
        ) from exc
    check_tokenizer(tokenizer, gguf_path)
    model.hf_quantizer = None  # a GGUF-loaded model refuses to save while these mark it quantised
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    (partial / MARKER).write_text(json.dumps({"sha256": sha256, "gguf": gguf_path.name}))
    shutil.rmtree(cache_dir, ignore_errors=True)
    partial.rename(cache_dir)
    return cache_dir


TOKENIZER_PROBE = "Officer: Hi, I'm Officer Díaz. What's going on?\nDana (guarded): Nothing. Leave me alone!"


def check_tokenizer(tokenizer, gguf_path: Path) -> None:
    """Training must see the tokens llama.cpp will see; some transformers releases convert a GGUF's
    tokenizer differently (seen: transformers 5.17 with Gemma 3), which would train a useless adapter."""
    try:
        import llama_cpp
    except ImportError:  # a training-only machine without llama.cpp: nothing to compare with
        log.warning(
            "llama-cpp-python is not installed: the tokenizer of %s is not cross-checked", gguf_path.name
        )
        return
    vocab = llama_cpp.Llama(str(gguf_path), vocab_only=True, verbose=False)
    try:
        expected = vocab.tokenize(TOKENIZER_PROBE.encode("utf-8"), add_bos=True, special=True)
    finally:
        vocab.close()
    got = tokenizer(TOKENIZER_PROBE)["input_ids"]
    if list(got) != list(expected):
        import transformers

        raise ModelError(
            f"transformers {transformers.__version__} reads the tokenizer of {gguf_path.name} differently from "
            "llama.cpp, so an adapter trained with it would not work in the app. Install the transformers "
            "version this app ships with."
        )


def load_base(cache_dir: Path):
    """(model, tokenizer) from a prepared folder, float32, ready for peft."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(cache_dir)
    model = AutoModelForCausalLM.from_pretrained(cache_dir, dtype=torch.float32)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer
