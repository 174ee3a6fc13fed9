"""`deescal score` and `deescal review` end to end on real files."""

from __future__ import annotations

import csv
import json

from deescal.app.context import AppContext
from deescal.cli import main

from tests.app.session_factory import make_session


def write_csv(path, rows, header):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_score_round_trip_keeps_columns(tmp_path, capsys):
    source, out = tmp_path / "turns.csv", tmp_path / "scored.csv"
    write_csv(
        source,
        [
            ["a1", "I can see you're scared. Take your time, what happened?", ""],
            ["a2", "Drop the knife now!", "I've got a knife, stay back or I'll stab you!"],
            ["a3", "Shut up, you idiot.", ""],
            ["a4", "", ""],
        ],
        ["case", "officer_turn", "civilian_before"],
    )
    assert main(["score", str(source), "--out", str(out)]) == 0
    assert "Scored 3 officer turns" in capsys.readouterr().out
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["case", "officer_turn", "civilian_before", "score", "techniques", "feedback"]
    assert [r["case"] for r in rows] == ["a1", "a2", "a3", "a4"]
    calm, command, insult, empty = rows
    assert float(calm["score"]) > 70 and "acknowledges_feelings" in calm["techniques"].split(";")
    assert "safety_command" in command["techniques"].split(";")
    assert float(insult["score"]) < 20 and {"silences", "insults"} <= set(insult["techniques"].split(";"))
    assert empty["score"] == "" and empty["feedback"]


def test_score_json_and_stdout(tmp_path, capsys):
    source = tmp_path / "turns.csv"
    write_csv(source, [["Hi, I'm Officer Lee. How can I help?"]], ["officer_turn"])
    assert main(["score", str(source), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["officer_turn"].startswith("Hi") and data[0]["score"] > 60
    assert {"name", "label", "polarity", "evidence"} <= set(data[0]["techniques"][0])
    assert main(["score", str(source)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "officer_turn,score,techniques,feedback"


def test_score_without_officer_turn_column_says_so(tmp_path, capsys):
    source = tmp_path / "wrong.csv"
    write_csv(source, [["hello"]], ["text"])
    assert main(["score", str(source)]) == 2
    err = capsys.readouterr().err
    assert "no officer_turn column" in err and "found: text" in err and "Traceback" not in err
    assert main(["score", str(tmp_path / "absent.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_review_export_and_approve(data_dir, tmp_path, capsys):
    ctx = AppContext.open(data_dir.root)
    session = make_session(ctx.store, 4)
    ctx.close()
    pdf, page = tmp_path / "r.pdf", tmp_path / "r.html"
    assert main(["review", "export", str(session), "--pdf", str(pdf), "--html", str(page)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF") and "<svg" in page.read_text()
    assert main(["review", "approve", str(session), "--by", "Sgt Diaz"]) == 0
    assert "approved for fine-tuning by Sgt Diaz" in capsys.readouterr().out
    assert main(["review", "export", "999", "--pdf", str(pdf)]) == 2
    assert "no session 999" in capsys.readouterr().err
    assert main(["review", "export", str(session)]) == 2
