"""The debrief of one session: what an instructor would say after it, built from its records alone.

What went well and what to try next time, each tied to the trainee's lines that show it; each of the
scenario's learning objectives met or not, with the turn and the words; the critical moments (where
the tension rose most, where it hit the top, where a hidden fact could have come out and whether it
did); and the terms of the frameworks instructors teach (LEAPS, ICAT, procedural justice) that the
techniques found stand for. Deterministic and plain Python: the scorer's techniques with their
evidence, the tension after each line, the scenario card and the coaching rules, no language model.
Turn N is the trainee's N-th line, as the Review page numbers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from deescal.app.review import ReviewTurn, SessionReview
from deescal.app.roleplay.persona import mentions_fact
from deescal.app.scoring.coaching import ADVICE, TEACHING_ORDER, civilian_cues, lever_technique
from deescal.app.scoring.techniques import BY_NAME
from deescal.app.scoring.types import TechniqueHit

RISE_TO_NOTE = 0.5  # a rise in tension smaller than this after one line is not a critical moment
MOST_RISES = 2  # the steepest rises shown
MOST_POINTS = 4  # points in "went well" and in "try next time"
MOST_EVIDENCE = 3  # quotes per point

# The escalating techniques that go against each calming one: a goal not met, and what happened instead.
OPPOSITES: dict[str, tuple[str, ...]] = {
    "shows_respect": ("insults", "profanity", "sarcasm"),
    "acknowledges_feelings": ("dismisses_feelings",),
    "paraphrases": ("silences",),
    "open_question": ("silences",),
    "explains_why": ("orders_no_reason",),
    "offers_choices": ("ultimatum", "threatens"),
    "reassures_safety": ("threatens",),
    "slows_down": ("rushes", "shouts"),
    "asks_what_helps": ("blames",),
}

# (framework, term, techniques that show it, techniques that go against it), from
# ../shared/docs/deescalation-frameworks.md: the words an instructor already uses in class.
FRAMEWORK_TERMS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("LEAPS", "Listen", ("open_question", "slows_down"), ("silences", "rushes")),
    ("LEAPS", "Empathise", ("acknowledges_feelings",), ("dismisses_feelings",)),
    ("LEAPS", "Ask", ("open_question", "asks_what_helps", "asks_about_self_harm"), ()),
    ("LEAPS", "Paraphrase and summarise", ("paraphrases",), ()),
    (
        "ICAT",
        "Active listening and empathy",
        ("acknowledges_feelings", "paraphrases", "open_question"),
        ("silences", "dismisses_feelings"),
    ),
    ("ICAT", "Offering options", ("offers_choices",), ("ultimatum", "threatens")),
    ("ICAT", "Tactical pause: time and distance", ("slows_down",), ("rushes",)),
    (
        "ICAT",
        "One clear instruction, not a repeated command",
        ("safety_command", "explains_why"),
        ("shouts", "orders_no_reason"),
    ),
    ("Procedural justice", "Voice", ("open_question", "paraphrases"), ("silences",)),
    (
        "Procedural justice",
        "Neutrality: decisions explained",
        ("explains_why",),
        ("blames", "orders_no_reason"),
    ),
    (
        "Procedural justice",
        "Respectful treatment",
        ("shows_respect", "introduces_self"),
        ("insults", "profanity", "sarcasm", "dismisses_feelings"),
    ),
    (
        "Procedural justice",
        "Trustworthy motives",
        ("reassures_safety", "asks_what_helps"),
        ("threatens", "ultimatum"),
    ),
)


@dataclass(frozen=True)
class Evidence:
    """The words that show something, and the trainee's line they belong to (or follow)."""

    turn: int
    words: str
    what: str = ""  # the technique (or the civilian's cue) the words show


