"""Training dialogues: where they come from, how they are cleaned, and how they are split.

A :class:`Dialogue` is one interaction (an imported transcript or an approved role-play session)
as a scenario card plus alternating officer/civilian turns. Roles follow the paper: authority
speakers (officers, dispatch) are the officer side; the public is the civilian side; narration is
dropped. Consecutive lines of the same side are one turn. Everything is redacted before use.
Splits are by dialogue (one interaction never lands on both sides), seeded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from deescal.app.records.entities import TrainingDialogue
from deescal.app.records.sessions import SessionRepository
from deescal.app.records.store import Store
from deescal.finetune.privacy import PseudonymRedactor, RedactionReport, known_names
from deescal.scenario_library.schema import CharacterProfile, Scenario

log = logging.getLogger(__name__)

OFFICER_SIDE = {
    "officer": "officer",
    "dispatcher": "officer",
    "civilian": "civilian",
    "bystander": "civilian",
}
SPLITS = ("train", "validation", "test")


@dataclass
class Dialogue:
    key: str  # the split unit: "transcript:<file>" or "session:<id>"
    scenario: Scenario
    turns: list[tuple[str, str]]  # (role, text), role 'officer' or 'civilian', sides alternate
    tensions: list[float | None] = field(default_factory=list)  # per turn; the civilian's tension
    split: str = "train"

    @property
    def n_replies(self) -> int:
        """Officer -> civilian boundaries: the training samples / evaluation points it gives."""
        return sum(1 for i in range(1, len(self.turns)) if self.turns[i][0] == "civilian")

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "scenario": self.scenario.to_dict(),
            "turns": [list(t) for t in self.turns],
            "tensions": self.tensions,
            "split": self.split,
        }

    @classmethod
    def from_json(cls, data: dict) -> Dialogue:
        return cls(
            key=data["key"],
            scenario=Scenario.from_dict(data["scenario"], data["key"]),
            turns=[(role, text) for role, text in data["turns"]],
            tensions=list(data.get("tensions") or []),
            split=data.get("split", "train"),
        )


@dataclass
class SourceReport:
    """What a source gave: dialogues used, and files skipped with the reason."""

    used: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        text = f"{self.used} dialogues"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text


def merge_sides(lines: Iterable[tuple[str, str, float | None]]) -> tuple[list[tuple[str, str]], list]:
    """Joins consecutive lines of the same side into one turn; keeps the last known tension."""
    turns: list[tuple[str, str]] = []
    tensions: list[float | None] = []
    for role, text, tension in lines:
        text = " ".join(text.split())
        if not text:
            continue
        if turns and turns[-1][0] == role:
            turns[-1] = (role, f"{turns[-1][1]} {text}")
            tensions[-1] = tension if tension is not None else tensions[-1]
        else:
            turns.append((role, text))
            tensions.append(tension)
    return turns, tensions


def redact_dialogue(dialogue: Dialogue, names: list[str], report: RedactionReport) -> Dialogue:
    """The dialogue with personal details replaced in its turns and in the card's free text."""
    card = dialogue.scenario
    who = card.character_profile
    texts = [who.name, who.background, card.title, card.scenario_context, card.location or ""]
    texts += [f.text for f in card.hidden_facts] + [text for _, text in dialogue.turns]
    clean = iter(PseudonymRedactor(dialogue.key, names, report).clean_all(texts))
    profile = CharacterProfile(
        name=next(clean),
        age=who.age,
        gender=who.gender,
        emotional_state=who.emotional_state,
        speaking_style=who.speaking_style,
        background=next(clean),
    )
    title, context, location = next(clean), next(clean), next(clean)
    scenario = dataclasses.replace(
        card,
        title=title,
        scenario_context=context,
        location=location,
        character_profile=profile,
        hidden_facts=[dataclasses.replace(f, text=next(clean)) for f in card.hidden_facts],
        reference_transcript=[],  # the turns below are the transcript; no second, unredacted copy
    )
    turns = [(role, next(clean)) for role, _ in dialogue.turns]
    return dataclasses.replace(dialogue, scenario=scenario, turns=turns)


