"""Course keys and pack signatures: HMAC-SHA256 from ``cryptography``, keyed by the course key.

Why HMAC and not a public-key signature: every trainee laptop of a course must be able to sign its
session packs, so whatever signs them has to travel in the course pack to every laptop; an
Ed25519 private key handed to the whole class would prove no more than a shared secret does, at the
cost of more keys to carry. What the signature says is exactly "written by a laptop holding this
course's key, and not changed since": packs from outside the course and packs edited after export
are told apart. It does not tell one trainee of the course from another (FORMAT.md says so).
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac

ALGORITHM = "HMAC-SHA256"
KEY_BYTES = 32


def new_course_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> str:
    """A short public name for a key (the start of its SHA-256), to say which key signed a pack."""
    return hashlib.sha256(b"deescal-course-key\0" + key).hexdigest()[:16]


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def decode_key(text: Any) -> bytes | None:
    """The key from its base64 text; None when it is not a key of the right length."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def _mac(key: bytes, data: bytes) -> hmac.HMAC:
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac


def signature_document(key: bytes, data: bytes) -> dict[str, str]:
    """What ``signature.json`` holds: the algorithm, the key's id and the signature of ``data``."""
    return {"algorithm": ALGORITHM, "key_id": key_id(key), "signature": _mac(key, data).finalize().hex()}


def verify_document(key: bytes, data: bytes, document: Any) -> bool:
    """True when ``document`` (a parsed ``signature.json``) signs ``data`` with ``key``; the
    comparison is constant-time (``cryptography``'s ``verify``)."""
    if not isinstance(document, dict) or document.get("algorithm") != ALGORITHM:
        return False
    signature = document.get("signature")
    if not isinstance(signature, str) or len(signature) != 64:
        return False
    try:
        _mac(key, data).verify(bytes.fromhex(signature))
    except (InvalidSignature, ValueError):
        return False
    return True
