"""Spreadsheet formula injection: every CSV the app writes shows formula-like cells as text."""

from __future__ import annotations

import csv
import io

import pytest
from deescal.app.csv_export import spreadsheet_safe, write_csv, write_rows
from deescal.app.errors import UserFacingError
from deescal.app.trainees import TraineeService
from deescal.cli import main

from tests.app.session_factory import make_session

HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("cell", HOSTILE)
def test_formula_prefixes_get_a_quote(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Sam Ortiz", "", "-3", "+2.5", "72.0", "a=b", 7, None, -4.5])
def test_ordinary_cells_and_numbers_are_unchanged(cell):
    assert spreadsheet_safe(cell) == cell


def test_write_rows_and_write_csv(tmp_path):
    buffer = io.StringIO()
    write_rows(buffer, ["=h"], [["=1+1"], [3]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=h"], ["'=1+1"], ["3"]]
    target = tmp_path / "out.csv"
    write_csv(target, ["a"], [["@x"]])
    assert target.read_text(encoding="utf-8").splitlines() == ["a", "'@x"]
    assert not (tmp_path / "out.csv.partial").exists()
    with pytest.raises(UserFacingError, match="Could not write"):
        write_csv(tmp_path / "absent" / "out.csv", ["a"], [])


def test_trainees_export_neutralises_a_hostile_name(store, ctx, tmp_path):
    make_session(store, 1, trainee="=cmd|' /C calc'!A0")
    target = tmp_path / "out.csv"
    ctx.service(TraineeService).export_csv(target)
    with target.open(newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["trainee"] == "'=cmd|' /C calc'!A0"


def test_score_out_and_stdout_neutralise_hostile_cells(tmp_path, capsys):
    source, out = tmp_path / "turns.csv", tmp_path / "scored.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["case", "officer_turn"], ["@SUM(1)", '=HYPERLINK("x")']])
    assert main(["score", str(source), "--out", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["case"] == "'@SUM(1)" and row["officer_turn"] == '\'=HYPERLINK("x")'
    capsys.readouterr()
    assert main(["score", str(source)]) == 0
    (printed,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert printed["case"] == "'@SUM(1)"
