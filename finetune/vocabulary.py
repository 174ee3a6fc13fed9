"""Writes the role-play vocabulary list (``models/house/role-play-vocabulary.txt``) for the embedded model.

Run ``python -m deescal.finetune.vocabulary --transcripts DIR`` after the house corpus or the bundled
scenarios change (about three minutes); ``tests/models/test_vocab_trim.py`` fails while the list
misses a token of a bundled scenario's prompt. The list keeps every token that the house corpus,
the bundled scenarios' role-play prompts, the real transcripts and WordNet's English words tokenize
to, every piece the tokenizer merges through on the way to them (without those the same text would
tokenize differently), the byte tokens and the tokenizer's own pieces (newlines, runs of spaces).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from pathlib import Path

from deescal.models.gguf_info import read_gguf_info
from deescal.models.vocab_trim import KEEP_LIST, SCORES, TOKENS, TYPES, write_keep_list

_BYTE, _USER_DEFINED, _CONTROL, _UNKNOWN = 6, 4, 3, 2
_SPACE = "\u2581"  # how the tokenizer writes a space


def merge_path(text: str, pieces: dict[str, float]) -> set[str]:
    """Every piece llama.cpp's SentencePiece tokenizer creates while merging ``text`` from its characters.

    The same algorithm: repeatedly join the adjacent pair whose joined text is a token with the
    highest score (the leftmost on a tie). Keeping these pieces keeps the tokenization unchanged.
    """
    symbols = list(text)
    alive = [True] * len(symbols)
    after = list(range(1, len(symbols) + 1))
    before = list(range(-1, len(symbols) - 1))
    queue: list[tuple[float, int, int, int]] = []

    def offer(left: int, right: int) -> None:
        if left >= 0 and right < len(symbols) and (joined := symbols[left] + symbols[right]) in pieces:
            heapq.heappush(queue, (-pieces[joined], left, right, len(joined)))

    for i in range(1, len(symbols)):
        offer(i - 1, i)
    made: set[str] = set()
    while queue:
        _, left, right, size = heapq.heappop(queue)
        if not (alive[left] and alive[right]) or after[left] != right:
            continue
        if len(symbols[left]) + len(symbols[right]) != size:
            continue
        symbols[left] += symbols[right]
        alive[right] = False
        after[left] = after[right]
        if after[left] < len(symbols):
            before[after[left]] = left
        made.add(symbols[left])
        offer(before[left], left)
        offer(left, after[left])
    return made


def keep_ids(base: Path, texts: Iterable[str]) -> list[int]:
    """The token ids to keep so that ``texts`` tokenize exactly as with the full vocabulary."""
    from llama_cpp import Llama

    values = read_gguf_info(base, whole_arrays=True).metadata
    tokens, scores, types = values[TOKENS], values[SCORES], values[TYPES]
    vocab = Llama(model_path=str(base), vocab_only=True, verbose=False)
    used: set[int] = set()
    for text in texts:
        for line in text.splitlines():  # line by line: the tokenizer is slow on long strings
            if line.strip():
                used.update(vocab.tokenize(line.encode(), add_bos=False, special=False))
    pieces = {piece: scores[i] for i, piece in enumerate(tokens)}
    index = {piece: i for i, piece in enumerate(tokens)}
    keep = set(used)
    for i in used:
        keep |= {index[piece] for piece in merge_path(tokens[i], pieces)}
    keep |= {i for i, kind in enumerate(types) if kind in (_BYTE, _USER_DEFINED)}
    keep |= {
        i for i, kind in enumerate(types) if kind in (_UNKNOWN, _CONTROL) and i < 1000
    }  # bos, eos, turns
    keep |= {i for i, piece in enumerate(tokens) if piece and not piece.replace(_SPACE, "").strip()}
    return sorted(keep)


def role_play_texts(transcripts: Path | None, wordnet: Path) -> list[str]:
    """What role-play text looks like: corpus, scenario prompts, real transcripts, English words."""
    from deescal.app.roleplay.persona import render_prompt
    from deescal.finetune.corpus import CORPUS_DIR
    from deescal.scenario_library.scenario_files import load_bundled

    texts = [p.read_text(errors="ignore") for p in sorted(CORPUS_DIR.glob("*")) if p.is_file()]
    for scenario in load_bundled().scenarios:
        history = [("officer", "Hello."), ("civilian", "What?"), ("officer", "Okay.")]
        texts.append(render_prompt(scenario, history, 5.0, turn_tensions=[5.0]))
        texts.append(render_prompt(scenario, history[:1], 2.0, prompt_style="chat"))
    if transcripts is not None:
        texts += [p.read_text(errors="ignore") for p in sorted(transcripts.glob("*.csv"))]
    words: set[str] = set()
    for part in ("noun", "verb", "adj", "adv"):
        for line in (wordnet / f"index.{part}").read_text(errors="ignore").splitlines():
            if not line.startswith(" "):
                word = line.split(" ", 1)[0].replace("_", " ")
                words |= {word, word.capitalize()}
    ordered = sorted(words)
    texts += [" ".join(ordered[i : i + 200]) for i in range(0, len(ordered), 200)]
    return texts


def main(argv: list[str] | None = None) -> int:
    """Rewrites :data:`KEEP_LIST` for the embedded model (about three minutes)."""
    import argparse
    import tempfile

    from deescal.models.embedded import embedded_gguf, embedded_gguf_sha256

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--transcripts", type=Path, default=None, help="DeEscalWild transcripts folder")
    parser.add_argument(
        "--wordnet", type=Path, default=Path("/usr/share/wordnet"), help="WordNet dict folder"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as models:
        base = embedded_gguf(Path(models))
        ids = keep_ids(base, role_play_texts(args.transcripts, args.wordnet))
    write_keep_list(embedded_gguf_sha256(), ids)
    print(f"kept {len(ids)} tokens in {KEEP_LIST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
