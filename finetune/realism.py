"""Automatic realism measures of role-play transcripts (the blind judges' rubric is the real test).

For each civilian reply: is it stock filler, does it repeat an earlier reply, does it speak for the
officer or to someone not there, how tense it sounds (``finetune/arousal.py``, to compare with the
tension it was spoken under), how relevant it is to the officer's line, and whether it tells a
hidden fact before the officer earned it. ``measure(transcripts)`` aggregates them over many role-plays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from deescal.app.pii_words import first_names
from deescal.app.roleplay.persona import mentions_fact
from deescal.app.roleplay.reply_quality import (
    addresses_absent,
    is_stock_filler,
    repeats_earlier,
    speaks_for_officer,
)
from deescal.finetune.arousal import predict as predict_arousal
from deescal.scenario_library.schema import Scenario


@dataclass
class Reply:
    officer: str
    text: str
    tension: float  # the tension the reply was spoken under
    trust: float  # the tension before the officer's line (what earns a hidden fact)


@dataclass
class Transcript:
    scenario: Scenario
    replies: list[Reply]
    label: str = ""
    meta: dict = field(default_factory=dict)


def spearman(x: list[float], y: list[float]) -> float | None:
    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def _scene_names(transcript: Transcript, upto: int) -> set[str]:
    """Names of people present: the civilian, and whoever the officer has named so far (themself)."""
    said = " ".join(r.officer for r in transcript.replies[: upto + 1])
    present = {w.lower() for w in transcript.scenario.character_profile.name.split()}
    present |= {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", said)}
    return present


_RELATION = (
    r"son|daughter|wife|husband|partner|brother|sister|mother|mom|mum|father|dad|friend|boyfriend|"
    r"girlfriend|fianc[ée]e?|neighbou?r|roommate|uncle|aunt|cousin|grandson|granddaughter|nephew|niece|"
    r"child|kid|baby|boss|manager|dog|cat|named|called"
)


def _card_names(scenario: Scenario) -> set[str]:
    """Names a civilian could wrongly talk to: common first names, and the card's named people (a
    capitalised word after a relation, "her son Dylan", not a place or an institution like "Army")."""
    text = " ".join([scenario.scenario_context, scenario.character_profile.background])
    named = re.findall(rf"\b(?:{_RELATION}),?\s+([A-Z][a-z]{{2,}})\b", text)
    return {n.lower() for n in named} | {n.lower() for n in first_names()}


def measure(transcripts: list[Transcript], encoder) -> dict:
    """The automatic measures over every reply of ``transcripts`` (``encoder``: MiniLM)."""
    replies = [(t, n, r) for t in transcripts for n, r in enumerate(t.replies)]
    if not replies:
        return {"replies": 0}
    texts = [r.text for _, _, r in replies]
    vectors = encoder.encode(texts)
    officer = encoder.encode([r.officer for _, _, r in replies])
    relevance = np.sum(vectors * officer, axis=1)
    filler = repeats = for_officer = absent = 0
    premature = told = 0
    for transcript, n, reply in replies:
        earlier = [r.text for r in transcript.replies[:n]]
        filler += is_stock_filler(reply.text)
        repeats += repeats_earlier(reply.text, earlier)
        for_officer += speaks_for_officer(reply.text)
        absent += addresses_absent(reply.text, _scene_names(transcript, n), _card_names(transcript.scenario))
        for fact in transcript.scenario.hidden_facts:
            if mentions_fact(reply.text, fact.text) and not any(mentions_fact(e, fact.text) for e in earlier):
                told += 1
                premature += reply.trust > fact.reveal_at_tension
    arousals = [float(a) for a in predict_arousal(vectors)]
    tensions = [r.tension for _, _, r in replies]
    earned = _facts_when_earned(transcripts)
    total = len(replies)
    return {
        "replies": total,
        "transcripts": len(transcripts),
        "stock_filler": round(filler / total, 4),
        "repeats": round(repeats / total, 4),
        "speaks_for_officer_or_absent": round((for_officer + absent) / total, 4),
        "arousal_tension_spearman": spearman(arousals, tensions),
        "relevance_minilm": round(float(np.mean(relevance)), 4),
        "facts_told": told,
        "facts_told_before_trust": premature,
        "facts_told_when_earned": earned,
        "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
    }


def _facts_when_earned(transcripts: list[Transcript]) -> dict:
    """Of the facts whose trust was earned (by a turn with two more to follow), how many came out."""
    earned = came_out = 0
    for transcript in transcripts:
        for fact in transcript.scenario.hidden_facts:
            first = next(
                (n for n, r in enumerate(transcript.replies) if r.trust <= fact.reveal_at_tension), None
            )
            if first is None or first + 2 >= len(transcript.replies):
                continue
            earned += 1
            came_out += any(mentions_fact(r.text, fact.text) for r in transcript.replies[first:])
    return {"earned": earned, "told": came_out, "share": round(came_out / earned, 3) if earned else None}
