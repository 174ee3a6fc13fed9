"""The civilian's persona as a prompt: scenario card, dialogue so far, and the current agitation cue.

The same function builds the prompts for role-play and the training samples for fine-tuning, so its
output is deterministic and its layout is stable from turn to turn: the card and every earlier turn
render identically each time, and only the newest officer line and the cue for the reply are new.
That lets llama.cpp reuse its KV cache for everything before them.
"""

from __future__ import annotations

import re

from deescal.scenario_library.schema import Scenario

OFFICER_TAG = "Officer"
STOP_SEQUENCES: list[str] = ["\n", "Officer:", "OFFICER:", "<end_of_turn>", "<eos>"]
"""Where a civilian's line ends: the end of the line, or the officer starting to speak."""

PROMPT_STYLES = ("completion", "chat")

# (upper bound of the band, how the civilian sounds); tension is 0 (calm) to 10 (out of control).
# The mood sits in the speaker tag, screenplay style ("Dale (agitated, raising voice):"): right where
# the reply starts, a small base model follows it far better than a note higher up.
_MOODS: list[tuple[float, str]] = [
    (2.0, "calm"),
    (4.0, "calmer"),
    (6.0, "guarded"),
    (8.0, "agitated, raising voice"),
    (10.0, "shouting, furious"),
]


def speaker_tag(scenario: Scenario) -> str:
    """The name the civilian's lines carry in the transcript (first name, as people are addressed)."""
    name = scenario.character_profile.name.strip()
    return name.split()[0] if name else "Civilian"


def mood_for(tension: float) -> str:
    for upper, mood in _MOODS:
        if tension <= upper:
            return mood
    return _MOODS[-1][1]


def facts_to_reveal(scenario: Scenario, tension: float, revealed_facts: list[str] | None) -> list[str]:
    """Hidden facts the civilian now trusts the officer enough to tell, not yet told."""
    told = set(revealed_facts or [])
    return [
        fact.text
        for fact in scenario.hidden_facts
        if tension <= fact.reveal_at_tension and fact.text not in told
    ]


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


def _reveal_cue(scenario: Scenario, facts: list[str]) -> str:
    return f"({speaker_tag(scenario)} trusts the officer enough to admit: {' '.join(facts)})"


def _completion_prompt(
    scenario: Scenario,
    history: list[tuple[str, str]],
    tension: float,
    revealed_facts: list[str] | None,
    turn_tensions: list[float] | None,
    summary: str | None,
) -> str:
    parts = [_card(scenario), ""]
    if summary:
        parts += [f"(Earlier: {summary})", ""]
    replies = 0
    for role, text in history:
        if role == "officer":
            parts.append(f"{OFFICER_TAG}: {text}")
        else:
            known = turn_tensions is not None and replies < len(turn_tensions)
            parts.append(f"{_tag(scenario, turn_tensions[replies] if known else None)} {text}")
            replies += 1
    facts = facts_to_reveal(scenario, tension, revealed_facts)
    if facts:
        parts.append(_reveal_cue(scenario, facts))
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
    messages = [{"role": "system", "content": system}]
    officer_lines = sum(1 for role, _ in history if role == "officer")
    seen_officer = 0
    for role, text in history:
        if role == "officer":
            seen_officer += 1
            is_last = seen_officer == officer_lines
            if is_last:
                cue = _cue(scenario, tension)
                facts = facts_to_reveal(scenario, tension, revealed_facts)
                if facts:
                    cue += "\n" + _reveal_cue(scenario, facts)
            elif turn_tensions is not None and seen_officer - 1 < len(turn_tensions):
                cue = _cue(scenario, turn_tensions[seen_officer - 1])
            else:
                cue = ""
            messages.append(
                {"role": "user", "content": f"{OFFICER_TAG}: {text}" + (f"\n{cue}" if cue else "")}
            )
        else:
            messages.append({"role": "assistant", "content": text})
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
_WORD_RUN = re.compile(r"\b(\w+)(?:[\s,]+\1\b){3,}", re.IGNORECASE)
MAX_SENTENCES = 2  # people under stress speak briefly; a short reply also comes sooner


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
    """Complete sentences; a fragment without words (a leading "...") joins the sentence after it."""
    sentences: list[str] = []
    carry = ""
    for piece in _SENTENCE.findall(text):
        piece = carry + piece.strip()
        carry = "" if re.search(r"\w", piece) else piece
        if not carry:
            sentences.append(piece)
    return sentences


def _sentence_keys(text: str) -> list[str]:
    return [re.sub(r"\W+", " ", s.lower()).strip() for s in _sentences(text)]


def reply_is_complete(text: str) -> bool:
    """True once a streaming reply has all it will keep: enough sentences, or a loop has started."""
    if _OFFICER.search(text):
        return True
    keys = [k for k in _sentence_keys(text) if k]
    return len(keys) >= MAX_SENTENCES or len(set(keys)) < len(keys)


_FALLBACKS = [
    (4.0, "I... I don't know what to say."),
    (7.0, "I don't want to talk about it."),
    (10.0, "Just leave me alone!"),
]


def fallback_reply(tension: float) -> str:
    """A line in character for when the model produced nothing usable twice."""
    for upper, line in _FALLBACKS:
        if tension <= upper:
            return line
    return _FALLBACKS[-1][1]


def _key_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3}


def mentions_fact(reply: str, fact: str) -> bool:
    """Whether a reply tells the hidden fact: it shares two of its key words, or half of them."""
    fact_words = _key_words(fact)
    shared = fact_words & _key_words(reply)
    return bool(fact_words) and (len(shared) >= 2 or len(shared) * 2 >= len(fact_words))


ECHO_OVERLAP = 0.7


def is_echo(reply: str, earlier: list[str]) -> bool:
    """Whether a reply mostly repeats an earlier line (the officer's, or the civilian's own)."""
    words = set(re.findall(r"[a-z']+", reply.lower()))
    if len(words) < 4:
        return False
    for line in earlier:
        other = set(re.findall(r"[a-z']+", line.lower()))
        if other and len(words & other) >= ECHO_OVERLAP * len(words):
            return True
    return False
