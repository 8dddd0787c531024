"""Resuming today's pipeline: where each open deal of a CRM export sits in the simulated market,
at which stage, and how long its current stage still lasts.

- Account: each open deal goes to a distinct account of the market, drawn at random among the
  accounts of a plausible segment: the one whose median deal size is nearest the deal's ACV (on
  a log scale), or mid-market when the export gives no ACV. When a segment runs out, the deal
  takes an account of another. The simulated deal is worth its account's deal size (the
  scenario's, not the export's: the export's ACV only picks the segment).
- Stage: the export's, mapped to salesim's; a deal whose stage on ``as_of`` is unknown (it
  closed later in the export) is placed by its age, at the first stage whose cumulative mean
  duration (the segment's ``stage_days``) covers it, the last open stage when none does.
- Time left: the stages before its own are done. The deal's own drawn durations of those
  stages are taken out of its age; what is left is the time already spent in its current stage
  (none if they add up to more). The current stage then lasts what its duration, drawn from
  the deal's own normal, would leave *given that it has already lasted that long*: a draw from
  the lognormal conditioned on exceeding the time spent (its quantile transform), so a deal
  still well within its stage keeps most of a typical duration, and one far past it gets the
  short remainder of a lognormal's far tail (about ``sigma^2 * t / ln(t / median)`` on average).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy.special import log_ndtr, ndtri_exp

from simulator.model.distributions import LogNormal
from simulator.model.entities import MID_MARKET, Accounts
from simulator.model.start_data import UNKNOWN_STAGE, StartState
from simulator.parameters import Market as MarketSection
from simulator.units import DAYS_PER_MONTH


def pick_accounts(
    values_usd: np.ndarray,
    accounts: Accounts,
    market: MarketSection,
    rng: np.random.Generator,
    free: np.ndarray | None = None,
) -> list[int]:
    """A distinct account for each value (a deal's ACV, a customer's ARR), drawn from ``rng``
    among the accounts of the segment whose median deal size is nearest the value (on a log
    scale; mid-market where the value is unknown), another segment's when that one runs out;
    only the accounts the mask ``free`` allows (all by default). Where every segment has the
    same median (a calibration that gave them the export's own sizes) a value says nothing
    about the segment: the accounts are drawn from the whole market, so the segments keep
    their shares."""
    n = len(values_usd)
    segment = np.asarray(accounts.segment)
    allowed = np.ones(len(accounts), bool) if free is None else np.asarray(free, bool)
    if n > int(allowed.sum()):
        raise ValueError(f"{n} accounts needed; the market has {int(allowed.sum())} to give")
    present = [s for s in range(len(market.segments)) if np.any(segment == s)]
    if len({market.segments[s].deal_size_median_usd for s in present}) == 1:
        return rng.permutation(np.flatnonzero(allowed))[:n].tolist()
    counts = [int(np.count_nonzero(segment == s)) for s in present]
    fallback = MID_MARKET if MID_MARKET in present else present[int(np.argmax(counts))]
    wanted = np.full(n, fallback, np.int64)
    known = np.isfinite(values_usd) & (values_usd > 0)
    if known.any():
        medians = np.log([market.segments[s].deal_size_median_usd for s in present])
        nearest = np.argmin(np.abs(np.log(values_usd[known])[:, None] - medians[None, :]), axis=1)
        wanted[known] = np.asarray(present)[nearest]
    pools = {s: rng.permutation(np.flatnonzero((segment == s) & allowed)).tolist() for s in present}
    chosen = [-1] * n
    for i, s in enumerate(wanted.tolist()):
        if pools[s]:
            chosen[i] = pools[s].pop()
    short = [i for i, account in enumerate(chosen) if account < 0]
    if short:
        rest = rng.permutation([a for s in present for a in pools[s]]).tolist()
        for i, account in zip(short, rest, strict=False):
            chosen[i] = account
    return chosen


def place_deals(
    state: StartState, accounts: Accounts, market: MarketSection, rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Each open deal's account (distinct, drawn from ``rng``) and salesim stage index."""
    chosen = pick_accounts(state.deal_acv_usd, accounts, market, rng)
    stages = state.deal_stage.tolist()
    for i, stage in enumerate(stages):
        if stage == UNKNOWN_STAGE:
            means = market.segments[accounts.segment[chosen[i]]].stage_days.as_tuple()
            covering = int(np.searchsorted(np.cumsum(means), state.deal_age_days[i], "left"))
            stages[i] = min(covering, len(means) - 1)
    return chosen, stages


def place_closed(
    state: StartState,
    accounts: Accounts,
    market: MarketSection,
    free: np.ndarray,
    rng: np.random.Generator,
    customers: int,
) -> tuple[list[int], np.ndarray]:
    """The export's closed deals whose accounts are still off the market on day 0, and a
    distinct free account for each, drawn from ``rng`` like an open deal's: the deals' indices
    into ``state.closed_*`` and their accounts. A won deal's account is a customer's, except
    for the latest ``customers`` wins (the customers carried over on day 0 hold accounts of
    their own); a lost deal's is cooling off until the cool-down ends. Without them a forecast
    from today's pipeline starts in a market no deal has touched, and opens more
    opportunities than the company it was fitted to."""
    cooldown_days = market.cooldown_after_loss_months * DAYS_PER_MONTH
    won = np.flatnonzero(state.closed_won)
    customer_wins = won[: max(0, len(won) - customers)]
    cooling = np.flatnonzero(~state.closed_won & (state.closed_day + cooldown_days > 0))
    kept = np.sort(np.concatenate([customer_wins, cooling]))
    room = max(0, int(np.count_nonzero(free)) - customers)  # the customers' accounts kept free
    kept = kept[len(kept) - min(len(kept), room) :]  # the latest, if the market is too small
    return pick_accounts(state.closed_acv_usd[kept], accounts, market, rng, free), kept


def resumed_stage_days(
    start_stage: int,
    elapsed_days: float,
    means: Sequence[float],
    spread: LogNormal,
    z: Sequence[float],
) -> Callable[[int], float]:
    """Days each stage of a deal open on day 0 still takes (``means`` already scaled by the
    deal's risk and our readiness; ``z`` its pre-drawn normals, one per stage)."""
    drawn = [mean * spread.from_normal(z[stage]) for stage, mean in enumerate(means)]
    in_stage = max(0.0, elapsed_days - sum(drawn[:start_stage]))

    def stage_days(stage: int) -> float:
        if stage < start_stage:
            return 0.0
        if stage > start_stage or in_stage == 0.0:
            return drawn[stage]
        return remaining_days(means[stage], spread.sigma, z[stage], in_stage)

    return stage_days


def remaining_days(mean: float, sigma: float, z: float, lasted: float) -> float:
    """What is left of a lognormal duration (``mean``, log-sd ``sigma``) known to exceed
    ``lasted``, for the standard normal ``z``: the quantile ``Phi(z)`` of the duration's
    distribution given that it is longer than ``lasted`` (computed in log space, exact far in
    the tail). ``z`` = the deal's own draw, so a variant keeps the pairing."""
    if sigma == 0.0:
        return max(mean - lasted, 0.0)
    mu = math.log(mean) - 0.5 * sigma * sigma
    beyond = (math.log(lasted) - mu) / sigma
    log_survival = float(log_ndtr(-z) + log_ndtr(-beyond))
    duration = math.exp(mu - sigma * float(ndtri_exp(log_survival)))
    return max(duration - lasted, 0.0)
