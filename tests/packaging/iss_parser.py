"""A small reader for Inno Setup scripts: preprocessor defines, [Setup] directives, entry sections.

Enough of the format for the tests to check what packaging/deescal.iss installs; not a full parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_DEFINE = re.compile(r'^#define\s+(\w+)\s+"([^"]*)"\s*$')
_PARAM = re.compile(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)')


@dataclass
class InnoScript:
    defines: dict[str, str] = field(default_factory=dict)
    directives: list[str] = field(default_factory=list)  # raw preprocessor lines (#ifndef, #error...)
    setup: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def expand(text: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], text)


def parse_entry(line: str) -> dict[str, str]:
    """``Name: "x"; Filename: "{app}\\y"; Flags: a b`` as a dict, quotes removed."""
    entry = {}
    for key, value in _PARAM.findall(line):
        value = value.strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('""', '"')
        entry[key] = value
    return entry


def parse_iss(path: Path, command_line_defines: dict[str, str]) -> InnoScript:
    script = InnoScript(defines=dict(command_line_defines))
    section = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("#"):
            script.directives.append(line)
            if match := _DEFINE.match(line):
                script.defines[match.group(1)] = expand(match.group(2), script.defines)
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        line = expand(line, script.defines)
        if section == "Setup":
            key, _, value = line.partition("=")
            script.setup[key.strip()] = value.strip()
        elif section:
            script.sections.setdefault(section, []).append(parse_entry(line))
    return script
