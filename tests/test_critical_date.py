"""Buyers with a critical date of their own (issue 22): the stages are squeezed to end by the
date. What a real export shows must come out of it: more quick wins the more buyers have one,
whatever the team's size; fewer deals the buying group walks away from (they spend less time
exposed to a pull-out); and, for today's open deals of a CRM start, a date still ahead the
less likely the older the deal.

How it is measured: the bundled baseline over 24 months, replications paired between settings
(same seed and replication: common random numbers); intervals are 95% t-intervals of the
per-replication difference.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np
import pytest

from simulator.calibrate.moments import QUICK_DAYS
from simulator.metrics.deals import deals_table
from simulator.model.processes.critical_date import CriticalDate
from simulator.parameters import Parameters
from simulator.runs.experiment import replication_log
from tests.conftest import bundled, paired_interval

SEED = 7
REPLICATIONS = 10
MONTHS = 24
SHARES = (0.0, 0.3, 0.6)


def _parameters(share: float, hunters: int = 6, days_mean: float = 10.0) -> Parameters:
    tree = bundled("baseline").variants[0].parameters.model_dump()
    tree["process"]["critical_date"] = {"probability": share, "days_mean": days_mean}
    tree["team"]["hunters"] = hunters
    return Parameters.model_validate(tree)


@cache
def _outcomes(share: float, hunters: int) -> dict[str, np.ndarray]:
    """Per replication: the share of wins within ``QUICK_DAYS`` of the opening, and the share
    of decided deals whose buying group pulled out."""
    quick, pulled_out = [], []
    for replication in range(REPLICATIONS):
        log = replication_log(_parameters(share, hunters), MONTHS, SEED, replication)
        table = deals_table(log, "v", replication).to_pandas()
        ended = table[table.outcome.notna() & (table.outcome != "disqualified")]
        won = ended[ended.outcome == "won"]
        cycle = won.closed_day - (won.created_day + won.first_call_hours.fillna(0.0) / 24.0)
        quick.append(float((cycle <= QUICK_DAYS).mean()))
        pulled_out.append(float((ended.outcome == "no_consensus").mean()))
    return {"quick": np.array(quick), "pulled_out": np.array(pulled_out)}


@pytest.mark.parametrize("hunters", [3, 12])
def test_quick_wins_grow_with_the_buyers_who_have_a_date(hunters: int) -> None:
    """None, some, more buyers with a date: each step adds quick wins, for a small team and a
    large one alike (a dose-response beyond its Monte Carlo error)."""
    quick = [_outcomes(share, hunters)["quick"] for share in SHARES]
    for less, more in itertools.pairwise(quick):
        low, _ = paired_interval(more, less)
        assert low > 0


def test_a_date_leaves_less_time_to_walk_away() -> None:
    """A squeezed evaluation gives the committee less time to pull out: fewer decided deals
    end in no consensus the more buyers have a date (nothing else tells the group to stay)."""
    pulled = [_outcomes(share, 6)["pulled_out"] for share in SHARES]
    for less_dated, more_dated in itertools.pairwise(pulled):
        _, high = paired_interval(more_dated, less_dated)
        assert high < 0


def test_a_date_far_beyond_the_process_changes_nothing() -> None:
    """A date later than every deal's own pace never binds: the run is the run without one
    (same seed, the same deals and outcomes)."""
    late = replication_log(_parameters(0.6, days_mean=1e6), 12, SEED, 0)
    none = replication_log(_parameters(0.0), 12, SEED, 0)
    assert deals_table(late, "v", 0).equals(deals_table(none, "v", 0))


def test_a_young_open_deal_of_a_crm_start_is_likelier_dated() -> None:
    """A deal open on day 0 has a date still ahead with the chance the mechanism gives a deal
    still open at its age: the share of new deals with one at first, falling as the deal ages
    (a dated deal closes quickly, so few old open deals have one), none once it is older than
    any date."""
    date = CriticalDate(_parameters(0.3).process.critical_date)
    means, cv = (5.0, 15.0, 30.0, 20.0), 0.5
    zs = np.random.default_rng(3).standard_normal((4000, 8))

    def share(age: float) -> float:
        return float(np.mean([date.resumed_pace(age, 60.0, means, cv, z) < 1.0 for z in zs]))

    shares = [share(age) for age in (0.1, 8.0, 20.0)]
    assert shares[0] > shares[1] > shares[2]
    assert shares[0] == pytest.approx(0.3, abs=4 * math.sqrt(0.3 * 0.7 / len(zs)))
    assert share(200.0) == 0.0
