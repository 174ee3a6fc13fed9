"""The civilian's persona as a prompt: scenario card, dialogue so far, and the current agitation cue.

The same function builds the prompts for role-play and the training samples for fine-tuning, so its
output is deterministic and its layout is stable from turn to turn: the card and every earlier turn
render identically each time, and only the newest officer line and the cue for the reply are new.
That lets llama.cpp reuse its KV cache for everything before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deescal.app.roleplay.tension import band_for
from deescal.scenario_library.schema import Scenario

OFFICER_TAG = "Officer"
STOP_SEQUENCES: list[str] = ["\n", "Officer:", "OFFICER:", "<end_of_turn>", "<eos>"]
"""Where a civilian's line ends: the end of the line, or the officer starting to speak."""

PROMPT_STYLES = ("completion", "chat")


def speaker_tag(scenario: Scenario) -> str:
    """The name the civilian's lines carry in the transcript (first name, as people are addressed)."""
    name = scenario.character_profile.name.strip()
    return name.split()[0] if name else "Civilian"


def mood_for(tension: float) -> str:
    return band_for(tension).mood


def fact_to_offer(scenario: Scenario, tension: float, told: set[str] | list[str]) -> str | None:
    """The hidden fact the civilian now trusts the officer enough to tell: the easiest one not yet told.

    One at a time, as people open up; the cue for it stays in the transcript of that turn.
    """
    ready = [f for f in scenario.hidden_facts if tension <= f.reveal_at_tension and f.text not in told]
    return max(ready, key=lambda fact: fact.reveal_at_tension).text if ready else None


@dataclass(frozen=True)
class _ReplyCue:
    tension: float | None  # the tension the reply was (or will be) spoken under, if known
    fact: str | None  # the hidden fact offered for that reply


def _reply_cues(
    scenario: Scenario,
    history: list[tuple[str, str]],
    tension: float,
    revealed_facts: list[str] | None,
    turn_tensions: list[float] | None,
    summary: str | None,
) -> list[_ReplyCue]:
    """The cue of every civilian reply in ``history``, then of the coming one.

    A fact is offered once the tension *before* the officer's line (trust earned in earlier turns)
    is low enough, so the offer does not depend on how the new line scores and can be evaluated
    while it is being scored. A fact counts as told once the reply it was offered for mentions it.
    Everything is derived from the dialogue, so earlier turns render exactly as they did live.
    """
    told = set(revealed_facts or []) if summary else set()  # facts told before the summarised part
    cues = []
    replies = [text for role, text in history if role == "civilian"]
    trust: float | None = None if summary else scenario.initial_tension
    for n, reply in enumerate(replies):
        known = turn_tensions[n] if turn_tensions is not None and n < len(turn_tensions) else None
        fact = fact_to_offer(scenario, trust, told) if trust is not None and known is not None else None
        if fact and mentions_fact(reply, fact):
            told.add(fact)
        cues.append(_ReplyCue(known, fact))
        trust = known
    told |= set(revealed_facts or [])
    cues.append(_ReplyCue(tension, fact_to_offer(scenario, trust, told) if trust is not None else None))
    return cues


def offered_fact(
    scenario: Scenario,
    history: list[tuple[str, str]],
    revealed_facts: list[str] | None = None,
    turn_tensions: list[float] | None = None,
    summary: str | None = None,
) -> str | None:
    """The hidden fact the coming reply is invited to tell (the one :func:`render_prompt` offers)."""
    return _reply_cues(scenario, history, 0.0, revealed_facts, turn_tensions, summary)[-1].fact


def _card(scenario: Scenario) -> str:
    who = scenario.character_profile
    name = speaker_tag(scenario)
    details = ", ".join(str(part) for part in (who.age, who.gender) if part)
    lines = [
        "Police body-camera transcript, transcribed word for word.",
        f"Call type: {scenario.category}.",
    ]
    if scenario.location:
        lines.append(f"Location: {scenario.location}.")
    lines.append(f"Situation: {scenario.scenario_context}")
    lines.append(f"{who.name}{f' ({details})' if details else ''}: {who.background}".rstrip())
    if who.emotional_state:
        lines.append(f"{name}'s state: {who.emotional_state}.")
    if who.speaking_style:
        lines.append(f"{name} speaks: {who.speaking_style}.")
    if scenario.triggers:
        lines.append(f"What makes {name} angrier: {'; '.join(scenario.triggers)}.")
    if scenario.levers:
        lines.append(f"What calms {name}: {'; '.join(scenario.levers)}.")
    lines.append(
        f"{name} answers the officer in one or two short spoken sentences and never speaks for the officer."
    )
    return "\n".join(lines)


