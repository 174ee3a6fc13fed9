"""Realism benchmark: scripted role-plays through the real session code, base model vs house adapter.

Run by ``make bench`` (or ``python tests/bench/bench_realism.py [--models base,house]``). Plays four
officer scripts (skilled, poor, mixed, novice) on scenarios the house adapter trained on and on
held-out ones, with the same seeds for every model, and reports the automatic measures of
``finetune/realism.py`` per model and per scenario group. It also writes a blind judging packet:
every transcript under a shuffled letter (``bench-results/realism-packet.md``), the key apart
(``bench-results/realism-key.json``), for judges who do not know which model wrote what.
Numbers go to ``bench-results/realism.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench-results"
SEED = 20261206

TRAINING_CASES = ["asd-001", "dom-001", "intox-001", "lang-003", "med-001", "sui-003", "ts-003", "vet-001"]
HELD_OUT_CASES = ["asd-002", "dom-002", "intox-002", "lang-002", "med-002", "sui-002", "ts-002", "vet-002"]

SCRIPTS = {
    "skilled": [
        "Hi there. I'm Officer Daniels with the police department. I'm going to stay right here, okay? What's going on?",
        "Okay. Take your time, I'm listening. What should I call you?",
        "Thanks. It sounds like today has been a lot. Can you tell me what happened before I got here?",
        "That makes sense that you'd be upset about that. Is anybody hurt, you included?",
        "Alright. Here's what I'd like to do: I want to help sort this out, and I need to understand it first. What matters most to you right now?",
        "I hear you. You're not in trouble for talking to me. Is there anything else going on that I should know about?",
        "Thank you for telling me that. I know that wasn't easy to say.",
        "We've got a couple of options. We can talk here, or somewhere quieter, whatever works better for you.",
        "Is there somebody you'd like me to call, someone you trust?",
        "You've done really well talking with me. Let's work out the next step together.",
    ],
    "poor": [
        "Police. What's your problem?",
        "I don't care. Give me your ID, now.",
        "Stop talking. I'm asking the questions here.",
        "You're being ridiculous. Calm down.",
        "I'm not asking again, do what I tell you right now.",
        "Shut up and listen to me, or you're going to jail.",
        "Nobody cares about your excuses.",
        "This is your last chance. Do it or I'll put you on the ground.",
        "Whatever. You people are all the same.",
        "Are you going to cooperate or not?",
    ],
    "mixed": [
        "Hey, what's going on here? Make it quick.",
        "Look, I've got other calls. Just tell me what happened.",
        "Calm down, you're making this worse.",
        "Sorry, I came in too hot. Let me start again. I'm Officer Daniels. What's your name?",
        "Thanks. I can see you're upset. What happened?",
        "Okay, that sounds really frustrating. I want to understand it.",
        "Enough, I need you to do what I say right now.",
        "I'm sorry, that was me being impatient. You didn't deserve that.",
        "What would help you most right now?",
        "Okay. Let's figure out the next step together.",
    ],
    "novice": [
        "Um, hello. I'm, uh, Officer Daniels. I'm here because of a call.",
        "Name?",
        "...",
        "Sorry. Per procedure I have to ask you some questions. Is that okay?",
        "Do you like the weather today? It's been a strange week.",
        "Okay.",
        "Can you, um, tell me what happened? In your own words, I mean.",
        "Why do you think I'm here?",
        "...",
        "Right. So. Is there anything you need from me?",
    ],
}
SKILL_ORDER = ["skilled", "poor", "mixed", "novice"]


def plan() -> list[tuple[str, str, str]]:
    """(case_id, group, script) for every role-play: each scenario gets one script, skills rotating."""
    plays = []
    for group, cases in (("training", TRAINING_CASES), ("held-out", HELD_OUT_CASES)):
        for n, case_id in enumerate(cases):
            plays.append((case_id, group, SKILL_ORDER[n % len(SKILL_ORDER)]))
    return plays


def play(service, scenario, script: str, adapter: str | None, seed: int, contrast: bool = True) -> dict:
    from deescal.app.roleplay.session import CONTRAST_SETTING
    from deescal.app.settings import set_setting

    set_setting(service.ctx.store, CONTRAST_SETTING, contrast)
    session = service.start(scenario.id, adapter=adapter or "", seed=seed)
    turns = []
    trust = session.tension
    for line in SCRIPTS[script]:
        if session.status != "active":
            break
        result = session.officer_turn(line)
        turns.append(
            {
                "officer": line,
                "reply": result.reply,
                "tension": result.tension,
                "trust": trust,
                "latency_s": result.latency_s,
                "first_token_s": result.first_token_s,
            }
        )
        trust = result.tension
    session.end()
    return {"turns": turns, "status": session.status}


PLAIN = "-plain"  # a model name ending in it plays without the contrast (replies not weighed against the line unsaid)


def model_adapters(names: list[str]) -> dict[str, str | None]:
    from deescal.models.embedded import HOUSE_ADAPTER

    table = {"base": None, "house": str(HOUSE_ADAPTER)}
    return {name: table.get(name.removesuffix(PLAIN), name.removesuffix(PLAIN)) for name in names}


def corpus_plays(scenarios: dict) -> list[dict]:
    """The house corpus's own dialogue for each held-out role-play (same scenario and officer skill),
    judged in the same packet as a ceiling: what the judges and the automatic measures give to lines
    written by people."""
    from deescal.finetune.corpus import load_corpus

    corpus = {(d.case_id, d.officer_skill): d for d in load_corpus()}
    plays = []
    for case_id, group, script in plan():
        dialogue = corpus.get((case_id, script))
        if group == "held-out" and dialogue is not None:
            turns, trust = [], float(scenarios[case_id].initial_tension)
            for t in dialogue.turns[:10]:  # the written tension stands in for the tension model's
                turns.append(
                    {"officer": t.officer, "reply": t.civilian, "tension": t.tension, "trust": trust}
                )
                trust = float(t.tension)
            plays.append(
                {
                    "model": "corpus",
                    "case_id": case_id,
                    "group": group,
                    "script": script,
                    "turns": turns,
                    "status": "-",
                }
            )
    return plays


def write_packet(plays: list[dict], scenarios: dict) -> None:
    """The blind packet: transcripts under shuffled letters, the key in a separate file."""
    order = list(range(len(plays)))
    random.Random(SEED).shuffle(order)
    labels = [f"{chr(65 + n // 26) if n >= 26 else ''}{chr(65 + n % 26)}" for n in range(len(order))]
    lines = ["# Role-play transcripts for judging", ""]
    key = {}
    for label, index in zip(labels, order, strict=True):
        item = plays[index]
        scenario = scenarios[item["case_id"]]
        who = scenario.character_profile
        key[label] = {k: item[k] for k in ("model", "case_id", "group", "script")}
        lines += [
            f"## Transcript {label}",
            "",
            f"Scenario: {scenario.title}. {scenario.scenario_context}",
            f"Civilian: {who.name} ({who.age}, {who.gender}). {who.background} State: {who.emotional_state}. "
            f"Speaks: {who.speaking_style}.",
            "",
        ]
        for turn in item["turns"]:
            lines += [f"- OFFICER: {turn['officer']}", f"- {who.name.split()[0].upper()}: {turn['reply']}"]
        lines += [""]
    (RESULTS / "realism-packet.md").write_text("\n".join(lines))
    (RESULTS / "realism-key.json").write_text(json.dumps(key, indent=2))


def main() -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--models",
        default="base,house-plain,house",
        help=f"comma list: base, house, or GGUF adapter paths; a name ending in {PLAIN} plays without the contrast",
    )
    args = parser.parse_args()
    from deescal.app.context import AppContext
    from deescal.app.library import LibraryService
    from deescal.app.roleplay.service import RoleplayService
    from deescal.app.scoring.encoder import SentenceEncoder
    from deescal.finetune.realism import Reply, Transcript, measure

    adapters = model_adapters(args.models.split(","))
    plays: list[dict] = []
    scenarios = {}
    started = time.time()
    with tempfile.TemporaryDirectory() as home, AppContext.open(home) as ctx:
        library = ctx.service(LibraryService)
        service = ctx.service(RoleplayService)
        for case_id, _group, _script in plan():
            scenarios[case_id] = library.get(library.find_id(case_id))
        for model, adapter in adapters.items():
            for n, (case_id, group, script) in enumerate(plan()):
                played = play(
                    service, scenarios[case_id], script, adapter, SEED + n, not model.endswith(PLAIN)
                )
                plays.append({"model": model, "case_id": case_id, "group": group, "script": script, **played})
                print(f"{model:6} {case_id:9} {script:8} {played['status']}", flush=True)
        service.close()
    encoder = SentenceEncoder()
    results: dict = {"seconds": round(time.time() - started, 1), "models": {}}
    written = corpus_plays(scenarios)
    for model in [*adapters, "corpus"]:
        rows = {}
        for group in ("training", "held-out", "all"):
            chosen = [p for p in plays + written if p["model"] == model and group in ("all", p["group"])]
            if not chosen:
                continue
            transcripts = [
                Transcript(
                    scenarios[p["case_id"]],
                    [Reply(t["officer"], t["reply"], t["tension"], t["trust"]) for t in p["turns"]],
                )
                for p in chosen
            ]
            rows[group] = measure(transcripts, encoder)
        latencies = sorted(t["latency_s"] for p in plays if p["model"] == model for t in p["turns"])
        rows["median_reply_s"] = latencies[len(latencies) // 2] if latencies else None
        results["models"][model] = rows
    results["machine"] = {"cpus": os.cpu_count(), "load_avg_at_end": os.getloadavg()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "realism.json").write_text(json.dumps({**results, "plays": plays}, indent=2))
    write_packet(plays + written, scenarios)
    print(json.dumps(results, indent=2))
    print(f"wrote {RESULTS / 'realism.json'} and the blind packet {RESULTS / 'realism-packet.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
