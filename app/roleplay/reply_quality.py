"""What makes a civilian line unbelievable, as checks: stock filler, assistant language, speaking
for the officer, talking to someone absent, repeating itself.

One place for these rules: the corpus validator refuses written lines that break them and the
realism benchmark counts the model's replies that do.
"""

from __future__ import annotations

import re

from deescal.app.roleplay.persona import ECHO_RUN, is_echo

STOCK_FILLER = frozenset(
    {
        "i don't know",
        "i dont know",
        "what",
        "huh",
        "okay",
        "ok",
        "yes",
        "no",
        "yeah",
        "i'm sorry",
        "sorry",
        "i don't understand",
        "i can't get out of here",
        "what do you want",
        "what do you mean",
        "i'm not sure",
        "i'm fine",
        "thank you",
        "thanks",
        "i don't want to talk about it",
        "i don't know what to say",
        "just leave me alone",
        "leave me alone",
    }
)
"""Lines that could be said by anyone in any scene: alone, they tell the trainee nothing."""

_ASSISTANT = re.compile(
    r"\b(i understand your (concern|frustration|feelings?)|i appreciate (that|your|you)|"
    r"thank you for your (assistance|help|understanding|patience|service)|how can i (help|assist)|"
    r"is there anything else|as an ai|i'?m here to help|i hope this helps|let me know if|"
    r"i apologi[sz]e for any|rest assured|feel free to)\b",
    re.IGNORECASE,
)
_FOR_OFFICER = re.compile(r"(^|\s)(officer|deputy|trooper|sergeant|police|cop)\s*:", re.IGNORECASE)


def normalised(text: str) -> str:
    """Lower case, letters and apostrophes only, single spaces, a stammered word once ("i i" -> "i")."""
    words = re.sub(r"[^a-z' ]+", " ", text.lower().replace("\u2019", "'")).split()
    return " ".join(w for n, w in enumerate(words) if n == 0 or w != words[n - 1])


def is_stock_filler(text: str) -> bool:
    """The whole line is a stock phrase (or empty)."""
    return normalised(text) in STOCK_FILLER | {""}


def is_assistant_language(text: str) -> bool:
    return bool(_ASSISTANT.search(text))


def speaks_for_officer(text: str) -> bool:
    """The line carries an officer's speaker tag: the model wrote the officer's part."""
    return bool(_FOR_OFFICER.search(text))


_DESCRIBING = "my|his|her|our|their|your|the|a|an"  # words that open an apposition after a name


def addresses_absent(text: str, present: set[str], absent_names: set[str]) -> bool:
    """The line speaks *to* a named person who is not in the scene (a vocative like "Karen, ...").

    ``present`` are the names of the people in the scene (lower case); ``absent_names`` are names the
    card mentions of people who are not (relatives, friends); a name from either list is checked.
    A name followed by a description ("Scout, my service dog, died") is spoken about, not to.
    """
    for name in absent_names - present:
        said_to = rf"{re.escape(name)}\s*(?:[!?]|,(?!\s*(?:{_DESCRIBING})\b))"
        pattern = rf"(^|[.!?]\s+)(oh,?\s+)?{said_to}|,\s*{re.escape(name)}\s*[.!?]$"
        if re.search(pattern, text.strip(), re.IGNORECASE):
            return True
    return False


def repeats_earlier(text: str, earlier_replies: list[str]) -> bool:
    """The line repeats one of the civilian's own earlier lines (word-for-word or nearly)."""
    key = normalised(text)
    if key and any(key == normalised(line) for line in earlier_replies):
        return True
    return is_echo(text, earlier_replies)


def reply_flaw(text: str, own_earlier: list[str], recent_lines: list[str]) -> str | None:
    """Why a generated reply should be tried again, or ``None`` when it will do.

    ``own_earlier``: the civilian's earlier replies; ``recent_lines``: the last lines of both speakers.
    """
    if not text.strip():
        return "empty"
    checks = (
        ("repeats an earlier reply", repeats_earlier(text, own_earlier)),
        ("echoes a recent line", is_echo(text, recent_lines, run=ECHO_RUN)),
        ("stock filler", is_stock_filler(text)),
        ("assistant language", is_assistant_language(text)),
        ("speaks for the officer", speaks_for_officer(text)),
    )
    return next((reason for reason, found in checks if found), None)
