"""The next step to suggest after an officer turn: advice that fits the moment, not one fixed line.

Chosen from, in this order: what the civilian just said (fear -> reassure, a grievance ->
paraphrase, a disclosure -> acknowledge, a refusal -> offer choices), the scenario's levers and
learning objectives, then the calming techniques the trainee has not tried yet this session. Never
a technique used in this turn or the one before: advice to repeat what they just did teaches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from deescal.app.scoring.context import scene_shows_threat
from deescal.scenario_library.schema import Scenario

RECENT_TURNS = 2  # this turn and the one before: their techniques are never suggested
RECENT_ADVICE = 2  # a next step given in one of the last two turns is not given again if another fits

# What to do, in plain words, for each calming technique a next step can suggest.
ADVICE: dict[str, str] = {
    "introduces_self": "say who you are and ask their name",
    "shows_respect": "add a please or a thank-you: courtesy keeps their dignity",
    "acknowledges_feelings": 'name the feeling you see ("you sound worn out")',
    "paraphrases": "say back what you heard in your own words, so they know you got it",
    "open_question": "ask an open question (what happened? how did it start?) and let them talk",
    "explains_why": "say what you are doing and why",
    "offers_choices": "offer two choices you can accept instead of one order",
    "reassures_safety": "tell them plainly they are safe and what you are not going to do",
    "slows_down": "slow it down: say there is no rush and give them time",
    "asks_what_helps": "ask what would help right now, or offer something concrete",
    "asks_about_self_harm": "ask them plainly whether they are thinking of hurting themselves",
}

# The order a session usually needs them in, for the techniques not tried yet.
TEACHING_ORDER = (
    "introduces_self",
    "open_question",
    "acknowledges_feelings",
    "paraphrases",
    "explains_why",
    "offers_choices",
    "reassures_safety",
    "asks_what_helps",
    "slows_down",
    "shows_respect",
)


def _any(*expressions: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{e})" for e in expressions), re.IGNORECASE)


# What the civilian just said -> the technique that answers it (first match wins).
_CUES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "They sound afraid",
        "reassures_safety",
        _any(
            r"\b(?:scared|afraid|terrified|frightened|panic\w*)\b",
            r"\b(?:are you|you'?re) (?:going to|gonna) (?:arrest|shoot|hurt|take|deport)\b",
            r"\bplease don'?t\b",
            r"\b(?:don'?t|do not) (?:hurt|shoot|touch|take) me\b",
        ),
    ),
    (
        "They told you something personal",
        "acknowledges_feelings",
        _any(
            r"\bmy (?:\w+ )?(?:mom|mother|dad|father|wife|husband|son|daughter|kids?|brother|sister|dog|cat|friend|partner|baby|grandma|grandpa)\b[^.?!]*\b(?:died|dead|passed|left|gone|sick|missing|took|hit|hits)\b",
            r"\bI (?:just )?(?:lost|got fired|got evicted|was (?:beaten|attacked|jumped|fired)|haven'?t slept|can'?t sleep|can'?t cope|have nowhere)\b",
            r"\b(?:(?:he|she) (?:hit|hits|beat|beats|hurt|hurts) me|I'?m (?:homeless|pregnant|sick|alone))\b",
        ),
    ),
    (
        "They have a grievance",
        "paraphrases",
        _any(
            r"\b(?:every (?:time|single|week|day)|again|third time|second time|always|never)\b",
            r"\b(?:unfair|not fair|harass\w*|nobody (?:listens|cares|believes)|for nothing|I didn'?t do anything)\b",
            r"\b(?:they|he|she) (?:took|towed|stole|changed|kept|blocked|lied)\b",
        ),
    ),
    (
        "They are refusing",
        "offers_choices",
        _any(
            r"^\W*no\b",
            r"\bI'?m not (?:going|leaving|moving|getting|coming|doing|giving|opening|putting)\b",
            r"\bI (?:won'?t|will not|refuse)\b",
            r"\b(?:make me|you can'?t make me|not happening|leave me alone|I don'?t have to|forget it)\b",
        ),
    ),
)

# Key words of a scenario lever or learning objective -> the technique that pulls it.
_LEVER_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "asks_about_self_harm",
        _any(r"suicid", r"self-harm", r"ask(?:ing)? (?:directly|plainly)", r"\bintent\b"),
    ),
    (
        "acknowledges_feelings",
        _any(
            r"acknowledg", r"feeling", r"\bfear", r"grief", r"\bloss\b", r"validat", r"empath", r"seriously"
        ),
    ),
    (
        "paraphrases",
        _any(r"summar", r"paraphras", r"reflect", r"repeat\w* back", r"check\w* (?:\w+ )?understanding"),
    ),
    (
        "explains_why",
        _any(
            r"explain",
            r"honest",
            r"what happens next",
            r"\breason",
            r"\bwhy\b",
            r"transparen",
            r"neutral",
            r"\bfair",
            r"through each step",
        ),
    ),
    (
        "offers_choices",
        _any(
            r"choice",
            r"option",
            r"control",
            r"decide",
            r"\bask\w* rather than",
            r"asking politely",
            r"ultimat",
        ),
    ),
    (
        "slows_down",
        _any(
            r"\btime\b",
            r"slow",
            r"one (?:small )?step",
            r"small step",
            r"patien",
            r"\bpace\b",
            r"distance",
            r"\bspace\b",
            r"settle",
        ),
    ),
    (
        "reassures_safety",
        _any(
            r"\bsafe",
            r"not in trouble",
            r"protect",
            r"\barrest",
            r"\bcrime\b",
            r"reassur\w* that (?:medical )?help",
        ),
    ),
    # Reassurance about anything else ("about the last argument", "that many new parents feel this
    # way") answers a feeling: "tell them plainly they are safe" would be the wrong advice.
    ("acknowledges_feelings", _any(r"reassur")),
    (
        "asks_what_helps",
        _any(
            r"\bhelp\b",
            r"resource",
            r"family",
            r"support",
            r"\bride\b",
            r"shelter",
            r"call\w* (?:a|his|her|their)",
            r"solution",
            r"services?\b",
            r"\bneeds?\b",
            r"interpreter",
            r"\bEMS\b|ambulance|medic",
        ),
    ),
    (
        "open_question",
        _any(
            r"listen",
            r"his side",
            r"her side",
            r"their side",
            r"story",
            r"\bvent",
            r"interest in",
            r"small talk",
            r"\bheard\b",
            r"\bhear\b",
            r"each side",
            r"one (?:clear )?question",
            r"fact-finding",
            r"cares about",
        ),
    ),
    ("introduces_self", _any(r"\bname\b", r"introduc", r"rapport", r"personal")),
    ("shows_respect", _any(r"respect", r"dignity", r"polite", r"courtes")),
)


@dataclass(frozen=True)
class Moment:
    """What the session knows around one officer turn, beyond the civilian's last line.

    ``earlier_turns``: the technique names of each earlier officer turn, oldest first;
    ``earlier_advice``: the next steps already given, oldest first; ``threat``: the scenario's
    current state shows a threat (a weapon on the card and the tension high).
    """

    earlier_turns: tuple[frozenset[str], ...] = ()
    earlier_advice: tuple[str, ...] = ()
    levers: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    threat: bool = False


def session_moment(
    scenario: Scenario,
    tension: float,
    earlier_turns: list[frozenset[str]],
    earlier_advice: list[str] | None = None,
) -> Moment:
    """The moment of a role-play session's next officer turn."""
    return Moment(
        earlier_turns=tuple(earlier_turns),
        earlier_advice=tuple(earlier_advice or ()),
        levers=tuple(scenario.levers),
        objectives=tuple(scenario.learning_objectives),
        threat=scene_shows_threat(scenario, tension),
    )


