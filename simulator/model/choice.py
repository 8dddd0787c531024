"""Discrete choice: the multinomial logit, drawn with one pre-drawn uniform."""

from __future__ import annotations

import math
from collections.abc import Sequence


def logit_probabilities(utilities: Sequence[float]) -> list[float]:
    top = max(utilities)
    weights = [math.exp(v - top) for v in utilities]
    total = sum(weights)
    return [w / total for w in weights]


def choose(probabilities: Sequence[float], u: float) -> int:
    """Index of the option chosen for uniform ``u`` (inverse CDF of the probabilities)."""
    cumulative = 0.0
    for index, probability in enumerate(probabilities):
        cumulative += probability
        if u < cumulative:
            return index
    return len(probabilities) - 1
