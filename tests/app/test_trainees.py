"""TraineeService: create/rename, sessions, trend, technique coverage, CSV export."""

from __future__ import annotations

import csv

import pytest
from deescal.app.errors import UserFacingError
from deescal.app.review import ReviewService
from deescal.app.trainees import CSV_COLUMNS, TraineeService

from tests.app.session_factory import make_session


@pytest.fixture
def trainees(ctx):
    return ctx.service(TraineeService)


def test_create_rename_and_refuse_duplicates(trainees):
    first = trainees.create("  Casey   Lee ", cohort="2026-A")
    assert trainees.get(first).name == "Casey Lee"
    second = trainees.create("Robin Diaz")
    with pytest.raises(UserFacingError, match="already a trainee"):
        trainees.create("casey lee")
    with pytest.raises(UserFacingError, match="already a trainee"):
        trainees.rename(second, "Casey Lee")
    with pytest.raises(UserFacingError, match="needs a name"):
        trainees.rename(second, "   ")
    trainees.rename(second, "Robin Díaz")
    assert [t.name for t in trainees.list_trainees()] == ["Casey Lee", "Robin Díaz"]


def test_sessions_trend_and_coverage(trainees, store, ctx):
    first = make_session(store, 2, trainee="Sam Ortiz", started_at="2026-01-01T10:00:00Z")
    make_session(store, 6, trainee="Sam Ortiz", started_at="2026-02-01T10:00:00Z")
    make_session(store, 1, trainee="Someone Else")
    sam = next(t for t in trainees.list_trainees() if t.name == "Sam Ortiz")
    assert sam.n_sessions == 2 and sam.last_session.startswith("2026-02-01")
    trend = trainees.score_trend(sam.id)
    assert [session_id for session_id, _, _ in trend][0] == first and len(trend) == 2
    coverage = {c.name: c for c in trainees.technique_coverage(sam.id)}
    assert coverage["introduces_self"].turns == 2  # turn 1 of each session
    assert coverage["silences"].turns == 1 and 0 < coverage["silences"].share < 1
    assert coverage["offers_choices"].polarity == 1 and coverage["threatens"].turns == 0
    # an instructor override changes the trend
    turn = ctx.service(ReviewService).load(first).officer_turns[0]
    ctx.service(ReviewService).set_turn_review(first, turn.turn_id, override_score=0)
    assert trainees.score_trend(sam.id)[0][2] < trend[0][2]


def test_export_csv(trainees, store, tmp_path):
    make_session(store, 2, trainee="Sam Ortiz")
    make_session(store, 1, trainee=None)
    target = tmp_path / "out.csv"
    assert trainees.export_csv(target) == 2
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {r["trainee"] for r in rows} == {"Sam Ortiz", ""}
    assert all(r["officer_turns"] for r in rows)
    with pytest.raises(UserFacingError, match="Could not write"):
        trainees.export_csv(tmp_path / "absent-folder" / "out.csv")
