"""Turns one officer line (and the civilian line before it) into technique hits and features.

Two sources of evidence per technique: phrasing patterns (precise, with the exact words) and
MiniLM similarity of each sentence to the technique's exemplar bank (catches paraphrases). The
civilian context then re-reads some hits: under an immediate danger an order, a countdown or a
warning of force that names what to do about the danger ("Drop the knife!") is a legitimate safety
command, not an escalation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

import numpy as np
from deescal.app.scoring.context import (
    CONTEXT_KINDS,
    DANGER,
    DISTRESS,
    SELF_HARM,
    civilian_name,
    classify_context,
)
from deescal.app.scoring.encoder import SentenceEncoder
from deescal.app.scoring.techniques import BY_NAME, TECHNIQUES
from deescal.app.scoring.types import TechniqueHit

MAX_SENTENCES = 8
MAX_CHARS = 1200  # what MiniLM reads of a turn (and of the civilian line)
MAX_PATTERN_CHARS = 4000  # what the patterns read; a turn is a few sentences, not a speech
# Similarities below LOW say nothing; at HIGH the sentence reads like an exemplar.
SIM_LOW, SIM_HIGH = 0.35, 0.75
# Under an immediate danger these become a legitimate "safety_command", when the turn names what to do
# about the danger (drop it, hands, step back, stop); "Do what I say right now." stays an order.
DANGER_LEGITIMATES = ("orders_no_reason", "ultimatum", "threatens")
_SAFETY_ACTION = re.compile(
    r"\b(?:drop|lower|hands?|freeze|stop"
    r"|(?:put|set|lay|place|throw|toss)\b[^.?!]{0,30}\b(?:down|on the (?:ground|floor|table|car|hood))"
    r"|let (?:\w+ )?go|(?:step|stand|back|move|get|stay|keep) (?:\w+ )?(?:back|away)|back up|back off"
    r"|get (?:down|on the ground)|don'?t (?:move|reach|touch|come (?:any )?closer)"
    r"|stay (?:where you are|still|there|put|inside|in (?:the|your) \w+))\b",
    re.I,
)
_PRONOUNS = {"i", "we", "you", "i'm", "i'll", "we'll", "we're", "you're", "it's"}
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")
# Capitals that are abbreviations, not shouting.
_CAPS_OK = {"ID", "DUI", "DWI", "OK", "EMS", "CIT", "ATM", "USA", "TV", "SUV", "ER", "ICU", "DMV"}
_CAPS_OK |= {"AM", "PM", "UK", "US", "PD"}  # two letters count as shouting too ("I SAID NO")


def feature_names() -> list[str]:
    names = []
    for technique in TECHNIQUES:
        names += [f"pat:{technique.name}", f"emb:{technique.name}"]
    names += [f"ctx:{kind}" for kind in CONTEXT_KINDS]
    names += ["dismiss_in_crisis", "negatives", "positives"]
    return names


@dataclass
class Analysis:
    hits: list[TechniqueHit]
    features: dict[str, float]
    context: set[str] = field(default_factory=set)

    def vector(self, names: list[str]) -> np.ndarray:
        return np.array([self.features.get(n, 0.0) for n in names], dtype=np.float64)


def split_sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _SENTENCE_SPLIT.split(text[:MAX_CHARS]) if s.strip()]
    return parts[:MAX_SENTENCES]


def _soft(similarity: float) -> float:
    return float(min(1.0, max(0.0, (similarity - SIM_LOW) / (SIM_HIGH - SIM_LOW))))


def _shouting_evidence(text: str) -> str | None:
    caps = [w for w in _CAPS_WORD.findall(text) if w not in _CAPS_OK]
    if len(caps) >= 2:
        return " ".join(caps[:6])
    if text.count("!") >= 3:
        return text.strip()[:80]
    words = re.findall(r"[a-z']+", text.lower())
    for word in set(words):  # "quiet, quiet, quiet!": one word is most of the turn
        if len(word) >= 4 and words.count(word) >= max(3, len(words) // 2):
            return f"{word} (x{words.count(word)})"
    for size in (2, 3):
        grams = [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
        for gram in set(grams):  # "drop it" three times, not "I will" three times
            if grams.count(gram) >= 3 and gram.split()[0] not in _PRONOUNS:
                return f"{gram} (x{grams.count(gram)})"
    return None


class ExemplarBanks:
    """The exemplar sentences per technique and per civilian context, encoded once."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        data = json.loads(resources.files("deescal.app.scoring").joinpath("exemplars.json").read_text())
        self.encoder = encoder
        self.technique_rows: dict[str, tuple[int, int]] = {}
        self.context_rows: dict[str, tuple[int, int]] = {}
        sentences: list[str] = []
        for table, rows in ((data["techniques"], self.technique_rows), (data["contexts"], self.context_rows)):
            for name, examples in table.items():
                rows[name] = (len(sentences), len(sentences) + len(examples))
                sentences += examples
        self.sentences = sentences

    @cached_property
    def matrix(self) -> np.ndarray:
        return self.encoder.encode(self.sentences)


