"""The language-model back end: one GGUF loaded in llama.cpp, streamed generation, KV-cache reuse.

A :class:`LanguageModel` keeps llama.cpp's KV cache between calls. A prompt that extends the
previous one (the role-play keeps its transcript stable) only evaluates its new tokens, which is
what makes a turn fast on a laptop CPU. Files are checked (header, completeness, adapter fit) before
llama.cpp sees them, because a bad adapter crashes it instead of raising.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from deescal.app.errors import ModelError
from deescal.models.adapter_check import check_adapter
from deescal.models.gguf_info import GGUFInfo, read_gguf_info

log = logging.getLogger(__name__)

MAX_CONTEXT = 4096  # plenty for a role-play; the KV cache stays small
MAX_THREADS = 8  # generation is memory-bound: more threads than this only contend

Progress = Callable[[float, str], None]


def default_threads() -> int:
    """Physical cores when known (llama.cpp gains nothing from hyper-threads), at most MAX_THREADS."""
    try:
        import psutil

        cores = psutil.cpu_count(logical=False) or 0
    except ImportError:
        cores = 0
    if not cores:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


@dataclass(frozen=True)
class SamplingProfile:
    """How the next token is drawn. ``top_k=0``, ``min_p=0`` and ``repeat_penalty=1`` turn a sampler off."""

    name: str
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    repeat_penalty: float

    def with_overrides(
        self, *, temperature: float | None = None, top_p: float | None = None
    ) -> SamplingProfile:
        """This profile with a different temperature or top-p (e.g. from the command line)."""
        changes = {"temperature": temperature, "top_p": top_p}
        return replace(self, **{key: value for key, value in changes.items() if value is not None})


ROLE_PLAY = SamplingProfile("role-play", temperature=0.7, top_p=0.9, top_k=40, min_p=0.05, repeat_penalty=1.1)
"""Live role-play: varied but on topic; the extra samplers keep a small model from rambling or looping."""

PAPER_PROTOCOL = SamplingProfile(
    "paper protocol", temperature=0.6, top_p=0.9, top_k=0, min_p=0.0, repeat_penalty=1.0
)
"""The DeEscalWild paper's evaluation: temperature 0.6 and top-p 0.9, no other sampler (``deescal eval``)."""


@dataclass(frozen=True)
class Contrast:
    """Context-aware decoding (Shi et al. 2023): every next-token log-probability becomes
    ``(1 + weight) * log p(. | prompt) - weight * log p(. | contrast prompt)``, among the tokens the
    model itself finds plausible (at least a tenth as likely as its favourite).

    With the officer's last line left out of the contrast prompt, the words that line calls for win
    over the words the card alone would give: judged blind, the civilian answers what was said more
    often (README, "The civilian's voice"). Costs a second llama.cpp context and about twice the
    decoding time.
    """

    prompt: str
    weight: float = 1.0


PLAUSIBLE = np.log(0.1)  # a contrasted token must be at least this likely relative to the favourite


@dataclass
class Generation:
    """One reply as produced: the raw text and how long it took."""

    text: str
    n_tokens: int
    prompt_tokens: int
    evaluated_tokens: int  # prompt tokens llama.cpp had to process (not in the KV cache)
    first_token_s: float | None
    latency_s: float
    finish: str  # "stop", "length", "done" (the caller had enough) or "cancelled"


