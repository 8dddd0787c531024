"""Awareness grows Bass-like at baseline (MODEL.md 2.1, 5): word of mouth comes from the accounts
that know us, more from customers and references, so the aware share rises over the horizon
instead of sitting where advertising and forgetting balance (it sat at 0.500 before)."""

from __future__ import annotations

import math

import numpy as np

from simulator.model.build import simulate
from simulator.model.events import Kind
from simulator.model.start_data import EMPTY
from simulator.model.streams import Streams, replication_seed
from simulator.parameters import Parameters
from simulator.units import DAYS_PER_MONTH

SEED = 20261124
REPLICATIONS = 8
HORIZON_DAYS = 36 * DAYS_PER_MONTH
Z = 3.29  # two-sided 99.9%


def _growth(parameters: Parameters) -> np.ndarray:
    """Per replication: aware share at the horizon minus at the end of month 1."""
    out = []
    for r in range(REPLICATIONS):
        log = simulate(
            parameters, HORIZON_DAYS, Streams(replication_seed(SEED, r)), EMPTY
        ).as_array()
        kind, day = log["kind"], log["day"]
        flips = (kind == Kind.BECAME_AWARE).astype(int) - (kind == Kind.FORGOT).astype(int)
        gained = flips[day >= DAYS_PER_MONTH].sum()
        out.append(gained / parameters.market.accounts)
    return np.asarray(out, dtype=float)


def _with_voice(aware_voice_weight: float) -> Parameters:
    p = Parameters()
    awareness = p.marketing.awareness.model_copy(update={"aware_voice_weight": aware_voice_weight})
    marketing = p.marketing.model_copy(update={"awareness": awareness})
    return p.model_copy(update={"marketing": marketing})


def test_awareness_grows_over_the_horizon() -> None:
    growth = _growth(Parameters())
    mean, error = growth.mean(), growth.std(ddof=1) / math.sqrt(growth.size)
    assert mean - Z * error > 0.1, (mean, error)


def test_more_word_of_mouth_grows_awareness_more() -> None:
    """Dose-response, paired by replication: word of mouth from aware accounts drives it."""
    difference = _growth(_with_voice(1.0)) - _growth(_with_voice(0.0))
    mean, error = difference.mean(), difference.std(ddof=1) / math.sqrt(difference.size)
    assert mean - Z * error > 0, (mean, error)