@dataclass(frozen=True)
class Point:
    text: str
    turns: list[int]
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class ObjectiveResult:
    objective: str
    status: str  # "met", "not met", or "not assessed" (no technique the scorer finds shows it)
    technique: str  # the technique's label that meets it, "" when not assessed
    note: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class CriticalMoment:
    kind: str  # "tension_rise", "escalation" or "hidden_fact"
    turn: int | None
    text: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class FrameworkTerm:
    framework: str
    term: str
    status: str  # "shown", "went against", "mixed" or "not shown"
    shown_in: list[int]
    against_in: list[int]
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Debrief:
    session_id: int
    title: str
    summary: str
    went_well: list[Point]
    to_try: list[Point]
    objectives: list[ObjectiveResult]
    critical_moments: list[CriticalMoment]
    frameworks: list[FrameworkTerm]
    notes: list[str]

    def to_dict(self) -> dict:
        return asdict(self)


def build_debrief(review: SessionReview) -> Debrief:
    """The debrief of a loaded review (its card in ``review.scenario``, when it could be read)."""
    officer = review.officer_turns
    notes = [review.card_problem] if review.card_problem else []
    if not officer:
        notes.append("The trainee said nothing in this session, so there is nothing to debrief.")
    return Debrief(
        session_id=review.session.id,
        title=review.title,
        summary=_summary(review),
        went_well=_went_well(review),
        to_try=_to_try(officer),
        objectives=_objectives(review),
        critical_moments=_critical_moments(review),
        frameworks=_frameworks(officer),
        notes=notes,
    )


# -- pieces -------------------------------------------------------------------------------------
def _summary(review: SessionReview) -> str:
    s = review.session
    lines = len(review.officer_turns)
    mean = review.mean_score
    text = f"{lines} trainee line{'s' if lines != 1 else ''}, outcome {s.status}"
    if mean is not None:
        text += f", mean score {mean:.0f}"
    if s.final_tension is not None:
        text += f", tension {s.initial_tension:.1f} at the start and {s.final_tension:.1f} at the end"
    return text + "."


def _hits(turns: Iterable[ReviewTurn], names: Iterable[str]) -> list[tuple[ReviewTurn, TechniqueHit]]:
    """Every (turn, hit) of these techniques, in turn order; one hit per technique per turn."""
    wanted = set(names)
    return [
        (turn, hit)
        for turn in turns
        for hit in {h.name: h for h in turn.techniques}.values()
        if hit.name in wanted
    ]


def _evidence(pairs: list[tuple[ReviewTurn, TechniqueHit]]) -> list[Evidence]:
    return [Evidence(turn.number, hit.evidence, hit.label) for turn, hit in pairs[:MOST_EVIDENCE]]


def _turns_of(pairs: list[tuple[ReviewTurn, TechniqueHit]]) -> list[int]:
    return sorted({turn.number for turn, _ in pairs})


def _by_technique(officer: list[ReviewTurn], polarity: int) -> list[list[tuple[ReviewTurn, TechniqueHit]]]:
    """The hits of each technique of this polarity, most used first (then the earliest)."""
    groups: dict[str, list[tuple[ReviewTurn, TechniqueHit]]] = {}
    for turn in officer:
        for hit in {h.name: h for h in turn.techniques if h.polarity == polarity}.values():
            groups.setdefault(hit.name, []).append((turn, hit))
    return sorted(groups.values(), key=lambda pairs: (-len(_turns_of(pairs)), pairs[0][0].number))


def _tension_steps(review: SessionReview) -> list[tuple[ReviewTurn, float, float]]:
    """(officer turn, tension before its line, tension after), for the turns with a tension."""
    before = review.session.initial_tension
    steps = []
    for turn in review.officer_turns:
        if turn.tension is None:
            continue
        steps.append((turn, float(before), float(turn.tension)))
        before = turn.tension
    return steps


