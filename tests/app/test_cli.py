"""The ``deescal`` command line, run as a real process where it matters."""

from __future__ import annotations

import json
import subprocess
import sys

from deescal.cli import main


def test_every_command_has_help(capsys):
    from deescal.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert "selftest" in commands
    for name, sub in commands.items():
        assert sub.format_help().strip(), name


def test_selftest_database_and_qt_json(data_dir, capsys):
    code = main(
        [
            "--data-dir",
            str(data_dir.root),
            "selftest",
            "--only",
            "database",
            "--only",
            "qt offscreen",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    assert {c["name"] for c in out["checks"]} == {"database", "qt offscreen"}
    assert all(c["ok"] and c["seconds"] >= 0 for c in out["checks"])


def test_damaged_database_message_reaches_the_user_without_traceback(data_dir):
    data_dir.database.write_bytes(b"garbage" * 1000)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "deescal.cli",
            "--data-dir",
            str(data_dir.root),
            "selftest",
            "--only",
            "database",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "damaged" in proc.stderr and "Traceback" not in proc.stderr


def test_output_into_a_closed_pipe_is_not_a_traceback(data_dir):
    proc = subprocess.run(
        f"{sys.executable} -m deescal.cli --data-dir {data_dir.root} scenarios list | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in proc.stderr