class TurnAnalyser:
    def __init__(self, banks: ExemplarBanks, embedding_threshold: float = 0.62) -> None:
        self.banks = banks
        self.embedding_threshold = embedding_threshold

    def analyse(
        self, officer_text: str, civilian_before: str | None = None, threat: bool = False
    ) -> Analysis:
        """``threat``: the scenario's state shows a threat even if the civilian's line does not."""
        text = (officer_text or "").strip()[:MAX_PATTERN_CHARS]
        sentences = split_sentences(text)
        civilian = (civilian_before or "").strip()
        scene = {DANGER} if threat else set()
        if not sentences:
            context = classify_context(civilian) | scene
            return Analysis([], {f"ctx:{k}": 1.0 for k in context}, context)
        vectors = self.banks.encoder.encode(sentences + ([civilian[:MAX_CHARS]] if civilian else []))
        sims = vectors @ self.banks.matrix.T
        officer_sims = sims[: len(sentences)]
        context_sim = {}
        if civilian:
            for kind, (start, end) in self.banks.context_rows.items():
                context_sim[kind] = float(sims[-1, start:end].max())
        context = classify_context(civilian, context_sim) | scene

        patterned = self._pattern_hits(text, civilian)
        embedded: dict[str, tuple[float, str]] = {}
        for name, (start, end) in self.banks.technique_rows.items():
            block = officer_sims[:, start:end]
            row = int(block.max(axis=1).argmax())
            embedded[name] = (float(block[row].max()), sentences[row])

        features: dict[str, float] = {}
        hits: dict[str, TechniqueHit] = {}
        for technique in TECHNIQUES:
            name = technique.name
            similarity, sentence = embedded.get(name, (0.0, ""))
            features[f"emb:{name}"] = _soft(similarity)
            if name in patterned:
                features[f"pat:{name}"] = 1.0
                hits[name] = TechniqueHit(name, technique.label, technique.polarity, patterned[name])
            elif (
                similarity >= self.embedding_threshold
                and not _contradicted(sentence, technique.polarity, patterned)
                and not _ruled_out_by_form(name, sentence)
            ):
                hits[name] = TechniqueHit(name, technique.label, technique.polarity, sentence)
        if DANGER in context and _SAFETY_ACTION.search(text):
            self._legitimise_safety_commands(hits, features)
        for kind in context:
            features[f"ctx:{kind}"] = 1.0
        crisis = bool(context & {SELF_HARM, DISTRESS})
        features["dismiss_in_crisis"] = float(crisis and ("dismisses_feelings" in hits or "silences" in hits))
        ordered = sorted(hits.values(), key=lambda h: (-h.polarity, _position(text, h.evidence)))
        features["negatives"] = float(min(3, sum(1 for h in ordered if h.polarity < 0)))
        features["positives"] = float(min(4, sum(1 for h in ordered if h.polarity > 0)))
        return Analysis(ordered, features, context)

    @staticmethod
    def _pattern_hits(text: str, civilian: str) -> dict[str, str]:
        found: dict[str, tuple[str, tuple[int, int]]] = {}
        for technique in TECHNIQUES:
            for pattern in technique.patterns:
                match = _first_undenied(pattern, text) if technique.polarity < 0 else pattern.search(text)
                if match and match.group(0).strip(" ,.;"):
                    found[technique.name] = (match.group(0).lstrip(" ,;.!?").strip(" ,;"), match.span())
                    break
        shouting = _shouting_evidence(text)
        if shouting:
            found["shouts"] = (shouting, (0, 0))
        name = civilian_name(civilian)
        if name and "introduces_self" not in found:
            at = text.find(name)
            if at >= 0:
                found["introduces_self"] = (name, (at, at + len(name)))
        # A calming reading inside an escalating phrase ("what is wrong with you?") does not count.
        negative_spans = [
            span for n, (_, span) in found.items() if BY_NAME[n].polarity < 0 and span != (0, 0)
        ]
        return {
            name: evidence
            for name, (evidence, span) in found.items()
            if BY_NAME[name].polarity < 0 or not any(_overlaps(span, other) for other in negative_spans)
        }

    @staticmethod
    def _legitimise_safety_commands(hits: dict[str, TechniqueHit], features: dict[str, float]) -> None:
        safety = BY_NAME["safety_command"]
        evidence = [hits.pop(name).evidence for name in DANGER_LEGITIMATES if name in hits]
        emb = max(features.pop(f"emb:{name}", 0.0) for name in DANGER_LEGITIMATES)
        pat = max(features.pop(f"pat:{name}", 0.0) for name in DANGER_LEGITIMATES)
        features["emb:safety_command"] = emb
        if pat:
            features["pat:safety_command"] = pat
        if evidence:
            hits["safety_command"] = TechniqueHit(safety.name, safety.label, safety.polarity, evidence[0])


