"""Training and evaluation points: every officer -> civilian boundary, rendered by the role-play prompt.

The prompt is ``deescal.app.roleplay.persona.render_prompt`` (the very function role-play uses), so a trained
adapter sees at training time exactly the text it continues in use. When the history does not fit
the token budget, the oldest turns are dropped in steps of ``step`` turns; the step keeps the
window start fixed across many consecutive turns, which keeps llama.cpp's KV-cache prefix reusable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from deescal.app.roleplay.persona import render_prompt
from deescal.finetune.dataset import Dialogue

IGNORE_INDEX = -100  # label value the loss skips (prompt tokens)
REPLY_END = "\n"  # the role-play stops a civilian line at the end of the line


@dataclass
class Boundary:
    """One officer -> civilian boundary: the history so far and the real reply."""

    dialogue_key: str
    index: int  # turn index of the reply in the dialogue
    history: list[tuple[str, str]]
    reply: str
    tension: float
    turn_tensions: list[float]  # tensions of the civilian replies in ``history``


def boundaries(dialogue: Dialogue, max_turns: int | None = None) -> list[Boundary]:
    """Each civilian turn that answers an officer turn (teacher forcing: real lines form the history)."""
    default = dialogue.scenario.initial_tension
    tensions = [t if t is not None else default for t in dialogue.tensions] or [default] * len(dialogue.turns)
    found: list[Boundary] = []
    for i in range(1, len(dialogue.turns)):
        if dialogue.turns[i][0] != "civilian" or dialogue.turns[i - 1][0] != "officer":
            continue
        earlier = [tensions[j] for j in range(i) if dialogue.turns[j][0] == "civilian"]
        found.append(
            Boundary(dialogue.key, i, dialogue.turns[:i], dialogue.turns[i][1], tensions[i], earlier)
        )
        if max_turns is not None and len(found) >= max_turns:
            break
    return found


def fit_prompt(
    dialogue: Dialogue, boundary: Boundary, count_tokens: Callable[[str], int], budget: int, step: int = 1
) -> str:
    """The prompt for ``boundary`` with as much recent history as fits ``budget`` tokens.

    Always keeps at least the officer line being answered. May still exceed ``budget`` when the card
    alone is longer; callers that must fit (training) cut tokens from the left.
    """
    history = boundary.history
    start = 0
    while True:
        window = history[start:]
        replies_before = sum(1 for role, _ in history[:start] if role == "civilian")
        prompt = render_prompt(
            dialogue.scenario,
            window,
            boundary.tension,
            prompt_style="completion",
            turn_tensions=boundary.turn_tensions[replies_before:],
        )
        if start >= len(history) - 1 or count_tokens(prompt) <= budget:
            return prompt
        start = min(start + _skip(history[start:], count_tokens, budget, prompt, step), len(history) - 1)


def _skip(
    window: list[tuple[str, str]], count_tokens: Callable[[str], int], budget: int, prompt: str, step: int
):
    """How many turns to drop: estimated from the overshoot, rounded up to whole steps."""
    excess = count_tokens(prompt) - budget
    dropped, freed = 0, 0
    while freed < excess and dropped < len(window) - 1:
        freed += count_tokens(window[dropped][1]) + 3  # the line, its tag and its newline
        dropped += 1
    return max(step, -(-dropped // step) * step)


@dataclass
class Window:
    """Consecutive turns trained as one sequence: every civilian reply in it carries loss.

    Because the prompt is stable from turn to turn, the text before each reply inside the window is
    exactly the prompt that reply would get in use (with the history starting at ``start``), so one
    forward pass trains several replies instead of one.
    """

    dialogue_key: str
    start: int  # first turn of the history
    replies: list[Boundary]


def _prompt(dialogue: Dialogue, start: int, boundary: Boundary) -> str:
    replies_before = sum(1 for role, _ in dialogue.turns[:start] if role == "civilian")
    return render_prompt(
        dialogue.scenario,
        dialogue.turns[start : boundary.index],
        boundary.tension,
        prompt_style="completion",
        turn_tensions=boundary.turn_tensions[replies_before:],
    )


def _reply_text(boundary: Boundary) -> str:
    return " " + boundary.reply + REPLY_END


def windows(dialogue: Dialogue, count_tokens: Callable[[str], int], max_length: int) -> list[Window]:
    """Splits the dialogue's replies into windows that fit ``max_length`` tokens (at least one reply each)."""
    found: list[Window] = []
    points = boundaries(dialogue)
    k = 0
    while k < len(points):
        start = points[k].index - 1  # the officer line the first reply answers
        m = k
        while m + 1 < len(points):
            nxt = points[m + 1]
            if count_tokens(_prompt(dialogue, start, nxt) + _reply_text(nxt)) > max_length:
                break
            m += 1
        found.append(Window(dialogue.key, start, points[k : m + 1]))
        k = m + 1
    return found


@dataclass
class EncodedSample:
    input_ids: list[int]
    labels: list[int]  # IGNORE_INDEX except on civilian reply tokens
    dialogue_key: str


def encode_window(dialogue: Dialogue, window: Window, tokenizer, max_length: int) -> EncodedSample:
    """Tokens of the window's text (BOS first); labels on each reply and its end-of-line.

    A reply's span is found as the text after its own prompt, which must be a prefix of the window's
    text; a reply whose prompt is not (a cue that only the newest turn carries) gets no loss. When
    even one reply does not fit, the text is cut from the left, keeping BOS.
    """
    last = window.replies[-1]
    text = _prompt(dialogue, window.start, last) + _reply_text(last)
    spans = []
    for boundary in window.replies:
        prompt = _prompt(dialogue, window.start, boundary)
        reply = _reply_text(boundary)
        if text.startswith(prompt) and text.startswith(reply, len(prompt)):
            spans.append((len(prompt), len(prompt) + len(reply)))
    encoded = tokenizer(text, return_offsets_mapping=True)
    ids, offsets = encoded["input_ids"], encoded["offset_mapping"]
    labels = [IGNORE_INDEX] * len(ids)
    for n, (begin, end) in enumerate(offsets):
        if end > begin and any(lo <= begin < hi for lo, hi in spans):
            labels[n] = ids[n]
    if len(ids) > max_length:
        cut = len(ids) - max_length
        ids, labels = ids[:1] + ids[1 + cut :], labels[:1] + labels[1 + cut :]
    return EncodedSample(input_ids=ids, labels=labels, dialogue_key=dialogue.key)
