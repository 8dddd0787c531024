"""Common random numbers per account: an account's luck does not depend on the order of events.

Response delays, demo times, waits and customer lives are drawn from each account's own
sequence (``streams.AccountDraws``), so a strategy that changes which event comes first does not
reshuffle that luck across accounts; replications stay a pure function of (scenario, root seed,
index) whatever the worker count; and variants pair better than with draws in event order.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import simpy

from simulator.model.build import build
from simulator.model.distributions import Exponential
from simulator.model.events import Kind
from simulator.model.processes.capacity import SalesEngineers
from simulator.model.streams import (
    ACCOUNTS_PER_BLOCK,
    AccountDraws,
    Streams,
    replication_seed,
)
from simulator.parameters import Team
from simulator.runs.experiment import run_experiment
from simulator.scenario.start_customers import starting_point
from simulator.units import DAYS_PER_MONTH
from tests.conftest import bundled, column
from tests.test_determinism import assert_tables_equal

SEED = 4242
ACCOUNTS = 3 * ACCOUNTS_PER_BLOCK // 2  # one full block and part of another
HORIZON_MONTHS = 24
OLD_DEATH_SPIRAL_GAIN = 1.76
"""Pairing gain of vaporware - available_only on bookings_24m with draws in event order."""
HANDOFF_GAIN_FLOOR = 1.5
"""Half again what independent runs give (1): pairing that does something."""


def uniforms(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.random(size)


def sequences(draws: AccountDraws, order: list[int], per_account: int) -> dict[int, list[float]]:
    """Each account's first ``per_account`` draws, asked for one at a time in ``order``
    (accounts repeated, interleaved)."""
    seen: dict[int, list[float]] = {account: [] for account in order}
    for _ in range(per_account):
        for account in order:
            seen[account].append(draws(account))
    return seen


def test_an_accounts_draws_do_not_depend_on_the_order_asked_or_on_other_accounts():
    """The i-th draw of an account is the same whichever accounts asked before it, in which
    order, and however much the stream's own generator drew meanwhile; past the first block's
    draws an account's further chunks are its own too."""
    per_account = 11  # past the 4 of the block: two chunks of the account's own
    forward = list(range(ACCOUNTS))
    shuffled = np.random.default_rng(1).permutation(ACCOUNTS).tolist()
    first = Streams(replication_seed(SEED, 0))["customers"]
    second = Streams(replication_seed(SEED, 0))["customers"]
    second.random(1000)  # the stream's own draws in event order do not move the accounts'
    a = sequences(AccountDraws(first, uniforms), forward, per_account)
    b = sequences(AccountDraws(second, uniforms), shuffled[: ACCOUNTS // 3], per_account)
    assert all(b[account] == a[account] for account in b)
    lone = AccountDraws(Streams(replication_seed(SEED, 0))["customers"], uniforms)
    last = ACCOUNTS - 1
    assert [lone.value(last, i) for i in range(per_account)] == a[last]
    values = np.array([v for account in forward for v in a[account]])
    assert len(np.unique(values)) == values.size  # no two accounts, no two draws, share a number
    # Independent uses of one stream, and other replications, get other numbers.
    other_use = AccountDraws(Streams(replication_seed(SEED, 0))["customers"], uniforms, use=1)
    other_replication = AccountDraws(Streams(replication_seed(SEED, 1))["customers"], uniforms)
    assert other_use.value(0, 0) != a[0][0]
    assert other_replication.value(0, 0) != a[0][0]


def test_demo_times_and_response_delays_belong_to_the_account():
    """Demo times (``SalesEngineers.demo_days_of``) and response delays (``AccountDraws`` over
    the response stream, as the pipeline draws them) are the account's own: asked in a
    different order, or by a team with a different sales-engineer count or demo mean, the
    account gets the same draws, scaled by the mean (a slower response keeps the pairing)."""
    order = np.random.default_rng(2).permutation(ACCOUNTS).tolist()

    def demo_days(order: list[int], **team: float) -> dict[int, list[float]]:
        streams = Streams(replication_seed(SEED, 3))
        engineers = SalesEngineers(simpy.Environment(), Team(**team), streams["demos"])
        return sequences(engineers.demo_days_of, order, 6)

    base = demo_days(list(range(ACCOUNTS)))
    assert demo_days(order, sales_engineers=9) == base
    doubled = demo_days(order, demo_days_mean=3.0)
    assert all(np.allclose(doubled[a], 2 * np.array(base[a]), rtol=1e-12) for a in base)

    def response_hours(order: list[int], mean_hours: float) -> dict[int, list[float]]:
        response = Exponential(mean_hours)
        draws = AccountDraws(Streams(replication_seed(SEED, 3))["response"], response.sample)
        return sequences(draws, order, 3)

    fast, slow = response_hours(list(range(ACCOUNTS)), 1.0), response_hours(order, 24.0)
    assert all(np.allclose(slow[a], 24 * np.array(fast[a]), rtol=1e-12) for a in fast)


def go_lives(parameters, replication: int) -> tuple[dict[int, float], dict[int, float], set[int]]:
    """One replication's first go-live of each account: implementation days and signature day;
    and the accounts whose first life had an expectation gap."""
    env = simpy.Environment()
    streams = Streams(replication_seed(SEED, replication))
    model = build(env, parameters, streams, starting_point(parameters))
    env.run(until=HORIZON_MONTHS * DAYS_PER_MONTH)
    log = model.log.as_array()
    days: dict[int, float] = {}
    signed: dict[int, float] = {}
    for record in log[log["kind"] == Kind.GO_LIVE]:
        account = int(record["account"])
        if account not in days:
            days[account] = float(record["value"])
            signed[account] = float(record["day"] - record["value"])
    first_gap: dict[int, float] = {}
    for record in log[log["kind"] == Kind.EXPECTATION_GAP]:
        first_gap.setdefault(int(record["account"]), float(record["day"]))
    gaps = {a for a, day in first_gap.items() if math.isclose(day, signed[a] + days[a])}
    return days, signed, gaps


@pytest.mark.parametrize("replication", [0, 1])
def test_an_account_lives_the_same_customer_luck_in_both_variants(replication):
    """Vaporware and available-only hunters win partly different accounts, in another order;
    an account that becomes a customer under both has the same implementation time and the
    same expectation gap (or none) at its first go-live. With draws in event order, an account
    signed in another position would have taken another customer's luck."""
    scenario = bundled("death-spiral")
    available, vaporware = (go_lives(v.parameters, replication) for v in scenario.variants[:2])
    common = sorted(set(available[0]) & set(vaporware[0]))
    assert len(common) >= 20
    by_signature = [sorted(common, key=run[1].__getitem__) for run in (available, vaporware)]
    assert by_signature[0] != by_signature[1], "the test needs the order of events to differ"
    for account in common:
        assert math.isclose(available[0][account], vaporware[0][account], rel_tol=1e-9)
    assert {a for a in available[2] if a in common} == {a for a in vaporware[2] if a in common}
    assert any(a in available[2] for a in common), "the test needs some gaps to compare"


def test_workers_do_not_change_results_with_per_account_draws():
    """Per-account sequences are built lazily inside each replication: one worker or two,
    chunks finishing in any order, give the same tables (waits, demos, customer lives)."""
    scenario = bundled("death-spiral", "market.accounts=600", "horizon_months=18")
    serial = run_experiment(scenario, 4, SEED, workers=1)
    parallel = run_experiment(scenario, 4, SEED, workers=2)
    assert_tables_equal(serial.summary, parallel.summary)
    assert_tables_equal(serial.monthly, parallel.monthly)


def pairing_gain(a: np.ndarray, b: np.ndarray) -> float:
    """Variance of the unpaired difference over that of the paired one."""
    return float((a.var(ddof=1) + b.var(ddof=1)) / (a - b).var(ddof=1))


def bootstrap_interval(a: np.ndarray, b: np.ndarray, seed: int) -> tuple[float, float]:
    """95% percentile bootstrap interval of the pairing gain, resampling replications."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, a.size, (2000, a.size))
    gains = [pairing_gain(a[p], b[p]) for p in picks]
    low, high = np.percentile(gains, [2.5, 97.5])
    return float(low), float(high)


def paired_values(
    name: str, metric: str, replications: int, variants: tuple[str, str], *overrides: str
) -> tuple[np.ndarray, np.ndarray]:
    """``metric`` of two variants of a bundled scenario, paired by replication (seed 4242)."""
    scenario = bundled(name, *overrides)
    chosen = tuple(v for v in scenario.variants if v.name in variants)
    result = run_experiment(dataclasses.replace(scenario, variants=chosen), replications, SEED, 2)
    first, second = (column(result.summary, variant, metric) for variant in variants)
    return first, second


def test_death_spiral_pairing_gain_stays_above_the_old_one():
    """Vaporware against available-only on bookings_24m pair at least as well as the 1.76
    measured with draws in event order (issue 12), by the bootstrap interval's lower end over
    300 replications. (On today's model the gain is ~2.4 with these draws in event order or
    per account alike: what is left of the difference's variance does not come from them, nor
    from awareness or quota exits, which change nothing when frozen.)"""
    # Bookings at 24 months do not depend on what happens later: stop the runs there.
    vaporware, available = paired_values(
        "death-spiral", "bookings_24m", 300, ("vaporware", "available_only"), "horizon_months=24"
    )
    gain = pairing_gain(vaporware, available)
    low, high = bootstrap_interval(vaporware, available, seed=1)
    print(f"death-spiral pairing gain {gain:.2f} [{low:.2f}, {high:.2f}]")
    assert low > OLD_DEATH_SPIRAL_GAIN


def test_handoff_variants_pair_on_net_revenue_retention():
    """With customer lives drawn in event order, hunter_farmer and hunter_only did not pair at
    all on NRR (gain 0.94 [0.77, 1.22] at -n 60): a customer took whichever luck came next.
    Drawn per account, the same customer lives the same luck, and the gain's interval lies
    well above 1."""
    farmer, hunter = paired_values("handoff", "nrr", 60, ("hunter_farmer", "hunter_only"))
    gain = pairing_gain(farmer, hunter)
    low, high = bootstrap_interval(farmer, hunter, seed=2)
    print(f"handoff NRR pairing gain {gain:.2f} [{low:.2f}, {high:.2f}]")
    assert low > HANDOFF_GAIN_FLOOR