def _contradicted(sentence: str, polarity: int, patterned: dict[str, str]) -> bool:
    """An embedding-only reading loses to a pattern of the opposite polarity in the same sentence
    ("I'm not here to arrest anybody" reads like a threat to MiniLM, but the words say otherwise)."""
    return any(
        BY_NAME[name].polarity == -polarity and (evidence in sentence or sentence in evidence)
        for name, evidence in patterned.items()
    )


def _ruled_out_by_form(name: str, sentence: str) -> bool:
    """Embedding readings that the sentence's form rules out. A question is the ask that the order's
    coaching recommends, not an order: MiniLM reads "Can I sit here?" like "Sit here." (order patterns
    already require a sentence that ends in . or !). And the officer announcing their own news or plan
    ("I have some difficult news about your son.") is not a paraphrase of what the person said. A
    sentence that denies the charge ("I don't think you're overreacting", "You are not overreacting")
    or takes it back ("I'm sorry I told you to calm down") does not make it."""
    technique = BY_NAME[name]
    if technique.polarity < 0 and (_DENIAL_IN.search(sentence) or _TAKES_BACK.search(sentence)):
        return True
    if technique.polarity < 0 and any(p.search(sentence) for p in technique.patterns):
        return not any(_first_undenied(p, sentence) for p in technique.patterns)
    if name == "orders_no_reason":
        return sentence.rstrip().endswith("?")
    if name == "paraphrases":
        return bool(_OWN_NEWS.match(sentence))
    if name == "asks_about_self_harm":
        return bool(_INJURY.search(sentence)) and not _SELF_HARM_WORDS.search(sentence)
    return False


# "Is anybody hurt, you included?" checks for injuries; MiniLM reads it like a question about self-harm.
_INJURY = re.compile(r"\b(?:hurt|injured|injury|injuries|bleeding|wounded)\b", re.I)
_SELF_HARM_WORDS = re.compile(
    r"\b(?:yourself|suicid\w*|kill|die|dying|dead|end (?:it|things|your life)|your life|overdose)\b", re.I
)
_OWN_NEWS = re.compile(
    r"\s*I(?:'ve| have)(?: got)? (?:some |a )?(?:\w+ ){0,2}(?:news|information|update)\b", re.I
)


# "I don't think you're overreacting", "None of this is your fault": the officer denies the charge
# (in the first person: "Don't think I won't arrest you" denies nothing).
_DENIES = (
    r"(?:\b(?:I|we)(?: really)? (?:do not|don'?t|never|did not|didn'?t) (?:think|say|said|mean|believe|blame)\b"
    r"|\b(?:I'?m|I am|we'?re|we are) not (?:saying|blaming|calling)\b"
    r"|\b(?:nobody|no one)(?:'s| is)? (?:saying|blaming|calling)\b)"
)
# Right before the charge, the second person denies it too: "You're not overreacting."
_DENIAL_BEFORE = re.compile(
    _DENIES + r"[^.?!]{0,15}$|\bnone of $|\byou(?:'re| are)(?: really)? not (?:being )?$", re.I
)
_DENIAL_IN = re.compile(_DENIES + r"|\bnone of (?:this|it|that) (?:is|was)\b", re.I)


# "I'm sorry I told you to calm down", "I shouldn't have said that you were overreacting": the officer
# takes back earlier words (what a recovering trainee should do), not says them again. "Sorry, but
# calm down" and "I'm sorry I have to say this" take nothing back.
_TAKES_BACK = re.compile(
    r"\b(?:sorry|apologi[sz]e|shouldn'?t have|wrong to)(?: (?:that|for|about))?(?: I)?(?: just)? "
    r"(?:told|said|asked|made|snapped|yelled|shouted|tell|say|ask|make|telling|saying|asking|making"
    r"|snapping|yelling|shouting)\b",
    re.I,
)


def _first_undenied(pattern: re.Pattern, text: str) -> re.Match | None:
    """The first match of an escalating phrase that the words before it do not deny ("I don't think
    you're overreacting, but you're overreacting now" makes the charge the second time) or take back
    in the same sentence."""
    for match in pattern.finditer(text):
        words_start = match.end() - len(match.group(0).lstrip(" ,;.!?"))  # a match may begin at ". "
        sentence_start = max(text.rfind(mark, 0, words_start) for mark in ".?!") + 1
        if not _DENIAL_BEFORE.search(text[max(0, match.start() - 60) : match.start()]) and not (
            _TAKES_BACK.search(text[sentence_start : match.end()])
        ):
            return match
    return None


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _position(text: str, evidence: str) -> int:
    at = text.find(evidence)
    return at if at >= 0 else len(text)
