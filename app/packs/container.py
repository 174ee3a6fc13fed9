"""The file both packs are: a zip with ``manifest.json``, ``signature.json`` and named members.

Reading is defensive, because a pack arrives from a USB stick or a shared folder: before any
member is decompressed the whole directory is checked (member names, count, declared sizes, total
and compression ratio, so a zip bomb is refused unread), every member is read with a hard cap
(a header that lies about its size cannot make us read more), and each member's SHA-256 must match
the manifest. Nothing is ever extracted by its name in the zip: callers copy a member to a path
they chose. Writing is atomic: a temporary name beside the target, then one rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from deescal.app.errors import UserFacingError
from deescal.app.packs import signing

ZIP_MAGIC = b"PK\x03\x04"
MAX_PACK_BYTES = 2 * 1024**3  # the file as it lies on the stick
MAX_TOTAL_BYTES = 1024**3  # all members, uncompressed
MAX_MEMBERS = 20_000
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024**2
MAX_MANIFEST_BYTES = 1024**2
MAX_JSON_DEPTH = 32
# Member names: up to three plain parts (letters, digits, . _ -), no leading dot, nothing else.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}(/[A-Za-z0-9][A-Za-z0-9._-]{0,120}){0,2}")
MANIFEST, SIGNATURE = "manifest.json", "signature.json"
_COPY_BLOCK = 1024**2


class PackError(UserFacingError):
    """A pack that cannot be used; the message names the file and what is wrong with it."""


def temporary_name(target: Path) -> Path:
    """Where a pack is written before it is renamed into place: hidden, and not a pack's suffix, so a
    drop-folder scan never picks up half a file; unique per call, so two writers never share one."""
    return target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")


def write_pack(
    target: Path,
    *,
    kind: str,
    version: int,
    header: dict[str, Any],
    members: dict[str, bytes],
    files: dict[str, Path] | None = None,
    key: bytes,
) -> Path:
    """Writes a signed pack atomically: members (bytes) and files (copied from disk), the manifest
    (``header`` + format, version and each member's SHA-256) and its HMAC signature."""
    files = files or {}
    target = Path(target)
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    for name, path in files.items():
        digests[name] = _file_sha256(path)
    manifest = json.dumps(
        {"format": kind, "version": version, **header, "members": digests},
        ensure_ascii=False,
        indent=1,
        allow_nan=False,
    ).encode()
    signature = json.dumps(signing.signature_document(key, manifest)).encode()
    partial = temporary_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.writestr(MANIFEST, manifest)
            archive.writestr(SIGNATURE, signature)
            for name, data in members.items():
                archive.writestr(name, data)
            for name, path in files.items():
                archive.write(path, name, compress_type=zipfile.ZIP_STORED)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserFacingError(
            f"Could not write {target}: {exc.strerror or exc}. Nothing was changed."
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_COPY_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


class PackReader:
    """An open pack whose directory, manifest and signature format were checked. Use as a context
    manager; :meth:`verify` checks the signature with a key the caller chose from the manifest."""

    def __init__(self, path: Path, kind: str, newest_version: int) -> None:
        self.path = Path(path)
        self.label = self.path.name
        self._zip = self._open()
        try:
            self._check_directory()
            self.manifest_bytes = self._read(MANIFEST, MAX_MANIFEST_BYTES)
            self.manifest = self._parse(MANIFEST, self.manifest_bytes)
            self._check_manifest(kind, newest_version)
            self.signature = self._parse(SIGNATURE, self._read(SIGNATURE, 64 * 1024))
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> PackReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._zip.close()

    def fail(self, problem: str) -> PackError:
        return refused(self.label, problem)

    # -- opening -----------------------------------------------------------------------------
    def _open(self) -> zipfile.ZipFile:
        try:
            size = self.path.stat().st_size
            with open(self.path, "rb") as handle:
                head = handle.read(4)
        except OSError as exc:
            raise PackError(f"{self.label} cannot be read ({exc.strerror or exc}).") from exc
        if size == 0:
            raise refused(self.label, "is empty (0 bytes), not a DeEscal pack")
        if size > MAX_PACK_BYTES:
            raise refused(self.label, f"is larger than {MAX_PACK_BYTES // 1024**3} GB, too large for a pack")
        if head != ZIP_MAGIC:
            raise refused(self.label, "is not a DeEscal pack (it is not a pack file at all)")
        try:
            return zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise refused(
                self.label, f"is damaged or cut short (copied before it was complete?): {exc}"
            ) from exc

    def _check_directory(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise self.fail(f"holds {len(infos)} files, more than a pack may ({MAX_MEMBERS})")
        names: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            if not _NAME.fullmatch(name) or ".." in name.split("/"):
                raise self.fail(f"holds a file with a name that is not allowed ({name[:80]!r}): "
                                "it could escape the folder it is read into")  # fmt: skip
            if name in names:
                raise self.fail(f"holds {name!r} twice")
            names.add(name)
            if info.flag_bits & 0x1:
                raise self.fail(f"holds an encrypted file ({name!r})")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise self.fail(f"would unpack to more than {MAX_TOTAL_BYTES // 1024**3} GB (a zip bomb?)")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise self.fail(f"holds {name!r}, compressed more than {MAX_RATIO} to 1 (a zip bomb?)")
        for required in (MANIFEST, SIGNATURE):
            if required not in names:
                raise self.fail(f"has no {required}: it is not a DeEscal pack or it is incomplete")
        self.names = names

    def _check_manifest(self, kind: str, newest_version: int) -> None:
        manifest = self.manifest
        if not isinstance(manifest, dict) or manifest.get("format") != kind:
            found = manifest.get("format") if isinstance(manifest, dict) else None
            what = f"a {found!r} file" if isinstance(found, str) else "not a DeEscal pack"
            raise self.fail(f"is {what[:80]}, not a {kind}")
        version = manifest.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("has no valid format version")
        if version > newest_version:
            raise self.fail(
                f"was written by a newer DeEscal Trainer (format version {version}; this one reads up "
                f"to {newest_version}). Update the app"
            )
        members = manifest.get("members")
        if not isinstance(members, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in members.items()
        ):
            raise self.fail("has a manifest without its list of files")
        listed = set(members) | {MANIFEST, SIGNATURE}
        if listed != self.names:
            extra = sorted(self.names - listed)
            missing = sorted(listed - self.names)
            detail = f"files not in its manifest: {extra[:3]}" if extra else f"missing files: {missing[:3]}"
            raise self.fail(f"does not match its manifest ({detail}): edited after export or incomplete")
        self.version = version
        self.members: dict[str, str] = members

    # -- reading -----------------------------------------------------------------------------
    def _read(self, name: str, limit: int) -> bytes:
        info = self._zip.getinfo(name)
        if info.file_size > limit:
            raise self.fail(f"holds {name} of {info.file_size:,} bytes, more than allowed ({limit:,})")
        try:
            with self._zip.open(info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise self.fail(f"is damaged or cut short ({name}: {exc})") from exc
        if len(data) > limit:
            raise self.fail(f"holds {name} larger than allowed ({limit:,} bytes)")
        return data

    def _parse(self, name: str, data: bytes) -> Any:
        try:
            value = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
        except UnicodeDecodeError as exc:
            raise self.fail(f"holds {name} that is not UTF-8 text") from exc
        except (ValueError, RecursionError) as exc:
            raise self.fail(f"holds {name} that is not valid JSON ({str(exc)[:120]})") from exc
        if _depth(value) > MAX_JSON_DEPTH:
            raise self.fail(f"holds {name} nested deeper than {MAX_JSON_DEPTH} levels")
        return value

    def verify(self, key: bytes) -> None:
        """Checks the signature over the manifest with the course key; raises when it does not match."""
        if not signing.verify_document(key, self.manifest_bytes, self.signature):
            raise self.fail(
                "is signed with another key: it was edited after it was exported, or it does not "
                "come from this course"
            )

    def member_names(self, prefix: str) -> list[str]:
        return sorted(name for name in self.members if name.startswith(prefix))

    def json_member(self, name: str, limit: int) -> Any:
        """A JSON member, size-capped and checked against the manifest's SHA-256."""
        if name not in self.members:
            raise self.fail(f"has no {name}")
        data = self._read(name, limit)
        self._check_digest(name, hashlib.sha256(data).hexdigest())
        return self._parse(name, data)

    def copy_member(self, name: str, target: Path, limit: int) -> Path:
        """Copies a member to ``target`` (a path the caller chose), atomically and size-capped; a
        copy whose bytes do not match the manifest is removed."""
        info = self._zip.getinfo(name)
        if info.file_size > limit:
            raise self.fail(f"holds {name} of {info.file_size:,} bytes, more than allowed ({limit:,})")
        partial = temporary_name(target)
        digest = hashlib.sha256()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with self._zip.open(info) as source, open(partial, "wb") as out:
                _copy(
                    source, out, limit, digest.update, lambda: self.fail(f"holds {name} larger than it says")
                )
            self._check_digest(name, digest.hexdigest())
            os.replace(partial, target)
        except (zipfile.BadZipFile, EOFError) as exc:
            partial.unlink(missing_ok=True)
            raise self.fail(f"is damaged or cut short ({name}: {exc})") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target

    def _check_digest(self, name: str, digest: str) -> None:
        if self.members.get(name) != digest:
            raise self.fail(f"holds {name} that differs from its manifest: edited after it was exported")


def refused(label: str, problem: str) -> PackError:
    """The one wording of a refused pack: its name, what is wrong, and that nothing came in from it."""
    return PackError(f"{label} {problem}; nothing was imported from it.")


def _copy(
    source: IO[bytes],
    out: IO[bytes],
    limit: int,
    seen: Callable[[bytes], None],
    too_big: Callable[[], Exception],
) -> None:
    done = 0
    while block := source.read(_COPY_BLOCK):
        done += len(block)
        if done > limit:
            raise too_big()
        seen(block)
        out.write(block)


def pack_files(paths: Iterable[Path], suffix: str) -> list[Path]:
    """The packs among ``paths``: files as given, and every ``suffix`` file directly in a folder
    (hidden and partial files left out)."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix == suffix and not p.name.startswith(".") and p.is_file()
                )
            )
        elif path.exists():
            found.append(path)
        else:
            raise UserFacingError(f"{path} does not exist.")
    return found
