"""How often role inference agrees with hand labels of the shared DeEscalWild transcripts.

``role_labels.csv`` (beside this file) holds only file names, speaker labels and the role a person
gave each label after reading the transcript; no transcript text. Conventions used when labelling:
officer = any police or sheriff's officer, detective, investigator or other law-enforcement agent
(also one mislabelled by the diariser, e.g. an "[Aggressive individual]" saying "get on the
ground"); dispatcher = 911 operators and radio dispatch; civilian = the member(s) of the public the
police deal with (subject, driver, person in crisis, both sides of a dispute; when no such person
speaks, the main person the police talk with); bystander = everyone else from the public
(witnesses, relatives, staff, callers); other = narrators, commentators, advertisements, devices.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from deescal.scenario_library.role_inference import infer_roles
from deescal.scenario_library.transcript_csv import read_transcript

LABELS_PATH = Path(__file__).with_name("role_labels.csv")
POLICE_SIDE = {"officer", "dispatcher"}


@dataclass
class RoleAccuracy:
    labels: int = 0
    labels_correct: int = 0
    turns: int = 0
    turns_correct: int = 0
    officer_turns_correct: int = 0  # officer vs not officer, by turns
    files: int = 0
    confusion: Counter = field(default_factory=Counter)  # (gold, predicted) -> labels
    mistakes: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def label_accuracy(self) -> float:
        return self.labels_correct / max(self.labels, 1)

    @property
    def turn_accuracy(self) -> float:
        return self.turns_correct / max(self.turns, 1)

    @property
    def officer_turn_accuracy(self) -> float:
        return self.officer_turns_correct / max(self.turns, 1)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "labels": self.labels,
            "label_accuracy": round(self.label_accuracy, 4),
            "turns": self.turns,
            "turn_accuracy": round(self.turn_accuracy, 4),
            "officer_vs_rest_turn_accuracy": round(self.officer_turn_accuracy, 4),
            "confusion": {f"{gold}->{pred}": n for (gold, pred), n in sorted(self.confusion.items())},
        }


def load_labels(path: Path = LABELS_PATH) -> dict[str, dict[str, str]]:
    """file name -> {speaker label -> role}."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels[row["file"]][row["speaker_label"]] = row["role"]
    return dict(labels)


def dialogue_files(labels: dict[str, dict[str, str]]) -> tuple[set[str], set[str]]:
    """(files where at least two people take part, files where an officer and a civilian talk), by hand labels.

    Narration, hosts, guests and advertisements (role ``other``) are commentary, not participants:
    a narrator over a clip in which one officer shouts is narrated commentary, not a dialogue.
    """
    participants = {f for f, roles in labels.items() if sum(r != "other" for r in roles.values()) >= 2}
    exchanges = {f for f, roles in labels.items() if {"officer", "civilian"} <= set(roles.values())}
    return participants, exchanges


def measure(transcripts_dir: Path, labels_path: Path = LABELS_PATH) -> RoleAccuracy:
    """Runs inference on every hand-labelled file found in ``transcripts_dir``."""
    result = RoleAccuracy()
    for name, gold in sorted(load_labels(labels_path).items()):
        path = Path(transcripts_dir) / name
        if not path.exists():
            continue
        transcript = read_transcript(path)
        predicted = infer_roles([(u.speaker, u.text) for u in transcript.utterances])
        turns = Counter(u.speaker for u in transcript.utterances)
        result.files += 1
        for label, role in gold.items():
            guess = predicted.get(label, "missing")
            result.labels += 1
            result.labels_correct += guess == role
            result.turns += turns[label]
            result.turns_correct += turns[label] * (guess == role)
            result.officer_turns_correct += turns[label] * ((guess == "officer") == (role == "officer"))
            result.confusion[(role, guess)] += 1
            if guess != role:
                result.mistakes.append((name, label, role, guess))
    return result
