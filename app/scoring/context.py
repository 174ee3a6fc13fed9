"""What the civilian just said changes what a good officer turn is.

A firm order right after a weapon threat is legitimate; dismissing someone who just said they
want to die is worse than dismissing a grumble. This module reads the civilian line before the
officer's turn and names the situations that matter.
"""

from __future__ import annotations

import re

from deescal.scenario_library.schema import Scenario

DANGER = "danger"
SELF_HARM = "self_harm"
DISTRESS = "distress"
CONTEXT_KINDS = (DANGER, SELF_HARM, DISTRESS)

_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    DANGER: tuple(
        re.compile(e, re.IGNORECASE)
        for e in (
            # A weapon by itself is not a threat (a fisherman's fillet knife); a weapon held, raised
            # or pointed, or a promise to hurt, is.
            r"\b(?:I'?ll|I will|I'?m (?:going to|gonna)|gonna|I swear I'?ll) (?:kill|stab|shoot|cut|hurt|slit|blow|burn|smash|slice|use it)\b(?! myself)",
            r"\b(?:holding|waving|swinging|pointing|aiming|brandishing|raising|pulled|pulls|got|has|have|armed with)\b[^.?!]{0,30}\b(?:knife|knives|gun|pistol|rifle|shotgun|blade|machete|bat|hammer|axe|box ?cutter|razor|bottle|weapon|firearm|screwdriver|crowbar|crossbow)\b",
            r"\b(?:stay|get|step|back) (?:back|away|off)\b[^.?!]* or\b",
            r"\b(?:back off|get away from me|leave) or (?:I|I'?ll)\b",
            r"\bcome (?:any )?closer\b",
            r"\b(?:he'?s|she'?s|they'?re|he is|she is) (?:got|holding|armed|swinging|pointing|waving|coming at)\b",
            r"\((?:[^)]*\b(?:raises|waves|swings|swinging|points|pointing|aims|aiming|lunges|brandish\w*|pulls|reaching for|holding the \w+ (?:over|to|against)))\b",
            r"\b(?:not afraid to use it|I'?ll use it)\b",
            r"\b(?:you'?re dead|try me|you want some of this)\b",
        )
    ),
    SELF_HARM: tuple(
        re.compile(e, re.IGNORECASE)
        for e in (
            r"\b(?:kill|hurt|cut|end) (?:myself|my life|it all)\b",
            r"\b(?:want|wanna|going) to die\b",
            r"\bsuicid\w*",
            r"\b(?:no (?:point|reason) (?:in )?(?:living|going on|to live))\b",
            r"\b(?:jump|overdose|took (?:all )?(?:my|the) pills)\b",
            r"\bbetter off (?:dead|without me)\b",
        )
    ),
    DISTRESS: tuple(
        re.compile(e, re.IGNORECASE)
        for e in (
            r"\b(?:scared|terrified|afraid|panic\w*|crying|can'?t breathe|help me|please help)\b",
            r"\b(?:died|dead|passed away|missing|lost (?:my|our)|nowhere to go|homeless|evicted)\b",
            r"\b(?:hurts?|hurting|bleeding|sick|pain)\b",
        )
    ),
}

_SELF_NAME = re.compile(r"\b(?i:my name(?:'s| is)|call me|I'?m|I am|it'?s)\s+([A-Z][a-z]{2,})\b")
_NOT_NAMES = {
    "Not",
    "Fine",
    "Okay",
    "Sorry",
    "Just",
    "Going",
    "Scared",
    "Tired",
    "Done",
    "Here",
    "Sure",
    "Trying",
    "Telling",
    "So",
    "The",
    "Alright",
    "Leaving",
    "Good",
    "Sick",
    "Drunk",
    "Home",
}


def classify_context(civilian_before: str | None, similarity: dict[str, float] | None = None) -> set[str]:
    """The context kinds present in the civilian's line, by pattern or by MiniLM similarity.

    ``similarity`` maps a kind to the best cosine similarity of the line to that kind's bank.
    """
    if not civilian_before or not civilian_before.strip():
        return set()
    found = {kind for kind, patterns in _PATTERNS.items() if any(p.search(civilian_before) for p in patterns)}
    for kind, value in (similarity or {}).items():
        if value >= CONTEXT_SIMILARITY:
            found.add(kind)
    return found


CONTEXT_SIMILARITY = 0.62

# The scenario's own state shows a threat when its card puts a weapon in the person's hands and
# the tension is this high; a card tagged "low-threat" (a fisherman's fillet knife) never does.
THREAT_TENSION = 6.0
_CARD_WEAPON = re.compile(
    r"\b(?:knife|knives|gun|pistol|rifle|shotgun|blade|machete|bat|hammer|axe|box ?cutter|razor|"
    r"bottle|weapon|firearm|screwdriver|crowbar|crossbow|armed)\b",
    re.IGNORECASE,
)


def scene_shows_threat(scenario: Scenario, tension: float) -> bool:
    """Whether the scenario's current state, not just the last line, makes a safety command right."""
    if "low-threat" in scenario.tags or tension < THREAT_TENSION:
        return False
    return bool(
        _CARD_WEAPON.search(scenario.scenario_context) or any(_CARD_WEAPON.search(t) for t in scenario.tags)
    )


def civilian_name(civilian_before: str | None) -> str | None:
    """A first name the civilian gave for themselves ("I'm Dana", "call me Dee"), if any."""
    if not civilian_before:
        return None
    for match in _SELF_NAME.finditer(civilian_before):
        if match.group(1) not in _NOT_NAMES:
            return match.group(1)
    return None
