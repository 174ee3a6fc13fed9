"""The session debrief, on a session played through the real role-play code into a real SQLite file.

The civilian's replies are scripted (the test is about the debrief, not generation); the scorer,
the tension, the coaching and the records are the real ones.
"""

from __future__ import annotations

import base64
import json
import re
import zlib

import pytest
from deescal.app.context import AppContext
from deescal.app.debrief import build_debrief
from deescal.app.report_export import export_html, export_pdf
from deescal.app.review import ReviewService
from deescal.app.roleplay.service import RoleplayService
from deescal.cli import main

from tests.app.roleplay_fixtures import CALM_LINES, play_scripted_session, store_scenario
from tests.app.session_factory import make_session

KNIFE = "He carries a folding knife on his belt for work."
SLEEP = "He has not slept in three days since the anniversary of the ambush."
OBJECTIVES = [
    "Acknowledge his fear without arguing",
    "Offer choices instead of orders",
    "Recognise a trauma response",
]
OFFICER = [
    CALM_LINES[0],  # introduces, reassures
    "Shut up and get on the ground right now!",  # silences: the tension jumps
    "I'm sorry. I can see you're scared. Take your time.",
    CALM_LINES[1],
    CALM_LINES[2],
    "Thank you for telling me that.",
]
REPLIES = [
    "Who are you? Stay back.",
    "I'm not getting on the ground! You can't make me!",
    "I'm scared, okay? Those bangs.",
    "Okay. I have a folding knife on my belt, for work.",  # said before trust was earned
    "The folding knife stays on my belt, I use it at the depot.",
    "Alright. The folding knife on my belt is just for work, okay?",  # told once trust is earned
]


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """(data folder, session id) of one played session, with its card's objectives and hidden facts."""
    home = tmp_path_factory.mktemp("debrief-home")
    ctx = AppContext.open(home)
    service = RoleplayService(ctx)
    scenario = store_scenario(
        ctx.store,
        case_id="debrief-001",
        learning_objectives=OBJECTIVES,
        hidden_facts=[{"text": KNIFE, "reveal_at_tension": 4}, {"text": SLEEP, "reveal_at_tension": 3}],
    )
    session_id = play_scripted_session(service, scenario, OFFICER, REPLIES)
    service.close()
    ctx.close()
    return home, session_id


@pytest.fixture
def review(played):
    home, session_id = played
    ctx = AppContext.open(home)
    yield ctx.service(ReviewService).load(session_id)
    ctx.close()


def test_objectives_are_met_or_not_with_the_turn_and_the_words(review):
    objectives = {o.objective: o for o in build_debrief(review).objectives}
    fear, choices, trauma = (objectives[text] for text in OBJECTIVES)
    assert fear.status == "met" and fear.technique == "Acknowledges feelings"
    assert [(e.turn, e.words) for e in fear.evidence] == [
        (3, "I can see you're scared"),
        (5, "That sounds exhausting"),
    ]
    assert choices.status == "not met" and choices.evidence == []
    assert "offer two choices" in choices.note
    assert trauma.status == "not assessed" and "judge it from the transcript" in trauma.note


def test_critical_moments_name_the_rise_and_the_hidden_facts(review):
    moments = build_debrief(review).critical_moments
    rise = [m for m in moments if m.kind == "tension_rise"]
    assert [m.turn for m in rise] == [2]
    assert "rose from 4.8 to 6.8" in rise[0].text and rise[0].evidence[0].words == "Shut up"
    facts = {m.text.split("“")[1].split("”")[0]: m for m in moments if m.kind == "hidden_fact"}
    knife, sleep = facts[KNIFE], facts[SLEEP]
    # trust was enough for the knife only before the 6th line (tension 2.4 <= 4), and it came out then;
    # the civilian had already blurted it out at turn 4, which the debrief says
    assert knife.turn == 6 and "came out" in knife.text and "let it slip at turn 4" in knife.text
    assert review.session.revealed_facts == [KNIFE]
    # the last line brought the tension to 2.7, under the 3 the second fact needs, with no line after it
    assert sleep.turn == 6 and "session ended before it could come out" in sleep.text
    assert [m.turn for m in moments] == sorted(m.turn for m in moments)


