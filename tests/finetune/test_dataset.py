"""Training data: real transcripts and approved sessions -> redacted dialogues, splits, token windows."""

from __future__ import annotations

import csv
import json
import re

import pytest
from deescal.app.pii_words import NOT_NAMES
from deescal.app.redaction import Redactor
from deescal.finetune.dataset import (
    Dialogue,
    assign_splits,
    load_dialogues,
    merge_sides,
    save_dialogues,
    session_dialogues,
    transcript_dialogues,
)
from deescal.finetune.privacy import PseudonymRedactor, RedactionReport
from deescal.finetune.samples import IGNORE_INDEX, _prompt, boundaries, encode_window, fit_prompt, windows
from deescal.scenario_library.schema import CharacterProfile, Scenario

from tests.finetune.shared_models import shared_models


@pytest.fixture(scope="module")
def real_dialogues(request):
    from tests.conftest import TRANSCRIPTS

    if not TRANSCRIPTS.is_dir():
        pytest.skip("DeEscalWild transcripts not found (shared data folder absent)")
    report = RedactionReport()
    dialogues, source = transcript_dialogues(TRANSCRIPTS, report, limit=8)
    return dialogues, source, report


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(shared_models()[1])


def _scenario(name: str = "Dale Harper") -> Scenario:
    return Scenario(
        case_id="t-1",
        title="Parking dispute",
        category="Neighbour dispute",
        scenario_context="A man blocks a driveway and refuses to move his truck.",
        character_profile=CharacterProfile(name=name, background="Works nights."),
        initial_tension=6.0,
    )


def test_transcripts_become_alternating_officer_civilian_dialogues(real_dialogues):
    dialogues, source, _ = real_dialogues
    assert len(dialogues) == 8 and source.used == 8
    for dialogue in dialogues:
        roles = [role for role, _ in dialogue.turns]
        assert set(roles) <= {"officer", "civilian"}
        assert all(a != b for a, b in zip(roles, roles[1:], strict=False)), "same side twice in a row"
        assert dialogue.n_replies > 0
        assert dialogue.scenario.reference_transcript == []  # no unredacted second copy
    assert all("single speaker" in why or "no " in why for _, why in source.skipped)


def test_speaker_names_are_replaced_by_stand_ins_and_reported(real_dialogues, transcripts_dir):
    from deescal.scenario_library.transcript_csv import read_transcript

    dialogues, _, report = real_dialogues
    assert report.counts["NAME"] > 0 and report.texts_changed > 0
    replaced_names = {orig for items in report.details().values() for kind, orig in items if kind == "NAME"}
    text = json.dumps([d.to_json() for d in dialogues])
    assert "[NAME" not in text  # tags are swapped for stand-ins a model can learn to say
    for name in replaced_names:
        assert f" {name} " not in text and f" {name}." not in text, name
    first = read_transcript(transcripts_dir / dialogues[0].key.split(":", 1)[1])
    assert len({u.speaker for u in first.utterances}) >= 2


def test_redaction_keeps_one_stand_in_per_person_and_ignores_digitless_plates():
    report = RedactionReport()
    clean = PseudonymRedactor("k", ["Simona"], report)
    first, second = clean.clean_all(
        ["Hi Simona, call 555-123-4567.", "Simona, show me your license in your wallet."]
    )
    stand_in = first.split()[1].rstrip(",")
    assert "Simona" not in first + second and stand_in in second
    assert "555-0101" in first and "license in your wallet" in second
    assert report.counts == {"NAME": 2, "PHONE": 1}


def test_merge_sides_joins_consecutive_lines_of_one_side():
    turns, tensions = merge_sides(
        [
            ("officer", "Hi.", None),
            ("officer", "Can we talk?", None),
            ("civilian", "No.", 7.0),
            ("civilian", " ", 5.0),
        ]
    )
    assert turns == [("officer", "Hi. Can we talk?"), ("civilian", "No.")]
    assert tensions == [None, 7.0]


