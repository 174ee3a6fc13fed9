"""Training presets and their time estimates from a measured run."""

from __future__ import annotations

import pytest
from deescal.finetune.defaults import TRAINING_DEFAULTS
from deescal.finetune.presets import (
    PRESETS,
    describe_duration,
    estimate_seconds,
    measured_timing,
    preset_named,
    preset_of,
    settings_for,
    timing_of,
)

CONFIG = {"batch_size": 1, "grad_accum": 8, "max_length": 768}


def test_three_presets_only_change_the_number_of_steps():
    assert [p.name for p in PRESETS] == ["quick", "standard", "thorough"]
    steps = [p.steps for p in PRESETS]
    assert steps == sorted(steps) and preset_named("standard").steps == TRAINING_DEFAULTS["max_steps"]
    for preset in PRESETS:
        settings = settings_for(preset)
        assert preset_of(settings) == preset
        assert {k: v for k, v in settings.items() if k != "max_steps"} == {
            k: TRAINING_DEFAULTS[k] for k in settings if k != "max_steps"
        }
    assert preset_of({**settings_for(preset_named("quick")), "grad_accum": 4}) is None  # custom


def test_time_is_estimated_from_the_newest_measured_run():
    house = {
        "training": {"seconds": 3232.8, "step": 75},
        "config": CONFIG,
        "machine": {"device": "cpu", "cpu_threads": 2},
    }
    mine = {"training": {"seconds": 600.0, "step": 20}, "config": {**CONFIG, "max_length": 384}}
    untrained = {"config": CONFIG}  # an adapter added from a file: nothing measured
    timing = measured_timing(None, [("untrained", untrained), ("house", house)])
    assert not timing.on_this_machine and "'house' adapter (CPU, 2 threads)" in timing.source
    assert timing.seconds_per_token == pytest.approx(3232.8 / (75 * 8 * 768))
    timing = measured_timing((None, 0, None), [("mine", mine), ("house", house)])
    assert timing.on_this_machine and timing.seconds_per_token == pytest.approx(600 / (20 * 8 * 384))
    timing = measured_timing((90.0, 3, CONFIG), [("mine", mine)])  # an interrupted run here is newer
    assert timing.source == "your last training run (3 steps)" and timing.seconds_per_token == pytest.approx(
        90 / (3 * 8 * 768)
    )
    assert measured_timing(None, [("untrained", untrained)]) is None
    assert timing_of(10.0, 2, {**CONFIG, "max_length": 0}) is None


def test_estimates_scale_with_the_tokens_trained():
    timing = measured_timing((600.0, 20, CONFIG), [])
    standard = settings_for(preset_named("standard"))
    assert estimate_seconds(timing, {**standard, **CONFIG, "max_steps": 20}) == pytest.approx(600)
    assert estimate_seconds(
        timing, {**standard, **CONFIG, "max_steps": 40, "grad_accum": 4}
    ) == pytest.approx(600)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (20, "about 1 min"),
        (1320, "about 22 min"),
        (3600, "about 1 h"),
        (4200, "about 1 h 10 min"),
        (12900, "about 3 h 35 min"),
        (5 * 3600 + 100, "about 5 h"),
    ],
)
def test_durations_read_as_estimates(seconds, text):
    assert describe_duration(seconds) == text
