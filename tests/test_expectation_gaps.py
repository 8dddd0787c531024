"""Expectation gaps closed by free services work (essay 003): a share of the gaps the
implementation finds is built for free; the customer keeps its health and ARR and the vendor
pays the services days, counted in the cost to serve."""

from __future__ import annotations

import numpy as np
from scipy.stats import binomtest

from simulator.model.events import NO_ONE, Kind
from simulator.runs.experiment import replication_log, run_replication
from tests.conftest import bundled, paired_interval

SHARE = 0.4
SMALL = ("market.accounts=1500", "horizon_months=24", "post_sale.handoff=hunter_only",
         "team.farmers=0")  # fmt: skip


def _parameters(share: float):
    return (
        bundled("baseline", *SMALL, f"post_sale.gap_free_work_share={share}").variants[0].parameters
    )


def test_the_share_of_gaps_built_for_free_is_the_one_asked_and_each_costs_its_days() -> None:
    parameters = _parameters(SHARE)
    cost = parameters.post_sale.gap_free_work_days * parameters.post_sale.services_day_cost_usd
    free = gaps = 0
    for i in range(8):
        log = replication_log(parameters, 24, 3, i)
        services = log[(log["kind"] == Kind.SERVICE_COST) & (log["subject"] != NO_ONE)]
        assert np.all(services["value"] == cost)
        free += len(services)
        gaps += int(np.count_nonzero(log["kind"] == Kind.EXPECTATION_GAP))
    assert free + gaps > 60
    assert binomtest(free, free + gaps, SHARE).pvalue > 0.01  # the share asked, within chance


def test_building_it_free_costs_more_to_serve_and_keeps_more_revenue() -> None:
    off, on = _parameters(0.0), _parameters(SHARE)
    rows = [(run_replication(off, 24, 3, i).summary, run_replication(on, 24, 3, i).summary)
            for i in range(12)]  # fmt: skip
    for metric in ("cost_to_serve", "grr"):
        more = np.array([b[metric] for _, b in rows])
        less = np.array([a[metric] for a, _ in rows])
        low, _ = paired_interval(more, less)
        assert low > 0, metric
