"""The turn scorer: technique evidence -> calibrated logistic score 0-100 -> one line of feedback.

Weights come from ``weights.json``, fitted by ``calibrate.py`` on the train part of
``labelled_lines.csv`` only. Without that file the scorer falls back to polarity weights.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from importlib import resources

import numpy as np
from deescal.app.scoring.analysis import Analysis, ExemplarBanks, TurnAnalyser, feature_names
from deescal.app.scoring.coaching import Moment, choose_next_step
from deescal.app.scoring.context import DANGER, SELF_HARM
from deescal.app.scoring.encoder import SentenceEncoder
from deescal.app.scoring.techniques import BY_NAME, TECHNIQUES
from deescal.app.scoring.types import TechniqueHit, TurnScore

_WEIGHTS_TEXT = (
    resources.files("deescal.app.scoring").joinpath("weights.json").read_text()
    if resources.files("deescal.app.scoring").joinpath("weights.json").is_file()
    else ""
)
SCORER_VERSION = "minilm-lr-1+" + (
    hashlib.sha256(_WEIGHTS_TEXT.encode()).hexdigest()[:8] if _WEIGHTS_TEXT else "untuned"
)


# The fitted probabilities are very sure on clear lines (a plain "I can see you're upset" would get 99);
# dividing the logit by 2 keeps the top and bottom of the scale for turns with several strong
# behaviours. Monotone, so the ranking (and the AUC) is unchanged.
DISPLAY_TEMPERATURE = 2.0


def default_weights() -> dict:
    """Polarity-only weights, used until a calibration has been shipped."""
    coef = {}
    for technique in TECHNIQUES:
        coef[f"pat:{technique.name}"] = 1.2 * technique.polarity
        coef[f"emb:{technique.name}"] = 0.8 * technique.polarity
    coef["dismiss_in_crisis"] = -1.0
    return {"intercept": 0.0, "coef": coef, "embedding_threshold": 0.62}


def load_weights() -> dict:
    return json.loads(_WEIGHTS_TEXT) if _WEIGHTS_TEXT else default_weights()


class TurnScorer:
    """Scores officer turns. Thread-safe; MiniLM and the exemplar banks load on first use."""

    def __init__(self, weights: dict | None = None, encoder: SentenceEncoder | None = None) -> None:
        weights = weights or load_weights()
        self.names = feature_names()
        self.coef = np.array([weights["coef"].get(n, 0.0) for n in self.names], dtype=np.float64)
        self.intercept = float(weights["intercept"])
        self.temperature = float(weights.get("display_temperature", DISPLAY_TEMPERATURE))
        self.analyser = TurnAnalyser(
            ExemplarBanks(encoder or SentenceEncoder()), weights.get("embedding_threshold", 0.62)
        )

    def warm_up(self) -> None:
        """Loads the encoder and encodes the exemplar banks (about 1-3 s), off the hot path."""
        self.score("Hi, I'm Officer Lee. What's going on tonight?")

    def analyse(
        self, officer_text: str, civilian_before: str | None = None, moment: Moment | None = None
    ) -> Analysis:
        return self.analyser.analyse(officer_text, civilian_before, threat=bool(moment and moment.threat))

    def logit(self, analysis: Analysis) -> float:
        return float(self.intercept + analysis.vector(self.names) @ self.coef)

    def score(
        self, officer_text: str, civilian_before: str | None = None, moment: Moment | None = None
    ) -> TurnScore:
        """``moment``: what the session knows (earlier turns, the scenario card and its state)."""
        analysis = self.analyse(officer_text, civilian_before, moment)
        value = 100.0 / (1.0 + math.exp(-self.logit(analysis) / self.temperature))
        step = choose_next_step({h.name for h in analysis.hits}, civilian_before, moment).text
        return TurnScore(
            round(value, 1), analysis.hits, self.feedback(analysis, officer_text, value, step), step
        )

    def score_many(self, pairs: list[tuple[str, str | None]]) -> list[TurnScore]:
        return [self.score(officer, civilian) for officer, civilian in pairs]

    def _weight(self, hit: TechniqueHit) -> float:
        index = self.names.index(f"pat:{hit.name}") if f"pat:{hit.name}" in self.names else None
        return abs(self.coef[index]) if index is not None else 0.0

    def feedback(self, analysis: Analysis, officer_text: str, value: float, next_step: str) -> str:
        """One line: the most costly escalation and what to do instead, else praise and the next step."""
        if not (officer_text or "").strip():
            return "Say something to the person: introduce yourself and ask what is going on."
        hits = analysis.hits
        negatives = sorted((h for h in hits if h.polarity < 0), key=self._weight, reverse=True)
        positives = [h for h in hits if h.polarity > 0]
        if SELF_HARM in analysis.context and "asks_about_self_harm" not in {h.name for h in hits}:
            if negatives:
                return f"{_quote(negatives[0])}: they just spoke of self-harm; acknowledge it and ask about it directly."
            return "They spoke of self-harm: acknowledge it and ask them plainly if they are thinking of hurting themselves."
        if negatives:
            return f"{_quote(negatives[0])}: {BY_NAME[negatives[0].name].tip}."
        if any(h.name == "safety_command" for h in positives):
            return "Clear command under threat: right call; keep distance and say what happens next."
        if positives:
            praise = " and ".join(h.label.lower() for h in positives[:2])
            return f"Good: {praise}. {next_step}"
        if DANGER in analysis.context:
            return "A weapon is involved: give one clear, calm instruction and create distance."
        if value < 30:
            return "This comes across as harsh: say what you need and why, and offer a choice."
        return f"{'Calm tone' if value > 60 else 'Neutral turn'}. {next_step}"


def _quote(hit: TechniqueHit) -> str:
    evidence = hit.evidence if len(hit.evidence) <= 60 else hit.evidence[:57] + "..."
    return f'{hit.label} ("{evidence}")'


_shared: TurnScorer | None = None
_shared_lock = threading.Lock()


def get_scorer() -> TurnScorer:
    """The one shared scorer of this process (MiniLM is loaded once, lazily, on first score)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TurnScorer()
        return _shared
