"""The transcript reader turns every kind of bad file into a one-sentence reason."""

from __future__ import annotations

import pytest
from deescal.scenario_library import transcript_csv
from deescal.scenario_library.transcript_csv import TranscriptFileError, read_transcript

from tests.scenario_library.transcript_samples import TRAFFIC_STOP, write_transcript


def test_reads_rows_speakers_and_start_times(tmp_path):
    transcript = read_transcript(write_transcript(tmp_path / "stop.csv"))
    assert len(transcript.utterances) == len(TRAFFIC_STOP)
    assert transcript.speakers[0] in {"Deputy Marsh", "Lena Ortiz"}
    assert set(transcript.speakers) == {"Deputy Marsh", "Lena Ortiz", "Dispatch"}
    assert transcript.utterances[0].start_time == "00:00"


def test_same_dialogue_has_the_same_hash_whatever_the_line_endings_or_encoding(tmp_path):
    lf = read_transcript(write_transcript(tmp_path / "a.csv"))
    crlf = read_transcript(write_transcript(tmp_path / "b.csv", newline="\r\n", encoding="utf-8-sig"))
    assert lf.content_hash == crlf.content_hash


def test_windows_1252_and_utf16_files_are_read(tmp_path):
    rows = [("00:00", "Officer Lee", "Café closed, señor?"), ("00:02", "Ana", "Sí, gracias.")]
    cp1252 = read_transcript(write_transcript(tmp_path / "a.csv", rows, encoding="cp1252"))
    utf16 = read_transcript(write_transcript(tmp_path / "b.csv", rows, encoding="utf-16"))
    assert cp1252.utterances[0].text == utf16.utterances[0].text == "Café closed, señor?"


def test_immediately_repeated_lines_are_collapsed(tmp_path):
    rows = [TRAFFIC_STOP[0], TRAFFIC_STOP[1], TRAFFIC_STOP[1], TRAFFIC_STOP[2]]
    assert len(read_transcript(write_transcript(tmp_path / "r.csv", rows)).utterances) == 3


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"name,age\nBob,4\n", "wrong columns"),
        (b"start_time,speaker_label,transcript\n", "no dialogue rows"),
        (b'start_time,speaker_label,transcript\n00:00,A,"unterminated\x00', "binary"),
    ],
)
def test_bad_files_give_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(TranscriptFileError, match=reason):
        read_transcript(path)


def test_enormous_and_missing_files_are_refused(tmp_path, monkeypatch):
    path = write_transcript(tmp_path / "big.csv")
    monkeypatch.setattr(transcript_csv, "MAX_FILE_BYTES", 100)
    with pytest.raises(TranscriptFileError, match="too large"):
        read_transcript(path)
    with pytest.raises(TranscriptFileError, match="cannot be read"):
        read_transcript(tmp_path / "missing.csv")


def test_a_runaway_field_is_not_valid_csv(tmp_path):
    path = tmp_path / "runaway.csv"
    path.write_text(
        'start_time,speaker_label,transcript\n00:00,A,"' + "x" * 200_000 + '"\n', encoding="utf-8"
    )
    with pytest.raises(TranscriptFileError, match="not valid CSV|characters"):
        read_transcript(path)


def test_nul_bytes_after_the_first_8_kb_are_refused_not_imported(tmp_path):
    path = write_transcript(tmp_path / "late_nul.csv", TRAFFIC_STOP * 100)
    raw = path.read_bytes()
    assert len(raw) > 9000
    path.write_bytes(raw[:9000] + b"\x00\x00" + raw[9000:])
    with pytest.raises(TranscriptFileError, match="NUL"):
        read_transcript(path)


def test_a_10_mb_header_line_is_refused_before_parsing(tmp_path):
    """A 10 MB first line of commas parsed into millions of header cells took 637 MB of memory."""
    import tracemalloc

    path = tmp_path / "wide.csv"
    path.write_bytes(b"," * 10_000_000 + b"\nA,hello,0\n")
    tracemalloc.start()
    try:
        with pytest.raises(TranscriptFileError, match="first line of more than"):
            read_transcript(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024**2


def test_a_file_with_old_mac_line_endings_still_reads(tmp_path):
    rows = ["speaker_label,transcript,start_time"] + [
        f"SPEAKER_0{n % 2},line number {n} of the talk,{n}" for n in range(300)
    ]
    path = tmp_path / "cr.csv"
    path.write_bytes("\r".join(rows).encode())
    assert len(read_transcript(path).utterances) == 300
