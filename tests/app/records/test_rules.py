"""Rules the records layer owns once: the effective score everywhere, one trainee per name."""

from __future__ import annotations

import json

from deescal.app.records.sessions import SessionRepository
from deescal.app.records.trainees import TraineeRepository
from deescal.app.review import ReviewService
from deescal.app.roleplay.service import RoleplayService
from deescal.app.trainees import TraineeService
from deescal.cli import main

from tests.app.roleplay_fixtures import store_scenario
from tests.app.session_factory import make_session


def test_sessions_list_shows_the_instructors_override(ctx, data_dir, capsys):
    session = make_session(ctx.store, 2)
    review = ctx.service(ReviewService)
    for turn in review.load(session).officer_turns:
        review.set_turn_review(session, turn.turn_id, override_score=10, reviewer="Sgt K")
    assert main(["--data-dir", str(data_dir.root), "sessions", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(row["id"], row["mean_score"]) for row in listed] == [(session, 10.0)]


def test_a_trainee_typed_in_other_case_at_setup_is_the_existing_trainee(ctx, embedded_in_data_dir):
    alice = ctx.service(TraineeService).create("Alice")
    scenario = store_scenario(ctx.store, case_id="rules-001")
    session = ctx.service(RoleplayService).start(scenario.id, trainee_name=" alice ", seed=3)
    listed = ctx.service(TraineeService).list_trainees()
    assert [(t.id, t.name, t.n_sessions) for t in listed] == [(alice, "Alice", 1)]
    assert session.id in {s.id for s in ctx.service(TraineeService).sessions(alice)}


def test_every_list_shows_the_same_effective_score(ctx):
    session = make_session(ctx.store, 3, trainee="Sam Ortiz")
    review = ctx.service(ReviewService)
    turn = review.load(session).officer_turns[0]
    review.set_turn_review(session, turn.turn_id, override_score=0, reviewer="Sgt K")
    expected = review.load(session).mean_score
    trainees = ctx.service(TraineeService)
    (sam,) = trainees.list_trainees()
    assert expected < round(sum(t.auto_score for t in review.load(session).officer_turns) / 3, 1)
    assert [s.mean_score for s in review.list_sessions()] == [expected]
    assert [s.mean_score for s in SessionRepository(ctx.store).summaries()] == [expected]
    assert [s.mean_score for s in trainees.sessions(sam.id)] == [expected]
    assert sam.mean_score == expected


def test_trainee_names_are_one_whatever_the_case_and_spacing(ctx):
    trainees = TraineeRepository(ctx.store)
    alice = trainees.find_or_create("Alice")
    assert trainees.find_or_create(" alice ") == trainees.find_or_create("ALICE") == alice
    assert trainees.find_or_create("Alice  Smith") == trainees.find_or_create("alice smith") != alice
    assert trainees.find_or_create("   ") is None
    assert [t.name for t in trainees.list()] == ["Alice", "Alice Smith"]
