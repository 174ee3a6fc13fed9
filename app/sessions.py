"""Role-play sessions as the role-play records them and the ``sessions`` command shows them.

The rows live in :mod:`deescal.app.records.sessions`; this module turns the role-play's events into
records, and :func:`session_transcript` is the one rendering of a session that the ``roleplay`` and
``sessions show`` commands print (and the review reads).
"""

from __future__ import annotations

import json
from typing import Any

from deescal.app.records.entities import Session, SessionSummary, Turn
from deescal.app.records.sessions import SessionRepository
from deescal.app.records.store import Store
from deescal.app.records.trainees import TraineeRepository

STATUSES = ("active", "resolved", "escalated", "ended", "interrupted")


def trainee_names(store: Store) -> list[str]:
    return [trainee.name for trainee in TraineeRepository(store).list()]


def create_session(store: Store, *, trainee: str | None, **session: Any) -> int:
    """Records a new session (the fields of :meth:`SessionRepository.create`) for the trainee called
    ``trainee``: the existing one whatever the case and spacing of the name, else a new one."""
    return SessionRepository(store).create(
        trainee_id=TraineeRepository(store).find_or_create(trainee), **session
    )


def session_row(store: Store, session_id: int) -> Session:
    return SessionRepository(store).get(session_id)


def turns(store: Store, session_id: int) -> list[Turn]:
    """The session's turns in order, each with its score fields (officer turns) when scored."""
    return SessionRepository(store).turns(session_id)


def add_officer_turn(
    store: Store,
    session_id: int,
    *,
    text: str,
    tension: float,
    score: float,
    techniques: list[dict],
    feedback: str,
    scorer_version: str,
    model_name: str,
    adapter_path: str | None,
    audio_path: str | None = None,
) -> int:
    """Records an officer turn and its score together (one transaction); returns the turn id."""
    return SessionRepository(store).add_turn(
        session_id,
        {
            "role": "officer",
            "text": text,
            "tension": tension,
            "model_name": model_name,
            "adapter_path": adapter_path,
            "audio_path": audio_path,
        },
        score={
            "score": score,
            "techniques": techniques,
            "feedback": feedback,
            "scorer_version": scorer_version,
        },
        session_changes={"final_tension": tension},
        what="the officer's turn",
    )


def add_civilian_turn(
    store: Store,
    session_id: int,
    *,
    text: str,
    tension: float,
    latency_s: float,
    first_token_s: float | None,
    n_tokens: int,
    model_name: str,
    adapter_path: str | None,
    revealed_facts: list[str],
) -> int:
    """Records the civilian's reply and the facts uncovered so far (one transaction)."""
    return SessionRepository(store).add_turn(
        session_id,
        {
            "role": "civilian",
            "text": text,
            "tension": tension,
            "latency_s": latency_s,
            "first_token_s": first_token_s,
            "n_tokens": n_tokens,
            "model_name": model_name,
            "adapter_path": adapter_path,
        },
        session_changes={"revealed_facts": json.dumps(revealed_facts), "final_tension": tension},
        what="the civilian's reply",
    )


def finish_session(store: Store, session_id: int, status: str, final_tension: float) -> None:
    SessionRepository(store).finish(session_id, status, final_tension)


def list_sessions(store: Store, status: str | None = None, limit: int = 200) -> list[SessionSummary]:
    """Newest first, with scenario title, trainee name, turn count and mean effective score."""
    return SessionRepository(store).summaries(status=status, limit=limit)


def _turn_out(turn: Turn) -> dict[str, Any]:
    out: dict[str, Any] = {"idx": turn.idx, "role": turn.role, "text": turn.text, "tension": turn.tension}
    if turn.role == "officer":
        out.update(score=turn.auto_score, techniques=turn.techniques, feedback=turn.feedback)
        if turn.audio_path:
            out["audio_path"] = turn.audio_path
    elif turn.role == "civilian":
        out.update(latency_s=turn.latency_s, first_token_s=turn.first_token_s, n_tokens=turn.n_tokens)
    return out


def session_transcript(store: Store, session_id: int) -> dict[str, Any]:
    """The whole session as plain data: what ``deescal roleplay --json`` and ``sessions show`` print."""
    session = session_row(store, session_id)
    return {
        "session_id": session.id,
        "uuid": session.uuid,
        "scenario_id": session.scenario_id,
        "case_id": session.case_id,
        "title": session.title,
        "civilian": session.character_name or "Civilian",
        "trainee": session.trainee,
        "status": session.status,
        "model": session.model_name,
        "adapter": session.adapter_path,
        "seed": session.seed,
        "initial_tension": session.initial_tension,
        "final_tension": session.final_tension,
        "revealed_facts": session.revealed_facts,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "turns": [_turn_out(t) for t in turns(store, session_id)],
    }
