"""The realism benchmark's automatic measures, on hand-made role-plays where the answer is known."""

from __future__ import annotations

from deescal.app.scoring.encoder import SentenceEncoder
from deescal.finetune.arousal import predict
from deescal.finetune.realism import Reply, Transcript, measure
from deescal.scenario_library.scenario_files import load_bundled

SCENARIO = next(s for s in load_bundled().scenarios if s.case_id == "intox-001")
FACT = SCENARIO.hidden_facts[0]  # half a pill from someone in the crowd; reveal at tension 3


def _transcript(lines: list[tuple[str, float, float]]) -> Transcript:
    return Transcript(
        SCENARIO, [Reply("Officer line. How are you doing?", text, t, trust) for text, t, trust in lines]
    )


def test_the_arousal_probe_hears_shouting_above_calm():
    lines = [
        "GET AWAY from me! Don't touch me!",
        "I don't want to go there.",
        "Okay, yeah, thanks. I can sit for a bit.",
    ]
    loud, flat, calm = predict(SentenceEncoder().encode(lines))
    assert loud > flat > calm


def test_the_arousal_probe_follows_written_tension_on_held_out_scenarios():
    """The shipped probe never saw these scenarios' lines; people wrote them with a tension each."""
    from deescal.finetune.corpus import held_out_case_ids, load_corpus
    from scipy.stats import spearmanr

    held_out = sorted(held_out_case_ids())[:8]
    turns = [t for d in load_corpus() if d.case_id in held_out for t in d.turns]
    predicted = predict(SentenceEncoder().encode([t.civilian for t in turns]))
    assert len(turns) > 200
    assert spearmanr(predicted, [t.tension for t in turns]).statistic >= 0.5


def test_measures_count_filler_repeats_and_a_fact_told_too_early():
    early = _transcript(
        [
            ("I don't know.", 5, 5),
            ("Someone in the crowd gave me half a pill, I don't know what it was.", 5, 5),
            ("My friends left me by the big stage and my phone died.", 4, 5),
            ("My friends left me by the big stage and my phone died!", 4, 4),
        ]
    )
    result = measure([early], SentenceEncoder())
    assert result["replies"] == 4 and result["stock_filler"] == 0.25 and result["repeats"] == 0.25
    assert result["facts_told"] == 1 and result["facts_told_before_trust"] == 1


def test_arousal_follows_tension_in_a_believable_dialogue():
    calmer = _transcript(
        [
            ("Get off me! I'm not doing anything, leave me ALONE!", 9, 9),
            ("Why are you even here? I didn't do anything wrong!", 7, 9),
            ("I don't know, I'm just so hot and everything's spinning.", 5, 7),
            ("Okay. Okay, can I have some water please?", 3, 5),
            ("Yeah, thanks, that's better. Sorry about before.", 1, 3),
        ]
    )
    result = measure([calmer], SentenceEncoder())
    assert result["arousal_tension_spearman"] >= 0.9 and result["stock_filler"] == 0


def test_card_names_are_people_not_places_or_institutions():
    from dataclasses import replace

    from deescal.finetune.realism import _card_names

    who = replace(SCENARIO.character_profile, background="Served in the Army. Lives with her son Dylan.")
    names = _card_names(replace(SCENARIO, character_profile=who))
    assert "dylan" in names and "army" not in names
