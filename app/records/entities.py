"""Typed rows: what the records layer hands to services and views (attribute access, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deescal.models.embedded import EMBEDDED_LLM_LABEL, EMBEDDED_LLM_NAME


@dataclass(frozen=True)
class ScenarioListing:
    """One scenario as the library lists it (the columns of the list indexes, not the full card)."""

    id: int
    case_id: str
    title: str
    category: str
    difficulty: int
    initial_tension: float
    source: str
    character_name: str
    tags: list[str]


@dataclass(frozen=True)
class Trainee:
    id: int
    name: str
    cohort: str = ""
    notes: str = ""
    created_at: str = ""
    n_sessions: int = 0
    last_session: str | None = None
    mean_score: float | None = None  # mean effective score over all their officer turns


@dataclass(frozen=True)
class SessionSummary:
    """One line of a session list, with the mean effective score of its officer turns."""

    id: int
    status: str
    started_at: str
    ended_at: str | None
    initial_tension: float
    final_tension: float | None
    model_name: str | None
    adapter_path: str | None
    approved: bool
    trainee_id: int | None
    trainee: str | None
    cohort: str | None
    case_id: str
    title: str
    n_turns: int
    officer_turns: int
    mean_score: float | None


@dataclass(frozen=True)
class Session:
    """A whole session row with its scenario's names and the trainee's name."""

    id: int
    scenario_id: int
    trainee_id: int | None
    mode: str
    status: str
    model_name: str | None
    adapter_path: str | None
    seed: int | None
    initial_tension: float
    final_tension: float | None
    revealed_facts: list[str]
    approved: bool
    approved_at: str | None
    approved_by: str | None
    started_at: str
    ended_at: str | None
    case_id: str
    title: str
    character_name: str
    scenario_source: str
    trainee: str | None
    uuid: str | None = None  # given at creation, kept when the session is imported elsewhere
    origin: str = "local"  # "imported" when it came in a session pack
    laptop_id: str | None = None  # where an imported session was played (None: here)
    laptop_name: str | None = None
    course_id: str | None = None
    assignment_id: str | None = None
    app_version: str | None = None
    pack_id: str | None = None
    imported_at: str | None = None


@dataclass(frozen=True)
class Turn:
    """One turn with the scorer's result and the instructor's review, when there are any."""

    id: int
    session_id: int
    idx: int
    role: str
    text: str
    tension: float | None
    latency_s: float | None = None
    first_token_s: float | None = None
    n_tokens: int | None = None
    model_name: str | None = None
    adapter_path: str | None = None
    audio_path: str | None = None
    auto_score: float | None = None  # the scorer's
    techniques: list[dict[str, Any]] = field(default_factory=list)
    feedback: str = ""
    scorer_version: str = ""
    override_score: float | None = None  # the instructor's
    mark: str | None = None
    comment: str = ""
    score: float | None = None  # the effective score: the instructor's, else the scorer's


@dataclass(frozen=True)
class TrainingDialogue:
    """An approved session as training data: its turns minus those the instructor marked bad."""

    session_id: int
    title: str
    card: str
    trainee: str | None
    approved_at: str | None
    turns: list[Turn]


@dataclass(frozen=True)
class ModelRecord:
    id: int
    name: str
    path: str
    sha256: str
    size_bytes: int
    context_length: int
    prompt_style: str
    is_default: bool
    added_at: str

    @property
    def embedded(self) -> bool:
        return self.name == EMBEDDED_LLM_NAME

    @property
    def label(self) -> str:
        return EMBEDDED_LLM_LABEL if self.embedded else self.name

    def to_dict(self) -> dict:
        return {**self.__dict__, "embedded": self.embedded, "label": self.label}


@dataclass(frozen=True)
class AdapterRecord:
    id: int
    name: str
    path: str
    base_model_sha256: str | None
    is_active: bool
    created_at: str
    training_summary: dict
    metrics: dict

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Course:
    """A course this data folder made (``owner``, the instructor) or joined from a course pack (``member``)."""

    id: str
    name: str
    role: str
    settings: dict[str, Any]
    adapter: dict[str, Any] | None
    created_at: str
    imported_at: str


@dataclass(frozen=True)
class Assignment:
    """One scenario a course asks for, with its due date; ``done`` once a session on it has finished
    on this laptop since the course arrived."""

    id: str
    course_id: str
    course: str
    position: int
    scenario_id: int
    case_id: str
    title: str
    due_at: str | None
    done: bool


@dataclass(frozen=True)
class QueuedSession:
    """An imported session the instructor has not opened yet."""

    session_id: int
    uuid: str
    trainee: str | None
    laptop_id: str | None
    laptop_name: str | None
    case_id: str
    title: str
    status: str
    started_at: str
    assignment_id: str | None
    course_id: str | None
    added_at: str
