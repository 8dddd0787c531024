"""Brand versus direct marketing with the same budget (MODEL.md 2.1, 2.6 and section 5; essay
002; Binet & Field 2013): direct marketing pays first, brand later.

The advertising scenario moves none, half or all of a brand budget that was spent before day 0
to direct marketing. Nothing here puts the result in: the direct campaigns' leads arrive within
weeks of the spend, while the brand's standing fades slowly (its half-life), and only through
it do the losses to the household name, the champion's advocacy and the perceived risk change.
Every comparison is paired (common random numbers) with a 95% interval; the crossover month -
the first month from which the brand-heavier split's cumulative bookings stay ahead - is
bootstrapped over replications.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest

from simulator.model.processes.brand import Brand
from simulator.model.switches import Switches
from simulator.parameters import Mechanisms
from simulator.runs.aggregate import paired_difference
from simulator.runs.experiment import run_experiment
from simulator.scenario.resolve import Scenario
from tests.conftest import bundled

SEED = 11
REPLICATIONS = 60
BOOTSTRAP_RESAMPLES = 2000
HALF_YEAR = 6  # months
DIRECT = "direct marketing instead"  # all USD 30k a month on direct marketing
THIRD = "a third on brand"  # USD 10k brand, USD 20k direct
STEADY = "steady brand spend"  # USD 20k brand, USD 10k direct
SPLITS = (DIRECT, THIRD, STEADY)  # rising brand share of the same budget
DECIDED = ("won", "lost_competitor", "lost_household_brand", "lost_no_decision", "stalled")


@pytest.fixture(scope="module")
def advertising():
    scenario = bundled("advertising")
    variants = tuple(v for v in scenario.variants if v.name in SPLITS)
    subset = Scenario(scenario.name, "", scenario.horizon_months, variants, scenario.source)
    result = run_experiment(subset, REPLICATIONS, SEED, workers=1)
    return result.monthly, scenario.horizon_months


def per_month(monthly, variant: str, metric: str) -> np.ndarray:
    """replications x months of one monthly metric, replications in order."""
    rows = monthly.filter(pc.equal(monthly.column("variant"), variant))
    rows = rows.sort_by([("replication", "ascending"), ("month", "ascending")])
    values = np.asarray(rows.column(metric).to_numpy(), dtype=float)
    return values.reshape(REPLICATIONS, -1)


def bookings_gap(monthly, variant: str) -> np.ndarray:
    """Cumulative bookings of ``variant`` less those of all-direct, per replication and month."""
    return np.cumsum(per_month(monthly, variant, "bookings"), axis=1) - np.cumsum(
        per_month(monthly, DIRECT, "bookings"), axis=1
    )


def crossover(gaps: np.ndarray) -> int:
    """First month (1-based) from which the mean gap stays above 0; months + 1 if none."""
    mean = gaps.mean(axis=0)
    if mean[-1] <= 0:
        return gaps.shape[1] + 1
    behind = np.flatnonzero(mean <= 0)
    return int(behind[-1]) + 2 if behind.size else 1


def crossover_interval(gaps: np.ndarray) -> tuple[int, float, float]:
    """The crossover month and its 95% percentile-bootstrap interval over replications."""
    rng = np.random.default_rng(SEED)
    picks = rng.integers(0, len(gaps), (BOOTSTRAP_RESAMPLES, len(gaps)))
    months = [crossover(gaps[pick]) for pick in picks]
    low, high = np.quantile(months, [0.025, 0.975])
    return crossover(gaps), float(low), float(high)


def year_sum(table: np.ndarray, year: int) -> np.ndarray:
    return table[:, 12 * (year - 1) : 12 * year].sum(axis=1)


def test_direct_pays_first(advertising):
    """Half a year and a year after the brand budget moved to direct marketing, the all-direct
    split has booked more than the 2:1 brand split (the third-on-brand split is reported)."""
    monthly, _ = advertising
    gaps = {variant: bookings_gap(monthly, variant) for variant in (STEADY, THIRD)}
    for variant, month in ((v, m) for v in gaps for m in (HALF_YEAR, 2 * HALF_YEAR)):
        d = paired_difference(gaps[variant][:, month - 1], np.zeros(REPLICATIONS))
        print(f"{variant} - all direct, bookings by month {month}: {d.mean:,.0f} "
              f"[{d.low:,.0f}, {d.high:,.0f}]")  # fmt: skip
        if variant == STEADY:
            assert d.high < 0


def test_brand_pays_later(advertising):
    """In the last year of the horizon, either split that kept brand spend books more than
    all-direct: the faded brand costs all-direct more deals than its campaigns bring."""
    monthly, horizon = advertising
    for variant in (THIRD, STEADY):
        gap = bookings_gap(monthly, variant)
        last_year = gap[:, -1] - gap[:, horizon - 13]
        d = paired_difference(last_year, np.zeros_like(last_year))
        print(f"{variant} - all direct, bookings in the last year: {d.mean:,.0f} "
              f"[{d.low:,.0f}, {d.high:,.0f}]")  # fmt: skip
        assert d.low > 0


def test_the_crossover_month(advertising):
    """With a third of the budget on brand, cumulative bookings overtake all-direct's for good
    within the horizon: ahead at the horizon, the crossover month after the first half-year
    (direct's), and its bootstrap interval inside the horizon. The 2:1 split's is reported."""
    monthly, horizon = advertising
    found = {}
    for variant in (THIRD, STEADY):
        gaps = bookings_gap(monthly, variant)
        d = paired_difference(gaps[:, -1], np.zeros(REPLICATIONS))
        found[variant] = d, *crossover_interval(gaps)
        print(f"{variant} - all direct, bookings by month {horizon}: {d.mean:,.0f} "
              f"[{d.low:,.0f}, {d.high:,.0f}]; crossover month {found[variant][1]} "
              f"[{found[variant][2]:.0f}, {found[variant][3]:.0f}]")  # fmt: skip
    at_horizon, month, _, high = found[THIRD]
    assert at_horizon.low > 0
    assert HALF_YEAR < month <= high <= horizon


def test_the_later_advantage_grows_with_the_brand_share(advertising):
    """Dose-response: in the last year, when the standings have drifted apart, the win rate of
    decided deals rises with brand's share of the budget: all-direct < a third < two thirds."""
    monthly, horizon = advertising
    last = horizon // 12

    def win_rate(variant: str) -> np.ndarray:
        won = year_sum(per_month(monthly, variant, "won"), last)
        decided = sum(year_sum(per_month(monthly, variant, c), last) for c in DECIDED)
        return won / decided

    for more, less in ((THIRD, DIRECT), (STEADY, THIRD)):
        d = paired_difference(win_rate(more), win_rate(less))
        print(f"last-year win rate, {more} - {less}: {d.mean:.3f} [{d.low:.3f}, {d.high:.3f}]")
        assert d.low > 0


def test_doing_nothing_appeals_more_as_the_brand_fades(advertising):
    """As our brand fades, buying from us looks riskier and champions carry less of the case:
    all-direct's share of decided deals ending in no decision grows, against steady brand
    spend, from the first year to the last."""
    monthly, horizon = advertising
    last = horizon // 12

    def no_decision_share(variant: str, year: int) -> np.ndarray:
        lost = year_sum(per_month(monthly, variant, "lost_no_decision"), year)
        decided = sum(year_sum(per_month(monthly, variant, c), year) for c in DECIDED)
        return lost / decided

    growth = paired_difference(
        no_decision_share(DIRECT, last) - no_decision_share(STEADY, last),
        no_decision_share(DIRECT, 1) - no_decision_share(STEADY, 1),
    )
    print(f"no-decision share, all direct - steady, last year - first: {growth.mean:.3f} "
          f"[{growth.low:.3f}, {growth.high:.3f}]")  # fmt: skip
    assert growth.low > 0


def test_brand_builds_and_fades_slowly_and_an_unchanged_budget_changes_nothing():
    """With the budget it always had, the standing stays where it started: no advocacy, and
    perceived risk exactly as drawn (a steady scenario runs as before). When brand spend stops,
    the adstock's share of voice is nearly gone within the year, while the standing, chasing
    it, keeps more than half its level through its half-life."""
    steady = bundled("advertising").variants[0].parameters
    brand = Brand(steady.marketing, Switches(Mechanisms()))
    start = brand.standing
    for _ in range(48):
        brand.advertise(steady.marketing.brand.spend_usd_per_month)
        assert brand.standing == start and brand.advocacy == 0.0
        assert brand.perceived_risk(1.7) == 1.7

    moved = {v.name: v.parameters for v in bundled("advertising").variants}[DIRECT]
    brand = Brand(moved.marketing, Switches(Mechanisms()))
    half_life = moved.marketing.brand.standing_half_life_months
    assert brand.standing == start
    for _ in range(round(half_life)):
        brand.advertise(0.0)
    assert brand.share_of_voice < start / 4  # four adstock half-lives: nearly gone
    assert start / 2 < brand.standing < start  # the standing fades, at most by half
    assert brand.share_of_voice < brand.standing / 4
    assert brand.advocacy < 0 and brand.perceived_risk(1.0) > 1.0