@dataclass(frozen=True)
class NextStep:
    technique: str
    text: str


def choose_next_step(
    used_now: set[str], civilian_before: str | None, moment: Moment | None = None
) -> NextStep:
    """The one calming technique to try next, with the reason it fits, in plain words.

    The best fit comes first (what the civilian just said, then the card's levers and objectives,
    then what has not been tried); a step whose advice was given in the last two turns gives way to
    the next fit, whatever reason led to it (two levers of the card can point to the same technique),
    so a trainee who does not take one piece of advice hears a different one instead of the same line.
    """
    moment = moment or Moment()
    said_lately = moment.earlier_advice[-RECENT_ADVICE:]
    first = None
    for step in _fitting_steps(used_now, civilian_before, moment):
        if not any(ADVICE[step.technique] in said for said in said_lately):
            return step
        first = first or step
    return first or NextStep("", "Keep going like this, and keep listening.")


def _fitting_steps(used_now: set[str], civilian_before: str | None, moment: Moment) -> Iterator[NextStep]:
    """Every next step that fits this moment, best first."""
    recent = set(used_now)
    for turn in moment.earlier_turns[-(RECENT_TURNS - 1) :]:
        recent |= turn
    tried = set(used_now).union(*moment.earlier_turns)

    for reason, technique in civilian_cues(civilian_before):
        if technique not in recent:
            yield NextStep(technique, f"{reason}: {ADVICE[technique]}.")

    from_card = [
        (heading, phrase, technique)
        for heading, phrases in (
            ("What works with this person", moment.levers),
            ("Goal here", moment.objectives),
        )
        for phrase in phrases
        if (technique := lever_technique(phrase)) and technique not in tried
    ]
    if from_card:  # taken in turn, so a trainee who never pulls one lever hears about the others
        turn = len(moment.earlier_turns) % len(from_card)
        for heading, phrase, technique in from_card[turn:] + from_card[:turn]:
            yield NextStep(technique, f"{heading}: {phrase.rstrip('.')}. Next, {ADVICE[technique]}.")

    for technique in (t for t in TEACHING_ORDER if t not in tried):
        yield NextStep(technique, f"Next, {ADVICE[technique]}.")
    last_seen = {name: i for i, turn in enumerate(moment.earlier_turns) for name in turn}
    for technique in sorted(
        (t for t in TEACHING_ORDER if t not in recent and t in tried), key=lambda t: last_seen.get(t, -1)
    ):
        yield NextStep(technique, f"Next, {ADVICE[technique]}.")


def civilian_cues(civilian_line: str | None) -> list[tuple[str, str]]:
    """What the civilian's line asks of the officer: (why, in words; the technique that answers it),
    best first. The debrief uses it too, to point at the cues a trainee did not answer."""
    civilian = (civilian_line or "").strip()
    return [(reason, technique) for reason, technique, pattern in _CUES if pattern.search(civilian)]


def lever_technique(phrase: str) -> str | None:
    """The technique that pulls a scenario lever or meets a learning objective, if the words say."""
    for technique, pattern in _LEVER_WORDS:
        if pattern.search(phrase):
            return technique
    return None
