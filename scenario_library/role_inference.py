"""Guesses who each speaker in a DeEscalWild transcript is: officer, civilian, bystander, dispatcher, other.

The diariser's labels are names ("Deputy Diaz", "Simona") or bracketed descriptions ("[Driver]",
"[Narrator]"). Three kinds of evidence are combined, strongest first:

1. the label: rank and title words, dispatch words, narrator/device words, public descriptions;
2. what the speaker says: commands, ID requests and radio talk (police), complaints about arrest
   (civilian), third-person commentary about "the officer" and "this video" (narrator);
3. turn patterns: who talks most with the officers is the civilian the scenario is about; others
   are bystanders.

Accuracy against hand labels is measured by :mod:`deescal.scenario_library.role_accuracy`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

OFFICER_WORDS = {
    "officer", "officers", "police", "policeman", "policewoman", "cop", "deputy", "sergeant", "sgt",
    "trooper", "detective", "det", "lieutenant", "lt", "chief", "captain", "capt", "corporal", "cpl",
    "constable", "sheriff", "marshal", "investigator", "interrogator", "patrolman", "ranger",
    "supervisor", "authority", "pilot", "agent", "k9", "swat", "pc", "inspector", "commander",
}  # fmt: skip
DISPATCH_WORDS = {"dispatch", "dispatcher", "operator", "911", "radio", "control", "call-taker"}
OTHER_WORDS = {
    "narrator", "announcer", "advertiser", "advertisement", "sponsor", "host", "commentator",
    "automated", "recording", "machine", "device", "system", "voice", "dog", "animal", "aed",
    "computer", "self-checkout", "tv", "television", "video", "news", "reporter", "anchor",
}  # fmt: skip
SUBJECT_WORDS = {
    "suspect", "arrestee", "arrested", "driver", "drunk", "intoxicated", "aggressive", "individual",
    "person", "man", "woman", "subject", "offender", "burglar", "robber", "thief", "shoplifter",
    "homeless", "tenant", "landlord", "client", "victim", "injured", "patient", "prisoner",
    "inmate", "teen", "teenager", "juvenile", "boy", "girl", "male", "female", "guy", "lady",
}  # fmt: skip
BYSTANDER_WORDS = {
    "bystander", "witness", "neighbor", "neighbour", "employee", "staff", "manager", "cashier",
    "clerk", "worker", "nurse", "doctor", "dr", "medical", "paramedic", "emt", "medic", "parent",
    "mother", "father", "mom", "dad", "son", "daughter", "sister", "brother", "wife", "husband",
    "boyfriend", "girlfriend", "friend", "family", "companion", "supporter", "cousin",
    "granddaughter", "grandson", "grandmother", "grandfather", "relative", "homeowner", "prevention",
    "security", "director", "caller", "onlooker", "crowd", "customer", "passenger", "resident",
    "leader", "owner", "partner", "roommate", "child", "kid", "uncle", "aunt", "niece", "nephew",
}  # fmt: skip
UNKNOWN_WORDS = {"unknown", "unidentified", "speaker", "background", "unclear", "other"}
# Words that end the head of a descriptive label: "[Resident who called the Sheriff's office]".
HEAD_STOP = {
    "who", "of", "reporting", "receiving", "involved", "assisting", "in", "from", "claiming",
    "pulled", "at", "delivering", "being", "observing", "for", "with", "to", "that", "or", "on",
    "accompanying", "requesting", "confronted", "whose", "and",
}  # fmt: skip

_OFFICER_CUES = [
    r"sheriff'?s office|police department|police!|\bpd\b|with the (police|sheriff)",
    r"\bi'?m (officer|deputy|sergeant|sgt|trooper|detective|corporal)\b",
    r"\b(step|get) out of the (car|vehicle|truck)\b|\bstep out\b",
    r"\bhands? (up|behind)|\bput your hands\b|\bshow me your hands\b|\bkeep your hands\b",
    r"\bturn around\b|\bget on the ground\b|\bget down\b|\bdon'?t move\b|\bstop resisting\b",
    r"\bdrop (the|it|that)\b|\bput it down\b|\bface (the|my) (car|vehicle)\b",
    r"\byou'?re (under arrest|being detained|free to go)\b|\bright to remain silent\b",
    r"\b(driver'?s )?licen[cs]e\b|\bregistration\b|\binsurance\b|\bdate of birth\b",
    r"\b(your|an|any) (id|identification)\b|\bspell (your|the) (last )?name\b",
    r"\breason (i|we) (stopped|pulled)|\bpulled you over\b|\bstopped you\b",
    r"\bcopy( that)?\b|\b10-?4\b|\bcode (4|four|3)\b|\bbe advised\b|\bstand ?by\b",
    r"\b(en|in) ?route\b|\bthe rp\b|\brp'?s\b|\bthe (male|female) (is|was|subject)\b",
    r"\b(sir|ma'?am)\b",
    r"\bwe got a call\b|\bwe'?re (responding|headed|going) to\b|\bdispatched\b",
    r"\bbackup\b|\bmy partner\b|\bpatrol car\b|\bbody ?cam\b|\btaser\b|\bcuffs?\b",
    r"\bwarrant\b|\bcitation\b|\bwarning\b|\bsobriety\b|\bbreath(alyzer| sample| test)\b",
]
_CIVILIAN_CUES = [
    r"\bwhat did i do\b|\bi didn'?t do (anything|nothing)\b|\bwhy am i\b|\bam i (under arrest|going to jail)\b",
    r"\bmy (rights|lawyer|attorney)\b|\blet me go\b|\bdon'?t touch me\b|\bget off me\b|\byou'?re hurting\b",
    r"\b(officer|deputy)\b[,.!?]|\byes,? (sir|officer)\b|\bno,? (sir|officer)\b",
    r"\bi swear\b|\bi'?m sorry\b|\bi'?m scared\b|\bplease\b",
    r"\bmy (car|house|kids?|baby|husband|wife|boyfriend|girlfriend|mom|dad|mother|father|son|daughter|dog|phone)\b",
    r"\bi (was|wasn'?t) (driving|drinking)\b|\bi (live|work) (here|there)\b|\bi just\b",
]
_NARRATOR_CUES = [
    r"\b(this|today'?s|the|our) (video|lesson|channel|footage|episode|program|show)\b",
    r"\bsubscribe\b|\bsponsor|\bbrought to (you|us)\b|\bactive self.?protection\b",
    r"\byou'?(re going to|ll|re gonna) see\b|\byou can see\b|\bwe see\b|\bnotice\b|\blet'?s (take a look|listen|watch)\b",
    r"\bthe (officer|officers|deputy|deputies|suspect|trooper|detective)\b",
    r"\bpolice (said|say|respond|responded|arrive|arrived|later)\b|\bwas (charged|sentenced|arrested)\b",
    r"\bpleaded\b|\baccording to\b|\breport(s|ed)? (that|based)\b|\bbody ?cam(era)? (footage|video)\b",
]


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]  # matched against lower-cased text


OFFICER_CUES = _compile(_OFFICER_CUES)
CIVILIAN_CUES = _compile(_CIVILIAN_CUES)
NARRATOR_CUES = _compile(_NARRATOR_CUES)

# What a label alone can say; "subject" and "public" are members of the public, "name" a plain name.
LABEL_ROLES = ("officer", "dispatcher", "other", "subject", "public", "name", "unknown")
YOU_WORDS = {"you", "your", "you're", "you've", "you'll", "yours", "yourself"}
I_WORDS = {"i", "i'm", "me", "my", "i've", "i'll", "i'd", "mine", "myself"}


@dataclass
class SpeakerEvidence:
    label: str
    label_role: str = "name"
    turns: int = 0
    chars: int = 0
    questions: int = 0
    you: int = 0
    me: int = 0
    follows_self: int = 0  # turns that continue the speaker's own previous turn
    officer_hits: int = 0
    civilian_hits: int = 0
    narrator_hits: int = 0
    engagement: int = 0  # turns right before or after an officer's turn

    def rate(self, count: int) -> float:
        return count / max(self.turns, 1)

    @property
    def mean_chars(self) -> float:
        return self.rate(self.chars)

    @property
    def addresses_others(self) -> float:
        """Share of "you" among you/I words: officers talk about the other person, civilians about themselves."""
        return (self.you + 1) / (self.you + self.me + 2)

    @property
    def officer_score(self) -> float:
        return (
            self.addresses_others
            + self.rate(self.questions)
            + 2 * self.rate(self.officer_hits)
            - 2 * self.rate(self.civilian_hits)
        )

    @property
    def is_monologue(self) -> bool:
        """Long turns that mostly follow each other: commentary laid over footage."""
        return self.mean_chars >= 80 and (
            self.rate(self.follows_self) >= 0.8 or self.rate(self.narrator_hits) >= 0.3
        )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9'\-]*", text.lower().replace("\u2019", "'"))


def label_head(label: str) -> list[str]:
    """The words that say what a descriptive label *is*: "[Chloe's boyfriend]" -> ["boyfriend"]."""
    head: list[str] = []
    for word in _words(label.strip().strip("[]()").strip().rstrip(".")):
        if word in HEAD_STOP and head:
            break
        head.append(word)
    owners = [n for n, word in enumerate(head) if word.endswith("'s") and n < len(head) - 1]
    return head[owners[-1] + 1 :] if owners else head


def classify_label(label: str) -> str:
    """What the label alone says: one of LABEL_ROLES ("name" for a plain personal name)."""
    head = label_head(label)
    words = set(head)
    if words & DISPATCH_WORDS and not (words & OFFICER_WORDS and head[0] not in DISPATCH_WORDS):
        return "dispatcher"
    if words & OFFICER_WORDS:
        return "officer"
    if words & OTHER_WORDS:
        return "other"
    if words & SUBJECT_WORDS:
        return "subject"
    if words & BYSTANDER_WORDS:
        return "public"
    if not head or words <= UNKNOWN_WORDS | {"1", "2", "3"}:
        return "unknown"
    return "unknown" if label.strip().startswith("[") else "name"


def _gather(turns: Sequence[tuple[str, str]]) -> dict[str, SpeakerEvidence]:
    evidence: dict[str, SpeakerEvidence] = {}
    lines: dict[str, list[str]] = {}
    previous = None
    for speaker, text in turns:
        ev = evidence.setdefault(speaker, SpeakerEvidence(speaker, classify_label(speaker)))
        words = _words(text)
        ev.turns += 1
        ev.chars += len(text)
        ev.questions += text.rstrip().endswith("?")
        ev.you += sum(w in YOU_WORDS for w in words)
        ev.me += sum(w in I_WORDS for w in words)
        ev.follows_self += previous == speaker
        lines.setdefault(speaker, []).append(text)
        previous = speaker
    for speaker, ev in evidence.items():  # one scan per cue over all of a speaker's lines
        spoken = "\n".join(lines[speaker]).lower()
        ev.officer_hits = sum(len(cue.findall(spoken)) for cue in OFFICER_CUES)
        ev.civilian_hits = sum(len(cue.findall(spoken)) for cue in CIVILIAN_CUES)
        ev.narrator_hits = sum(len(cue.findall(spoken)) for cue in NARRATOR_CUES)
    return evidence


def _add_engagement(turns: Sequence[tuple[str, str]], roles: dict[str, str], evidence: dict) -> None:
    for n, (speaker, _) in enumerate(turns):
        neighbours = [turns[i][0] for i in (n - 1, n + 1) if 0 <= i < len(turns)]
        if any(roles.get(s) == "officer" and s != speaker for s in neighbours):
            evidence[speaker].engagement += 1


def _find_unlabelled_officers(undecided: list[SpeakerEvidence], roles: dict[str, str]) -> None:
    """Names ("Tom", "Lucas") and descriptions that talk like police."""
    labelled = any(r == "officer" for r in roles.values())
    names = [ev for ev in undecided if ev.label_role in ("name", "unknown") and ev.turns >= 2]
    if not labelled and names:
        best = max(names, key=lambda ev: ev.officer_score)
        if best.officer_score >= 0.55:
            roles[best.label] = "officer"
    for ev in names:
        if ev.officer_score >= 0.85 and ev.addresses_others >= 0.55:
            roles[ev.label] = "officer"
    for ev in undecided:  # "[Aggressive individual]" saying "get on the ground": a mislabelled officer
        talks_like_police = ev.rate(ev.officer_hits) - ev.rate(ev.civilian_hits) >= 0.9
        if ev.label_role in ("subject", "public") and ev.turns >= 2 and talks_like_police:
            roles[ev.label] = "officer"


def _split_public(public: list[SpeakerEvidence], roles: dict[str, str]) -> None:
    """The member of the public who talks most with the police is the civilian; others are bystanders."""
    top = max((ev.engagement for ev in public), default=0)
    for ev in public:
        talks_a_lot = ev.label_role in ("name", "unknown") and ev.engagement >= max(6, top / 3)
        complains = ev.label_role == "name" and ev.turns >= 5 and ev.rate(ev.civilian_hits) >= 0.2
        is_subject = ev.label_role == "subject" or talks_a_lot or complains
        roles[ev.label] = "civilian" if is_subject else "bystander"
    if public and not any(roles[ev.label] == "civilian" for ev in public):
        main = max(public, key=lambda ev: (ev.engagement, ev.turns))
        roles[main.label] = "civilian"


def infer_roles(turns: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Maps each speaker label to a role, given the transcript as (speaker, text) pairs in order."""
    evidence = _gather(turns)
    roles: dict[str, str] = {}
    undecided: list[SpeakerEvidence] = []
    for ev in evidence.values():
        if ev.label_role in ("officer", "dispatcher", "other"):
            roles[ev.label] = ev.label_role
        elif ev.label_role in ("name", "unknown") and ev.is_monologue:
            roles[ev.label] = "other"
        else:
            undecided.append(ev)
    _find_unlabelled_officers(undecided, roles)
    _add_engagement(turns, roles, evidence)
    _split_public([ev for ev in undecided if ev.label not in roles], roles)
    return roles
