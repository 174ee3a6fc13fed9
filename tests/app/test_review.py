"""ReviewService on a real SQLite file: reading a session, overrides, approval, redaction, export."""

from __future__ import annotations

import re

import pytest
from deescal.app.errors import UserFacingError
from deescal.app.report_export import export_html, export_pdf
from deescal.app.review import GOOD_SCORE, ReviewService

from tests.app.session_factory import add_reference_officer_turns, add_scenario, make_session


@pytest.fixture
def review(ctx):
    return ctx.service(ReviewService)


def test_load_session_with_scores_and_context(review, store):
    session = make_session(store, 6)
    loaded = review.load(session)
    assert len(loaded.turns) == 12 and len(loaded.officer_turns) == 6
    assert all(t.auto_score is not None for t in loaded.officer_turns)
    assert loaded.officer_turns[0].civilian_before == "Why are you here? I didn't call anybody."
    strongest, weakest = loaded.strongest(1)[0], loaded.weakest(1)[0]
    assert strongest.score > 70 and weakest.score < 30
    assert "Shut up" in weakest.text or "Calm down" in weakest.text
    names = {hit.name for hit, _ in loaded.technique_counts()}
    assert {"introduces_self", "dismisses_feelings", "silences"} <= names


def test_override_comment_and_mark_persist_and_drive_the_mean(review, store, ctx):
    session = make_session(store, 3)
    turn = review.load(session).officer_turns[2]
    before = review.load(session).mean_score
    review.set_turn_review(
        session, turn.turn_id, override_score=90, mark="good", comment="Fair in context", reviewer="Sgt K"
    )
    row = store.query_one("SELECT * FROM instructor_reviews WHERE turn_id = ?", (turn.turn_id,))
    assert (row["override_score"], row["mark"], row["comment"], row["reviewer"]) == (
        90,
        "good",
        "Fair in context",
        "Sgt K",
    )
    again = review.load(session)
    assert again.officer_turns[2].score == 90 and again.officer_turns[2].auto_score == turn.auto_score
    assert again.mean_score > before
    listed = {s.id: s for s in review.list_sessions()}[session]
    assert listed.mean_score == again.mean_score
    review.set_turn_review(session, turn.turn_id)  # everything cleared: the row goes
    assert store.query_one("SELECT 1 FROM instructor_reviews WHERE turn_id = ?", (turn.turn_id,)) is None


def test_bad_overrides_are_refused(review, store):
    session = make_session(store, 1)
    loaded = review.load(session)
    civilian, officer = loaded.turns[0], loaded.turns[1]
    with pytest.raises(UserFacingError, match="between 0 and 100"):
        review.set_turn_review(session, officer.turn_id, override_score=130)
    with pytest.raises(UserFacingError, match="officer"):
        review.set_turn_review(session, civilian.turn_id, override_score=50)
    with pytest.raises(UserFacingError, match="no session"):
        review.load(9999)


def test_session_comment_round_trip(review, store):
    session = make_session(store, 1)
    review.set_session_comment(session, "Good recovery after turn 3.")
    review.set_session_comment(session, "Better: good recovery after turn 3.")
    assert review.load(session).session_comment == "Better: good recovery after turn 3."
    assert store.query_one("SELECT COUNT(*) AS n FROM instructor_reviews WHERE turn_id IS NULL")["n"] == 1


def test_approve_and_revoke(review, store):
    session = make_session(store, 2)
    review.approve(session, reviewer="Instructor Diaz")
    row = store.query_one("SELECT approved, approved_by, approved_at FROM sessions WHERE id = ?", (session,))
    assert row["approved"] == 1 and row["approved_by"] == "Instructor Diaz" and row["approved_at"]
    review.revoke_approval(session)
    assert store.query_one("SELECT approved FROM sessions WHERE id = ?", (session,))["approved"] == 0
    running = make_session(store, 1, status="active")
    with pytest.raises(UserFacingError, match="still running"):
        review.approve(running)