def _went_well(review: SessionReview) -> list[Point]:
    points = [
        Point(f"{pairs[0][1].label}: {BY_NAME[pairs[0][1].name].tip}.", _turns_of(pairs), _evidence(pairs))
        for pairs in _by_technique(review.officer_turns, +1)[:MOST_POINTS]
    ]
    falls = [(turn, b, a) for turn, b, a in _tension_steps(review) if b - a >= RISE_TO_NOTE]
    if falls:
        turn, before, after = max(falls, key=lambda step: (step[1] - step[2], -step[0].number))
        points.append(
            Point(
                f"Turn {turn.number} lowered the tension most ({before:.1f} to {after:.1f}).",
                [turn.number],
                [Evidence(turn.number, turn.text)],
            )
        )
    return points


def _to_try(officer: list[ReviewTurn]) -> list[Point]:
    points = [
        Point(
            f"{pairs[0][1].label} at {_turn_list(_turns_of(pairs))}. Try instead: {BY_NAME[pairs[0][1].name].tip}.",
            _turns_of(pairs),
            _evidence(pairs),
        )
        for pairs in _by_technique(officer, -1)
    ]
    missed: dict[str, list[tuple[ReviewTurn, str]]] = {}
    for turn in officer:
        cues = civilian_cues(turn.civilian_before)
        if cues and cues[0][1] not in {h.name for h in turn.techniques}:
            missed.setdefault(cues[0][1], []).append((turn, cues[0][0]))
    for technique, where in missed.items():
        numbers = [turn.number for turn, _ in where]
        points.append(
            Point(
                f"At {_turn_list(numbers)}, {where[0][1][0].lower()}{where[0][1][1:]} (their line just "
                f"before): next time, {ADVICE[technique]}.",
                numbers,
                [
                    Evidence(turn.number, turn.civilian_before or "", reason)
                    for turn, reason in where[:MOST_EVIDENCE]
                ],
            )
        )
    if not points and officer:
        used = {h.name for t in officer for h in t.techniques}
        untried = next((t for t in TEACHING_ORDER if t not in used), None)
        if untried:
            points.append(Point(f"Not tried in any line: {ADVICE[untried]}.", []))
    return points[:MOST_POINTS]


def _objectives(review: SessionReview) -> list[ObjectiveResult]:
    if review.scenario is None:
        return []
    results = []
    for objective in review.scenario.learning_objectives:
        technique = lever_technique(objective)
        if technique is None:
            results.append(
                ObjectiveResult(
                    objective,
                    "not assessed",
                    "",
                    "No technique the scorer finds shows this; judge it from the transcript.",
                )
            )
            continue
        label = BY_NAME[technique].label
        shown = _hits(review.officer_turns, [technique])
        if shown:
            results.append(
                ObjectiveResult(
                    objective, "met", label, f"{label} at {_turn_list(_turns_of(shown))}.", _evidence(shown)
                )
            )
            continue
        against = _hits(review.officer_turns, OPPOSITES.get(technique, ()))
        note = f"No line showed {label.lower()}; next time, {ADVICE[technique]}."
        if against:
            note += f" {_turn_list(_turns_of(against)).capitalize()} went the other way."
        results.append(ObjectiveResult(objective, "not met", label, note, _evidence(against)))
    return results


def _critical_moments(review: SessionReview) -> list[CriticalMoment]:
    steps = _tension_steps(review)
    moments = []
    rises = sorted(
        (step for step in steps if step[2] - step[1] >= RISE_TO_NOTE),
        key=lambda step: (step[1] - step[2], step[0].number),
    )[:MOST_RISES]
    for turn, before, after in rises:
        escalating = _hits([turn], (h.name for h in turn.techniques if h.polarity < 0))
        moments.append(
            CriticalMoment(
                "tension_rise",
                turn.number,
                f"Turn {turn.number}: the tension rose from {before:.1f} to {after:.1f}"
                + (
                    f" after “{escalating[0][1].evidence}” ({escalating[0][1].label.lower()})."
                    if escalating
                    else "."
                ),
                _evidence(escalating) or [Evidence(turn.number, turn.text)],
            )
        )
    for turn in review.officer_turns:
        if turn.turn_id in review.escalation_turn_ids:
            moments.append(
                CriticalMoment(
                    "escalation",
                    turn.number,
                    f"Turn {turn.number}: the tension reached the top of the scale.",
                    [Evidence(turn.number, turn.text)],
                )
            )
    moments += _hidden_fact_moments(review, steps)
    return sorted(moments, key=lambda m: (m.turn is None, m.turn or 0))