def transcript_dialogues(
    folder: Path,
    report: RedactionReport,
    limit: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> tuple[list[Dialogue], SourceReport]:
    """Imported DeEscalWild CSVs, through the library's reader and role inference."""
    from deescal.scenario_library.transcript_csv import TranscriptFileError
    from deescal.scenario_library.transcript_import import import_transcript

    files = sorted(p for p in Path(folder).glob("*.csv") if p.name != "manifest.csv")
    source = SourceReport()
    dialogues: list[Dialogue] = []
    for path in files:
        if limit is not None and len(dialogues) >= limit or cancelled():
            break
        try:
            scenario, _ = import_transcript(path)
        except TranscriptFileError as exc:
            source.skipped.append((path.name, str(exc)))
            continue
        lines = [
            (OFFICER_SIDE[t.role], t.text, None)
            for t in scenario.reference_transcript
            if t.role in OFFICER_SIDE
        ]
        turns, tensions = merge_sides(lines)
        dialogue = Dialogue(f"transcript:{path.name}", scenario, turns, tensions)
        if dialogue.n_replies == 0:
            source.skipped.append((path.name, "has no officer line answered by a civilian"))
            continue
        speakers = sorted({t.speaker for t in scenario.reference_transcript if t.speaker})
        dialogues.append(redact_dialogue(dialogue, known_names(speakers), report))
    source.used = len(dialogues)
    return dialogues, source


def session_dialogues(
    store: Store, report: RedactionReport, only: list[int] | None = None
) -> tuple[list[Dialogue], SourceReport]:
    """Role-play sessions an instructor approved (all, or those in ``only``), without the turns they
    marked bad (the rule is :meth:`SessionRepository.training_dialogues`)."""
    source = SourceReport()
    dialogues: list[Dialogue] = []
    for session in SessionRepository(store).training_dialogues(only):
        dialogue = session_dialogue(session, report)
        if dialogue.n_replies == 0:
            source.skipped.append((dialogue.key, "has no officer line answered by the civilian"))
            continue
        dialogues.append(dialogue)
    source.used = len(dialogues)
    return dialogues, source


def session_dialogue(session: TrainingDialogue, report: RedactionReport) -> Dialogue:
    """One session's training dialogue, redacted: what fine-tuning reads (and the approval previews)."""
    key = f"session:{session.session_id}"
    turns, tensions = merge_sides((t.role, t.text, t.tension) for t in session.turns)
    scenario = Scenario.from_dict(json.loads(session.card), key)
    names = [session.trainee] if session.trainee else []
    return redact_dialogue(Dialogue(key, scenario, turns, tensions), names, report)


def _draw(key: str, seed: int) -> float:
    """A stable pseudo-random number in [0, 1) for a dialogue: its split never depends on the others."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_splits(
    dialogues: list[Dialogue], seed: int, fractions: tuple[float, float] = (0.1, 0.1)
) -> list[Dialogue]:
    """Marks each dialogue train, validation or test from a seeded hash of its key.

    The same transcript lands in the same split whatever else is in the data set (so ``deescal eval
    --split test`` finds the held-out transcripts of a training run). With three or more dialogues,
    validation and test each get at least one.
    """
    ranked = sorted(dialogues, key=lambda d: _draw(d.key, seed))
    for dialogue in ranked:
        draw = _draw(dialogue.key, seed)
        dialogue.split = "validation" if draw < fractions[0] else "test" if draw < sum(fractions) else "train"
    if len(ranked) >= 3:
        for split in ("validation", "test"):
            if not any(d.split == split for d in ranked):
                spare = [d for d in ranked if d.split == "train"]
                (spare[0] if split == "validation" else spare[-1]).split = split
    return sorted(dialogues, key=lambda d: d.key)


def save_dialogues(dialogues: list[Dialogue], path: Path) -> None:
    partial = path.with_suffix(path.suffix + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for dialogue in dialogues:
            handle.write(json.dumps(dialogue.to_json(), ensure_ascii=False) + "\n")
    partial.replace(path)


def load_dialogues(path: Path, split: str | None = None) -> list[Dialogue]:
    with Path(path).open(encoding="utf-8") as handle:
        dialogues = [Dialogue.from_json(json.loads(line)) for line in handle if line.strip()]
    return [d for d in dialogues if split is None or d.split == split]
