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
_MOODS: list[tuple[float, str]] = [
    (2.0, "calm and cooperative, speaking normally"),
    (4.0, "calmer now, starting to trust the officer"),
    (6.0, "tense and guarded, short answers"),
    (8.0, "agitated, raising their voice"),
    (10.0, "furious and shouting, close to losing control"),
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
        f"{name} answers the officer in one to three short spoken sentences and never speaks for the officer."
    )
    return "\n".join(lines)


def _cue(scenario: Scenario, tension: float) -> str:
    return f"({speaker_tag(scenario)} is {mood_for(tension)}.)"


def _reveal_cue(scenario: Scenario, facts: list[str]) -> str:
    return f"({speaker_tag(scenario)} trusts the officer enough to admit: {' '.join(facts)})"


def _completion_prompt(
    scenario: Scenario,
    history: list[tuple[str, str]],
    tension: float,
    revealed_facts: list[str] | None,
    turn_tensions: list[float] | None,
) -> str:
    name = speaker_tag(scenario)
    parts = [_card(scenario), ""]
    replies = 0
    for role, text in history:
        if role == "officer":
            parts.append(f"{OFFICER_TAG}: {text}")
        else:
            if turn_tensions is not None and replies < len(turn_tensions):
                parts.append(_cue(scenario, turn_tensions[replies]))
            parts.append(f"{name}: {text}")
            replies += 1
    parts.append(_cue(scenario, tension))
    facts = facts_to_reveal(scenario, tension, revealed_facts)
    if facts:
        parts.append(_reveal_cue(scenario, facts))
    return "\n".join(parts) + f"\n{name}:"


def render_messages(
    scenario: Scenario,
    history: list[tuple[str, str]],
    tension: float,
    revealed_facts: list[str] | None = None,
    turn_tensions: list[float] | None = None,
) -> list[dict[str, str]]:
    """Chat messages for models with a chat template: the card as system prompt, officer = user."""
    name = speaker_tag(scenario)
    system = (
        f"You play {scenario.character_profile.name} in a police de-escalation training role-play. "
        f"Stay in character, reply only with what {name} says out loud, one to three short sentences, "
        "and never write the officer's lines.\n\n" + _card(scenario)
    )
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
) -> str:
    """The text the model continues with the civilian's next line.

    ``history`` holds ``(role, text)`` pairs, role ``'officer'`` or ``'civilian'``, ending with the
    officer line being answered. ``tension`` (0-10) is the tension the civilian answers under;
    ``turn_tensions`` (optional) are the tensions of the earlier civilian replies, in order, so their
    cues are kept in the transcript (which keeps the prompt prefix identical between turns).
    ``'chat'`` renders :func:`render_messages` as generic ChatML; the role-play engine applies the
    model's own chat template to the messages instead.
    """
    if prompt_style == "completion":
        return _completion_prompt(scenario, history, tension, revealed_facts, turn_tensions)
    if prompt_style == "chat":
        messages = render_messages(scenario, history, tension, revealed_facts, turn_tensions)
        body = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return body + "<|im_start|>assistant\n"
    raise ValueError(f"unknown prompt style {prompt_style!r} (expected one of {PROMPT_STYLES})")


_PREFIX = re.compile(r"^\s*(?:\*\*)?[A-Z][\w .'-]{0,30}?(?:\*\*)?\s*:\s*")
_STAGE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*[^*]*\*")
_OFFICER = re.compile(r"\b(?:officer|police|cop)\s*:", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?]*[.!?]+[\"')\]]*")
_WORD_RUN = re.compile(r"\b(\w+)(?:[\s,]+\1\b){3,}", re.IGNORECASE)
MAX_SENTENCES = 3


def clean_reply(text: str) -> str:
    """What the civilian says out loud, tidied from raw model output.

    Drops a leading speaker prefix, anything from an officer line on, stage directions, repeated
    sentences and word loops, keeps at most three sentences and cuts a trailing half sentence (when a
    complete sentence exists). Returns ``""`` when nothing usable is left.
    """
    text = text.replace("<end_of_turn>", "\n").replace("<eos>", "\n").strip()
    officer = _OFFICER.search(text)
    if officer:
        text = text[: officer.start()]
    text = text.split("\n", 1)[0] if text.strip() else ""
    prefix = _PREFIX.match(text)
    if prefix and not _OFFICER.match(text):
        text = text[prefix.end() :]
    text = _STAGE.sub(" ", text)
    text = _WORD_RUN.sub(lambda m: " ".join([m.group(1)] * 3), text)
    text = re.sub(r"\s+", " ", text).strip().strip('"').strip()
    sentences = [s.strip() for s in _SENTENCE.findall(text)]
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