def test_splits_are_seeded_by_dialogue_and_stable_when_data_is_added():
    def make(n: int) -> list[Dialogue]:
        return [
            Dialogue(f"transcript:{i}.csv", _scenario(), [("officer", "a"), ("civilian", "b")])
            for i in range(n)
        ]

    small, large = assign_splits(make(40), seed=7), assign_splits(make(60), seed=7)
    in_large = {d.key: d.split for d in large}
    assert all(in_large[d.key] == d.split for d in small)
    assert {d.split for d in small} == {"train", "validation", "test"}
    assert [d.split for d in assign_splits(make(40), seed=7)] == [d.split for d in small]
    assert [d.split for d in assign_splits(make(40), seed=8)] != [d.split for d in small]
    three = assign_splits(make(3), seed=1)
    assert sorted(d.split for d in three) == ["test", "train", "validation"]


def test_approved_sessions_without_bad_turns(ctx):
    store = ctx.store
    card = _scenario().to_dict()
    scenario_id = store.execute(
        "INSERT INTO scenarios(case_id, title, category, difficulty, initial_tension, card, source)"
        " VALUES ('t-1', 'Parking dispute', 'Neighbour dispute', 3, 6, ?, 'authored')",
        (json.dumps(card),),
    ).lastrowid
    trainee = store.execute("INSERT INTO trainees(name) VALUES ('Pat Morgan')").lastrowid
    lines = [
        ("officer", "Hello, I'm Pat Morgan. Is this your truck?", None),
        ("civilian", "Yeah. So what?", 6.0),
        ("officer", "Move it now or I tow it, idiot.", None),
        ("civilian", "Don't call me that!", 8.0),
        ("officer", "Sorry, that was out of line. Can we sort this out?", None),
        ("civilian", "Fine. Give me a minute.", 4.0),
    ]
    for approved in (1, 0):
        session = store.execute(
            "INSERT INTO sessions(scenario_id, trainee_id, initial_tension, approved) VALUES (?, ?, 6, ?)",
            (scenario_id, trainee, approved),
        ).lastrowid
        ids = [
            store.execute(
                "INSERT INTO session_turns(session_id, idx, role, text, tension) VALUES (?, ?, ?, ?, ?)",
                (session, idx, role, text, tension),
            ).lastrowid
            for idx, (role, text, tension) in enumerate(lines)
        ]
        store.execute(
            "INSERT INTO instructor_reviews(session_id, turn_id, mark) VALUES (?, ?, 'bad')",
            (session, ids[2]),
        )
    report = RedactionReport()
    assert session_dialogues(store, report, only=[])[1].used == 0  # the instructor can pick sessions
    dialogues, source = session_dialogues(store, report)
    assert source.used == 1 and len(dialogues) == 1
    dialogue = dialogues[0]
    text = json.dumps(dialogue.to_json())
    assert "idiot" not in text and "call me that" not in text  # the bad turn and the answer to it are gone
    assert "Pat Morgan" not in text  # the trainee's name is redacted
    assert [role for role, _ in dialogue.turns] == ["officer", "civilian", "officer", "civilian"]
    assert dialogue.turns[-1] == ("civilian", "Fine. Give me a minute.") and dialogue.tensions == [
        None,
        6.0,
        None,
        4.0,
    ]


def test_dialogues_round_trip_through_the_job_file(tmp_path):
    dialogue = Dialogue(
        "session:3", _scenario(), [("officer", "Hi."), ("civilian", "Hey.")], [None, 6.0], "test"
    )
    save_dialogues([dialogue], tmp_path / "d.jsonl")
    [loaded] = load_dialogues(tmp_path / "d.jsonl", "test")
    assert loaded.to_json() == dialogue.to_json()
    assert load_dialogues(tmp_path / "d.jsonl", "train") == []


