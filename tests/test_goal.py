"""`salesim goal`: goal seek finds the known answer of monotone toys (whole-number and
continuous, least and largest), with an interval that holds it; the budget split finds a toy's
known optimum; the command answers with `value` and its interval; bad input exits 2."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.decide.goal import first_true, seek
from simulator.decide.split import best_split
from simulator.decide.values import Target, parse_target

runner = CliRunner()
REPLICATIONS = 400
NOISE = np.random.default_rng(7).normal(0.0, 1.0, REPLICATIONS)  # one market per replication
TARGET = Target("arr_end", at_least=True, value=10.0)


def brute_force(values: range, holds) -> int:
    return min(x for x in values if holds(x))


def test_first_true_is_the_least_whole_number_where_a_monotone_rule_holds():
    for boundary in range(0, 21):
        assert first_true(lambda x, b=boundary: x >= b, 0, 20) == boundary
    assert first_true(lambda x: False, 0, 20) is None


def test_goal_seek_on_a_monotone_toy_finds_the_known_whole_number():
    """metric = x + noise (the same noise at every x: common random numbers). The least x with
    80% of replications at or above 10 is found by bisection, as trying every x finds it."""
    goal = seek(lambda x: x + NOISE, TARGET, 0.8, 0, 30, integer=True)
    expected = brute_force(range(31), lambda x: np.mean(x + NOISE >= 10) >= 0.8)
    assert goal.value == expected
    assert goal.low <= goal.value <= goal.high
    assert len(goal.probes) < 15  # a search, not every value


def test_goal_seek_on_a_continuous_toy_finds_the_known_answer():
    """metric = x + N(0, 1): met with probability 0.8 from x = 10 - z(0.2) = 10.84. The
    estimate errs by the sampling error of the 20% quantile of the noise (sd
    sqrt(0.2 x 0.8 / n) / density there) plus the search's tolerance (1% of the range)."""
    goal = seek(lambda x: x + NOISE, TARGET, 0.8, 0.0, 20.0, integer=False)
    exact = 10 - stats.norm.ppf(0.2)
    quantile_sd = math.sqrt(0.2 * 0.8 / REPLICATIONS) / stats.norm.pdf(stats.norm.ppf(0.2))
    assert abs(goal.value - exact) < 3 * quantile_sd + 0.01 * 20
    assert goal.low <= goal.value <= goal.high
    assert goal.low < exact < goal.high


def test_the_largest_value_that_still_meets_the_target():
    """metric = 20 - x + noise: the most of x that keeps 80% of replications at or above 10."""
    goal = seek(lambda x: 20 - x + NOISE, TARGET, 0.8, 0, 30, integer=True, largest=True)
    expected = max(x for x in range(31) if np.mean(20 - x + NOISE >= 10) >= 0.8)
    assert goal.value == expected and goal.largest
    assert goal.low <= goal.value <= goal.high


def test_a_target_out_of_reach_says_so():
    goal = seek(lambda x: x + NOISE, TARGET, 0.8, 0, 5, integer=True)
    assert goal.value is None and not goal.reachable


def test_the_budget_split_finds_a_known_optimum():
    """metric = -(a - 30)^2 / 100 + noise with a + b = 100: the best a is 30, found to the
    search's tolerance (1% of the range), whole-number and continuous."""

    def toy(a: float) -> np.ndarray:
        return -((a - 30.0) ** 2) / 100.0 + NOISE

    continuous = best_split(toy, 100.0, 0.0, 100.0, integer=False)
    assert abs(continuous.best.a - 30.0) <= 0.01 * 100
    assert continuous.near_low <= continuous.best.a <= continuous.near_high
    whole = best_split(toy, 100.0, 0.0, 100.0, integer=True)
    assert whole.best.a == 30.0 and whole.best.b == 70.0
    lowest = best_split(lambda a: -toy(a), 100.0, 0.0, 100.0, integer=True, maximise=False)
    assert lowest.best.a == 30.0


def test_targets_are_read_and_checked():
    target = parse_target("arr_end>=15M")
    assert target == Target("arr_end", True, 15e6)
    assert parse_target("cac <= $40k") == Target("cac", False, 40e3)
    with pytest.raises(ValueError, match=r"'arr' is not a summary metric; allowed: .*arr_end"):
        parse_target("arr>=15M")
    with pytest.raises(ValueError, match="expected METRIC>=VALUE"):
        parse_target("arr_end=15M")


TINY = ["--set", "market.accounts=300", "--set", "horizon_months=3", "--workers", "1"]


def test_goal_command_answers_with_value_and_interval(tmp_path):
    args = ["goal", "baseline", "--find", "team.hunters", "--target", "meetings_q1>=60"]
    args += ["--within", "1:12", "-n", "6", *TINY, "--out", str(tmp_path), "--json", "-"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["input"] == "team.hunters" and data["probability"] == 0.8
    assert data["value"] is not None and len(data["interval"]) == 2
    probes = {p["x"]: p for p in data["probes"]}
    assert probes[data["value"]]["share"] >= 0.8  # it meets the target
    if data["value"] - 1 in probes:
        assert probes[data["value"] - 1]["share"] < 0.8  # one less does not
    (run_dir,) = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    for name in ("goal.parquet", "report.html", "manifest.json", "summary.parquet"):
        assert (run_dir / name).is_file(), name


@pytest.mark.parametrize("replications", ["3", "16"])  # plain pairing; with control variates
def test_split_command_answers_with_the_best_split(replications, tmp_path):
    args = ["goal", "baseline", "--split", "team.hunters,team.farmers", "--total", "6"]
    args += ["--target", "meetings_q1>=40", "-n", replications, *TINY, "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["inputs"] == ["team.hunters", "team.farmers"]
    assert {p["a"] + p["b"] for p in data["points"]} == {6.0}
    assert min(p["a"] for p in data["points"]) >= 1  # at least one hunter
    assert data["value"] == data["best"]["a"] and len(data["interval"]) == 2


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--find", "team.hunters", "--target", "arr>=1M"],
         ["'arr' is not a summary metric", "arr_end"]),
        (["--find", "team.huntrs", "--target", "arr_end>=1M", "--within", "1:5"],
         ["team.huntrs", "unknown field 'huntrs'", "hunters"]),
        (["--find", "team.hunters", "--target", "arr_end>=1M", "--within", "0:5"],
         ["team.hunters", "a whole number from 1 to 10,000"]),
        (["--find", "team.demo_days_cv", "--target", "arr_end>=1M"],
         ["no documented range", "--within"]),
        (["--target", "arr_end>=1M"], ["--find PATH, or --split"]),
        (["--split", "team.hunters,team.farmers", "--total", "0", "--target", "arr_end>=1M"],
         ["no split fits", "a whole number from 1 to 10,000"]),
        (["--split", "team.hunters,team.sales_engineers", "--total", "6", "--target",
          "arr_end>=1M"], ["team.sales_engineers=0", "needs at least one sales engineer"]),
        (["--split", "team.hunters", "--total", "5", "--target", "arr_end>=1M"],
         ["two different inputs"]),
    ],
)  # fmt: skip
def test_bad_input_exits_2(extra, words, tmp_path):
    result = runner.invoke(app, ["goal", "baseline", *extra, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)
