"""Control variates: the intervals stay honest, and the model's controls have the mean they claim.

A paired difference regressed on controls whose mean is known to be zero keeps its mean and
narrows its interval by what they explain (``runs.aggregate.controlled_difference``). The tests:
its 95% intervals cover a known answer 95% of the time, on constructed cases with heavy-tailed
noise (a paired difference, and a difference of differences of four arms that weigh luck
differently, as ``salesim check`` judges an interaction) and on the model itself (the death
spiral, small, against the plain pairing's mean of many other replications); the controls
logged by the model have mean zero; they explain a real part of the death spiral's noise; and
the tables say when a difference used them."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from rich.console import Console
from scipy import stats

from simulator.model.events import Kind
from simulator.report.console import comparison_table
from simulator.runs.aggregate import compare, controlled_difference, paired_difference
from simulator.runs.experiment import replication_log, run_experiment
from simulator.runs.summary_differences import CONTROLLED_NOTE, controlled, summary_combination
from tests.conftest import bundled

SEED = 11
METRIC = "bookings_12m"
METRIC_24 = "bookings_24m"


def coverage_floor(trials: int, confidence: float = 0.95, alpha: float = 0.001) -> int:
    """Fewest covering intervals of ``trials`` that honest ``confidence`` intervals reach with
    probability 1 - ``alpha`` (a one-sided binomial bound)."""
    return int(stats.binom.ppf(alpha, trials, confidence))


def test_intervals_cover_a_known_mean_on_a_constructed_case() -> None:
    """y = 2 + 3 x1 - x2 + heavy-tailed noise (Student t, 5 degrees of freedom), x of known
    mean 0 (one of them useless, one repeated): 2,000 samples of 30. The interval covers 2 as
    often as a 95% interval should, and is narrower than the plain one. (Strongly skewed noise
    would make any t interval of 30 values cover less, the plain mean's as much as this one's.)"""
    rng = np.random.default_rng(SEED)
    covered, narrower, trials = 0, 0, 2000
    for _ in range(trials):
        x = rng.standard_normal((30, 3))
        noise = rng.standard_t(5, 30)
        y = 2.0 + 3.0 * x[:, 0] - x[:, 1] + noise
        controls = np.column_stack([x, x[:, 0]])  # the repeated one is left out
        d = controlled_difference(y, controls)
        covered += d.low <= 2.0 <= d.high
        plain = paired_difference(y, np.zeros_like(y))
        narrower += (d.high - d.low) < (plain.high - plain.low)
    assert covered >= coverage_floor(trials)
    assert covered <= trials - coverage_floor(trials, 0.05)  # not wider than honest either
    assert narrower == trials


def test_too_few_replications_or_no_moving_control_give_the_plain_difference() -> None:
    rng = np.random.default_rng(SEED)
    y = rng.standard_normal(8)
    assert controlled_difference(y, rng.standard_normal((8, 2))) == paired_difference(
        y, np.zeros(8)
    )
    y = rng.standard_normal(40)
    assert controlled_difference(y, np.ones((40, 2))) == paired_difference(y, np.zeros(40))


ARMS = {  # effect, weight of the choices' luck, the roadmap the arm announces
    "a": (3.0, 2.0, "early"),
    "b": (1.0, 1.5, "early"),
    "c": (2.0, 2.0, "late"),
    "d": (1.0, 2.5, "late"),
}


def constructed_arms(rng: np.random.Generator, n: int) -> pa.Table:
    """A run's summary table of four arms on common random numbers, as the model makes one:
    each arm's metric is its effect, plus what every arm shares, plus its own choice luck (mean
    0, correlated between arms as paired arms' is) at a weight of its own (arms meet luck
    differently), plus the slips of the roadmap it announces (two arms share one roadmap, two
    another: their luck columns repeat), plus heavy-tailed noise the controls do not see
    (Student t, 5 degrees of freedom)."""
    shared = rng.normal(0.0, 5.0, n)
    common_luck = rng.standard_normal(n)
    slips = {"early": rng.standard_normal(n), "late": rng.standard_normal(n)}
    rows: dict[str, list] = {"variant": [], "replication": [], "bookings_24m": []}
    rows |= {"luck_choice_24m": [], "luck_roadmap_0": []}
    for arm, (effect, weight, roadmap) in ARMS.items():
        luck = common_luck + 0.5 * rng.standard_normal(n)
        noise = 0.3 * rng.standard_t(5, n)
        value = effect + shared + weight * luck + 1.5 * slips[roadmap] + noise
        rows["variant"] += [arm] * n
        rows["replication"] += list(range(n))
        rows["bookings_24m"] += value.tolist()
        rows["luck_choice_24m"] += luck.tolist()
        rows["luck_roadmap_0"] += slips[roadmap].tolist()
    return pa.table(rows)


def arm_values(summary: pa.Table, arm: str, metric: str = "bookings_24m") -> np.ndarray:
    return np.asarray(summary.filter(pc.equal(summary["variant"], arm))[metric])


def test_a_difference_of_differences_with_controls_covers_its_known_value() -> None:
    """(a - b) - (c - d), as ``salesim check`` judges an interaction, with the arms' choice luck
    combined alike (though each arm weighs it differently) and every arm's roadmap luck: over
    1,000 constructed runs of 30 replications the interval covers the known interaction (1.0)
    as often as a 95% interval should, and is narrower than the plain paired one on average."""
    rng = np.random.default_rng(SEED)
    terms = ((1.0, "a"), (-1.0, "b"), (-1.0, "c"), (1.0, "d"))
    truth = 3.0 - 1.0 - 2.0 + 1.0
    covered, widths, plain_widths, trials = 0, [], [], 1000
    for _ in range(trials):
        summary = constructed_arms(rng, 30)
        d = summary_combination(summary, terms, "bookings_24m")
        covered += d.low <= truth <= d.high
        values = {arm: arm_values(summary, arm) for arm in ARMS}
        plain = paired_difference(values["a"] - values["b"] - values["c"] + values["d"], 0.0)
        widths.append(d.high - d.low)
        plain_widths.append(plain.high - plain.low)
    assert covered >= coverage_floor(trials)
    assert covered <= trials - coverage_floor(trials, 0.05)
    assert np.mean(widths) < np.mean(plain_widths)


def test_an_arm_named_twice_counts_once() -> None:
    """a - b - a + b is zero in every replication: its interval is exactly 0, whatever the
    controls (the arms' luck cancels too; rounding leaves no control behind)."""
    summary = constructed_arms(np.random.default_rng(SEED), 30)
    d = summary_combination(summary, ((1.0, "a"), (-1.0, "b"), (-1.0, "a"), (1.0, "b")), METRIC_24)
    assert (d.mean, d.low, d.high) == (0.0, 0.0, 0.0)


def test_the_tables_say_when_differences_used_the_controls() -> None:
    """A difference adjusted by the controls can differ from the difference of the means shown:
    the run's console table says so when it is, and not when it is plain (too few
    replications for the controls)."""
    summary = constructed_arms(np.random.default_rng(SEED), 30)
    two = summary.filter(pc.is_in(summary["variant"], pa.array(["a", "b"])))
    for table, adjusted in ((two, True), (two.filter(pc.less(two["replication"], 8)), False)):
        comparisons = compare(table, [METRIC_24], frozenset())
        assert controlled(comparisons[0].differences.values()) is adjusted
        console = Console(width=200, record=True)
        console.print(comparison_table(comparisons, "t"))
        text = " ".join(console.export_text().split())
        assert (" ".join(CONTROLLED_NOTE.split()) in text) is adjusted


@pytest.fixture(scope="module")
def small_spiral():
    """The death spiral's first two variants in a small world over a year."""
    scenario = bundled(
        "death-spiral", "market.accounts=200", "horizon_months=12", "team.hunters=2",
        "team.sales_engineers=1", "team.farmers=1",
    )  # fmt: skip
    return replace(scenario, variants=scenario.variants[:2])


def test_the_models_controls_have_mean_zero(small_spiral) -> None:
    """Over 200 replications of each arm, every control's mean is within its 99.9% Student-t
    interval of 0 (Bonferroni over the controls and arms)."""
    per_arm = []
    for variant in small_spiral.variants:
        rows = []
        for i in range(200):
            log = replication_log(variant.parameters, 12, SEED, i)
            choice = log["value"][log["kind"] == Kind.CHOICE_LUCK].sum()
            roadmap = log["value"][log["kind"] == Kind.ROADMAP_LUCK]
            rows.append([choice, *roadmap])
        per_arm.append(np.array(rows))
    tests = sum(arm.shape[1] for arm in per_arm)
    for arm in per_arm:
        for values in arm.T:
            t = values.mean() / (values.std(ddof=1) / math.sqrt(values.size))
            assert abs(t) < stats.t.ppf(1 - 0.0005 / tests, values.size - 1)


def test_the_variance_reduced_intervals_cover_the_models_answer(small_spiral) -> None:
    """80 batches of 20 paired replications: each batch's 95% interval with the control
    variates is checked against the plain paired mean of the other 79 batches (1,580 pairs,
    independent of the batch: its own error adds about 2.5% to the batch's variance, so honest
    intervals cover it about 94.7% of the time). And on the whole, the controls do reduce the
    variance."""
    batches, size = 80, 20
    result = run_experiment(small_spiral, batches * size, SEED, workers=2)
    (whole,) = compare(result.summary, [METRIC], frozenset())
    (name,) = whole.differences
    plain = []
    controlled = []
    for k in range(batches):
        replication = result.summary.column("replication")
        inside = pc.and_(
            pc.greater_equal(replication, k * size), pc.less(replication, (k + 1) * size)
        )
        (batch,) = compare(result.summary.filter(inside), [METRIC], frozenset())
        controlled.append(batch.differences[name])
        baseline = batch.estimates[small_spiral.variants[0].name].mean
        plain.append(batch.estimates[name].mean - baseline)
    plain_means = np.array(plain)
    covered = 0
    for k, d in enumerate(controlled):
        others = (plain_means.sum() - plain_means[k]) / (batches - 1)
        covered += d.low <= others <= d.high
    assert covered >= coverage_floor(batches, 0.947)
    assert whole.differences[name].variance_reduction > 1.2
