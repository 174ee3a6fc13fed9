"""The database: migrations, WAL, foreign keys, durability under SIGKILL, damaged and newer files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from deescal.app.errors import DatabaseError
from deescal.app.records.migrations import LATEST_VERSION, MIGRATIONS
from deescal.app.records.store import Store


def _insert_scenario(store: Store) -> int:
    return store.execute(
        "INSERT INTO scenarios(case_id, title, category, difficulty, initial_tension, card, source)"
        " VALUES ('t-1', 'Test', 'Test', 2, 5, '{}', 'authored')"
    ).lastrowid


def test_empty_file_migrates_to_latest(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    assert store.version == LATEST_VERSION
    tables = set(store.db.table_names())
    for table in (
        "scenarios",
        "reference_turns",
        "trainees",
        "sessions",
        "session_turns",
        "turn_scores",
        "instructor_reviews",
        "adapters",
        "settings",
        "language_models",
    ):
        assert table in tables


@pytest.mark.parametrize("start_version", range(1, LATEST_VERSION))
def test_each_earlier_version_migrates_and_keeps_data(tmp_path, start_version):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:start_version], start=1):
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    conn.execute("INSERT INTO settings(key, value) VALUES ('kept', '\"yes\"')")
    conn.close()
    store = Store(path)
    assert store.version == LATEST_VERSION
    assert store.query_one("SELECT value FROM settings WHERE key='kept'")["value"] == '"yes"'
    assert list(store.backups_dir.glob("old-before-*")), "an automatic backup is taken before migrating"


def test_wal_and_foreign_keys_on(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    assert store.query_one("PRAGMA journal_mode")["journal_mode"] == "wal"
    assert store.query_one("PRAGMA foreign_keys")["foreign_keys"] == 1
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("INSERT INTO sessions(scenario_id, initial_tension) VALUES (999, 5)")


def test_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute("INSERT INTO settings(key, value) VALUES ('a', '1')")
        raise RuntimeError("boom")
    assert store.query_one("SELECT * FROM settings WHERE key='a'") is None


def test_turn_survives_sigkill(tmp_path):
    path = tmp_path / "db.sqlite3"
    scenario_id = _insert_scenario(Store(path))
    child = textwrap.dedent(f"""
        import os, sys, time
        from deescal.app.records.store import Store
        store = Store({str(path)!r})
        sid = store.execute("INSERT INTO sessions(scenario_id, initial_tension) VALUES ({scenario_id}, 5)").lastrowid
        store.execute("INSERT INTO session_turns(session_id, idx, role, text) VALUES (?, 0, 'officer', 'Hello, I am Officer Lee.')", (sid,))
        print(sid, flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    session_id = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reopened = Store(path)
    turns = reopened.query("SELECT text FROM session_turns WHERE session_id = ?", (session_id,))
    assert [t["text"] for t in turns] == ["Hello, I am Officer Lee."]


def test_damaged_file_gives_clear_message_and_backup(tmp_path):
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    with pytest.raises(DatabaseError, match="damaged") as info:
        Store(path)
    assert "copy was kept" in str(info.value)
    backups = list((tmp_path / "backups").glob("db-damaged-*"))
    assert backups and backups[0].read_bytes() == path.read_bytes()


def test_newer_version_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.close()
    with pytest.raises(DatabaseError, match="newer version"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 5


def test_a_write_inside_a_write_joins_it_and_fails_with_it(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    with pytest.raises(RuntimeError), store.write():
        with store.write():
            store.db["trainees"].insert({"name": "Inner"})
        store.db["trainees"].insert({"name": "Outer"})
        raise RuntimeError("the outer change fails")
    assert store.db["trainees"].count == 0
    with store.write():
        with store.write():
            store.db["trainees"].insert({"name": "Inner"})
        assert store.conn.in_transaction  # the inner block did not commit the outer one
    assert [row["name"] for row in store.db["trainees"].rows] == ["Inner"]
    store.close()


def test_bytes_damaged_inside_a_stored_text_give_the_damaged_message_when_read(tmp_path):
    """``quick_check`` checks pages, not the text in them: 16 bad bytes inside a row pass it, and
    reading the row used to end in a UnicodeDecodeError traceback."""
    from deescal.app.settings import get_setting, set_setting

    path = tmp_path / "db.sqlite3"
    store = Store(path)
    marker = "a-line-the-instructor-typed-" * 4
    set_setting(store, "note", marker)
    store.close()
    data = bytearray(path.read_bytes())
    at = data.find(marker.encode())
    assert at > 0  # checkpointed into the main file
    data[at + 8 : at + 24] = b"\xff" * 16
    path.write_bytes(bytes(data))
    store = Store(path)  # the pages are sound: it opens
    try:
        with pytest.raises(DatabaseError, match="damaged: a stored text cannot be read"):
            get_setting(store, "note")
    finally:
        store.close()
