"""What the civilian has heard and said, and the part of it the model sees.

The model gets the scenario card, then the dialogue verbatim. When that no longer fits its
context, the oldest exchanges are replaced by a short summary, moved in large steps so that the
prompt stays identical from turn to turn (llama.cpp then reuses its KV cache) until it fills again.
"""

from __future__ import annotations

import logging
from typing import Protocol

from deescal.app.roleplay.persona import offered_fact, render_messages, render_prompt, speaker_tag
from deescal.scenario_library.schema import Scenario

log = logging.getLogger(__name__)

KEEP_RECENT_ENTRIES = 8  # when the context fills, the last four exchanges stay verbatim
SUMMARY_QUOTES = 3
UNSAID = "..."  # the officer's line left out of a contrast prompt


class PromptModel(Protocol):
    prompt_style: str
    n_ctx: int

    def count_tokens(self, text: str) -> int: ...

    def format_chat(self, messages: list[dict[str, str]]) -> str: ...


def common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


class Conversation:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.history: list[tuple[str, str]] = []  # (role, text), role 'officer' or 'civilian'
        self.reply_tensions: list[float] = []  # each civilian reply was spoken under this tension
        self.revealed: list[str] = []  # hidden facts the civilian has told, in order
        self.summary: str | None = None
        self.window_start = 0  # history entries before this are replaced by ``summary``

    @property
    def awaiting_reply(self) -> bool:
        """True when the last officer line has no answer yet (cancelled, or the app died mid-reply)."""
        return bool(self.history) and self.history[-1][0] == "officer"

    @property
    def last_civilian_line(self) -> str | None:
        return next((text for role, text in reversed(self.history) if role == "civilian"), None)

    def recent_lines(self) -> list[str]:
        """The last few lines of both speakers (a new reply must not parrot them)."""
        return [text for _, text in self.history[-8:]]

    def with_draft(self, draft: str) -> Conversation:
        """A copy with ``draft`` as the next officer line (this conversation is left untouched)."""
        copy = Conversation(self.scenario)
        copy.history, copy.reply_tensions = [*self.history, ("officer", draft)], list(self.reply_tensions)
        copy.revealed, copy.summary, copy.window_start = list(self.revealed), self.summary, self.window_start
        return copy

    def with_last_line_unsaid(self) -> Conversation:
        """A copy in which the officer's last line (or, while the civilian has the last word, the
        officer's next one) is "...": the contrast prompt that shows which words of a reply that line
        calls for (``models.llm.Contrast``)."""
        copy = self.with_draft(UNSAID)
        if self.awaiting_reply:
            copy.history = [*self.history[:-1], ("officer", UNSAID)]
        return copy

    def add_officer(self, text: str) -> None:
        self.history.append(("officer", text))

    def add_civilian(self, text: str, tension: float) -> None:
        self.history.append(("civilian", text))
        self.reply_tensions.append(tension)

    # -- prompts -------------------------------------------------------------------------------
    def _window(self) -> tuple[list[tuple[str, str]], list[float]]:
        """The dialogue the model sees verbatim, and the tensions of the replies in it."""
        replies_before = sum(1 for role, _ in self.history[: self.window_start] if role == "civilian")
        return self.history[self.window_start :], self.reply_tensions[replies_before:]

    def render(self, model: PromptModel, tension: float) -> str:
        history, tensions = self._window()
        if model.prompt_style == "chat":
            messages = render_messages(self.scenario, history, tension, self.revealed, tensions, self.summary)
            return model.format_chat(messages)
        return render_prompt(
            self.scenario, history, tension, self.revealed, "completion", tensions, self.summary
        )

    def prompt(self, model: PromptModel, tension: float, reserve_tokens: int) -> str:
        """The prompt for the next reply, leaving ``reserve_tokens`` of context for it."""
        budget = model.n_ctx - reserve_tokens
        prompt = self.render(model, tension)
        while model.count_tokens(prompt) > budget and self._summarise_more():
            prompt = self.render(model, tension)
        return prompt

    def offered_fact(self) -> str | None:
        """The hidden fact the coming reply is invited to tell, as the prompt offers it."""
        history, tensions = self._window()
        return offered_fact(self.scenario, history, self.revealed, tensions, self.summary)

    def tension_free_head(self, model: PromptModel, reserve_tokens: int) -> str:
        """The start of the next prompt that does not depend on the tension (can be evaluated early)."""
        return common_prefix(
            self.prompt(model, 0.0, reserve_tokens), self.prompt(model, 10.0, reserve_tokens)
        )

    def _summarise_more(self) -> bool:
        """Moves the verbatim window forward (to an officer line); False when nothing is left to drop."""
        target = len(self.history) - KEEP_RECENT_ENTRIES
        if self.window_start > 0:
            target = max(target, self.window_start + 2)
        while 0 < target < len(self.history) and self.history[target][0] != "officer":
            target += 1
        if target <= self.window_start or target >= len(self.history):
            return False
        self.window_start = target
        dropped = self.history[:target]
        name = speaker_tag(self.scenario)
        quotes = [text for role, text in dropped if role == "civilian"][-SUMMARY_QUOTES:]
        exchanges = sum(1 for role, _ in dropped if role == "officer")
        summary = f"the officer and {name} have already spoken for {exchanges} exchanges."
        if quotes:
            summary += f" {name} said: " + " / ".join(f'"{q}"' for q in quotes)
        if self.revealed:
            summary += f" {name} has already told the officer: " + " ".join(self.revealed)
        self.summary = summary
        log.info("context full: %d early entries summarised", target)
        return True