def _tag(scenario: Scenario, tension: float | None) -> str:
    name = speaker_tag(scenario)
    return f"{name}:" if tension is None else f"{name} ({mood_for(tension)}):"


def _cue(scenario: Scenario, tension: float) -> str:
    return f"({speaker_tag(scenario)} sounds {mood_for(tension)}.)"


def _reveal_cue(scenario: Scenario, fact: str) -> str:
    return f"({speaker_tag(scenario)} trusts the officer enough to admit: {fact})"


def _completion_prompt(
    scenario: Scenario,
    history: list[tuple[str, str]],
    tension: float,
    revealed_facts: list[str] | None,
    turn_tensions: list[float] | None,
    summary: str | None,
) -> str:
    cues = _reply_cues(scenario, history, tension, revealed_facts, turn_tensions, summary)
    parts = [_card(scenario), ""]
    if summary:
        parts += [f"(Earlier: {summary})", ""]
    replies = 0
    for role, text in history:
        if role == "officer":
            parts.append(f"{OFFICER_TAG}: {text}")
            continue
        cue = cues[replies]
        if cue.fact:
            parts.append(_reveal_cue(scenario, cue.fact))
        parts.append(f"{_tag(scenario, cue.tension)} {text}")
        replies += 1
    if cues[-1].fact:
        parts.append(_reveal_cue(scenario, cues[-1].fact))
    parts.append(_tag(scenario, tension))
    return "\n".join(parts)


def render_messages(
    scenario: Scenario,
    history: list[tuple[str, str]],
    tension: float,
    revealed_facts: list[str] | None = None,
    turn_tensions: list[float] | None = None,
    summary: str | None = None,
) -> list[dict[str, str]]:
    """Chat messages for models with a chat template: the card as system prompt, officer = user."""
    name = speaker_tag(scenario)
    system = (
        f"You play {scenario.character_profile.name} in a police de-escalation training role-play. "
        f"Stay in character, reply only with what {name} says out loud, one or two short sentences, "
        "and never write the officer's lines.\n\n" + _card(scenario)
    )
    if summary:
        system += f"\n\nEarlier in this encounter: {summary}"
    cues = _reply_cues(scenario, history, tension, revealed_facts, turn_tensions, summary)
    messages = [{"role": "system", "content": system}]
    replies = 0
    for n, (role, text) in enumerate(history):
        if role != "officer":
            messages.append({"role": "assistant", "content": text})
            replies += 1
            continue
        answered = n + 1 < len(history) and history[n + 1][0] == "civilian"
        cue = cues[replies] if answered else cues[-1] if n == len(history) - 1 else None
        content = f"{OFFICER_TAG}: {text}"
        if cue is not None and cue.tension is not None:
            content += "\n" + _cue(scenario, cue.tension)
        if cue is not None and cue.fact:
            content += "\n" + _reveal_cue(scenario, cue.fact)
        messages.append({"role": "user", "content": content})
    return messages


def render_prompt(
    scenario: Scenario,
    history: list[tuple[str, str]],
    tension: float,
    revealed_facts: list[str] | None = None,
    prompt_style: str = "completion",
    turn_tensions: list[float] | None = None,
    summary: str | None = None,
) -> str:
    """The text the model continues with the civilian's next line.

    ``history`` holds ``(role, text)`` pairs, role ``'officer'`` or ``'civilian'``, ending with the
    officer line being answered. ``tension`` (0-10) is the tension the civilian answers under;
    ``turn_tensions`` (optional) are the tensions of the earlier civilian replies, in order, so their
    cues are kept in the transcript (which keeps the prompt prefix identical between turns).
    ``summary`` (optional) stands in for early turns left out when the context fills up.
    A hidden fact is offered (one at a time, until a reply mentions it) once the tension before the
    officer's line is at or below its ``reveal_at_tension``; ``revealed_facts`` are not offered.
    ``'chat'`` renders :func:`render_messages` as generic ChatML; the role-play engine applies the
    model's own chat template to the messages instead.
    """
    if prompt_style == "completion":
        return _completion_prompt(scenario, history, tension, revealed_facts, turn_tensions, summary)
    if prompt_style == "chat":
        messages = render_messages(scenario, history, tension, revealed_facts, turn_tensions, summary)
        body = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return body + "<|im_start|>assistant\n"
    raise ValueError(f"unknown prompt style {prompt_style!r} (expected one of {PROMPT_STYLES})")


