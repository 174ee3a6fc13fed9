"""``deescal roleplay --say ... --json``, ``sessions list|show`` and ``models``: the same data every way."""

from __future__ import annotations

import json

import pytest
from deescal.cli import main

from tests.app.roleplay_fixtures import CALM_LINES, THREAT_LINE, store_scenario
from tests.models.llm_fixtures import write_tiny_model


@pytest.fixture
def scenario(ctx, embedded_in_data_dir):
    return store_scenario(ctx.store, case_id="cli-001")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_roleplay_say_json_matches_sessions_show(data_dir, scenario, capsys):
    code, out, _ = _run(
        capsys, "--data-dir", str(data_dir.root), "roleplay", "cli-001",
        "--say", CALM_LINES[0], "--say", THREAT_LINE, "--seed", "5", "--trainee", "Sam Lee", "--json",
    )  # fmt: skip
    assert code == 0
    played = json.loads(out)
    assert [t["role"] for t in played["turns"]] == ["officer", "civilian", "officer", "civilian"]
    officer, civilian = played["turns"][0], played["turns"][1]
    assert 0 <= officer["score"] <= 100 and officer["tension"] < 6 < played["turns"][2]["tension"]
    assert civilian["text"] and civilian["latency_s"] > 0 and civilian["first_token_s"] > 0
    assert played["status"] == "ended" and played["trainee"] == "Sam Lee" and played["seed"] == 5
    code, shown, _ = _run(
        capsys, "--data-dir", str(data_dir.root), "sessions", "show", str(played["session_id"]), "--json"
    )
    assert code == 0 and json.loads(shown) == played
    code, listed, _ = _run(capsys, "--data-dir", str(data_dir.root), "sessions", "list", "--json")
    assert [row["id"] for row in json.loads(listed)] == [played["session_id"]]
    code, text, _ = _run(
        capsys, "--data-dir", str(data_dir.root), "sessions", "show", str(played["session_id"])
    )
    assert f"Officer: {CALM_LINES[0]}" in text and f"Darnell: {civilian['text']}" in text


def test_roleplay_text_mode_streams_and_reports(data_dir, scenario, capsys):
    code, out, _ = _run(
        capsys, "--data-dir", str(data_dir.root), "roleplay", str(scenario.id), "--say", CALM_LINES[1]
    )
    assert code == 0
    assert "Darnell: " in out and "tension [" in out and "score " in out and "ended" in out


def test_unknown_session_and_model_are_one_line_errors(data_dir, scenario, capsys):
    code, _, err = _run(capsys, "--data-dir", str(data_dir.root), "sessions", "show", "999")
    assert code == 2 and "no session 999" in err
    code, _, err = _run(
        capsys, "--data-dir", str(data_dir.root), "roleplay", "cli-001", "--model", "nope", "--say", "Hi"
    )
    assert code == 2 and "No language model called 'nope'" in err


def test_models_list_and_add(data_dir, embedded_in_data_dir, tmp_path, capsys):
    code, out, _ = _run(capsys, "--data-dir", str(data_dir.root), "models", "list", "--json")
    assert code == 0 and [m["name"] for m in json.loads(out)] == ["gemma-3-270m-q4_k_m"]
    tiny = write_tiny_model(tmp_path / "tiny.gguf", "{{ messages }}")
    code, out, _ = _run(
        capsys, "--data-dir", str(data_dir.root), "models", "add", str(tiny), "--name", "tiny", "--json"
    )
    assert code == 0 and json.loads(out)["prompt_style"] == "chat"
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"nope")
    code, _, err = _run(capsys, "--data-dir", str(data_dir.root), "models", "add", str(junk))
    assert code == 2 and "junk.gguf is damaged" in err


def test_a_discarded_first_attempt_is_marked_as_taken_back(capsys):
    """The session starts a reply over when its first attempt repeats an earlier line; the terminal
    showed both as if the civilian had said two things."""
    from deescal.cli.roleplay import TAKEN_BACK, _Printer

    printer = _Printer("Eli")
    for text in ("The 47", "The 47 is late.", "Gate", "Gate 12."):
        printer(text)
    assert capsys.readouterr().out == f"Eli: The 47 is late. {TAKEN_BACK}\nEli: Gate 12."
