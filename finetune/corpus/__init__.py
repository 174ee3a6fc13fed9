"""The house role-play corpus: dialogues this project wrote, one file per bundled scenario.

``load_corpus()`` reads them; ``check_corpus()`` validates them against the format in ``FORMAT.md``
(structure, how the civilian speaks, when hidden facts may come out) and, given a scorer, replays
the app's tension model over the officer lines to report how far the written tensions are from it.
``training_dialogues()`` turns them into the fine-tuning ``Dialogue`` the role-play prompt renders.
Held-out scenarios (``held_out.txt``) are kept out of training to measure unseen scenarios.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from deescal.app.roleplay.persona import ECHO_RUN, clean_reply, is_echo, mentions_fact
from deescal.app.roleplay.reply_quality import is_assistant_language, is_stock_filler, speaks_for_officer
from deescal.scenario_library.schema import Scenario

CORPUS_DIR = Path(__file__).with_name("dialogues")
HELD_OUT_FILE = Path(__file__).with_name("held_out.txt")
SKILLS = ("skilled", "poor", "mixed", "novice")
MIN_TURNS = 10
MIN_PER_SCENARIO = 4
MAX_WORDS = 45


@dataclass
class CorpusTurn:
    officer: str
    civilian: str
    tension: int
    reveals: int | None = None


@dataclass
class CorpusDialogue:
    id: str
    case_id: str
    officer_skill: str
    summary: str
    turns: list[CorpusTurn]

    def as_turns(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for turn in self.turns:
            out += [("officer", turn.officer), ("civilian", turn.civilian)]
        return out


@dataclass
class CheckReport:
    """Errors fail the check; notes are counted (soft rules a writer may break for a reason)."""

    files: int = 0
    dialogues: int = 0
    turns: int = 0
    errors: list[str] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)
    skills: Counter = field(default_factory=Counter)
    per_scenario: Counter = field(default_factory=Counter)
    tension_gaps: list[float] = field(default_factory=list)  # written minus replayed, per civilian line

    def summary(self) -> dict:
        gaps = self.tension_gaps
        replay = {}
        if gaps:
            within = sum(1 for g in gaps if abs(g) <= 2) / len(gaps)
            replay = {
                "mean_abs_gap": round(sum(abs(g) for g in gaps) / len(gaps), 2),
                "mean_gap": round(sum(gaps) / len(gaps), 2),
                "within_2": round(within, 3),
            }
        return {
            "files": self.files,
            "dialogues": self.dialogues,
            "officer_turns": self.turns,
            "errors": len(self.errors),
            "skills": dict(self.skills),
            "notes": dict(self.notes),
            "tension_vs_model": replay,
        }


def held_out_case_ids() -> set[str]:
    """Scenarios never trained on (a quarter, spread over the categories)."""
    lines = HELD_OUT_FILE.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _require(condition: bool, where: str, problem: str, errors: list[str]) -> bool:
    if not condition:
        errors.append(f"{where}: {problem}")
    return condition


def parse_file(path: Path, errors: list[str]) -> tuple[str | None, list[CorpusDialogue]]:
    """The file's dialogues; structural problems go to ``errors`` (a bad dialogue is skipped)."""
    where = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.append(f"{where}: not readable JSON ({exc})")
        return None, []
    if not _require(isinstance(data, dict), where, "must be a JSON object", errors):
        return None, []
    case_id = data.get("case_id")
    if not _require(isinstance(case_id, str) and case_id, where, "'case_id' is required", errors):
        return None, []
    _require(path.stem == case_id, where, f"file name must be {case_id}.json", errors)
    found = []
    for n, item in enumerate(data.get("dialogues") or []):
        spot = f"{where} dialogue {n + 1}"
        if not _require(isinstance(item, dict), spot, "must be an object", errors):
            continue
        skill = item.get("officer_skill")
        ok = _require(skill in SKILLS, spot, f"officer_skill must be one of {', '.join(SKILLS)}", errors)
        turns = []
        for k, turn in enumerate(item.get("turns") or []):
            at = f"{spot} turn {k + 1}"
            if not _require(isinstance(turn, dict), at, "must be an object", errors):
                ok = False
                continue
            texts = [turn.get("officer"), turn.get("civilian")]
            ok &= _require(
                all(isinstance(t, str) and t.strip() for t in texts), at, "needs officer and civilian", errors
            )
            tension, reveals = turn.get("tension"), turn.get("reveals")
            ok &= _require(
                isinstance(tension, int) and not isinstance(tension, bool) and 0 <= tension <= 10,
                at,
                "tension must be a whole number 0-10",
                errors,
            )
            ok &= _require(
                reveals is None or (isinstance(reveals, int) and not isinstance(reveals, bool)),
                at,
                "reveals must be null or a hidden-fact index",
                errors,
            )
            if ok:
                turns.append(CorpusTurn(texts[0].strip(), texts[1].strip(), tension, reveals))
        ok &= _require(len(turns) >= MIN_TURNS, spot, f"needs at least {MIN_TURNS} turns", errors)
        if ok:
            ident = str(item.get("id") or f"{case_id}-{skill}-{n + 1}")
            found.append(CorpusDialogue(ident, case_id, skill, str(item.get("summary", "")), turns))
    return case_id, found