def test_windows_put_loss_only_on_civilian_replies_as_the_prompt_renders_them(real_dialogues, tokenizer):
    dialogues, _, _ = real_dialogues
    dialogue = max(dialogues, key=lambda d: d.n_replies)

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"]) + 1

    found = windows(dialogue, count, 256)
    assert sum(len(w.replies) for w in found) == dialogue.n_replies  # every reply trained once
    several = next(w for w in found if len(w.replies) >= 2)
    sample = encode_window(dialogue, several, tokenizer, 256)
    assert len(sample.input_ids) <= 256 and sample.input_ids[0] == tokenizer.bos_token_id
    trained = tokenizer.decode([t for t in sample.labels if t != IGNORE_INDEX])
    assert trained == "".join(f" {b.reply}\n" for b in several.replies)
    # the tokens before each reply are exactly the role-play prompt for it (what llama.cpp is given)
    for boundary in several.replies:
        prompt_ids = tokenizer(_prompt(dialogue, several.start, boundary))["input_ids"]
        assert sample.input_ids[: len(prompt_ids)] == prompt_ids
        assert (
            sample.labels[len(prompt_ids) - 1] == IGNORE_INDEX
            and sample.labels[len(prompt_ids)] != IGNORE_INDEX
        )


def test_a_window_too_long_for_the_budget_is_cut_from_the_left(real_dialogues, tokenizer):
    dialogues, _, _ = real_dialogues
    dialogue = dialogues[0]
    window = windows(dialogue, lambda text: 10_000, 64)[0]  # nothing fits: one reply per window
    sample = encode_window(dialogue, window, tokenizer, 64)
    assert len(sample.input_ids) == 64 and sample.input_ids[0] == tokenizer.bos_token_id
    assert any(t != IGNORE_INDEX for t in sample.labels)


def test_fit_prompt_drops_old_turns_in_steps_and_keeps_the_last_officer_line(real_dialogues, tokenizer):
    dialogues, _, _ = real_dialogues
    dialogue = max(dialogues, key=lambda d: len(d.turns))
    last = boundaries(dialogue)[-1]

    def count(text: str) -> int:
        return len(tokenizer(text)["input_ids"])

    prompt = fit_prompt(dialogue, last, count, 400, step=4)
    assert count(prompt) <= 400
    assert last.history[-1][1] in prompt and prompt.startswith("Police body-camera transcript")
    assert boundaries(dialogue, max_turns=2) == boundaries(dialogue)[:2]


def test_the_training_tokenizer_is_checked_against_llama_cpp(tokenizer):
    from deescal.app.errors import ModelError
    from deescal.finetune.base_model import check_tokenizer

    check_tokenizer(tokenizer, shared_models()[0])  # the shipped transformers agrees with llama.cpp

    def other(text: str) -> dict:
        return {"input_ids": tokenizer(text)["input_ids"][:-1]}

    with pytest.raises(ModelError, match="reads the tokenizer"):
        check_tokenizer(other, shared_models()[0])


_NAME_GIVEN = re.compile(
    r"\b(?:[Mm]y name(?: is|'s)|[Hh]is name is|This is)\s+(?:(?:Officer|Deputy|Sergeant|Detective)\s+)?"
    r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
)


def test_no_speaker_or_my_name_is_name_survives_on_the_real_transcripts(transcripts_dir, tmp_path):
    """Every transcript with a name given in speech ("My name is ...", "His name is Irving Jensen",
    "This is Carolina."): no speaker-label name and no such name is left in the training data."""
    chosen = [
        path
        for path in sorted(transcripts_dir.glob("*.csv"))
        if re.search(
            r"[Mm]y name(?: is|'s) [A-Z]|Irving Jensen|This is Carolina\.", path.read_text(encoding="utf-8")
        )
    ]
    assert len(chosen) >= 5
    for path in chosen:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    dialogues, _ = transcript_dialogues(tmp_path, RedactionReport())
    assert len(dialogues) >= 4
    checked = 0
    for dialogue in dialogues:
        with (tmp_path / dialogue.key.split(":", 1)[1]).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        secrets = {
            w
            for label in {r["speaker_label"] for r in rows}
            for w in Redactor([label]).known_names
            for w in w.split()
        }
        for row in rows:
            for m in _NAME_GIVEN.finditer(row["transcript"]):
                secrets.update(w for w in m.group(1).split() if w.lower() not in NOT_NAMES)
        text = json.dumps(dialogue.to_json(), ensure_ascii=False)
        left = sorted(w for w in secrets if re.search(rf"(?<![\w'-]){re.escape(w)}(?![\w'-])", text))
        assert left == [], dialogue.key
        checked += len(secrets)
    assert checked >= 20
