"""PII redaction for training data: the app's redactor first, then realistic stand-ins.

``deescal.app.redaction`` replaces names, phone numbers, addresses, plates and dates with tags like
``[NAME 1]``. A model trained on tags would say "[NAME 1]" to trainees, so each tag is then swapped
for a consistent, obviously fictional stand-in (a first name from a fixed list, a 555 number...).
The report keeps what was replaced, for the instructor; it is stored in the job folder, never shared.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from deescal.app.redaction import Redaction, Redactor
from deescal.scenario_library.role_inference import classify_label

STAND_IN_NAMES = [
    "Alex",
    "Casey",
    "Jordan",
    "Morgan",
    "Riley",
    "Taylor",
    "Jamie",
    "Robin",
    "Drew",
    "Avery",
    "Quinn",
    "Parker",
    "Reese",
    "Rowan",
    "Sage",
    "Emery",
    "Harper",
    "Logan",
    "Sawyer",
    "Skyler",
    "Dana",
    "Kendall",
    "Marley",
    "Peyton",
]
_DIGIT = re.compile(r"\d")
_TAG = re.compile(r"\[(NAME|PHONE|EMAIL|ADDRESS|PLATE|DOB|DATE|ID) (\d+)\]")


@dataclass
class RedactionReport:
    """What redaction changed across a data set: counts per kind and each distinct replacement."""

    counts: Counter = field(default_factory=Counter)
    replaced: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # source -> {(kind, original)}
    texts_changed: int = 0
    texts_seen: int = 0

    def add(self, source: str, replacements: list[tuple[str, str, str]]) -> None:
        self.texts_seen += 1
        if replacements:
            self.texts_changed += 1
        for kind, original, _ in replacements:
            self.counts[kind] += 1
            self.replaced.setdefault(source, set()).add((kind, original))

    def summary(self) -> dict:
        return {
            "texts_seen": self.texts_seen,
            "texts_changed": self.texts_changed,
            "replacements": dict(sorted(self.counts.items())),
        }

    def details(self) -> dict[str, list[list[str]]]:
        return {
            source: sorted([kind, orig] for kind, orig in items) for source, items in self.replaced.items()
        }

    def describe(self) -> str:
        if not self.counts:
            return f"Redaction: nothing to replace in {self.texts_seen} texts."
        kinds = ", ".join(f"{n} {kind.lower()}" for kind, n in sorted(self.counts.items()))
        return f"Redaction: {self.texts_changed} of {self.texts_seen} texts changed ({kinds})."


def known_names(speaker_labels: list[str]) -> list[str]:
    """Speaker labels that are personal names ("Sergeant Maro", "Simona"), not descriptions."""
    return [
        label for label in speaker_labels if classify_label(label) in ("name", "officer") and label[:1] != "["
    ]


class PseudonymRedactor:
    """Redacts the texts of one dialogue with shared numbering, then swaps tags for stand-ins."""

    def __init__(self, dialogue_key: str, names: list[str], report: RedactionReport) -> None:
        self._redactor = Redactor(names)
        self._key = dialogue_key
        self._report = report
        self._real_names = {word.lower() for name in names for word in name.split()}
        self._offset = int(hashlib.sha256(dialogue_key.encode()).hexdigest()[:8], 16)

    def stand_in(self, kind: str, number: int) -> str:
        if kind == "NAME":
            free = [name for name in STAND_IN_NAMES if name.lower() not in self._real_names]
            return free[(self._offset + number) % len(free)]
        return {
            "PHONE": f"555-01{number % 100:02d}",
            "EMAIL": f"person{number}@example.com",
            "ADDRESS": f"{100 + number} Main Street",
            "PLATE": f"ABC {100 + number}",
            "DOB": f"January {number % 28 + 1}, 1990",
            "DATE": f"March {number % 28 + 1}, 2020",
            "ID": f"000-00-{number:04d}",
        }[kind]

    def clean_all(self, texts: list[str]) -> list[str]:
        """The texts with each personal detail swapped for its stand-in, redacted in one batch.

        Call it once per dialogue with all its texts: stand-ins are picked knowing every real name in it.
        """
        results = self._redactor.redact_all(texts)
        # a stand-in must not be a real name of this dialogue ("Quinn" for someone while Officer Quinn speaks)
        self._real_names.update(
            word.lower()
            for r in results
            for kind, original, _ in r.replacements
            if kind == "NAME"
            for word in original.split()
        )
        return [self._stand_ins(result) for result in results]

    def _stand_ins(self, result: Redaction) -> str:
        # The redactor's plate pattern also takes plain words after "plate"/"tag" ("tag along"); a
        # plate without a digit is kept as spoken rather than turned into noise.
        kept = {
            tag: orig
            for kind, orig, tag in result.replacements
            if kind == "PLATE" and not _DIGIT.search(orig)
        }
        self._report.add(self._key, [r for r in result.replacements if r[2] not in kept])

        def swap(match: re.Match[str]) -> str:
            return kept.get(match.group(0)) or self.stand_in(match.group(1), int(match.group(2)))

        return _TAG.sub(swap, result.text)