def check_dialogue(dialogue: CorpusDialogue, scenario: Scenario, report: CheckReport) -> None:
    """The speaking and reveal rules of FORMAT.md for one dialogue."""
    facts = scenario.hidden_facts
    told: set[int] = set()
    trust = scenario.initial_tension
    replies: list[str] = []
    for k, turn in enumerate(dialogue.turns):
        at = f"{dialogue.id} turn {k + 1}"
        line = turn.civilian
        if clean_reply(line) != " ".join(line.split()):
            report.errors.append(f"{at}: the role-play would cut this line to {clean_reply(line)!r}")
        if len(line.split()) > MAX_WORDS:
            report.errors.append(f"{at}: longer than {MAX_WORDS} words")
        if is_assistant_language(line) or speaks_for_officer(line):
            report.errors.append(f"{at}: assistant language or an officer's line: {line!r}")
        if is_stock_filler(line):
            report.notes["stock filler"] += 1
        if is_echo(line, [turn.officer], run=ECHO_RUN):
            report.errors.append(f"{at}: echoes the officer's words: {line!r}")
        if line.lower() in {r.lower() for r in replies} or is_echo(line, replies):
            report.errors.append(f"{at}: repeats an earlier line: {line!r}")
        if turn.reveals is not None:
            n = turn.reveals
            if not 0 <= n < len(facts):
                report.errors.append(f"{at}: reveals fact {n}, but the card has {len(facts)}")
            elif n in told:
                report.errors.append(f"{at}: fact {n} was already told")
            else:
                if trust > facts[n].reveal_at_tension:
                    report.errors.append(
                        f"{at}: fact {n} told before trust is earned (tension before {trust:g} > "
                        f"{facts[n].reveal_at_tension:g})"
                    )
                if not mentions_fact(line, facts[n].text):
                    report.notes["reveal not in the fact's words"] += 1
                told.add(n)
        else:
            ready = [i for i, f in enumerate(facts) if i not in told and trust <= f.reveal_at_tension]
            if ready:
                report.notes["fact cued but not told"] += 1
        replies.append(line)
        trust = turn.tension


def check_corpus(
    scenarios: dict[str, Scenario], folder: Path = CORPUS_DIR, files: list[Path] | None = None, scorer=None
) -> CheckReport:
    """Validates the corpus (or ``files`` of it) against the bundled ``scenarios`` by case id."""
    report = CheckReport()
    for path in files if files is not None else sorted(folder.glob("*.json")):
        report.files += 1
        case_id, dialogues = parse_file(path, report.errors)
        if case_id is None:
            continue
        scenario = scenarios.get(case_id)
        if scenario is None:
            report.errors.append(f"{path.name}: no bundled scenario has case_id {case_id!r}")
            continue
        ids = Counter(d.id for d in dialogues)
        report.errors += [f"{path.name}: dialogue id {i!r} is used twice" for i, c in ids.items() if c > 1]
        missing = [s for s in SKILLS if s not in {d.officer_skill for d in dialogues}]
        if missing:
            report.errors.append(f"{path.name}: no dialogue with officer_skill {', '.join(missing)}")
        for dialogue in dialogues:
            report.dialogues += 1
            report.turns += len(dialogue.turns)
            report.skills[dialogue.officer_skill] += 1
            report.per_scenario[case_id] += 1
            check_dialogue(dialogue, scenario, report)
            if scorer is not None:
                report.tension_gaps += tension_gaps(dialogue, scenario, scorer)
    if files is None:
        short = [c for c in scenarios if report.per_scenario[c] < MIN_PER_SCENARIO]
        if short:
            report.errors.append(
                f"{len(short)} bundled scenarios have fewer than {MIN_PER_SCENARIO} dialogues: "
                + ", ".join(sorted(short)[:12])
            )
    return report


def tension_gaps(dialogue: CorpusDialogue, scenario: Scenario, scorer) -> list[float]:
    """Written minus replayed tension for each civilian line."""
    from deescal.app.roleplay.tension import replay

    replayed = [t for t in replay(scenario, dialogue.as_turns(), scorer) if t is not None]
    return [turn.tension - model for turn, model in zip(dialogue.turns, replayed, strict=True)]


def load_corpus(folder: Path = CORPUS_DIR) -> list[CorpusDialogue]:
    """Every well-formed dialogue of the corpus (run ``check`` to see what was skipped)."""
    errors: list[str] = []
    found: list[CorpusDialogue] = []
    for path in sorted(folder.glob("*.json")):
        found += parse_file(path, errors)[1]
    return found


def training_dialogues(corpus: list[CorpusDialogue], scenarios: dict[str, Scenario]) -> list:
    """The corpus as fine-tuning dialogues (written tensions as the mood cues)."""
    from deescal.finetune.dataset import Dialogue

    out = []
    for dialogue in corpus:
        scenario = scenarios.get(dialogue.case_id)
        if scenario is None:
            continue
        tensions: list[float | None] = []
        for turn in dialogue.turns:
            tensions += [None, float(turn.tension)]
        out.append(Dialogue(f"corpus:{dialogue.id}", scenario, dialogue.as_turns(), tensions))
    return out
