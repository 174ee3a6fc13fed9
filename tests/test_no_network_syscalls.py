"""Nothing leaves the computer, checked where native code cannot hide it: at the system calls.

The socket guard in ``conftest.py`` sees Python code only; onnxruntime (faster-whisper's voice
activity detector) looked up its telemetry server from C++. Here ``deescal selftest``, a voice
role-play and a one-step fine-tune each run under ``strace -f -e trace=network``; any connect or
send to an address outside this machine, and any DNS query (port 53), fails the test.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.finetune.shared_models import seed_models

pytestmark = pytest.mark.slow

STRACE = shutil.which("strace")
_SENDS = re.compile(r"\b(?:connect|sendto|sendmsg|sendmmsg)\(")
_ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6,\s*"([^"]+)"')


def remote_calls(trace: str) -> list[str]:
    """The traced calls that reach beyond this machine: a DNS query, or any non-loopback address."""
    bad = []
    for line in trace.splitlines():
        if not _SENDS.search(line):
            continue
        addresses = [a or b for a, b in _ADDRESS.findall(line)]
        if "htons(53)" in line or any(not ipaddress.ip_address(a).is_loopback for a in addresses):
            bad.append(line.strip())
    return bad


def test_the_trace_reader_tells_local_from_remote():
    trace = "\n".join(
        [
            '12 connect(8, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
            '12 sendto(8, "mobile"..., 50, MSG_NOSIGNAL, NULL, 0) = 50',
            '13 connect(9, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
            '14 connect(5, {sa_family=AF_INET6, sin6_port=htons(443), sin6_addr=inet_pton(AF_INET6, "2001:db8::1")}) = -1',
            '15 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
            '16 connect(5, {sa_family=AF_INET6, sin6_port=htons(9), sin6_addr=inet_pton(AF_INET6, "::1")}) = 0',
        ]
    )
    assert [line.split()[0] for line in remote_calls(trace)] == ["12", "14"]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    if STRACE is None:
        if os.environ.get("CI"):
            pytest.fail("strace is missing: .ci/run installs it")
        pytest.skip("strace is not installed (apt-get install strace)")
    from deescal.app.context import AppContext

    root = tmp_path_factory.mktemp("strace-home")
    ctx = AppContext.open(root)
    seed_models(ctx.data)
    ctx.close()
    return root


def _traced(home: Path, tmp_path: Path, *argv: str) -> str:
    log = tmp_path / "network.strace"
    command = [STRACE, "-f", "-qq", "-e", "trace=network", "-o", str(log)]
    command += [sys.executable, "-m", "deescal.cli", "--data-dir", str(home), *argv]
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return log.read_text(errors="replace")


def test_selftest_sends_nothing(home, tmp_path):
    assert remote_calls(_traced(home, tmp_path, "selftest")) == []


def test_voice_roleplay_sends_nothing(home, tmp_path):
    from deescal.models.tts import SpeechStyle, SpeechSynthesizer

    turn = SpeechSynthesizer().render(
        "Hello, I am Officer Diaz. Can you tell me your name?",
        tmp_path / "turn.wav",
        SpeechStyle(voice="en-us"),
    )
    trace = _traced(home, tmp_path, "roleplay", "intox-004", "--audio", str(turn), "--seed", "4")
    assert remote_calls(trace) == []


def test_one_fine_tune_step_sends_nothing(home, tmp_path, transcripts_dir):
    argv = ["finetune", "--transcripts", str(transcripts_dir), "--limit-files", "2", "--steps", "1"]
    argv += [
        "--max-length",
        "128",
        "--batch-size",
        "1",
        "--grad-accum",
        "1",
        "--out",
        str(tmp_path / "a.gguf"),
    ]
    assert remote_calls(_traced(home, tmp_path, *argv)) == []