def test_went_well_and_to_try_are_tied_to_the_turns_that_show_them(review):
    debrief = build_debrief(review)
    assert debrief.went_well[0].text.startswith("Acknowledges feelings") and debrief.went_well[0].turns == [
        3,
        5,
    ]
    first, refused, afraid = debrief.to_try[:3]
    assert first.turns == [2] and first.text.startswith("Interrupts or silences at turn 2")
    # the civilian refused before turn 3 and sounded afraid before turn 4; neither line answered that
    assert refused.turns == [3] and "offer two choices" in refused.text
    assert afraid.turns == [4] and refused.evidence[0].words == REPLIES[1]
    terms = {(f.framework, f.term): f for f in debrief.frameworks}
    assert terms["LEAPS", "Empathise"].status == "shown" and terms["LEAPS", "Empathise"].shown_in == [3, 5]
    voice = terms["Procedural justice", "Voice"]
    assert voice.status == "mixed" and voice.against_in == [2]
    assert terms["ICAT", "Offering options"].status == "not shown"


def test_turn_numbers_are_the_review_pages(review):
    """Every turn the debrief quotes is the trainee's line with that number on the Review page."""
    debrief = build_debrief(review)
    evidence = [e for p in debrief.went_well + debrief.to_try for e in p.evidence]
    evidence += [e for o in debrief.objectives for e in o.evidence]
    assert evidence
    for item in evidence:
        row = review.turns[review.row_of(item.turn)]
        assert row.is_officer and row.number == item.turn
        assert item.words in row.text or item.words == row.civilian_before
    assert build_debrief(review) == debrief  # deterministic


def test_cli_prints_the_debrief_as_json(played, review, capsys):
    home, session_id = played
    assert main(["--data-dir", str(home), "review", str(session_id), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(build_debrief(review).to_dict()))
    assert printed["objectives"][0]["status"] == "met" and printed["critical_moments"][0]["turn"] == 2
    assert main(["--data-dir", str(home), "review", str(session_id)]) == 0
    text = capsys.readouterr().out
    assert "Learning objectives" in text and "turn 3: “I can see you're scared”" in text
    assert main(["--data-dir", str(home), "review", "999", "--json"]) == 2
    assert "no session 999" in capsys.readouterr().err


def test_html_and_pdf_carry_the_debrief(review, tmp_path):
    page = export_html(review, tmp_path / "review.html").read_text()
    debrief = page.split("<section id='debrief'>")[1].split("</section>")[0]
    assert "Acknowledge his fear without arguing: MET." in debrief
    assert "Offer choices instead of orders: NOT MET." in debrief
    assert "<a href='#turn-3'>turn 3</a>: “I can see you&#x27;re scared”" in debrief
    assert "id='turn-3'" in page and "Framework terms" in debrief
    pdf = pdf_text(export_pdf(review, tmp_path / "review.pdf").read_bytes())
    assert b"Debrief" in pdf and b"Acknowledge his fear without arguing: MET." in pdf
    assert b"Critical moments" in pdf and b"Framework terms" in pdf


def pdf_text(data: bytes) -> bytes:
    """The page streams of a reportlab PDF, decoded (ASCII85 then Flate), to look for the text drawn."""
    assert data.startswith(b"%PDF")
    streams = re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)
    return b"".join(zlib.decompress(base64.a85decode(s.strip().removesuffix(b"~>"))) for s in streams)


def test_a_session_without_a_readable_card_still_gets_a_debrief(ctx, store):
    session = make_session(store, 3)
    store.execute(
        'UPDATE scenarios SET card = \'{"case_id": "broken"}\''
        " WHERE id = (SELECT scenario_id FROM sessions WHERE id = ?)",
        (session,),
    )
    debrief = build_debrief(ctx.service(ReviewService).load(session))
    assert debrief.objectives == [] and "could not be read" in debrief.notes[0]
    assert debrief.went_well and debrief.to_try  # the transcript still says what went well


def test_a_session_with_no_trainee_line(ctx, store):
    session = make_session(store, 0)
    debrief = build_debrief(ctx.service(ReviewService).load(session))
    assert debrief.went_well == [] and debrief.to_try == [] and debrief.critical_moments == []
    assert "said nothing" in debrief.notes[-1]
