"""Each way the data folder can be unusable at start gets its own message and exit code, with no
traceback and no needless backup. The tests run as root, which chmod does not stop, so an
unwritable file or folder is made with ``chattr +i`` (immutable: root cannot write it either) and a
full disk is a real tiny tmpfs; both skip where the machine does not allow them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from deescal.app.errors import DiskFullError, NotWritableError
from deescal.app.paths import DataDir
from deescal.app.records.migrations import MIGRATIONS
from deescal.app.records.store import Store
from deescal.cli import main


@pytest.fixture
def make_immutable():
    """Marks paths immutable (``chattr +i``) for the test and lifts the mark afterwards."""
    marked: list[Path] = []

    def mark(path: Path) -> None:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not allowed here")
        marked.append(path)

    yield mark
    for path in marked:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 4 MB tmpfs, so the disk can really be filled."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def _fill(disk: Path) -> None:
    with (disk / "filler").open("wb", buffering=0) as out, pytest.raises(OSError, match="No space left"):
        while True:
            out.write(b"\0" * 65536)


def _start(root: Path, capsys) -> tuple[int, str]:
    code = main(["--data-dir", str(root), "selftest", "--only", "database"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _healthy(root: Path) -> DataDir:
    data = DataDir(root).ensure()
    Store(data.database, data.backups).close()
    return data


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_unwritable_data_folder_is_named_as_such_with_no_backup(tmp_path, make_immutable, capsys):
    data = _healthy(tmp_path / "data")
    make_immutable(data.root)
    for _ in range(2):
        code, err = _start(data.root, capsys)
        assert code == 3 and f"{data.root} cannot be written to" in err and "damaged" not in err
    assert _files(data.backups) == []


def test_full_disk_at_start_is_reported_as_full_disk(tiny_disk, capsys):
    data = _healthy(tiny_disk / "data")
    _fill(tiny_disk)
    code, err = _start(data.root, capsys)
    assert code == 4 and "is full" in err and "damaged" not in err
    assert _files(data.backups) == []


def test_full_disk_while_migrating_leaves_no_empty_backup(tiny_disk):
    data = DataDir(tiny_disk / "data").ensure()
    conn = sqlite3.connect(data.database, isolation_level=None)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    conn.close()
    _fill(tiny_disk)
    with pytest.raises(DiskFullError, match="is full"):
        Store(data.database, data.backups)
    assert [path for path in _files(tiny_disk) if path.stat().st_size == 0] == []


def test_empty_database_is_kept_and_reported_not_replaced(tmp_path, capsys):
    data = DataDir(tmp_path / "data").ensure()
    data.database.write_bytes(b"")
    code, err = _start(data.root, capsys)
    assert code == 2 and "is empty (0 bytes)" in err
    assert data.database.stat().st_size == 0 and _files(data.backups) == []


def test_read_only_database_file(tmp_path, make_immutable, capsys):
    data = _healthy(tmp_path / "data")
    make_immutable(data.database)
    code, err = _start(data.root, capsys)
    assert code == 3 and f"{data.database} cannot be written to" in err


def test_database_locked_by_another_program(tmp_path, capsys):
    data = _healthy(tmp_path / "data")
    holder = textwrap.dedent(f"""
        import sqlite3, time
        conn = sqlite3.connect({str(data.database)!r}, isolation_level=None)
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("INSERT INTO settings(key, value) VALUES ('held', '1')")
        print("locked", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        code, err = _start(data.root, capsys)
    finally:
        proc.kill()
        proc.wait()
    assert code == 5 and "locked by another program" in err
    assert _files(data.backups) == []


def test_unwritable_logs_folder(tmp_path, make_immutable, capsys):
    data = DataDir(tmp_path / "data").ensure()
    make_immutable(data.logs)
    code, err = _start(data.root, capsys)
    assert code == 3 and f"{data.logs} cannot be written to" in err


def test_unwritable_backups_folder_stops_a_migration_before_it_starts(tmp_path, make_immutable):
    data = DataDir(tmp_path / "data").ensure()
    conn = sqlite3.connect(data.database, isolation_level=None)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    conn.close()
    make_immutable(data.backups)
    with pytest.raises(NotWritableError, match=f"{data.backups} cannot be written to"):
        Store(data.database, data.backups)
    assert sqlite3.connect(data.database).execute("PRAGMA user_version").fetchone()[0] == 1


def test_database_path_that_is_a_folder(tmp_path, capsys):
    data = DataDir(tmp_path / "data").ensure()
    data.database.mkdir()
    code, err = _start(data.root, capsys)
    assert code == 6 and "is a folder, not a database file" in err


def test_damaged_page_in_the_middle_is_caught_at_start_with_a_copy_kept(tmp_path, capsys):
    data = _healthy(tmp_path / "data")
    store = Store(data.database, data.backups)
    for number in range(300):
        store.execute("INSERT INTO trainees(name, notes) VALUES (?, ?)", (f"T{number}", "note " * 50))
    store.close()
    size = data.database.stat().st_size
    with data.database.open("r+b") as file:
        file.seek(size // 2 // 4096 * 4096)  # the header of the page in the middle of the file
        file.write(bytes(range(7, 23)))
    code, err = _start(data.root, capsys)
    assert code == 2 and "is damaged" in err
    copies = list(data.backups.glob("deescal-damaged-*.sqlite3"))
    assert len(copies) == 1 and copies[0].read_bytes() == data.database.read_bytes()
