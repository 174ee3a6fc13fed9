"""Training presets (quick, standard, thorough) and how long each would take, from a measured run.

An instructor should not have to pick steps, accumulation or a learning rate: a preset picks the
number of steps and keeps the tested defaults (:data:`TRAINING_DEFAULTS`) for the rest. The time
shown for it is an estimate from the seconds a real training run took: the newest run in this data
folder (so, on this machine), or else the house adapter's recorded build. Time grows with the tokens
trained (steps x sequences per step x sequence length), so one measured rate covers every preset
and the raw settings under Advanced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deescal.finetune.defaults import TRAINING_DEFAULTS


@dataclass(frozen=True)
class Preset:
    name: str
    steps: int
    purpose: str


PRESETS: tuple[Preset, ...] = (
    Preset("quick", 30, "a first look: the civilian's voice moves a little towards your sessions"),
    Preset("standard", TRAINING_DEFAULTS["max_steps"], "the recommended run, as tested in the benchmark"),
    Preset(
        "thorough", 300, "three times the standard run: more passes over the data (overnight on a laptop)"
    ),
)


def preset_named(name: str) -> Preset:
    return next(p for p in PRESETS if p.name == name)


def preset_of(settings: dict[str, Any]) -> Preset | None:
    """The preset these settings are (the tested defaults with that preset's steps), or None: custom."""
    for preset in PRESETS:
        if settings_for(preset) == {k: settings.get(k) for k in settings_for(preset)}:
            return preset
    return None


def settings_for(preset: Preset) -> dict[str, Any]:
    """What the preset sets: its steps, and the tested defaults for what a step is made of."""
    d = TRAINING_DEFAULTS
    return {
        "max_steps": preset.steps,
        "batch_size": d["batch_size"],
        "grad_accum": d["grad_accum"],
        "max_length": d["max_length"],
        "learning_rate": d["learning_rate"],
        "lora_r": d["lora_r"],
    }


@dataclass(frozen=True)
class StepTiming:
    """Seconds per trained token (one sequence position), as one real run measured it."""

    seconds_per_token: float
    source: str  # which run, in words
    on_this_machine: bool


def _tokens(steps: float, config: dict[str, Any]) -> float:
    return steps * config["batch_size"] * config["grad_accum"] * config["max_length"]


def timing_of(seconds: float | None, steps: int | None, config: dict[str, Any] | None) -> float | None:
    """Seconds per token from a run's training time, steps done and configuration; None if unusable."""
    needed = ("batch_size", "grad_accum", "max_length")
    if not seconds or not steps or not config or any(not config.get(k) for k in needed):
        return None
    return float(seconds) / _tokens(steps, config)


def measured_timing(
    job_run: tuple[float | None, int | None, dict | None] | None,
    adapter_summaries: list[tuple[str, dict]],
) -> StepTiming | None:
    """The newest measurement: the current job's run (``seconds, steps, config``), then each adapter's
    training summary, newest first (``(name, summary)``); an adapter built elsewhere (its summary
    names a ``machine``, as the house adapter's card does) counts as not on this machine."""
    if job_run is not None and (rate := timing_of(*job_run)) is not None:
        return StepTiming(rate, f"your last training run ({job_run[1]} steps)", True)
    for name, summary in adapter_summaries:
        training, config = summary.get("training") or {}, summary.get("config") or {}
        rate = timing_of(training.get("seconds"), training.get("step"), config)
        if rate is None:
            continue
        machine = summary.get("machine")
        if machine:
            where = f"{machine.get('device', 'cpu').upper()}, {machine.get('cpu_threads', '?')} threads"
            return StepTiming(rate, f"the build of the '{name}' adapter ({where})", False)
        return StepTiming(rate, f"the training of the '{name}' adapter", True)
    return None


def estimate_seconds(timing: StepTiming, settings: dict[str, Any]) -> float:
    return timing.seconds_per_token * _tokens(settings["max_steps"], settings)


def describe_duration(seconds: float) -> str:
    """'about 25 min', 'about 1 h 10 min', 'about 5 h': rounded as an estimate deserves."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"about {minutes} min"
    hours, rest = divmod(5 * round(minutes / 5), 60)
    if hours >= 4 or rest == 0:
        return f"about {round(minutes / 60)} h"
    return f"about {hours} h {rest} min"
