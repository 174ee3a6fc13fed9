"""Role-play sessions on the real embedded model and the real scorer (few tokens, fixed seeds)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest
from deescal.app import sessions as db
from deescal.app.context import AppContext
from deescal.app.errors import DatabaseError, ModelError, UserFacingError
from deescal.app.packs import PackService
from deescal.app.roleplay.persona import clean_reply
from deescal.app.roleplay.service import RoleplayService, RoleplaySession
from deescal.app.roleplay.session import CONTRAST_SETTING, RETRY_SAMPLING
from deescal.app.roleplay.tension import ESCALATED_SETTING, ESCALATED_TURNS, RESOLVED_MIN_TURNS
from deescal.app.settings import set_setting
from deescal.models.llm import ROLE_PLAY

from tests.app.pack_fixtures import open_laptop
from tests.app.roleplay_fixtures import (
    CALM_LINES,
    THREAT_LINE,
    ScriptedModelNotLlama,
    store_scenario,
)
from tests.bench.bench_techniques import suggested_technique
from tests.models.llm_fixtures import link_embedded

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def home(tmp_path_factory, embedded_path) -> Path:
    root = tmp_path_factory.mktemp("roleplay-home")
    link_embedded(root / "models", embedded_path)
    return root


@pytest.fixture(scope="module")
def service(home):
    """One context and loaded model for the module (loading once keeps the tests quick)."""
    ctx = AppContext.open(home)
    yield ctx.service(RoleplayService)
    ctx.close()


def _assert_clean(reply: str, name: str = "Darnell") -> None:
    assert reply.strip() == reply and reply
    assert "\n" not in reply and "Officer:" not in reply
    assert not reply.startswith(f"{name}:") and not reply.startswith(f"{name} (")


def test_calm_line_lowers_tension_and_both_turns_are_recorded(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-calm")
    session = service.start(scenario.id, trainee_name="Alex Morgan", seed=11)
    streamed: list[str] = []
    result = session.officer_turn(CALM_LINES[0], on_token=streamed.append)
    _assert_clean(result.reply)
    assert streamed and result.tension < scenario.initial_tension
    assert result.score.score > 60 and result.latency_s >= result.first_token_s > 0
    turns = db.turns(service.ctx.store, session.id)
    assert [t.role for t in turns] == ["officer", "civilian"]
    assert turns[0].auto_score == result.score.score and turns[0].scorer_version
    assert turns[1].text == result.reply and turns[1].n_tokens >= 1
    assert turns[1].latency_s > 0 and turns[1].model_name == "gemma-3-270m-q4_k_m"
    row = db.session_row(service.ctx.store, session.id)
    assert row.seed == 11 and row.trainee_id is not None and row.status == "active"


def test_threatening_line_raises_tension(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-threat")
    session = service.start(scenario.id, seed=12)
    result = session.officer_turn(THREAT_LINE)
    _assert_clean(result.reply)
    assert result.tension > scenario.initial_tension + 1
    assert result.score.score < 30 and any(t.polarity < 0 for t in result.score.techniques)


def test_tension_ten_ends_the_session_escalated_after_a_few_turns(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-escalate", initial_tension=9.5)
    session = service.start(scenario.id, seed=13)
    results = [session.officer_turn(THREAT_LINE) for _ in range(ESCALATED_TURNS)]
    assert [r.tension for r in results] == [10.0] * ESCALATED_TURNS
    assert [r.status for r in results] == ["active"] * (ESCALATED_TURNS - 1) + ["escalated"]
    assert all(r.reply for r in results)
    assert db.session_row(service.ctx.store, session.id).ended_at
    with pytest.raises(UserFacingError, match="has ended"):
        session.officer_turn("Sorry.")


def test_one_line_at_ten_leaves_room_to_recover(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-recover", initial_tension=9.5)
    session = service.start(scenario.id, seed=16)
    assert session.officer_turn(THREAT_LINE).status == "active"
    calmer = session.officer_turn(CALM_LINES[0])
    assert calmer.status == "active" and calmer.tension < 10


def test_escalation_setting_is_the_instructors(service):
    set_setting(service.ctx.store, ESCALATED_SETTING, 1)
    scenario = store_scenario(service.ctx.store, case_id="rp-escalate-now", initial_tension=9.5)
    session = service.start(scenario.id, seed=17)
    assert session.officer_turn(THREAT_LINE).status == "escalated"


def test_low_tension_for_several_turns_resolves(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-resolve", initial_tension=2.0)
    session = service.start(scenario.id, seed=14)
    statuses = [session.officer_turn(line).status for line in (CALM_LINES * 2)[:RESOLVED_MIN_TURNS]]
    assert statuses == ["active"] * (RESOLVED_MIN_TURNS - 1) + ["resolved"]
    assert db.session_transcript(service.ctx.store, session.id)["status"] == "resolved"


def test_every_turn_gets_a_next_step_built_on_the_session(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-next-step")
    session = service.start(scenario.id, seed=21)
    used_before: set[str] = set()
    steps = []
    for line in CALM_LINES:
        score = session.officer_turn(line).score
        used = {hit.name for hit in score.techniques}
        assert score.next_step and score.next_step in score.feedback
        assert suggested_technique(score.next_step) not in used | used_before
        steps.append(score.next_step)
        used_before = used
    assert len(set(steps)) == len(steps)
    feedback = [t.feedback for t in db.turns(service.ctx.store, session.id) if t.role == "officer"]
    assert all(step in said for step, said in zip(steps, feedback, strict=True))


def test_a_command_shouted_at_a_calm_fisherman_raises_the_tension(service):
    scenario = store_scenario(
        service.ctx.store,
        case_id="rp-fisherman",
        scenario_context="An older man cleans his catch with a fillet knife at the pier's cleaning bench.",
        tags=["fillet-knife", "low-threat"],
        initial_tension=4,
    )
    session = service.start(scenario.id, seed=22)
    result = session.officer_turn("Put the knife down now! Do it now!")
    assert "safety_command" not in {hit.name for hit in result.score.techniques}
    assert result.score.score < 30 and result.tension > scenario.initial_tension


def test_cancelled_reply_leaves_the_line_unanswered_until_completed(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-cancel")
    session = service.start(scenario.id, seed=15)
    result = session.officer_turn(CALM_LINES[0], cancelled=lambda: True)
    assert result.cancelled and result.civilian_turn_id is None and session.awaiting_reply
    answer = session.complete_pending()
    _assert_clean(answer.reply)
    assert [t.role for t in db.turns(service.ctx.store, session.id)] == ["officer", "civilian"]


def test_killed_process_leaves_a_resumable_session(service, home):
    scenario = store_scenario(service.ctx.store, case_id="rp-killed")
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO)!r})
        from deescal.app.context import AppContext
        from deescal.app.roleplay.service import RoleplayService
        from tests.app.roleplay_fixtures import CALM_LINES, FixedScorerNotMiniLM
        ctx = AppContext.open({str(home)!r})
        service = ctx.service(RoleplayService)
        service.scorer = FixedScorerNotMiniLM()  # the real model is killed mid-reply; scoring is not tested here
        session = service.start({scenario.id}, seed=16)
        session.officer_turn(CALM_LINES[0])
        print(session.id, flush=True)
        session.officer_turn(CALM_LINES[1], on_token=lambda text: os.kill(os.getpid(), signal.SIGKILL))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    session_id = int(proc.stdout.split()[0])
    resumed = service.resume(session_id)
    assert [role for role, _ in resumed.history] == ["officer", "civilian", "officer"]
    assert resumed.awaiting_reply and resumed.tension < scenario.initial_tension
    assert session_id in [row.id for row in service.resumable()]
    answer = resumed.complete_pending()
    _assert_clean(answer.reply)
    after = resumed.officer_turn(CALM_LINES[2])
    assert after.reply and len(db.turns(service.ctx.store, session_id)) == 6


def test_a_line_read_while_typed_leaves_only_its_end_to_evaluate(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-typing")
    session = service.start(scenario.id, seed=19)
    line = CALM_LINES[1]
    assert session.prepare(line[:20]) > 0 and session.prepare(line[:-10]) > 0
    assert session.history == []  # preparing records nothing
    result = session.officer_turn(line)
    assert result.generation.evaluated_tokens <= 6 and result.reply


def test_ended_session_cannot_be_resumed(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-ended")
    session = service.start(scenario.id, seed=17)
    session.end()
    with pytest.raises(UserFacingError, match="already ended"):
        service.resume(session.id)


def test_long_session_summarises_early_turns_and_keeps_the_prefix_stable(service, embedded_small):
    scenario = store_scenario(service.ctx.store, case_id="rp-long")
    session_id = db.create_session(
        service.ctx.store,
        scenario_id=scenario.id,
        trainee=None,
        model_name="small",
        adapter_path=None,
        seed=1,
        initial_tension=6,
    )
    session = RoleplaySession(service, session_id, scenario, embedded_small, "small", 1)
    conversation = session.conversation
    for n in range(40):
        conversation.add_officer(f"Question number {n}: what happened next, sir?")
        conversation.add_civilian(f"Then I walked to the bus depot, that was step {n}.", 5.0)
    conversation.add_officer("And after that?")
    prompt = session.prompt()
    assert embedded_small.count_tokens(prompt) <= embedded_small.n_ctx - 40
    assert conversation.summary and "already spoken" in conversation.summary and "step 39" in prompt
    assert session.prepare("And what did you do after that, sir?") >= 0  # a full context is no error
    conversation.add_civilian("Nothing.", 5.0)
    conversation.add_officer("Okay.")
    assert session.prompt().startswith(prompt.rsplit("\n", 1)[0])  # the window did not move again


def test_hidden_fact_counts_only_when_trust_was_earned_and_told(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-facts")
    model = ScriptedModelNotLlama(
        [
            "Stay back. I know what I'm doing.",
            "I'm tired.",
            "Okay. I have a folding knife on my belt, for work.",
            "That's all there is.",
        ]
    )
    session_id = db.create_session(
        service.ctx.store,
        scenario_id=scenario.id,
        trainee=None,
        model_name="scripted",
        adapter_path=None,
        seed=1,
        initial_tension=6,
    )
    session = RoleplaySession(service, session_id, scenario, model, "scripted", 1)
    first = session.officer_turn(CALM_LINES[0])
    assert first.tension > 4 and "trusts the officer" not in model.prompts[0]
    session.tension = 3.0
    second = session.officer_turn(CALM_LINES[1])  # calm now, but trust comes from earlier turns
    assert second.tension < 4 and "trusts the officer" not in model.prompts[1]
    third = session.officer_turn(CALM_LINES[2])
    assert "admit: He carries a folding knife" in model.prompts[2]
    assert third.revealed == [scenario.hidden_facts[0].text]
    stored = db.session_transcript(service.ctx.store, session_id)
    assert stored["revealed_facts"] == [scenario.hidden_facts[0].text]
    session.officer_turn("Thank you for telling me that.")
    assert "trusts the officer" not in model.prompts[3].split("\n")[-2]  # told once: not offered again
    assert model.prompts[3].startswith(model.prompts[2])  # the offer stays in the transcript


def test_a_reply_that_parrots_the_officer_is_generated_again_differently(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-echo")
    model = ScriptedModelNotLlama([f" {CALM_LINES[0]}", " Who are you? Stay back."])
    session_id = db.create_session(
        service.ctx.store,
        scenario_id=scenario.id,
        trainee=None,
        model_name="scripted",
        adapter_path=None,
        seed=1,
        initial_tension=6,
    )
    session = RoleplaySession(service, session_id, scenario, model, "scripted", 1)
    result = session.officer_turn(CALM_LINES[0])
    assert result.reply == "Who are you? Stay back."
    assert model.calls[0]["sampling"] == ROLE_PLAY
    assert (
        model.calls[1]["avoid_start"] == clean_reply(CALM_LINES[0])
        and model.calls[1]["sampling"].temperature > ROLE_PLAY.temperature
    )


def test_a_full_disk_gives_a_clear_message_and_loses_nothing_saved(service, monkeypatch):
    scenario = store_scenario(service.ctx.store, case_id="rp-disk-full")
    model = ScriptedModelNotLlama(["Who are you?", "Fine."])
    store = service.ctx.store
    session_id = db.create_session(
        store, scenario_id=scenario.id, trainee=None, model_name="scripted", adapter_path=None, seed=1,
        initial_tension=6,
    )  # fmt: skip
    session = RoleplaySession(service, session_id, scenario, model, "scripted", 1)
    session.officer_turn(CALM_LINES[0])

    @contextmanager
    def disk_full():
        raise sqlite3.OperationalError("database or disk is full")
        yield

    with monkeypatch.context() as patch:
        patch.setattr(store, "write", disk_full)
        with pytest.raises(DatabaseError, match="Could not save the officer's turn.*free some disk space"):
            session.officer_turn(CALM_LINES[1])
    saved = [(t.role, t.text) for t in db.turns(store, session_id)]
    assert saved == session.history and len(saved) == 2  # memory and database agree, nothing half-written
    assert session.officer_turn(CALM_LINES[1]).reply == "Fine."


@pytest.fixture(scope="module")
def embedded_small(service):
    from deescal.models.embedded import embedded_gguf
    from deescal.models.llm import LanguageModel

    model = LanguageModel.load(embedded_gguf(service.ctx.data.models), n_ctx=512)
    yield model
    model.close()


def test_empty_line_is_refused(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-empty")
    session = service.start(scenario.id, seed=18)
    with pytest.raises(UserFacingError, match="empty"):
        session.officer_turn("   ")
    assert db.turns(service.ctx.store, session.id) == []


def test_stock_filler_and_a_repeated_reply_are_generated_again(service):
    """ "I don't know." tells the trainee nothing, and a line said before sounds like a loop."""
    scenario = store_scenario(service.ctx.store, case_id="rp-filler")
    model = ScriptedModelNotLlama(
        [
            " I don't know.",
            " My truck's in the ditch, man.",
            " My truck's in the ditch, man.",
            " It's freezing.",
        ]
    )
    session_id = db.create_session(
        service.ctx.store, scenario_id=scenario.id, trainee=None, model_name="scripted", adapter_path=None,
        seed=1, initial_tension=6,
    )  # fmt: skip
    session = RoleplaySession(service, session_id, scenario, model, "scripted", 1)
    assert session.officer_turn(CALM_LINES[0]).reply == "My truck's in the ditch, man."
    assert session.officer_turn(CALM_LINES[1]).reply == "It's freezing."
    assert len(model.calls) == 4 and model.calls[3]["sampling"] == RETRY_SAMPLING


def test_an_ended_session_goes_to_the_drop_folder_of_the_joined_course(service, tmp_path):
    with open_laptop(tmp_path / "instructor") as instructor:
        instructor.service(PackService).export_course(tmp_path / "c.deescal-course", ["mh-001"], name="Class")
    packs = service.ctx.service(PackService)
    packs.import_course(tmp_path / "c.deescal-course")
    drop = tmp_path / "share"
    drop.mkdir()
    packs.set_drop_folder(drop)
    try:
        scenario = store_scenario(service.ctx.store, case_id="rp-published")
        session = service.start(scenario.id, trainee_name="Alex Morgan", seed=5)
        session.officer_turn(CALM_LINES[0])
        session.end()
        uuid = db.session_row(service.ctx.store, session.id).uuid
        assert session.publish_problem is None and (drop / f"{uuid}.deescal-sessions").is_file()
        assert not [p for p in drop.iterdir() if p.name.startswith(".")]  # no temporary file left

        drop.rename(tmp_path / "unplugged")  # the stick is pulled out
        second = service.start(scenario.id, trainee_name="Alex Morgan", seed=6)
        second.end()
        assert second.status == "ended" and "cannot be reached" in second.publish_problem
    finally:
        packs.set_drop_folder(None)


def test_the_scorer_thread_uses_one_core_and_leaves_the_others_theirs(tmp_path):
    """Torch's OpenMP team in the scorer thread halved llama.cpp's decoding on 2 cores: it gets one."""
    import torch

    before = torch.get_num_threads()
    with AppContext.open(tmp_path) as ctx:
        service = ctx.service(RoleplayService)
        assert service.pool.submit(torch.get_num_threads).result() == 1
        assert torch.get_num_threads() == before
        service.close()


def test_replies_are_weighed_against_the_line_unsaid_by_default_and_can_be_switched_off(service):
    scenario = store_scenario(service.ctx.store, case_id="rp-contrast")
    on = service.start(scenario.id, seed=23)
    assert on.contrast
    reply_on = on.officer_turn(CALM_LINES[1]).reply
    unsaid = on.conversation.with_last_line_unsaid()
    assert unsaid.history == [*on.conversation.history, ("officer", "...")]  # "..." for the coming line
    assert on.conversation.with_draft(CALM_LINES[2]).with_last_line_unsaid().history == unsaid.history
    set_setting(service.ctx.store, CONTRAST_SETTING, False)
    try:
        off = service.start(scenario.id, seed=23)
        assert not off.contrast
        reply_off = off.officer_turn(CALM_LINES[1]).reply
    finally:
        set_setting(service.ctx.store, CONTRAST_SETTING, True)
    _assert_clean(reply_on)
    assert reply_on != reply_off  # same seed, same line: the contrast changed the words


def test_no_room_for_the_second_context_leaves_the_role_play_playing(service, monkeypatch):
    scenario = store_scenario(service.ctx.store, case_id="rp-contrast-fails")
    session = service.start(scenario.id, seed=29)

    def out_of_memory_fake(prompt: str) -> int:
        raise ModelError("llama.cpp could not open a second context (fake: out of memory).")

    monkeypatch.setattr(session.model, "prefill_contrast", out_of_memory_fake)
    result = session.officer_turn(CALM_LINES[0])
    _assert_clean(result.reply)
    assert not session.contrast and session.status == "active"
