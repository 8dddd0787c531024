"""The calibration's search on a problem whose answer is known: a statistic no setting can reach
(crm-maven's open deals, older than any steady company keeps) must not drag the inputs that
match the other statistics far from their values."""

from __future__ import annotations

import itertools

import numpy as np

from simulator.calibrate.fit import robust_misses
from simulator.calibrate.search import chord
from simulator.parameters.knobs import Knob


def _knob(name: str) -> Knob:
    return Knob(name, name, name, "", name, (-500.0, 500.0), lambda tree, base, x: None)


KNOBS = (_knob("a"), _knob("b"))


def _misses(x: np.ndarray) -> np.ndarray:
    """Misses in standard errors: ``a`` should be 1 and ``b`` -2; the third statistic is 40
    standard errors out and moves only a little with ``a`` (it would need ``a`` = -79)."""
    a, b = x
    return np.array([a - 1.0, b + 2.0, 40.0 + 0.5 * a])


def test_a_statistic_out_of_reach_leaves_the_others_matched() -> None:
    spent = itertools.count().__next__  # every look at the budget counts as a try
    x, _, _ = chord(lambda z: robust_misses(_misses(z)), np.zeros(2), KNOBS, spent, 200)
    # the far statistic pulls a by about a standard error (at most its slope x c = 1 in the
    # gradient, against a's own 2 x miss near the fit), not by its whole miss
    assert abs(_misses(x)[0]) < 1.5 and abs(_misses(x)[1]) < 0.1
    # least squares would trade: a lands near -15, sixteen standard errors off
    squares, _, _ = chord(_misses, np.zeros(2), KNOBS, spent, 400)
    assert _misses(squares)[0] < -10


def test_the_robust_misses_are_the_misses_near_zero() -> None:
    """Within a standard error the search weighs misses about as least squares does."""
    small = np.array([-0.5, 0.0, 0.3, 1.0])
    assert np.allclose(robust_misses(small), small, atol=0.03)
