"""Small invented transcripts for tests (no DeEscalWild text is copied into the repository)."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = ["start_time", "speaker_label", "transcript"]

TRAFFIC_STOP = [
    ("00:00", "Deputy Marsh", "Good evening, I'm Deputy Marsh with the sheriff's office. The reason I stopped you is your tail light."),
    ("00:04", "Lena Ortiz", "Oh no, I didn't even know it was out. I'm sorry."),
    ("00:07", "Deputy Marsh", "No problem. Can I see your license, registration and insurance?"),
    ("00:10", "Lena Ortiz", "Sure, it's in the glove box. My hands are shaking, I'm so nervous."),
    ("00:15", "Deputy Marsh", "Take your time, you're not in trouble. Where are you headed tonight?"),
    ("00:19", "Lena Ortiz", "Home from my shift at the bakery. I just want to get home to my kids."),
    ("00:24", "Dispatch", "Unit 12, the plate comes back valid, no warrants."),
    ("00:27", "Deputy Marsh", "Copy that. Ma'am, I'm giving you a warning today. Get that light fixed this week, okay?"),
    ("00:31", "Lena Ortiz", "Thank you so much, officer. I will."),
]  # fmt: skip

NARRATION_ONLY = [
    ("00:00", "Host", "Welcome back to the channel, today's video is about situational awareness."),
    ("00:08", "Host", "Notice how the officer keeps his distance in this footage."),
]


def write_transcript(path: Path, rows=TRAFFIC_STOP, newline: str = "\n", encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, lineterminator=newline)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path
