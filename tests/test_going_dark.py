"""Deals that go dark (issue 22): the buyer stops answering, the hunter stops working the deal,
and the CRM shows it open until a cleanup closes it lost. A real export's backlog, long while
won deals close fast, must come out of this mechanism: more of it the more buyers go quiet,
older the later the cleanup, whatever the team's size; and the deals open in today's pipeline
of a CRM start are taken as dark the more likely the older they are.

How it is measured: the bundled baseline (24 months from 1 January 2024) as a CRM export on its
last day (``calibrate.simulate.simulated_export``), replications paired between settings
(same seed and replication: common random numbers); intervals are 95% t-intervals of the
per-replication difference.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from functools import cache

import numpy as np
import pytest

from simulator.calibrate.moments import raw_statistics, trailing_window
from simulator.calibrate.simulate import day0_for, simulated_export
from simulator.metrics.deals import deals_table
from simulator.model.events import Kind
from simulator.model.processes.going_dark import GoingDark, stages_survival
from simulator.parameters import Parameters
from simulator.runs.experiment import replication_log
from tests.conftest import bundled, paired_interval

SEED = 5
REPLICATIONS = 12
MONTHS = 24
AS_OF = dt.date(2025, 12, 31)


def _parameters(rate: float, cleanup: float, hunters: int = 6) -> Parameters:
    tree = bundled("baseline").variants[0].parameters.model_dump()
    tree["process"]["going_dark"] = {"rate_per_month": rate, "cleanup_days": cleanup}
    tree["team"]["hunters"] = hunters
    tree["start"]["date"] = day0_for(AS_OF, MONTHS)
    return Parameters.model_validate(tree)


@cache
def _statistics(rate: float, cleanup: float, hunters: int) -> dict[str, np.ndarray]:
    """Per replication: the export's open backlog (months of new deals) and its open deals'
    typical age (days)."""
    rows = []
    for replication in range(REPLICATIONS):
        deals = simulated_export(_parameters(rate, cleanup, hunters), MONTHS, SEED, replication,
                                 AS_OF)  # fmt: skip
        stats = raw_statistics(deals, trailing_window(deals.as_of, 6))
        rows.append((stats["open_months"], stats["open_age_days"]))
    values = np.array(rows)
    return {"open_months": values[:, 0], "open_age_days": values[:, 1]}


@pytest.mark.parametrize("hunters", [3, 12])
def test_the_backlog_grows_with_the_rate_buyers_go_dark(hunters: int) -> None:
    """Off, a little, more: each step lengthens the open backlog, for a small team and a large
    one alike (a dose-response beyond its Monte Carlo error)."""
    backlogs = [_statistics(rate, 365.0, hunters)["open_months"] for rate in (0.0, 0.05, 0.2)]
    for less, more in itertools.pairwise(backlogs):
        low, _ = paired_interval(more, less)
        assert low > 0


def test_a_later_cleanup_keeps_older_deals_open() -> None:
    """The same buyers going dark, cleaned up after 90 days or after a year: the open deals are
    older, and more of them."""
    early, late = _statistics(0.1, 90.0, 6), _statistics(0.1, 365.0, 6)
    assert paired_interval(late["open_age_days"], early["open_age_days"])[0] > 0
    assert paired_interval(late["open_months"], early["open_months"])[0] > 0


def test_a_dark_deal_is_open_in_the_crm_until_its_cleanup() -> None:
    """Every deal that went dark ends (stalled) when its buyer went quiet, which frees its
    hunter, and the CRM closes it at its cleanup age, or shows it open past the horizon."""
    cleanup = 120.0
    log = replication_log(_parameters(0.2, cleanup), MONTHS, SEED, 0)
    table = deals_table(log, "v", 0).to_pandas()
    dark = table[table.outcome == "stalled"]
    assert len(dark) > 20
    opened = dark.created_day + dark.first_call_hours / 24.0
    due = np.maximum(opened + cleanup, dark.closed_day)
    cleaned = dark.crm_closed_day.notna()
    assert np.allclose(dark.crm_closed_day[cleaned], due[cleaned])
    assert (due[~cleaned] > MONTHS * 30.4 - 1e-6).all()  # open: its cleanup is beyond the end
    assert (log["kind"] == Kind.CLEANED_UP).sum() == cleaned.sum()
    others = table[table.outcome.notna() & (table.outcome != "stalled")]
    assert (others.crm_closed_day == others.closed_day).all()


def test_the_stages_survival_matches_sums_of_lognormals() -> None:
    """The chance a live deal's stages outlast an age, against 200,000 sums of the stages'
    lognormals: Fenton-Wilkinson matches mean and variance, so it is close in the body (within
    0.02 here) and falls to nothing far past the typical cycle."""
    rng = np.random.default_rng(1)
    means, cv = (5.0, 15.0, 30.0, 20.0), 0.6
    sigma = math.sqrt(math.log1p(cv * cv))
    draws = sum(m * rng.lognormal(-0.5 * sigma * sigma, sigma, 200_000) for m in means)
    for age in (30.0, 70.0, 120.0):
        assert stages_survival(age, means, cv) == pytest.approx((draws > age).mean(), abs=0.02)
    assert stages_survival(1000.0, means, cv) < 1e-6


class _Clock:
    now = 0.0


def test_an_old_open_deal_of_a_crm_start_is_likelier_dark() -> None:
    """A deal open on day 0 is dark already with the chance the mechanism gives a deal still
    open at its age: rising with the age, also past the cleanup age (the export's cleanup was
    laxer than the fit's; a live deal that old is rarer still)."""
    dark = GoingDark(_Clock(), _parameters(0.1, 200.0).process.going_dark, None)  # type: ignore[arg-type]
    means, cv = (5.0, 15.0, 30.0, 20.0), 0.6
    zs = np.random.default_rng(3).standard_normal(4000)

    def share(age: float) -> float:
        return float(np.mean([dark.resumed_dark_at(age, means, cv, z) == 0.0 for z in zs]))

    shares = [share(age) for age in (10.0, 60.0, 150.0)]
    assert shares[0] < shares[1] < shares[2]
    assert shares[2] > 0.95  # a live deal is rarely still open at 150 days
    # past the cleanup age (200 days) the export's cleanup was laxer than the fit's: still dark
    # the more likely the older, not taken as live
    assert share(250.0) > 0.99