def _hidden_fact_moments(
    review: SessionReview, steps: list[tuple[ReviewTurn, float, float]]
) -> list[CriticalMoment]:
    """Each hidden fact: from which line trust was enough to tell it (the tension before the line at
    or below the fact's ``reveal_at_tension``, the role-play's own rule) and whether it came out."""
    if review.scenario is None:
        return []
    told_in = set(review.session.revealed_facts)
    moments = []
    for fact in review.scenario.hidden_facts:
        limit, quote = fact.reveal_at_tension, f"“{fact.text}”"
        ready = next(((turn, before) for turn, before, _ in steps if before <= limit), None)
        said = [
            t for t in review.turns if t.role == "civilian" and t.number and mentions_fact(t.text, fact.text)
        ]
        told = None
        if fact.text in told_in and said:
            told = next((t for t in said if ready and t.number >= ready[0].number), said[0])
        early = next((t for t in said if t is not told and (not ready or t.number < ready[0].number)), None)
        slip = f" The civilian let it slip at turn {early.number}, before trust was earned." if early else ""
        if told is not None:
            turn, evidence = told.number, [Evidence(told.number, told.text, "the civilian's answer")]
            text = f"Turn {turn}: the hidden fact {quote} came out (tension at or below {limit:g})."
        elif ready is not None:
            turn, evidence = ready[0].number, [Evidence(ready[0].number, ready[0].text)]
            text = (
                f"Turn {turn}: the hidden fact {quote} could have come out from here (tension {ready[1]:.1f}, "
                f"at or below {limit:g}), but it did not; an open question about it might have drawn it out."
            )
        elif steps:
            last, _, lowest = min(steps, key=lambda step: (step[2], step[0].number))
            turn, evidence = last.number, []
            if lowest <= limit:  # only the last line earned it: the session ended before the next
                text = (
                    f"Turn {turn} brought the tension to {lowest:.1f}, low enough for the hidden fact {quote} "
                    f"(at or below {limit:g}), but the session ended before it could come out."
                )
            else:
                text = (
                    f"The hidden fact {quote} stayed hidden: it needs the tension at or below {limit:g}, and "
                    f"the lowest was {lowest:.1f} (after turn {turn})."
                )
        else:
            continue
        moments.append(CriticalMoment("hidden_fact", turn, text + slip, evidence))
    return moments


def _frameworks(officer: list[ReviewTurn]) -> list[FrameworkTerm]:
    terms = []
    for framework, term, showing, against in FRAMEWORK_TERMS:
        shown, opposed = _hits(officer, showing), _hits(officer, against)
        status = (
            "mixed" if shown and opposed else "shown" if shown else "went against" if opposed else "not shown"
        )
        terms.append(
            FrameworkTerm(
                framework,
                term,
                status,
                _turns_of(shown),
                _turns_of(opposed),
                _evidence(shown)[:2] + _evidence(opposed)[:2],
            )
        )
    return terms


def _turn_list(numbers: list[int]) -> str:
    """ "turn 3", "turns 2 and 5", "turns 1, 4 and 6"."""
    if len(numbers) == 1:
        return f"turn {numbers[0]}"
    return f"turns {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def quote(evidence: Evidence) -> str:
    """One piece of evidence as the exports and the page print it: turn 3: “I can see you're scared”."""
    return f"turn {evidence.turn}: “{evidence.words}”"
