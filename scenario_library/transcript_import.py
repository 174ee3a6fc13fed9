"""Turns one DeEscalWild transcript CSV into a :class:`Scenario` with inferred roles and a derived card.

A file is only worth importing when an officer and a civilian actually talk: single-speaker
narration, or footage where one side never speaks, is refused with a reason the instructor can read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from deescal.scenario_library.derived_card import guess_card
from deescal.scenario_library.role_inference import classify_label, infer_roles
from deescal.scenario_library.schema import CharacterProfile, Provenance, Scenario, Turn
from deescal.scenario_library.transcript_csv import TranscriptFile, TranscriptFileError, read_transcript

FEMALE = re.compile(
    r"\b(woman|female|lady|girl|mrs|ms|miss|mother|mom|wife|girlfriend|daughter|sister)\b", re.I
)
MALE = re.compile(r"\b(man|male|guy|boy|mr|father|dad|husband|boyfriend|son|brother)\b", re.I)


def case_id_for(path: Path) -> str:
    return "dw-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def display_name(label: str) -> str:
    """ "[Drunk woman]" -> "Drunk woman"; names are kept as they are."""
    text = label.strip().strip("[]").strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else "Unnamed civilian"


def _speaking_style(lines: list[str]) -> str:
    words = sum(len(line.split()) for line in lines) / max(len(lines), 1)
    style = ["short, clipped answers" if words < 6 else "talks at length" if words > 20 else "conversational"]
    if sum(line.rstrip().endswith("?") for line in lines) > len(lines) * 0.25:
        style.append("asks a lot of questions")
    if sum("!" in line for line in lines) > len(lines) * 0.15:
        style.append("raises their voice")
    return ", ".join(style)


def _context(
    transcript: TranscriptFile, roles: dict[str, str], officers: list[str], civilians: list[str]
) -> str:
    narration = [u.text for u in transcript.utterances if roles[u.speaker] == "other" and len(u.text) > 60]
    dispatch = [
        u.text for u in transcript.utterances if roles[u.speaker] == "dispatcher" and len(u.text) > 30
    ]
    summary = (
        f"Real interaction imported from the DeEscalWild transcript {transcript.path.name} "
        f"({len(transcript.utterances)} turns). Police: {', '.join(officers[:4])}. "
        f"Public: {', '.join(display_name(c) for c in civilians[:4])}."
    )
    lead = (narration or dispatch or [""])[0]
    return f"{summary} {lead[:500]}".strip()


@dataclass(frozen=True)
class DerivedCard:
    """What the civilian's lines say about them, from turns that already carry roles."""

    category: str
    character: CharacterProfile
    initial_tension: float
    difficulty: int
    tags: list[str]

    def title(self) -> str:
        return f"{self.category}: {self.character.name}"


def derive_card(turns: list[Turn], source_tag: str) -> DerivedCard | None:
    """None when no turn is a civilian's (nothing to describe)."""
    counts = Counter(t.speaker for t in turns if t.role == "civilian")
    if not counts:
        return None
    main = counts.most_common(1)[0][0]
    civilian_lines = [t.text for t in turns if t.role == "civilian" and t.speaker == main]
    context_lines = [t.text for t in turns if t.role in ("other", "dispatcher")]
    card = guess_card([t.text for t in turns], civilian_lines, context_lines, len(counts))
    name = display_name(main)
    character = CharacterProfile(
        name=name,
        gender="female" if FEMALE.search(main) else "male" if MALE.search(main) else "",
        emotional_state=card.emotional_state,
        speaking_style=_speaking_style(civilian_lines),
        background=(
            "A real person recorded on police video; described only by what they say here."
            if classify_label(main) == "name"
            else f"Identified in the transcript only as {name.lower()}."
        ),
    )
    tags = ["deescalwild", source_tag, *card.markers] + (["several-civilians"] if len(counts) > 1 else [])
    return DerivedCard(card.category, character, card.initial_tension, card.difficulty, tags)


def scenario_from_transcript(transcript: TranscriptFile, roles: dict[str, str] | None = None) -> Scenario:
    """Builds the scenario; raises :class:`TranscriptFileError` when the file is not an officer-civilian dialogue."""
    speakers = transcript.speakers
    if len(speakers) < 2:
        raise TranscriptFileError(
            f"has a single speaker ({speakers[0]!r}): narrated commentary, not a dialogue to train on"
        )
    roles = roles or infer_roles([(u.speaker, u.text) for u in transcript.utterances])
    participants = [s for s in speakers if roles[s] != "other"]
    if len(participants) < 2:
        narrators = ", ".join(repr(s) for s in speakers if roles[s] == "other")
        heard = (
            f"only {participants[0]!r} ({roles[participants[0]]}) speaks"
            if participants
            else "nobody else speaks"
        )
        raise TranscriptFileError(
            f"is narrated commentary: besides the narration ({narrators}) {heard}, so there is no exchange to train on"
        )
    officers = [s for s in speakers if roles[s] == "officer"]
    civilians = [s for s in speakers if roles[s] == "civilian"]
    if not officers or not civilians:
        missing = "no police officer" if not officers else "no civilian"
        listed = ", ".join(f"{s} ({roles[s]})" for s in speakers[:6])
        raise TranscriptFileError(
            f"has {missing} speaking, so there is no exchange to train on (speakers: {listed})"
        )

    turns = [
        Turn(role=roles[u.speaker], text=u.text, speaker=u.speaker, start_time=u.start_time)
        for u in transcript.utterances
    ]
    stem = transcript.path.stem
    derived = derive_card(turns, stem.split("_", 1)[0] if "_" in stem else "transcript")
    return Scenario(
        case_id=case_id_for(transcript.path),
        title=derived.title(),
        category=derived.category,
        scenario_context=_context(transcript, roles, officers, civilians),
        character_profile=derived.character,
        difficulty=derived.difficulty,
        initial_tension=derived.initial_tension,
        tags=derived.tags,
        reference_transcript=turns,
        provenance=Provenance(source="imported", file=transcript.path.name),
    )


def rederive_card(scenario: Scenario) -> Scenario:
    """After an instructor corrected roles: character, tension, difficulty and tags worked out again.

    The title is replaced only if it is still the derived one, so an edited title survives.
    """
    source_tag = next((t for t in scenario.tags[1:2] if t != "deescalwild"), "transcript")
    derived = derive_card(scenario.reference_transcript, source_tag)
    if derived is None:
        return scenario
    if scenario.title == f"{scenario.category}: {scenario.character_profile.name}":
        scenario.title = derived.title()
    scenario.category = derived.category
    scenario.character_profile = derived.character
    scenario.initial_tension = derived.initial_tension
    scenario.difficulty = derived.difficulty
    scenario.tags = derived.tags
    return scenario


def import_transcript(path: str | Path) -> tuple[Scenario, str]:
    """Reads and converts one file; returns the scenario and the content hash used to spot duplicates."""
    transcript = read_transcript(path)
    return scenario_from_transcript(transcript), transcript.content_hash
