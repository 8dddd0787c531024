"""Cost and payback: the new ARR per extra dollar has a Fieller interval that covers the true
ratio as often as it says, the new-ARR metrics agree with the monthly table, and `salesim run`
says what each option costs and buys in its verdict."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.runs.aggregate import Difference, controlled_means, plain_means
from simulator.runs.economics import (
    COST,
    MARGIN,
    NEW_ARR,
    Economics,
    Ratio,
    economics_of,
    fieller,
    fieller_of,
)
from simulator.runs.experiment import run_replication
from simulator.runs.summary_differences import summary_difference
from tests.conftest import bundled, column

runner = CliRunner()


def test_a_constant_denominator_gives_the_t_interval_scaled():
    numerator = np.random.default_rng(1).normal(10.0, 3.0, 30)
    ratio = fieller(numerator, np.full(30, 2.0))
    half = stats.t.ppf(0.975, 29) * numerator.std(ddof=1) / math.sqrt(30) / 2
    assert ratio.mean == pytest.approx(numerator.mean() / 2)
    assert (ratio.low, ratio.high) == pytest.approx((ratio.mean - half, ratio.mean + half))


def test_the_fieller_interval_covers_the_true_ratio_95_percent_of_the_time():
    """Correlated pairs with true ratio 0.25; over 400 simulated studies the 95% interval
    covers it within the binomial error of 400 trials (3 sd: 0.95 +- 0.033)."""
    rng = np.random.default_rng(2)
    trials, covered = 400, 0
    for _ in range(trials):
        cost = rng.normal(4.0, 1.5, 40)
        arr = 0.25 * cost + rng.normal(0.0, 0.8, 40)
        ratio = fieller(arr, cost)
        covered += ratio.low <= 0.25 <= ratio.high
    error = 3 * math.sqrt(0.95 * 0.05 / trials)
    assert abs(covered / trials - 0.95) < error


def test_a_cost_that_may_not_differ_has_no_ratio_interval():
    rng = np.random.default_rng(3)
    ratio = fieller(rng.normal(1.0, 1.0, 20), rng.normal(0.0, 1.0, 20))
    assert math.isnan(ratio.low) and math.isnan(ratio.high)


def test_a_ratio_with_control_variates_covers_the_true_ratio_and_is_narrower():
    """Extra cost and extra new ARR whose noise is partly luck the run logs (mean 0): the ratio
    from the controlled means and their covariance covers the true 0.25 as often as a 95%
    interval should over 400 studies of 40, and is narrower than the plain Fieller interval."""
    rng = np.random.default_rng(4)
    trials, covered, narrower = 400, 0, 0
    for _ in range(trials):
        luck = rng.standard_normal((40, 2))
        cost = 4.0 + 1.5 * luck[:, 0] + rng.normal(0.0, 0.4, 40)
        arr = 0.25 * cost + 0.8 * luck[:, 1] + rng.normal(0.0, 0.2, 40)
        means = controlled_means(np.column_stack([arr, cost]), luck)
        assert means is not None
        ratio = fieller_of(means, 0, 1)
        covered += ratio.low <= 0.25 <= ratio.high
        plain = fieller_of(plain_means(np.column_stack([arr, cost])), 0, 1)
        narrower += (ratio.high - ratio.low) < (plain.high - plain.low)
    error = 3 * math.sqrt(0.95 * 0.05 / trials)
    assert abs(covered / trials - 0.95) < error
    assert narrower == trials


def test_the_cost_and_payback_lines_use_the_runs_differences() -> None:
    """A run whose extra cost and extra new ARR are partly the luck it logged: the lines give
    the same differences as the run's table (``summary_difference``, with the controls), and
    the ratio's interval, from the controlled means' covariance, is narrower than the plain
    Fieller interval of the same replications."""
    rng = np.random.default_rng(5)
    n = 40
    luck = {arm: rng.standard_normal(n) for arm in ("base", "option")}
    rows: dict[str, list] = {k: [] for k in ("variant", "replication", COST, NEW_ARR, MARGIN)}
    rows["luck_choice"] = []
    for arm, extra in (("base", 0.0), ("option", 1.0)):
        cost = 10.0 + 4.0 * extra + 0.5 * rng.standard_normal(n)
        arr = 3.0 + 1.0 * extra + 0.8 * luck[arm] + 0.1 * rng.standard_normal(n)
        rows["variant"] += [arm] * n
        rows["replication"] += list(range(n))
        rows[COST] += cost.tolist()
        rows[NEW_ARR] += arr.tolist()
        rows[MARGIN] += (0.8 * arr).tolist()
        rows["luck_choice"] += luck[arm].tolist()
    summary = pa.table(rows)
    (line,) = economics_of(summary)
    assert line.extra_cost == summary_difference(summary, "option", "base", COST, True)
    assert line.extra_new_arr == summary_difference(summary, "option", "base", NEW_ARR)
    assert line.extra_new_arr.variance_reduction > 1
    column = {k: np.asarray(rows[k]) for k in (COST, NEW_ARR)}
    plain = fieller(column[NEW_ARR][n:] - column[NEW_ARR][:n], column[COST][n:] - column[COST][:n])
    ratio = line.arr_per_dollar
    assert ratio.low <= ratio.mean <= ratio.high
    assert ratio.high - ratio.low < plain.high - plain.low


@pytest.mark.parametrize(
    ("payback", "said"),
    [
        (Ratio(1.3, 0.9, 1.8), "pays back in 1.3 months [0.9, 1.8]"),
        (Ratio(48.4, 30.2, 120.0), "pays back in 48 months [30, 120]"),
    ],
)
def test_a_payback_is_said_to_the_precision_it_has(payback: Ratio, said: str) -> None:
    """A payback of 1.3 months is not "1 months": a tenth of a month under 10 months."""
    cost, arr = Difference(5.0, 4.0, 6.0, 1.0, 40), Difference(2.0, 1.0, 3.0, 1.0, 40)
    line = Economics("option", cost, arr, Ratio(0.4, 0.2, 0.6), payback).line()
    assert said in line
    assert "$0.40 of new ARR per extra $1 [$0.20, $0.60]" in line  # its interval in dollars


def test_new_arr_agrees_with_the_monthly_table():
    scenario = bundled("death-spiral", "market.accounts=300", "horizon_months=18")
    result = run_replication(scenario.variants[2].parameters, scenario.horizon_months, 3, 0)
    summary, monthly = result.summary, result.monthly
    assert summary["new_arr"] == pytest.approx(monthly["new_arr"].sum())
    assert summary["new_arr"] > 0
    margin = scenario.variants[2].parameters.post_sale.gross_margin
    assert summary["new_arr_margin"] == pytest.approx(summary["new_arr"] * margin)
    assert summary["total_cost"] >= summary["marketing_spend"]


def test_the_verdict_says_what_an_option_costs_and_buys(tmp_path):
    path = tmp_path / "brand.yaml"
    path.write_text(
        "name: Brand\ndescription: more brand\nhorizon_months: 12\nmarket: {accounts: 300}\n"
        "variants:\n  - name: base\n  - name: more brand\n"
        "    marketing: {brand: {spend_usd_per_month: 60000}}\n"
    )
    args = ["run", str(path), "-n", "4", "--workers", "1", "--out", str(tmp_path / "r")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Cost and payback against the baseline" in result.stdout
    assert "more brand: go-to-market cost +$" in " ".join(result.stdout.split())
    (run_dir,) = [p for p in (tmp_path / "r").iterdir() if not p.name.startswith(".")]
    summary = pq.read_table(run_dir / "summary.parquet")
    spend = {v: column(summary, v, "marketing_spend") for v in ("base", "more brand")}
    assert spend["more brand"] - spend["base"] == pytest.approx(np.full(4, 12 * 40_000.0))
    assert 'id="verdict-economics"' in (run_dir / "report.html").read_text()
