"""Which laptop this is: an id kept in the data folder (``laptop.json``), made on first use.

It lives in the data folder, not in the database, so a restored database backup keeps the laptop's
identity; a data folder copied to another computer takes the id with it (FORMAT.md notes this).
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from dataclasses import dataclass
from pathlib import Path

from deescal.app.paths import DataDir

LAPTOP_FILE = "laptop.json"
MAX_NAME = 80


@dataclass(frozen=True)
class Laptop:
    id: str
    name: str


def _read(path: Path) -> Laptop | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = Laptop(str(uuid.UUID(data["id"])), str(data.get("name") or "")[:MAX_NAME])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return found


def this_laptop(data: DataDir) -> Laptop:
    """This data folder's laptop; a missing or unreadable ``laptop.json`` is written anew."""
    path = data.root / LAPTOP_FILE
    found = _read(path)
    if found is not None:
        return found
    laptop = Laptop(str(uuid.uuid4()), (platform.node() or "laptop")[:MAX_NAME])
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps({"id": laptop.id, "name": laptop.name}), encoding="utf-8")
    os.replace(partial, path)
    return laptop
