"""Selftest: the scorer loads MiniLM offline and ranks a calm turn above a harsh one."""

from __future__ import annotations

import time

from deescal.app.context import AppContext
from deescal.app.scoring.scorer import SCORER_VERSION, get_scorer


def check_scorer(ctx: AppContext) -> str:
    start = time.perf_counter()
    scorer = get_scorer()
    scorer.warm_up()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    calm = scorer.score("I can see you're upset. Take your time, what happened?")
    harsh = scorer.score("Shut up and sit down, last chance!")
    per_turn_ms = (time.perf_counter() - start) * 500
    if not calm.score > 60 > 40 > harsh.score:
        raise RuntimeError(f"calm turn scored {calm.score}, harsh turn {harsh.score}")
    return (
        f"calm {calm.score:.0f} > harsh {harsh.score:.0f}; load {loaded:.1f} s, "
        f"{per_turn_ms:.0f} ms/turn; {SCORER_VERSION}"
    )
