"""A character card guessed from a real transcript: category, emotional state, tension, difficulty.

Imported transcripts have no author to fill in the card, so it is read off the words: the category
from what everyone talks about, the civilian's emotional state and starting tension from their
first lines, and the difficulty from escalation markers (weapons, force, arrest, injuries). These
are rough, explainable guesses; the instructor can edit any imported scenario afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Category -> words that suggest it. Names follow the bundled library's categories where they overlap.
CATEGORY_CUES: dict[str, tuple[str, ...]] = {
    "Traffic stop": (
        r"pulled (you|him|her) over", r"\blicen[cs]e\b", r"\bregistration\b", r"\binsurance\b",
        r"\bspeeding\b", r"\bmph\b|miles an hour", r"stop sign", r"traffic stop", r"\bplate\b",
        r"\b(head|tail)lights?\b", r"reason i stopped you", r"\bin a \d\d\b",
    ),
    "Intoxicated person": (
        r"\bdrunk\b", r"\bdrinking\b", r"\balcohol\b", r"\bintoxicated\b", r"\bbeer\b",
        r"\bsobriety\b", r"\bd[uw]i\b", r"breath (sample|test)", r"\bmeth\b", r"\bweed\b",
    ),
    "Domestic disturbance": (
        r"\bdomestic\b", r"\bboyfriend\b", r"\bgirlfriend\b", r"\bhusband\b", r"\bmy wife\b",
        r"protection order", r"\bcustody\b", r"\bhe hit me\b|\bshe hit me\b", r"\bargument\b",
    ),
    "Theft or unpaid bill": (
        r"\bstole\b", r"\bstolen\b", r"\btheft\b", r"\bshoplift", r"\bpay (for|the)\b", r"\bbill\b",
        r"\breceipt\b", r"loss prevention", r"\brefund\b", r"\brobbery\b", r"\bscam",
    ),
    "Trespass or refusal to leave": (
        r"\btrespass", r"leave the property", r"not welcome", r"asked (her|him|you) to leave",
        r"\bevict", r"\blandlord\b", r"\btenant\b", r"\bwon'?t leave\b",
    ),
    "Mental-health crisis": (
        r"\bmental\b", r"\bmedication\b", r"\bhallucinat", r"hearing voices", r"\bparanoi",
        r"\bbipolar\b", r"\bschizo", r"\bcrisis\b",
    ),
    "Suicidal person": (r"kill myself", r"\bsuicid", r"end my life", r"want to die", r"hurt yourself"),
    "Person with an edged weapon": (r"\bknife\b", r"\bknives\b", r"\bmachete\b", r"\bblade\b", r"\bstabb"),
    "Armed person": (
        r"\bgun\b", r"shots fired", r"\brifle\b", r"\bfirearm\b", r"\bshotgun\b", r"\bpistol\b",
        r"drop the gun", r"\bshooting\b",
    ),
    "Welfare check or homelessness": (
        r"welfare check", r"\bhomeless\b", r"check on (you|her|him)", r"missing person",
    ),
    "Neighbour dispute": (r"\bneighbou?rs?\b", r"\bfence\b", r"property line", r"\bnoise\b"),
    "Juvenile": (r"\bjuvenile\b", r"\bminor\b", r"\bteenager\b", r"\bhigh school\b", r"\b1[2-7] years old\b"),
    "Medical emergency mistaken for non-compliance": (
        r"\bambulance\b", r"\bmedics?\b", r"\bseizure\b", r"\bdiabet", r"\boverdose\b",
        r"can'?t breathe", r"\bbleeding\b",
    ),
    "Language barrier": (r"\bespañol\b", r"\bspanish\b", r"\binterpreter\b", r"\btranslat", r"no english"),
    "Grief or death notification": (r"passed away", r"\bdeceased\b", r"\bdied\b", r"\bhe'?s dead\b"),
}  # fmt: skip
DEFAULT_CATEGORY = "Disturbance call"

EMOTION_CUES: dict[str, tuple[str, ...]] = {
    "angry": (r"\bfuck", r"\bshit\b", r"\bbitch", r"\bpissed\b", r"\bhate\b", r"\bmad\b", r"\bbullshit\b", r"\bracist\b", r"leave me alone"),
    "frightened": (r"\bscared\b", r"\bafraid\b", r"\bterrified\b", r"please don'?t", r"don'?t shoot", r"\bhelp\b", r"oh my god"),
    "distressed": (r"\bcry", r"\bi can'?t\b", r"\bdied\b", r"\bdead\b", r"my baby", r"\bhurts?\b", r"\bplease\b"),
    "intoxicated": (r"\bdrunk\b", r"\bdrinking\b", r"\bdrank\b", r"\bbeers?\b", r"\bhigh\b", r"\bvodka\b"),
    "confused": (r"i don'?t know", r"what'?s going on", r"what happened", r"^huh\b", r"\bconfused\b", r"i don'?t understand"),
    "defiant": (r"i don'?t have to", r"my rights", r"i'?m not going", r"you can'?t", r"\blawyer\b", r"i'?m not (doing|getting)"),
    "cooperative": (r"yes,? (sir|ma'?am|officer)", r"\bthank you\b", r"no problem", r"^(okay|ok|sure|alright)\b"),
    "anxious": (r"\bnervous\b", r"\bworried\b", r"\banxious\b", r"\bi'?m sorry\b"),
}  # fmt: skip
ESCALATION_CUES: dict[str, tuple[str, float]] = {
    "weapon": (r"\bgun\b|\bknife\b|shots fired|\brifle\b|\bfirearm\b|\bmachete\b|\bshotgun\b", 1.5),
    "use-of-force": (r"\btaser\b|get on the ground|stop resisting|\bcuff|\bpunch|\btackle", 1.0),
    "arrest": (r"under arrest|going to jail|\bbooked\b|\bwarrant\b", 0.5),
    "injury": (r"\bblood\b|\bbleeding\b|\bi'?m hit\b|\bambulance\b|\bhospital\b", 0.5),
    "intoxication": (r"\bdrunk\b|\bintoxicated\b|\bsobriety\b|\bdrinking\b", 0.3),
}
PROFANITY = re.compile(r"\b(fuck\w*|shit\w*|bitch\w*|ass(hole)?|damn|bullshit)\b", re.IGNORECASE)


def _compiled(table: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
    """One alternation per key, so a text is scanned once per key rather than once per cue.

    The cues are lower case and matched against lower-cased text: much faster than IGNORECASE.
    """
    return {
        key: re.compile("|".join(f"(?:{p})" for p in patterns), re.MULTILINE)
        for key, patterns in table.items()
    }


_CATEGORIES = _compiled(CATEGORY_CUES)
_EMOTIONS = _compiled(EMOTION_CUES)


@dataclass(frozen=True)
class CardGuess:
    category: str
    emotional_state: str
    initial_tension: float
    difficulty: int
    markers: tuple[str, ...]


def guess_category(texts: Sequence[str], weighted: Sequence[str] = ()) -> str:
    """The category whose cues appear most often; ``weighted`` texts (narration, dispatch) count triple."""
    plain, heavy = "\n".join(texts).lower(), "\n".join(weighted).lower()
    scores = {
        category: len(cues.findall(plain)) + 3 * len(cues.findall(heavy))
        for category, cues in _CATEGORIES.items()
    }
    best = max(scores, key=lambda c: scores[c])
    return best if scores[best] >= 2 else DEFAULT_CATEGORY


def guess_emotional_state(lines: Sequence[str]) -> str:
    lowered = [line.lower() for line in lines]
    counts = {emotion: sum(1 for line in lowered if cues.search(line)) for emotion, cues in _EMOTIONS.items()}
    ranked = [e for e in sorted(counts, key=lambda e: -counts[e]) if counts[e] >= max(2, len(lines) * 0.04)]
    return ", ".join(ranked[:2]) or "guarded"


def _line_intensity(line: str) -> float:
    score = 1.5 * bool(PROFANITY.search(line)) + 0.5 * line.count("!")
    score += 0.5 * any(w.isupper() and len(w) > 2 for w in line.split())
    line = line.lower()
    for emotion, weight in (("angry", 1.0), ("defiant", 1.0), ("frightened", 0.7), ("cooperative", -0.7)):
        score += weight * bool(_EMOTIONS[emotion].search(line))
    return score


def guess_initial_tension(civilian_lines: Sequence[str]) -> float:
    """0-10 from the civilian's first twenty lines: swearing, shouting, defiance raise it; politeness lowers it.

    Scaled so that a typical opening of the DeEscalWild transcripts (mostly short answers) lands
    near 3.5 and the angriest tenth above 6.
    """
    opening = list(civilian_lines[:20])
    if not opening:
        return 5.0
    mean = sum(_line_intensity(line) for line in opening) / len(opening)
    return round(min(10.0, max(0.0, 3.0 + 8.0 * mean)), 1)


def escalation_markers(texts: Sequence[str]) -> list[str]:
    joined = "\n".join(texts).lower()
    return [name for name, (pattern, _) in ESCALATION_CUES.items() if re.search(pattern, joined)]


def guess_difficulty(
    texts: Sequence[str], civilian_lines: Sequence[str], tension: float, civilians: int
) -> int:
    """1-5: weapons, force, arrest and injury markers, swearing and several civilians make it harder."""
    score = sum(ESCALATION_CUES[m][1] for m in escalation_markers(texts))
    swearing = sum(bool(PROFANITY.search(line)) for line in civilian_lines) / max(len(civilian_lines), 1)
    score += 1.0 * (swearing > 0.1) + 0.5 * (civilians > 1) + 0.5 * (tension >= 7)
    return int(min(5, max(1, 1 + round(score))))


def guess_card(
    texts: Sequence[str], civilian_lines: Sequence[str], context_lines: Sequence[str], civilians: int
) -> CardGuess:
    tension = guess_initial_tension(civilian_lines)
    return CardGuess(
        category=guess_category(texts, context_lines),
        emotional_state=guess_emotional_state(civilian_lines),
        initial_tension=tension,
        difficulty=guess_difficulty(texts, civilian_lines, tension, civilians),
        markers=tuple(escalation_markers(texts)),
    )
