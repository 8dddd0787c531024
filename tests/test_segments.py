"""Three segments (MODEL.md section 5, industry benchmarks): small businesses buy within weeks,
mid-market within one to three months, enterprise over three months and more. The cycles come
out of each segment's stage durations, committee and perceived risk; the test judges the
medians of won deals like `salesim check` does (95% interval overlapping the published band)
and their order."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.model.entities import SMB
from simulator.runs.aggregate import mean_interval
from simulator.runs.experiment import replication_log, run_experiment
from tests.conftest import bundled, column

BANDS = {
    "cycle_days_won_median_smb": (14.0, 30.0),
    "cycle_days_won_median_mid_market": (30.0, 90.0),
    "cycle_days_won_median_enterprise": (90.0, np.inf),
}


def test_each_segment_buys_at_its_published_pace() -> None:
    scenario = bundled("baseline", "market.smb_share=0.3", "horizon_months=24")
    summary = run_experiment(scenario, 16, 7, workers=2).summary
    means = {}
    for metric, (low, high) in BANDS.items():
        mean, lower, upper = mean_interval(column(summary, "baseline", metric))
        print(f"{metric}: {mean:.1f} [{lower:.1f}, {upper:.1f}]")
        assert upper >= low and lower <= high, metric
        means[metric] = (lower, upper)
    smb, mid, enterprise = means.values()
    assert smb[1] < mid[0] and mid[1] < enterprise[0]


def test_without_a_share_there_are_no_small_businesses() -> None:
    parameters = bundled("baseline").variants[0].parameters
    assert parameters.market.smb_share == 0.0
    log = replication_log(parameters, 12, 3, 0)
    leads = log[log["kind"] == 0]
    assert leads.size and not np.any(leads["value"] == SMB)


def test_shares_that_add_up_to_more_than_all_accounts_are_refused() -> None:
    result = CliRunner().invoke(
        app, ["validate", "baseline", "--set", "market.enterprise_share=0.8", "--set",
              "market.smb_share=0.3"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "enterprise_share + smb_share is 1.1; allowed: at most 1" in result.output
