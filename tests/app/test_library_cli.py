"""``deescal scenarios``: list, show, import, export and correct-role, as the issue specifies them."""

from __future__ import annotations

import json
import subprocess
import sys

from deescal.cli import main

from tests.scenario_library.transcript_samples import NARRATION_ONLY, write_transcript


def run(data_dir, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir.root), "scenarios", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_json_on_a_fresh_data_dir_has_the_authored_library(data_dir, capsys):
    code, out, _ = run(data_dir, capsys, "list", "--json")
    rows = json.loads(out)
    assert code == 0
    authored = [r for r in rows if r["source"] == "authored"]
    assert len(authored) >= 150 and len({r["category"] for r in authored}) >= 15
    assert {"id", "title", "category", "difficulty", "source"} <= set(rows[0])
    category = rows[0]["category"]
    code, out, _ = run(data_dir, capsys, "list", "--category", category, "--source", "authored", "--json")
    assert {r["category"] for r in json.loads(out)} == {category}
    code, out, _ = run(data_dir, capsys, "list", "--query", rows[0]["character_name"], "--json")
    assert rows[0]["id"] in [r["id"] for r in json.loads(out)]
    code, out, _ = run(data_dir, capsys, "list", "--source", "imported")
    assert code == 0 and "0 of 0" in out


def test_show_json_has_turns_and_text_shows_the_card(data_dir, capsys):
    code, out, _ = run(data_dir, capsys, "show", "sui-001", "--json")
    data = json.loads(out)
    assert code == 0 and data["case_id"] == "sui-001"
    assert data["turns"] and {"role", "speaker", "text"} <= set(data["turns"][0])
    code, out, _ = run(data_dir, capsys, "show", str(data["id"]))
    assert data["title"] in out and "Reference transcript" in out
    code, _, err = run(data_dir, capsys, "show", "no-such-case")
    assert code == 2 and "No scenario" in err and "Traceback" not in err


def test_import_json_reports_imported_and_skipped_with_file_and_reason(data_dir, capsys, tmp_path):
    write_transcript(tmp_path / "youtube_7001.csv")
    write_transcript(tmp_path / "youtube_7002.csv", NARRATION_ONLY)
    (tmp_path / "junk.csv").write_bytes(b"\x00\xff\x00binary")
    code, out, _ = run(data_dir, capsys, "import", str(tmp_path), "--json")
    report = json.loads(out)
    assert code == 0
    assert [i["file"] for i in report["imported"]] == ["youtube_7001.csv"]
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == {"youtube_7002.csv", "junk.csv"} and all(skipped.values())
    code, out, _ = run(data_dir, capsys, "import", str(tmp_path / "junk.csv"))
    assert code == 1 and "junk.csv" in out and "binary" in out


def test_export_and_reimport_round_trip_and_role_correction(data_dir, capsys, tmp_path):
    write_transcript(tmp_path / "youtube_7003.csv")
    run(data_dir, capsys, "import", str(tmp_path / "youtube_7003.csv"))
    code, out, _ = run(
        data_dir, capsys, "correct-role", "dw-youtube-7003", "0", "bystander", "--speaker", "--json"
    )
    assert code == 0 and json.loads(out)["turns"][0]["corrected"] is True
    out_file = tmp_path / "export.json"
    code, out, _ = run(data_dir, capsys, "export", "dw-youtube-7003", "sui-001", str(out_file))
    assert code == 0 and json.loads(out_file.read_text(encoding="utf-8"))["count"] == 2
    code, _, err = run(data_dir, capsys, "export", str(out_file))
    assert code == 2 and "--all" in err
    all_file = tmp_path / "all.json"
    assert run(data_dir, capsys, "export", "--all", str(all_file))[0] == 0
    assert json.loads(all_file.read_text(encoding="utf-8"))["count"] >= 151


def test_scenarios_command_runs_as_a_real_process(data_dir):
    done = subprocess.run(
        [sys.executable, "-m", "deescal.cli", "--data-dir", str(data_dir.root), "scenarios", "list", "--limit", "2"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 of" in done.stdout
