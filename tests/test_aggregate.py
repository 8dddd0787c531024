"""P(better) is what it claims to be and cannot contradict the interval beside it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.runs.aggregate import estimate, paired_difference, welch_difference


def test_a_clear_difference_in_a_count_has_a_clear_p_better():
    """The issue's case: lost_competitor clearly lower in the variant, but most replications
    tie or differ by one, so the share of replications it won was ~57%."""
    baseline = np.full(40, 10.0)
    variant = baseline.copy()
    variant[:12] -= 1  # 12 replications lose one deal fewer, 28 tie
    d = paired_difference(variant, baseline, lower_is_better=True)
    assert d.high < 0  # the interval says: clearly lower, i.e. better
    assert d.p_better > 0.975
    worse = paired_difference(variant, baseline, lower_is_better=False)
    assert worse.p_better < 0.025


def test_no_difference_is_even_odds():
    same = np.arange(10.0)
    assert paired_difference(same, same).p_better == 0.5


def _check(d, lower_is_better):
    better_side = d.high < 0 if lower_is_better else d.low > 0
    worse_side = d.low > 0 if lower_is_better else d.high < 0
    if better_side:
        assert d.p_better > 0.975, d
    if worse_side:
        assert d.p_better < 0.025, d
    if d.low < 0 < d.high:
        assert 0.025 <= d.p_better <= 0.975, d


samples = st.lists(st.integers(-5, 5), min_size=3, max_size=60)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(samples, st.integers(-3, 3), st.booleans())
def test_p_better_agrees_with_the_paired_interval(steps, shift, lower_is_better):
    diff = np.array(steps, float) + shift / 2
    d = paired_difference(diff, np.zeros_like(diff), lower_is_better)
    _check(d, lower_is_better)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(samples, samples, st.booleans())
def test_p_better_agrees_with_the_welch_interval(a, b, lower_is_better):
    d = welch_difference(np.array(a, float), np.array(b, float) - 1.0, lower_is_better)
    _check(d, lower_is_better)


def test_the_interval_of_a_never_negative_metric_stops_at_zero():
    rare = estimate(np.array([0.0, 0.0, 0.0, 0.0, 3.0]))
    assert rare.mean == 0.6 and rare.low == 0.0 and rare.high > 0.6
    signed = estimate(np.array([-1.0, 0.0, 0.0, 0.0, 3.0]))
    assert signed.low < 0  # a metric that can be negative keeps its interval
