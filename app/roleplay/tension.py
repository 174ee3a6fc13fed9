"""How tense the civilian is (0 calm to 10 out of control), turn by turn, and when a session is over.

The scale's bands (:data:`TENSION_BANDS`) are defined here once: the prompt's mood cue, the meter's
colour and word, the fallback line and the voice all read them.

Each officer turn moves the tension by its score (the scorer's 0-100, 50 neutral), the techniques
the scorer found (escalating ones weigh more than calming ones: trust is lost faster than it is
won), and its content: the scenario's own triggers and levers, and plain threats, insults and
ultimatums the scorer did not flag. Harder scenarios calm down more slowly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from deescal.scenario_library.schema import Scenario

MIN_TENSION, MAX_TENSION = 0.0, 10.0
RESOLVED_AT = 2.5  # at or below this for RESOLVED_TURNS officer turns in a row: resolved
RESOLVED_TURNS = 3
RESOLVED_MIN_TURNS = 6  # a calm start is not a resolution: the trainee first has the conversation
ESCALATED_TURNS = 3  # officer turns in a row at the top of the scale before the session ends escalated
ESCALATED_SETTING = "escalated_after_turns"  # the instructor's choice of ESCALATED_TURNS (1-6)

SCORE_WEIGHT = 1.2  # a perfect turn lowers tension by this much before other effects
CALMING_STEP, CALMING_CAP = 0.3, 0.9
ESCALATING_STEP, ESCALATING_CAP = 0.8, 2.4
TRIGGER_STEP, LEVER_STEP = 0.7, 0.5
MAX_CALMING = 1.2  # the most one officer line can lower the tension: people calm down a step at a time

_STOPWORDS = frozenset(
    {
        "about",
        "their",
        "them",
        "they",
        "being",
        "from",
        "into",
        "over",
        "under",
        "near",
        "someone",
        "something",
        "some",
        "very",
        "more",
        "less",
        "than",
        "this",
        "that",
        "your",
        "with",
        "what",
        "when",
        "where",
        "have",
        "will",
        "would",
    }
)  # words of four letters or more that say nothing about a trigger or lever

# Universal escalators: present even when a scenario lists no triggers (name, step, pattern).
_ESCALATORS: list[tuple[str, float, re.Pattern[str]]] = [
    (
        "threat",
        1.5,
        re.compile(
            r"\b(or (else|i'?ll)|i'?ll (make|drag|put|taze|tase|shoot|hurt|arrest)|you'?re going to jail|"
            r"i will (make|drag|shoot|hurt|arrest)|last warning|tase you|taser)\b",
            re.I,
        ),
    ),
    (
        "insult",
        1.2,
        re.compile(r"\b(idiot|stupid|moron|shut up|crazy|psycho|pathetic|loser|freak|junkie)\b", re.I),
    ),
    (
        "ultimatum",
        0.9,
        re.compile(
            r"\b(right now|do it now|i'?m not asking|i said|last chance|count(ing)? to (three|five|ten|3|5|10))\b",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class TensionBand:
    """One stretch of the scale, up to ``upper``, and how it shows."""

    upper: float
    mood: str  # how the civilian sounds, in the prompt's speaker tag ("Dale (guarded):")
    level: str  # the meter's coarser word, which also picks its colour: "calm", "tense" or "agitated"


# The mood sits in the speaker tag, screenplay style ("Dale (agitated, raising voice):"): right where
# the reply starts, a small base model follows it far better than a note higher up.
TENSION_BANDS: tuple[TensionBand, ...] = (
    TensionBand(2.0, "calm", "calm"),
    TensionBand(4.0, "calmer", "calm"),
    TensionBand(6.0, "guarded", "tense"),
    TensionBand(8.0, "agitated, raising voice", "agitated"),
    TensionBand(MAX_TENSION, "shouting, furious", "agitated"),
)


def band_for(tension: float) -> TensionBand:
    """The band a tension falls in (values off the scale fall in the nearest end band)."""
    return next((band for band in TENSION_BANDS if tension <= band.upper), TENSION_BANDS[-1])


def on_scale(value: float) -> float:
    """``value`` held within the scale, unrounded (for display and the voice)."""
    return min(MAX_TENSION, max(MIN_TENSION, float(value)))


def scale_fraction(tension: float) -> float:
    """Where a tension lies on the scale: 0.0 calm to 1.0 out of control."""
    return (on_scale(tension) - MIN_TENSION) / (MAX_TENSION - MIN_TENSION)


class ScoredTurn(Protocol):
    """What the tension model needs from a scorer's result (``deescal.app.scoring.TurnScore``)."""

    score: float
    techniques: list