def test_training_preview_is_what_fine_tuning_reads(review, store):
    """The approval preview comes from the function that builds training data: bad turns (and the
    answer to them) left out, personal details swapped for stand-ins."""
    from deescal.finetune.dataset import session_dialogues
    from deescal.finetune.privacy import RedactionReport

    scenario = add_scenario(store, character="Jordan Pike")
    session = make_session(store, 3, trainee="Alex Morgan", scenario_id=scenario)
    first, bad, _ = review.load(session).officer_turns
    store.execute(
        "UPDATE session_turns SET text = 'Jordan, call me at 555-201-7788. Alex Morgan here.' WHERE id = ?",
        (first.turn_id,),
    )
    review.set_turn_review(session, bad.turn_id, mark="bad", reviewer="Sgt K")
    preview = review.training_preview(session)
    text = " ".join(line for _, line in preview.turns)
    assert "7788" not in text and "Alex Morgan" not in text and bad.text not in text
    assert preview.left_out == 2  # the bad line and the civilian's answer to it
    assert ("PHONE", "555-201-7788") in preview.replaced
    review.approve(session, "Sgt K")
    trained, _ = session_dialogues(store, RedactionReport(), [session])
    assert trained[0].turns == preview.turns


def test_strongest_and_weakest_come_from_the_scores(review, store):
    session = make_session(store, 6)
    loaded = review.load(session)
    assert [t.number for t in loaded.officer_turns] == [1, 2, 3, 4, 5, 6]
    assert [t.number for t in loaded.turns if not t.is_officer] == [None, 1, 2, 3, 4, 5]
    assert loaded.strongest() and all(t.score >= GOOD_SCORE for t in loaded.strongest())
    assert loaded.weakest() and all(t.score < GOOD_SCORE for t in loaded.weakest())
    for turn in loaded.officer_turns:  # an instructor rates every turn good: nothing is "weakest"
        review.set_turn_review(session, turn.turn_id, override_score=90, reviewer="Sgt K")
    again = review.load(session)
    assert again.weakest() == [] and len(again.strongest()) == 3


def test_approval_asks_a_name_and_never_uses_the_login(review, store, monkeypatch):
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("LOGNAME", "root")
    session = make_session(store, 2)
    assert review.reviewer() == ""
    with pytest.raises(UserFacingError, match="Say who approves"):
        review.approve(session)
    assert store.query_one("SELECT approved FROM sessions WHERE id = ?", (session,))["approved"] == 0
    review.approve(session, "  Sgt Okafor ")
    assert review.reviewer() == "Sgt Okafor"  # remembered for the next approval
    review.revoke_approval(session)
    review.approve(session)
    assert store.query_one("SELECT approved_by FROM sessions WHERE id = ?", (session,))["approved_by"] == (
        "Sgt Okafor"
    )


def test_score_missing_fills_unscored_turns(review, store):
    session = make_session(store, 2, score=False)
    assert len(review.load(session).unscored_turns) == 2
    assert review.score_missing(session) == 2
    assert review.load(session).unscored_turns == []


def test_reference_officer_turns_align_by_position(review, store):
    scenario = add_scenario(store)
    add_reference_officer_turns(store, scenario, ["Hi, I'm Officer Dee.", "Tell me what happened."])
    session = make_session(store, 3, scenario_id=scenario)
    assert review.reference_officer_turns(session) == ["Hi, I'm Officer Dee.", "Tell me what happened."]


def test_export_pdf_and_html(review, store, tmp_path):
    session = make_session(store, 6)
    loaded = review.load(session)
    pdf = export_pdf(loaded, tmp_path / "review.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and re.search(rb"/Count [1-9]\d* /Kids", data)
    page = export_html(loaded, tmp_path / "review.html").read_text()
    assert page.count("<svg") == 2 and "Shut up and sit down now!" in page and "Strongest turns" in page
    assert "<section id='debrief'>" in page and "What to try next time" in page
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(UserFacingError, match="Could not write"):
        export_pdf(loaded, tmp_path / "a-file" / "review.pdf")


def test_compare_with_real_officer_uses_reference_metrics(review, store):
    scenario = add_scenario(store)
    # The factory's first two officer lines, once verbatim and once unrelated.
    add_reference_officer_turns(
        store,
        scenario,
        ["Hi, I'm Officer Grant. What's going on tonight?", "The parking meter is broken again."],
    )
    session = make_session(store, 3, scenario_id=scenario)
    steps = []
    comparisons = review.compare_with_reference(session, progress=lambda f, text: steps.append(f))
    assert len(comparisons) == 2 and steps[-1] == 1.0  # only turns with a real counterpart
    same, unrelated = comparisons
    assert set(same.metrics) == {"rougeL", "bleu4", "meteor", "bertscore_f1"}
    assert same.metrics["rougeL"] > 0.99 and same.metrics["bertscore_f1"] > 0.95
    assert (
        unrelated.metrics["rougeL"] < 0.3 and unrelated.metrics["bertscore_f1"] < same.metrics["bertscore_f1"]
    )