class LanguageModel:
    """A loaded GGUF (and optional LoRA adapter). One generation at a time; thread-safe."""

    def __init__(self, llama, info: GGUFInfo, adapter_path: Path | None, n_threads: int) -> None:
        self._llama = llama
        self.info = info
        self.path = info.path
        self.adapter_path = adapter_path
        self.n_threads = n_threads
        self._lock = threading.Lock()
        self._closed = False
        self._chat_formatter = None
        self._contrast_llama = None  # a second context on the same files, loaded on first use

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        adapter_path: str | Path | None = None,
        n_ctx: int | None = None,
        n_threads: int | None = None,
        progress: Progress | None = None,
    ) -> LanguageModel:
        """Checks and loads ``path``; raises :class:`ModelError` with a message for the user."""
        report = progress or (lambda fraction, text: None)
        report(0.0, "Checking the model file")
        info = read_gguf_info(path)
        if info.file_type != "model":
            raise ModelError(f"{info.path.name} is a {info.file_type}, not a language model.")
        adapter = Path(adapter_path) if adapter_path else None
        if adapter is not None:
            report(0.1, "Checking the adapter")
            check_adapter(adapter, info)
        threads = n_threads or default_threads()
        context = min(n_ctx or MAX_CONTEXT, info.context_length)
        report(0.2, f"Loading {info.name}")
        start = time.perf_counter()
        try:
            import llama_cpp

            llama = llama_cpp.Llama(
                str(info.path),
                n_ctx=context,
                n_threads=threads,
                n_threads_batch=threads,
                lora_path=str(adapter) if adapter else None,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(
                f"llama.cpp could not load {info.path.name} ({exc}). The file may be damaged, or made "
                "for a model type this version does not support."
            ) from exc
        log.info(
            "loaded %s (adapter %s) in %.2f s: n_ctx=%d threads=%d",
            info.path.name,
            adapter.name if adapter else "none",
            time.perf_counter() - start,
            context,
            threads,
        )
        report(1.0, f"{info.name} ready")
        return cls(llama, info, adapter, threads)

    # -- facts ---------------------------------------------------------------------------------
    @property
    def n_ctx(self) -> int:
        return self._llama.n_ctx()

    @property
    def prompt_style(self) -> str:
        """``chat`` when the GGUF carries a chat template, else ``completion`` (a transcript to continue)."""
        return "chat" if self.info.chat_template else "completion"

    def tokenize(self, text: str) -> list[int]:
        return self._llama.tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def format_chat(self, messages: list[dict[str, str]]) -> str:
        """The messages rendered with the model's own chat template, ready for the assistant's turn."""
        if not self.info.chat_template:
            raise ModelError(f"{self.path.name} has no chat template; use it as a completion model.")
        if self._chat_formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            vocab = self._llama
            self._chat_formatter = Jinja2ChatFormatter(
                template=self.info.chat_template,
                eos_token=vocab.detokenize([vocab.token_eos()]).decode("utf-8", "replace"),
                bos_token=vocab.detokenize([vocab.token_bos()]).decode("utf-8", "replace"),
            )
        prompt = self._chat_formatter(messages=messages).prompt
        bos = self._llama.detokenize([self._llama.token_bos()]).decode("utf-8", "replace")
        return prompt[len(bos) :] if bos and prompt.startswith(bos) else prompt  # tokenize adds BOS

    def cached_prefix(self, tokens: list[int], llama=None) -> int:
        """How many of ``tokens`` are already in the KV cache (need no evaluation)."""
        llama = llama or self._llama
        cached = llama.input_ids[: llama.n_tokens]
        count = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            count += 1
        return count

    # -- work ----------------------------------------------------------------------------------
    def prefill(self, prompt: str) -> int:
        """Evaluates ``prompt`` into the KV cache now (e.g. the scenario card while the trainee reads)."""
        with self._lock:
            self._require_open()
            return self._evaluate(self._llama, self._checked_tokens(prompt))

    def prefill_contrast(self, prompt: str) -> int:
        """Evaluates the start of a coming :class:`Contrast` prompt into the contrast's own cache."""
        with self._lock:
            self._require_open()
            return self._evaluate(self._contrast_context(), self._checked_tokens(prompt))

    def _checked_tokens(self, prompt: str) -> list[int]:
        tokens = self.tokenize(prompt)
        if len(tokens) >= self.n_ctx:
            raise ModelError(
                f"The text to evaluate is longer than the model's context ({self.n_ctx} tokens)."
            )
        return tokens

    def _evaluate(self, llama, tokens: list[int], need_logits: bool = False) -> int:
        """Brings ``llama``'s KV cache to ``tokens``, evaluating only what is not cached; returns how many
        were evaluated. ``need_logits``: the last token is evaluated even if cached, for its logits."""
        reuse = self.cached_prefix(tokens, llama)
        if need_logits:
            reuse = min(reuse, len(tokens) - 1)
        if reuse == len(tokens):
            return 0
        if reuse and not llama._ctx.kv_cache_seq_rm(-1, reuse, -1):
            reuse = 0
        llama.n_tokens = reuse
        llama.eval(tokens[reuse:])
        return len(tokens) - reuse

    def _contrast_context(self):
        """The second llama.cpp context that contrast prompts run in (same model file and adapter)."""
        if self._contrast_llama is None:
            import llama_cpp

            try:
                self._contrast_llama = llama_cpp.Llama(
                    str(self.path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    lora_path=str(self.adapter_path) if self.adapter_path else None,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise ModelError(
                    f"llama.cpp could not open a second context on {self.path.name} ({exc})."
                ) from exc
        return self._contrast_llama

    def _contrast_processor(self, prompt_tokens: int, contrast: Contrast) -> Callable:
        """A llama.cpp logits processor applying ``contrast`` to every token of the reply."""
        llama = self._contrast_context()
        contrast_tokens = self._checked_tokens(contrast.prompt)

        def process(input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
            generated = input_ids[prompt_tokens:].tolist()
            if len(contrast_tokens) + len(generated) >= self.n_ctx:
                return scores
            self._evaluate(llama, contrast_tokens + generated, need_logits=True)
            other = np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(len(scores),))
            mine = _log_softmax(scores)
            mixed = (1 + contrast.weight) * mine - contrast.weight * _log_softmax(other)
            mixed[mine < mine.max() + PLAUSIBLE] = -np.inf
            return mixed.astype(np.float32)

        return process

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int = 64,
        stop: list[str] | None = None,
        seed: int | None = None,
        sampling: SamplingProfile = ROLE_PLAY,
        on_text: Callable[[str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        enough: Callable[[str], bool] | None = None,
        avoid_start: str | None = None,
        contrast: Contrast | None = None,
    ) -> Generation:
        """Generates one reply, streaming pieces to ``on_text``; ``enough(text)`` may end it early.

        ``cancelled()`` is polled after every piece; a cancelled reply returns what was produced so
        far with ``finish='cancelled'``. Only the prompt tokens missing from the KV cache are evaluated.
        ``avoid_start`` bans the first token of that text (a retry that must not say the same again);
        ``contrast`` decodes against another prompt as well (:class:`Contrast`).
        """
        with self._lock:
            self._require_open()
            start = time.perf_counter()
            tokens = self.tokenize(prompt)
            room = self.n_ctx - len(tokens)
            if room < 8:
                raise ModelError(
                    f"The conversation no longer fits the model's context ({len(tokens)} of {self.n_ctx} tokens)."
                )
            evaluated = len(tokens) - self.cached_prefix(tokens)
            ban = self._ban_start(avoid_start)
            processors = None
            if contrast is not None and contrast.weight > 0:
                import llama_cpp

                processors = llama_cpp.LogitsProcessorList([self._contrast_processor(len(tokens), contrast)])
                if ban:  # llama-cpp-python drops both lists when given a processor and a logit bias
                    processors.append(_bias_processor(ban))
                    ban = None
            chunks = self._llama.create_completion(
                tokens,
                max_tokens=min(max_tokens, room),
                stop=stop or [],
                stream=True,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=sampling.top_k,
                min_p=sampling.min_p,
                repeat_penalty=sampling.repeat_penalty,
                seed=seed,
                logit_bias=ban,
                logits_processor=processors,
            )
            text, first, finish = "", None, "length"
            try:
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    if choice["text"]:
                        if first is None:
                            first = time.perf_counter() - start
                        text += choice["text"]
                        if on_text is not None:
                            on_text(choice["text"])
                    if choice.get("finish_reason"):
                        finish = choice["finish_reason"]
                    if cancelled is not None and cancelled():
                        finish = "cancelled"
                        break
                    if enough is not None and enough(text):
                        finish = "done"
                        break
            finally:
                chunks.close()
            return Generation(
                text=text,
                n_tokens=max(0, self._llama.n_tokens - len(tokens)) + 1,
                prompt_tokens=len(tokens),
                evaluated_tokens=evaluated,
                first_token_s=first,
                latency_s=time.perf_counter() - start,
                finish=finish,
            )

    def _ban_start(self, text: str | None) -> dict[int, float] | None:
        if not text or not text.strip():
            return None
        tokens = self._llama.tokenize((" " + text.strip()).encode("utf-8"), add_bos=False, special=False)
        return {tokens[0]: -100.0} if tokens else None

    def _require_open(self) -> None:
        if self._closed:
            raise ModelError(
                f"{self.path.name} was unloaded (another model was loaded); start the session again."
            )

    def close(self) -> None:
        """Frees the model; waits for a running generation. Later calls raise ModelError, not crash."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._llama.close()
                if self._contrast_llama is not None:
                    self._contrast_llama.close()


def _bias_processor(bias: dict[int, float]) -> Callable:
    def process(input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        scores = np.array(scores, copy=True)
        for token, value in bias.items():
            scores[token] += value
        return scores

    return process


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    values = np.asarray(logits, dtype=np.float64)
    top = values.max()
    return values - (top + np.log(np.exp(values - top).sum()))


def check_language_model(ctx) -> str:
    """Selftest: load the embedded GGUF and generate a few tokens (about a second)."""
    from deescal.models.embedded import embedded_gguf

    start = time.perf_counter()
    model = LanguageModel.load(embedded_gguf(ctx.data.models), n_ctx=512)
    loaded = time.perf_counter() - start
    try:
        result = model.generate("Officer: Good evening, sir.\nDriver:", max_tokens=6, stop=["\n"], seed=1)
    finally:
        model.close()
    if result.n_tokens < 1:
        raise ModelError("The embedded model loaded but generated nothing.")
    rate = result.n_tokens / max(result.latency_s, 1e-6)
    return (
        f"{model.info.name}: load {loaded:.2f} s, {result.n_tokens} tokens in {result.latency_s:.2f} s "
        f"({rate:.0f} tok/s incl. prompt), {model.n_threads} threads"
    )
