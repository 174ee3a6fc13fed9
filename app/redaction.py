"""Removes personal details from transcript text before it is shown for approval or used to train.

Kinds: NAME, PHONE, EMAIL, ADDRESS, PLATE, DOB (a date of birth), DATE (any other full date, which
may be one), ID (social security, badge and similar numbers). :mod:`deescal.app.pii_engine` finds
them (Presidio with spaCy's NER and the app's recognizers); Presidio's anonymizer replaces each one.
Each distinct original gets one numbered placeholder ("[NAME 1]") so a redacted transcript still
reads coherently: the same person keeps the same tag across turns when the same ``Redactor`` is
used for all of them, and the names in the transcript's speaker labels are always caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from deescal.app.pii_words import HONORIFIC, NOT_NAMES

if TYPE_CHECKING:
    from deescal.app.pii_engine import Found
    from presidio_anonymizer import AnonymizerEngine

# Words in speaker labels that describe a role, not a person ("Chloe's Dad", "Officer 2").
_ROLE_WORDS = frozenset(
    """
    dad mom mum father mother son daughter brother sister wife husband boyfriend girlfriend friend
    dispatcher dispatch narrator bystander nurse manager employee victim suspect driver passenger
    neighbor neighbour man woman guy lady kid child supporter staff medical security guard caller
    resident investigator female male unknown supervisor cousin device control traffic air house
    waffle office doe
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _name_from_label(label: str | None) -> str:
    """The personal name inside a speaker label: "Deputy Lima" -> "Lima", "[Bystander]" -> ""."""
    label = (label or "").strip()
    if not label or label.startswith(("[", "(")):
        return ""
    words = [w.removesuffix("'s").removesuffix("’s") for w in re.findall(r"[^\W\d_][\w'’-]*", label)]
    kept = [
        w
        for w in words
        if w[0].isupper()
        and len(w) > 1
        and not HONORIFIC.match(w)
        and w.lower() not in NOT_NAMES
        and w.lower() not in _ROLE_WORDS
    ]
    return " ".join(kept)


@cache
def _anonymizer() -> AnonymizerEngine:
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


@dataclass(frozen=True)
class Redaction:
    text: str
    replacements: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, original, replacement)


class Redactor:
    """Redacts several texts with shared numbering, so one person keeps one tag across a transcript.

    Presidio and spaCy are imported here, on first use, not when this module is imported: they take
    seconds to load and most commands never redact.
    """

    def __init__(self, known_names: Iterable[str] = ()) -> None:
        from deescal.app.pii_engine import known_name_recognizer

        cleaned = {name for label in known_names for name in [_name_from_label(label)] if name}
        self.known_names = sorted(cleaned, key=len, reverse=True)
        self._known = known_name_recognizer(self.known_names)
        self._tags: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._names_seen: set[str] = set()

    def _tag(self, kind: str, original: str) -> str:
        key = (kind, " ".join(original.lower().split()))
        if key not in self._tags:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._tags[key] = f"[{kind} {self._counts[kind]}]"
        return self._tags[key]

    def redact(self, text: str) -> Redaction:
        return self.redact_all([text])[0]

    def redact_all(self, texts: list[str]) -> list[Redaction]:
        """Redacts texts in order (so tags number as in :meth:`redact`), the NLP model run in batches."""
        from deescal.app.pii_engine import find_all, with_mentions

        found = find_all(texts, self._known)
        for text, spans in zip(texts, found, strict=True):
            self._names_seen.update(text[f.start : f.end] for f in spans if f.kind == "NAME")
        return [
            self._replace(text, with_mentions(text, spans, self._names_seen))
            for text, spans in zip(texts, found, strict=True)
        ]

    def _replace(self, text: str, found: list[Found]) -> Redaction:
        """Each found detail replaced by its tag, through Presidio's anonymizer."""
        from presidio_analyzer import RecognizerResult
        from presidio_anonymizer.entities import OperatorConfig

        if not found:
            return Redaction(text)
        replacements = [
            (f.kind, text[f.start : f.end], self._tag(f.kind, text[f.start : f.end])) for f in found
        ]
        # One entity type per occurrence: the anonymizer would merge two same-kind details that only
        # whitespace or punctuation separates ("810 Monroe Drive. 810 Monroe Drive.") into one.
        results = [RecognizerResult(str(n), f.start, f.end, 1.0) for n, f in enumerate(found)]
        operators = {
            str(n): OperatorConfig("replace", {"new_value": tag})
            for n, (_, _, tag) in enumerate(replacements)
        }
        anonymized = _anonymizer().anonymize(text=text, analyzer_results=results, operators=operators)
        return Redaction(anonymized.text, replacements)


def redact(text: str, known_names: Iterable[str] = ()) -> Redaction:
    """Redacts one text; use :class:`Redactor` to keep tags consistent across many texts."""
    return Redactor(known_names).redact(text)
