"""Reads one DeEscalWild transcript CSV (``start_time,speaker_label,transcript``) defensively.

Instructors import folders of files from many places, so everything that can be wrong with a file
(binary data, wrong encoding, wrong columns, no rows, absurd size) becomes a
:class:`TranscriptFileError` with a sentence saying what is wrong, never a traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

REQUIRED_COLUMNS = ("start_time", "speaker_label", "transcript")
MAX_FILE_BYTES = 20 * 1024 * 1024  # the largest real transcript is ~100 KB
MAX_ROWS = 50_000
MAX_FIELD_CHARS = 100_000
MAX_HEADER_CHARS = 4096  # a header names a handful of columns; a longer first line is not a transcript
UNKNOWN_SPEAKER = "Unknown speaker"


class TranscriptFileError(Exception):
    """The file cannot be used as a transcript; ``str(error)`` says why."""


@dataclass(frozen=True)
class Utterance:
    speaker: str
    text: str
    start_time: str | None = None


@dataclass
class TranscriptFile:
    path: Path
    utterances: list[Utterance]

    @property
    def speakers(self) -> list[str]:
        """Distinct speaker labels, most talkative first."""
        counts: dict[str, int] = {}
        for u in self.utterances:
            counts[u.speaker] = counts.get(u.speaker, 0) + 1
        return sorted(counts, key=lambda s: (-counts[s], s))

    @property
    def content_hash(self) -> str:
        """Same dialogue, same hash, whatever the line endings, encoding or file name."""
        digest = hashlib.sha256()
        for u in self.utterances:
            digest.update(f"{u.speaker}\t{u.text}\n".encode())
        return "csv:" + digest.hexdigest()


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TranscriptFileError("is marked as UTF-16 but is not valid UTF-16 text") from exc
    if b"\x00" in raw:  # anywhere: a NUL cannot be stored as text and marks a binary or damaged file
        raise TranscriptFileError("contains NUL bytes: it is a binary or damaged file, not a CSV text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:  # spreadsheets on Windows often save CSV as Windows-1252
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TranscriptFileError("is not UTF-8 text (the file may be binary or damaged)") from exc


def _header_map(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        found = ", ".join(h.strip() for h in header if h.strip()) or "nothing"
        raise TranscriptFileError(
            f"has the wrong columns: expected {', '.join(REQUIRED_COLUMNS)}; found {found}"
        )
    return {c: names.index(c) for c in REQUIRED_COLUMNS}


def read_transcript(path: str | Path) -> TranscriptFile:
    """Parses the file; raises :class:`TranscriptFileError` for anything that is not a usable transcript."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TranscriptFileError(
                f"is too large ({size / 1_048_576:.0f} MB; a transcript is at most "
                f"{MAX_FILE_BYTES // 1_048_576} MB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptFileError(f"cannot be read ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise TranscriptFileError("is empty")
    text = _decode(raw)
    head = text[: MAX_HEADER_CHARS + 1]
    if len(head) > MAX_HEADER_CHARS and "\n" not in head and "\r" not in head:  # before parsing:
        raise TranscriptFileError(  # millions of header cells would take hundreds of MB
            f"has a first line of more than {MAX_HEADER_CHARS:,} characters; a transcript's header "
            "names a few columns"
        )

    reader = csv.reader(io.StringIO(text, newline=""))
    utterances: list[Utterance] = []
    try:
        header = next(reader, None)
        if header is None:
            raise TranscriptFileError("is empty")
        columns = _header_map(header)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(columns.values()):
                row = row + [""] * (max(columns.values()) + 1 - len(row))
            spoken = " ".join(row[columns["transcript"]].split())
            if not spoken:
                continue
            if len(spoken) > MAX_FIELD_CHARS:
                raise TranscriptFileError(
                    f"has an utterance of {len(spoken):,} characters on line {reader.line_num}; "
                    "this is not a dialogue transcript"
                )
            utterance = Utterance(
                speaker=" ".join(row[columns["speaker_label"]].split()) or UNKNOWN_SPEAKER,
                text=spoken,
                start_time=row[columns["start_time"]].strip() or None,
            )
            previous = utterances[-1] if utterances else None
            if previous and (previous.speaker, previous.text) == (utterance.speaker, utterance.text):
                continue  # the transcriber repeated a line
            utterances.append(utterance)
            if len(utterances) > MAX_ROWS:
                raise TranscriptFileError(f"has more than {MAX_ROWS:,} rows; this is not one interaction")
    except csv.Error as exc:
        raise TranscriptFileError(f"is not valid CSV (line {reader.line_num}: {exc})") from exc
    if not utterances:
        raise TranscriptFileError("has a header but no dialogue rows")
    return TranscriptFile(path, utterances)
