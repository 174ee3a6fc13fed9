"""Removes personal details from transcript text before it is shown for approval or used to train.

Kinds: NAME, PHONE, EMAIL, ADDRESS, PLATE, DOB (a date of birth), DATE (any other full date, which
may be one), ID (social security and similar numbers). Each distinct original gets one numbered placeholder ("[NAME 1]") so a redacted
transcript still reads coherently: the same person keeps the same tag across turns when the same
``Redactor`` is used for all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

_STREET_TYPES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|place|pl|way|terrace|"
    r"circle|cir|highway|hwy|parkway|pkwy|square|sq|trail|crescent|close"
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}|(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS}),? (?:19|20)\d{{2}})"

# Order matters: the more specific kinds claim their text first.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    ("ID", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    (
        "DOB",
        re.compile(
            rf"\b(?:born(?: on)?|birthday(?: is)?|date of birth(?: is)?|d\.?o\.?b\.?:?)\s+(?P<v>{_DATE})",
            re.IGNORECASE,
        ),
    ),
    ("DATE", re.compile(rf"\b{_DATE}\b", re.IGNORECASE)),
    (
        "PHONE",
        re.compile(
            r"(?<![\w-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])|\b\d{3}[.-]\d{4}\b"
        ),
    ),
    (
        "ADDRESS",
        re.compile(
            rf"\b\d{{1,6}}(?: [NSEW]\.?)?(?: [A-Z0-9][\w'-]*){{1,4}} (?:{_STREET_TYPES})\b\.?(?:,? (?:apt|apartment|unit|suite|#) ?\w+)?",
            re.IGNORECASE,
        ),
    ),
    (
        "PLATE",
        re.compile(
            r"(?:\b(?:plate|tag|license|licence|registration)(?: number)?(?: is| was|:)?\s+)(?P<v>(?=[A-Z0-9 -]{0,9}\d)[A-Z0-9]{1,4}[ -]?[A-Z0-9]{2,5})\b"
            r"|\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])(?:[A-Z]{3}[ -]?\d{3,4}|\d[A-Z]{3}\d{3}|[A-Z]{2}\d{2}[ -]?[A-Z]{3})\b",
            re.IGNORECASE,
        ),
    ),
]
_TITLES = (
    r"(?:Mr|Mrs|Ms|Miss|Dr|Officer|Deputy|Sergeant|Sgt|Detective|Corporal|Trooper|Lieutenant|Lt|Captain)\.?"
)
_NAME_CUES = re.compile(
    rf"\b(?:(?:my name(?:'s| is)|name'?s|call me|this is|I'?m|I am|named|called)\s+(?:{_TITLES}\s+)?|{_TITLES}\s+)"
    r"((?:[A-Z][a-z][a-z'-]*)(?:\s+[A-Z][a-z][a-z'-]*)?)"
)
_HONORIFIC = re.compile(rf"^{_TITLES}$")


@cache
def first_names() -> frozenset[str]:
    text = resources.files("deescal.app").joinpath("first_names.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# Capitalised words that follow a name cue ("I'm Sorry", "This is Tuesday") but are not names.
_NOT_NAMES = frozenset(
    """
    I Im The A An And But So Not Fine Okay Ok Sorry Just Going Scared Tired Done Here Sure Trying
    Telling Alright Leaving Good Sick Drunk Home Gonna Getting Looking Calling Sir Ma'am Officer
    Police Yes No Hi Hey Hello Please Thanks Thank What Why How Where When Who Listen Look Well Now
    Right Nobody Afraid Angry Upset There This That These Those It Its God Jesus Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday January February March April May June July August
    September October November December County City Street Road Avenue Department Sheriff Court
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


# Words in speaker labels that describe a role, not a person ("Chloe's Dad", "Officer 2").
_ROLE_WORDS = frozenset(
    """
    Dad Mom Mum Father Mother Son Daughter Brother Sister Wife Husband Boyfriend Girlfriend Friend
    Dispatcher Dispatch Narrator Bystander Nurse Manager Employee Victim Suspect Driver Passenger
    Neighbor Neighbour Man Woman Guy Lady Kid Child Supporter Staff Medical Security Guard
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _name_from_label(label: str | None) -> str:
    """The personal name inside a speaker label: "Deputy Lima" -> "Lima", "[Bystander]" -> ""."""
    label = (label or "").strip()
    if not label or label.startswith(("[", "(")):
        return ""
    words = [w.removesuffix("'s").removesuffix("’s") for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", label)]
    kept = [
        w
        for w in words
        if w[0].isupper()
        and len(w) > 1
        and not _HONORIFIC.match(w)
        and w not in _NOT_NAMES
        and w not in _ROLE_WORDS
    ]
    return " ".join(kept)


@dataclass(frozen=True)
class Redaction:
    text: str
    replacements: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, original, replacement)


class Redactor:
    """Redacts several texts with shared numbering, so one person keeps one tag across a transcript."""

    def __init__(self, known_names: Iterable[str] = ()) -> None:
        cleaned = {name for label in known_names for name in [_name_from_label(label)] if name}
        self.known_names = sorted(cleaned, key=len, reverse=True)
        self._tags: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._first_names = first_names()

    def _tag(self, kind: str, original: str) -> str:
        key = (kind, original.lower())
        if key not in self._tags:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._tags[key] = f"[{kind} {self._counts[kind]}]"
        return self._tags[key]

    def _name_spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for name in self.known_names:
            parts = [re.escape(p) for p in name.split()]
            variants = [r"\s+".join(parts)] + parts  # full name, and each part on its own
            for variant in variants:
                if len(variant) < 2:
                    continue
                for m in re.finditer(rf"\b{variant}\b", text, re.IGNORECASE):
                    spans.append(m.span())
        for m in _NAME_CUES.finditer(text):
            words = m.group(1).split()
            if words[0] in _NOT_NAMES:
                continue
            end = m.start(1) + len(words[0]) if len(words) > 1 and words[1] in _NOT_NAMES else m.end(1)
            spans.append((m.start(1), end))
        for m in re.finditer(r"\b([A-Z][a-z]+)(?:\s+([A-Z][a-z][a-z'-]*))?\b", text):
            if m.group(1) in self._first_names:
                surname = m.group(2)
                end = m.end(2) if surname and surname not in _NOT_NAMES else m.end(1)
                spans.append((m.start(1), end))
        # "Izzy's" -> "[NAME 1]'s": the possessive is grammar, not part of the name
        return [(start, end - 2 if text[start:end].endswith(("'s", "’s")) else end) for start, end in spans]

    def redact(self, text: str) -> Redaction:
        claimed: list[tuple[int, int, str]] = []

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e, _ in claimed)

        for kind, pattern in _PATTERNS:
            for m in pattern.finditer(text):
                start, end = m.span("v") if "v" in pattern.groupindex and m.group("v") else m.span()
                if end > start and free(start, end):
                    claimed.append((start, end, kind))
        for start, end in sorted(self._name_spans(text), key=lambda s: s[0] - s[1]):
            if free(start, end) and not _HONORIFIC.match(text[start:end]):
                claimed.append((start, end, "NAME"))
        out, replacements, cursor = [], [], 0
        for start, end, kind in sorted(claimed):
            original = text[start:end]
            tag = self._tag(kind, original)
            out += [text[cursor:start], tag]
            replacements.append((kind, original, tag))
            cursor = end
        out.append(text[cursor:])
        return Redaction("".join(out), replacements)


def redact(text: str, known_names: Iterable[str] = ()) -> Redaction:
    """Redacts one text; use :class:`Redactor` to keep tags consistent across many texts."""
    return Redactor(known_names).redact(text)
