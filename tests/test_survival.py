"""Kaplan–Meier (``simulator.crm.survival``): a hand-computed example, the textbook 6-MP
leukaemia data, scipy.stats.ecdf on censored data, and what censoring changes."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.stats import CensoredData, ecdf

from simulator.crm.survival import kaplan_meier


def test_a_small_example_by_hand():
    # 1 event; 2 event + 2 censored (still at risk at 2); 3 event; 4 censored; 5 event.
    # S(1) = 5/6; S(2) = 5/6 * 4/5 = 2/3; S(3) = 2/3 * (1 - 1/3) = 4/9; S(5) = 0.
    km = kaplan_meier(np.array([1, 2, 2, 3, 4, 5]), np.array([1, 1, 0, 1, 0, 1], bool))
    assert km.times.tolist() == [1, 2, 3, 5]
    assert km.at_risk.tolist() == [6, 5, 3, 1]
    assert km.events.tolist() == [1, 1, 1, 1]
    assert km.survival == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0.0])
    assert km.median() == 3.0
    assert km.quantile(0.25) == 2.0
    assert km.at([0, 1, 1.5, 4, 10]) == pytest.approx([1.0, 5 / 6, 5 / 6, 4 / 9, 0.0])
    # Greenwood: sum d / (n (n - d)) = 1/30 + 1/20 + 1/6 at t = 3
    assert km.greenwood[2] == pytest.approx(1 / 30 + 1 / 20 + 1 / 6)
    assert km.standard_error()[0] == pytest.approx(math.sqrt((5 / 6) ** 2 / 30))
    assert km.n == 6 and km.n_events == 4


def test_the_6mp_leukaemia_data():
    """Freireich et al. (1963), 6-MP arm, as in every survival textbook (Kleinbaum & Klein,
    table 2.1): the published estimates and median of 23 weeks."""
    weeks = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    relapsed = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    km = kaplan_meier(np.array(weeks), np.array(relapsed, bool))
    assert km.times.tolist() == [6, 7, 10, 13, 16, 22, 23]
    assert km.survival == pytest.approx(
        [0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482], abs=5e-5
    )
    assert km.median() == 23
    assert km.standard_error()[0] == pytest.approx(0.0764, abs=5e-5)
    assert km.quantile(0.75) == math.inf, "S never reaches 0.25: not reached"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_scipy_ecdf_on_censored_data(seed):
    rng = np.random.default_rng(seed)
    durations = np.round(rng.exponential(40, 300))
    censored = rng.random(300) < 0.35
    km = kaplan_meier(durations, ~censored)
    data = CensoredData(uncensored=durations[~censored], right=durations[censored])
    reference = ecdf(data).sf
    assert km.survival == pytest.approx(reference.evaluate(km.times), rel=1e-12)
    with warnings.catch_warnings():  # scipy warns where the band is undefined (S = 0)
        warnings.simplefilter("ignore", RuntimeWarning)
        interval = reference.confidence_interval(0.95, method="log-log")
    low, high = km.band()
    expected_low = interval.low.evaluate(km.times)
    expected_high = interval.high.evaluate(km.times)
    defined = np.isfinite(low) & np.isfinite(expected_low)
    assert defined.sum() > 10
    assert low[defined] == pytest.approx(expected_low[defined], rel=1e-9)
    assert high[defined] == pytest.approx(expected_high[defined], rel=1e-9)
    # the median's interval is where that band crosses 1/2
    first_low = km.times[np.flatnonzero(np.nan_to_num(expected_low, nan=0) <= 0.5)[0]]
    assert km.quantile_interval(0.5)[0] == first_low
    median_low, median_high = km.quantile_interval(0.5)
    assert median_low <= km.median() <= median_high


def test_censored_deals_are_at_risk_until_their_age():
    """Dropping open deals keeps the quick ones and biases the cycle down; censoring does not.
    Ten deals close at day 10, ten are open at day 50: the median is not day 10."""
    durations = np.array([10] * 10 + [50] * 10, float)
    closed = np.array([True] * 10 + [False] * 10)
    km = kaplan_meier(durations, closed)
    assert km.survival.tolist() == [0.5]
    assert km.median() == 10.0, "half have closed by day 10"
    late = kaplan_meier(
        np.array([10] * 10 + [50] * 30, float), np.array([True] * 10 + [False] * 30)
    )
    assert late.median() == math.inf, "most deals still open: the median is not reached"
    assert kaplan_meier(durations[closed], closed[closed]).median() == 10.0


def test_all_censored_and_empty():
    km = kaplan_meier(np.array([3.0, 4.0]), np.array([False, False]))
    assert km.times.size == 0 and km.median() == math.inf
    assert km.at(100.0) == pytest.approx(1.0)
    assert kaplan_meier(np.array([]), np.array([], bool)).median() == math.inf


@pytest.mark.parametrize(
    "durations", [np.array([1.0, -1.0]), np.array([1.0, np.nan]), np.array([np.inf, 1.0])]
)
def test_bad_durations_are_refused(durations):
    with pytest.raises(ValueError, match="finite and non-negative"):
        kaplan_meier(durations, np.array([True, True]))