@dataclass
class TensionUpdate:
    before: float
    after: float
    reasons: list[str] = field(default_factory=list)

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)


def _content_words(phrase: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", phrase.lower()) if len(w) > 3 and w not in _STOPWORDS}


def _mentions(phrases: list[str], text_words: set[str]) -> list[str]:
    """The scenario phrases (triggers or levers) whose key words the officer used."""
    return [phrase for phrase in phrases if _content_words(phrase) & text_words]


def clamp(value: float) -> float:
    return round(on_scale(value), 2)


def next_tension(current: float, scored: ScoredTurn, officer_text: str, scenario: Scenario) -> TensionUpdate:
    """The tension after one officer turn, with the reasons it moved (for the review)."""
    calm_scale = 1.2 - 0.1 * scenario.difficulty  # difficulty 1: 1.1 ... 5: 0.7
    escalate_scale = 0.8 + 0.1 * scenario.difficulty  # difficulty 1: 0.9 ... 5: 1.3
    up, down, reasons = 0.0, 0.0, []

    from_score = (50.0 - float(scored.score)) / 50.0 * SCORE_WEIGHT
    if from_score > 0:
        up += from_score
    else:
        down -= from_score
    reasons.append(f"score {scored.score:.0f}")

    polarities = [int(getattr(t, "polarity", 0)) for t in scored.techniques]
    calming = sum(1 for p in polarities if p > 0)
    escalating = sum(1 for p in polarities if p < 0)
    if calming:
        down += min(CALMING_CAP, CALMING_STEP * calming)
        reasons.append(f"{calming} calming technique(s)")
    if escalating:
        up += min(ESCALATING_CAP, ESCALATING_STEP * escalating)
        reasons.append(f"{escalating} escalating technique(s)")

    if not escalating:  # the scorer's own escalating techniques already cover these words
        for name, step, pattern in _ESCALATORS:
            if pattern.search(officer_text):
                up += step
                reasons.append(name)

    words = _content_words(officer_text)
    for trigger in _mentions(scenario.triggers, words):
        up += TRIGGER_STEP
        reasons.append(f"trigger: {trigger}")
    for lever in _mentions(scenario.levers, words):
        down += LEVER_STEP
        reasons.append(f"lever: {lever}")

    after = clamp(current + max(-MAX_CALMING, up * escalate_scale - down * calm_scale))
    return TensionUpdate(before=current, after=after, reasons=reasons)


def outcome(tensions: list[float], escalated_after: int = ESCALATED_TURNS) -> str | None:
    """``'escalated'``, ``'resolved'`` or ``None`` (still going), from the tension after each officer turn.

    One line that hits the top of the scale does not end the session: the civilian escalates in
    words, and the trainee has ``escalated_after - 1`` more lines to bring the tension down. Nor does
    a scenario that starts calm resolve after three polite lines: resolving takes
    ``RESOLVED_MIN_TURNS`` officer lines at least.
    """
    top = tensions[-escalated_after:]
    if len(top) == escalated_after and all(t >= MAX_TENSION for t in top):
        return "escalated"
    recent = tensions[-RESOLVED_TURNS:]
    calm = len(recent) == RESOLVED_TURNS and all(t <= RESOLVED_AT for t in recent)
    if calm and len(tensions) >= RESOLVED_MIN_TURNS:
        return "resolved"
    return None


def escalation_turns(tensions: list[float]) -> list[int]:
    """Indexes (0-based, among officer turns) where the tension reached the top of the scale."""
    return [
        n for n, t in enumerate(tensions) if t >= MAX_TENSION and (n == 0 or tensions[n - 1] < MAX_TENSION)
    ]


def replay(scenario: Scenario, turns: list[tuple[str, str]], scorer) -> list[float | None]:
    """The tension the role-play would have shown at each turn of a finished dialogue.

    ``turns`` are ``(role, text)`` with role ``'officer'`` or ``'civilian'``; each officer line is
    scored (with the civilian line before it) and moves the tension as in a live session. A civilian
    line gets the tension it was spoken under (after the officer line it answers); officer lines get
    ``None``. Used to give transcripts and written dialogues the mood cues the live prompt carries.
    """
    tension = float(scenario.initial_tension)
    found: list[float | None] = []
    before: str | None = None
    for role, text in turns:
        if role == "officer":
            tension = next_tension(tension, scorer.score(text, before), text, scenario).after
            found.append(None)
        else:
            before = text
            found.append(tension)
    return found