_PREFIX = re.compile(r"^\s*(?:\*\*)?[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,2}(?:\*\*)?\s*:\s*")
_STAGE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*[^*]*\*")
_OFFICER = re.compile(r"\b(?:officer|police|cop)\s*:", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?]*[.!?]+[\"')\]]*")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Mt|Sgt|Lt|Capt|Det|vs|[ap]|[ap]\.m)\.$")
_WORD_RUN = re.compile(r"\b(\w+)(?:[\s,]+\1\b){3,}", re.IGNORECASE)
MAX_SENTENCES = 2  # people under stress speak briefly; a short reply also comes sooner
WHOLE_THOUGHT_WORDS = 8
"""A generated reply whose first sentence has this many words ends there: the second sentence is where
the small model drifts off the card (judged blind, stopping there scored a little higher and kept the
replies' substance), while a short first one ("My mom.") still gets its second."""


def clean_reply(text: str) -> str:
    """What the civilian says out loud, tidied from raw model output.

    Drops a leading speaker prefix, anything from an officer line on, stage directions, repeated
    sentences and word loops, keeps at most two sentences and cuts a trailing half sentence (when a
    complete sentence exists). Returns ``""`` when nothing usable is left.
    """
    text = text.replace("<end_of_turn>", "\n").replace("<eos>", "\n").strip()
    officer = _OFFICER.search(text)
    if officer:
        text = text[: officer.start()]
    text = text.split("\n", 1)[0] if text.strip() else ""
    text = _STAGE.sub(" ", text)
    prefix = _PREFIX.match(text)
    if prefix:
        text = text[prefix.end() :]
    text = _WORD_RUN.sub(lambda m: " ".join([m.group(1)] * 3), text)
    text = re.sub(r"\s+", " ", text).strip().lstrip(":;,-–— ").strip('"').strip()
    sentences = _sentences(text)
    if not sentences:
        return text
    kept: list[str] = []
    seen: set[str] = set()
    for sentence in sentences:
        key = re.sub(r"\W+", " ", sentence.lower()).strip()
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return " ".join(kept[:MAX_SENTENCES])


def _sentences(text: str) -> list[str]:
    """Complete sentences; a fragment without words (a leading "...") or one ending in a title such as
    "Mrs." joins the sentence after it."""
    sentences: list[str] = []
    carry = ""
    for raw in _SENTENCE.findall(text):
        piece = carry + (raw if carry and re.search(r"\w", carry) else raw.strip())
        if not re.search(r"\w", piece) or _ABBREVIATION.search(piece):
            carry = piece
        else:
            carry = ""
            sentences.append(piece)
    return sentences


def _sentence_keys(text: str) -> list[str]:
    return [re.sub(r"\W+", " ", s.lower()).strip() for s in _sentences(text)]


def reply_is_complete(text: str) -> bool:
    """True once a streaming reply has said enough: a whole thought, two sentences, or a loop started."""
    if _OFFICER.search(text):
        return True
    keys = [k for k in _sentence_keys(text) if k]
    whole_thought = bool(keys) and len(keys[0].split()) >= WHOLE_THOUGHT_WORDS
    return whole_thought or len(keys) >= MAX_SENTENCES or len(set(keys)) < len(keys)


_FALLBACKS = {
    "calm": "I... I don't know what to say.",
    "tense": "I don't want to talk about it.",
    "agitated": "Just leave me alone!",
}  # by the tension band's level


def fallback_reply(tension: float) -> str:
    """A line in character for when the model produced nothing usable twice."""
    return _FALLBACKS[band_for(tension).level]


def _key_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3}


def mentions_fact(reply: str, fact: str) -> bool:
    """Whether a reply tells the hidden fact: it shares two of its key words, or half of them."""
    fact_words = _key_words(fact)
    shared = fact_words & _key_words(reply)
    return bool(fact_words) and (len(shared) >= 2 or len(shared) * 2 >= len(fact_words))


ECHO_OVERLAP = 0.7
ECHO_RUN = 6  # words in a row: "I said get out of the car! I got my sign." copies the officer


def is_echo(reply: str, earlier: list[str], run: int | None = None) -> bool:
    """Whether a reply mostly repeats an earlier line (the officer's, or the civilian's own), or, with
    ``run``, copies that many of its words in a row. People do throw a few words back ("Calm down? I
    can't breathe."); a whole clause read back is the model copying."""
    said = re.findall(r"[a-z']+", reply.lower())
    words = set(said)
    if len(words) < 4:
        return False
    for line in earlier:
        theirs = re.findall(r"[a-z']+", line.lower())
        if theirs and len(words & set(theirs)) >= ECHO_OVERLAP * len(words):
            return True
        if run and _shares_run(said, theirs, run):
            return True
    return False


def _shares_run(a: list[str], b: list[str], n: int) -> bool:
    runs = {tuple(b[i : i + n]) for i in range(len(b) - n + 1)}
    return any(tuple(a[i : i + n]) in runs for i in range(len(a) - n + 1))
