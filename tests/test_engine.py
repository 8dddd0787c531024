"""Exact checks of the engine against queueing theory (MODEL.md 4.2.2 and 4.2.3).

Each check runs independent replications and compares the mean of a per-replication statistic
with its theoretical value, allowing Z standard errors of the replication means (Z = 3.29,
two-sided 99.9%): the tolerance comes from the Monte Carlo error, not from a guess.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from simulator.metrics.measure import monthly
from simulator.model.build import simulate
from simulator.model.entities import Hunter
from simulator.model.events import Kind
from simulator.model.processes.capacity import Capacity
from simulator.model.start_data import EMPTY
from simulator.model.streams import Streams, replication_seed
from simulator.units import DAYS_PER_MONTH
from tests.conftest import scenario_from

Z = 3.29
SEED = 20261123


def erlang_c_wait(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    offered = arrival_rate * service_mean
    rho = offered / servers
    assert rho < 1
    top = offered**servers / math.factorial(servers) / (1 - rho)
    bottom = sum(offered**k / math.factorial(k) for k in range(servers)) + top
    return (top / bottom) / (servers / service_mean - arrival_rate)


def test_sales_engineers_match_erlang_c():
    """Poisson demo requests, exponential demos, c engineers: mean wait = Erlang C.

    Leads arrive as a Poisson process over a market large enough that thinning is negligible;
    every lead qualifies and asks for exactly one demo after i.i.d. stage delays, so demo
    requests stay Poisson (M/G/infinity output). The arrival rate is estimated from the run.
    """
    engineers, demo_days, rate_per_day, accounts = 3, 1.5, 1.4, 20_000
    scenario = scenario_from(
        {
            "horizon_months": 30,
            "market": {
                "accounts": accounts,
                "aware_share": 1.0,
                "in_market_share_per_quarter": rate_per_day * 3 * DAYS_PER_MONTH / accounts,
                "cooldown_after_loss_months": 0,
            },
            "team": {
                "hunters": 1,
                "hunter_capacity_opportunities": 5_000,
                "outbound_leads_per_hunter_month": 0,
                "sales_engineers": engineers,
                "demos_per_evaluation": 1,
                "demo_days_mean": demo_days,
                "demo_days_cv": 1.0,
            },
            "marketing": {"direct": {"spend_usd_per_month": 0}},
            "process": {
                "lead_patience_days": 365,
                "lead_quality": {"inbound": 1.0},
                "lead_interest_floor": 1.0,
                "poor_fit_threshold": 0.0,
            },
        }
    )
    parameters = scenario.variants[0].parameters
    warm_up_days = 150.0
    mean_waits, rates = [], []
    for replication in range(30):
        log = simulate(
            parameters, scenario.horizon_days, Streams(replication_seed(SEED, replication)), EMPTY
        ).as_array()
        demos = log[log["kind"] == Kind.DEMO_STARTED]
        requested = demos["day"] - demos["value"]
        window = requested >= warm_up_days
        mean_waits.append(demos["value"][window].mean())
        rates.append(window.sum() / (scenario.horizon_days - warm_up_days))
    expected = erlang_c_wait(float(np.mean(rates)), demo_days, engineers)
    mean = float(np.mean(mean_waits))
    error = float(np.std(mean_waits, ddof=1) / math.sqrt(len(mean_waits)))
    print(f"Erlang C: simulated mean wait {mean:.4f} +- {error:.4f} days, theory {expected:.4f}")
    assert abs(mean - expected) <= Z * error


def test_littles_law_holds_for_open_opportunities():
    """Mean open opportunities (month-end stock) = arrival rate x mean time in pipeline.

    The stock comes from the monthly table, the flow and the sojourn times from the opportunities
    opened inside the window; the horizon runs well past the window so nearly every sojourn is
    complete (the few still open are counted up to the horizon). Little's law is a statement
    about a stationary system, so the things that change the system over time are switched off:
    quota reviews (exits and replacements), the roadmap, competitor entry, awareness, and the
    monthly direct-marketing campaigns (their responses arrive in a burst after each month's
    start, so month-end stocks would sample a low point of the cycle).
    """
    scenario = scenario_from(
        {
            "horizon_months": 48,
            "market": {"accounts": 1500},
            "team": {"quota": {"usd_per_month": 0}},
            "product": {"features": []},
            "competitors": {"entrants": {"rate_per_year": {"enterprise": 0, "mid_market": 0}}},
            "marketing": {
                "awareness": {"innovation": 0, "imitation": 0, "forgetting": 0},
                "direct": {"spend_usd_per_month": 0},
            },
        }
    )
    parameters = scenario.variants[0].parameters
    first, last = 9, 33  # window of month-ends (months are 1-based in the monthly table)
    start, end = first * DAYS_PER_MONTH, last * DAYS_PER_MONTH
    differences = []
    for replication in range(40):
        log = simulate(
            parameters, scenario.horizon_days, Streams(replication_seed(SEED, replication)), EMPTY
        ).as_array()
        stock = monthly(
            log, scenario.horizon_months, scenario.variants[0].parameters.market.accounts
        )["open_opportunities"]
        ends = stock[first - 1 : last]  # the stock at the month-ends first .. last
        mean_open = (ends[0] / 2 + ends[1:-1].sum() + ends[-1] / 2) / (last - first)  # trapezoid
        opened = log[log["kind"] == Kind.OPENED]
        closed = log[log["kind"] == Kind.CLOSED]
        close_day = dict(zip(closed["subject"].tolist(), closed["day"].tolist(), strict=True))
        in_window = opened[(opened["day"] >= start) & (opened["day"] < end)]
        sojourn = [
            close_day.get(s, scenario.horizon_days) - d
            for s, d in zip(in_window["subject"].tolist(), in_window["day"].tolist(), strict=True)
        ]
        arrival_rate = in_window.size / (end - start)
        differences.append(mean_open - arrival_rate * float(np.mean(sojourn)))
    mean = float(np.mean(differences))
    error = float(np.std(differences, ddof=1) / math.sqrt(len(differences)))
    print(f"Little's law: L - lambda W = {mean:.3f} +- {error:.3f} opportunities")
    assert abs(mean) <= Z * error


def test_capacity_hands_out_tokens_in_the_order_of_a_plain_list():
    """The hunters' free slots, whatever the mix of frees, takes, a hunter taking their own and
    exits, give the same hunters in the same order as one list of hunter ids from which
    ``take`` pops the first, ``take_own`` removes a hunter's first and an exit removes all of
    theirs (what the model did before the queue was made constant-time)."""
    rng = np.random.default_rng(SEED)
    hunters = [Hunter(id=k, hired_day=0.0, skill=0.0, capacity=10) for k in range(12)]
    capacity, reference = Capacity(simpy.Environment()), []
    for step in range(20_000):
        hunter = hunters[int(rng.integers(len(hunters)))]
        # Phases of few takes (hunters prospecting their own: withdrawn tokens pile up and the
        # queue is rebuilt) alternate with phases of many.
        put, take = (0.5, 0.6) if step // 2_000 % 2 else (0.45, 0.85)
        draw = rng.random()
        if draw < put:
            capacity.put(hunter)
            reference.append(hunter.id)
        elif draw < take:
            taken = capacity.take()
            assert (taken.id if taken else None) == (reference.pop(0) if reference else None)
        elif draw < 0.99:
            assert capacity.has_free(hunter) == (hunter.id in reference)
            if hunter.id in reference:
                capacity.take_own(hunter)
                reference.remove(hunter.id)
        else:
            capacity.withdraw(hunter)
            reference = [h for h in reference if h != hunter.id]
    assert [capacity.take() for _ in range(len(reference) + 1)] == [
        *[hunters[h] for h in reference],
        None,
    ]
