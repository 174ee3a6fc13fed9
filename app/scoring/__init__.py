"""Turn scoring: how well one officer turn de-escalates, with the techniques and words that show it.

``get_scorer().score(officer_text, civilian_before)`` -> :class:`TurnScore`.
"""

from deescal.app.scoring.scorer import SCORER_VERSION, TurnScorer, get_scorer
from deescal.app.scoring.types import TechniqueHit, TurnScore

__all__ = ["SCORER_VERSION", "TechniqueHit", "TurnScore", "TurnScorer", "get_scorer"]
