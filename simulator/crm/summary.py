"""What an imported pipeline says, as the statistics a calibration fits: deals by stage, the win
rate, cycle times of won and lost deals, deal sizes, owners, and new opportunities and wins a
month (with the quarter-end pattern: more wins in Mar, Jun, Sep and Dec).

Cycle times count open deals as censored at their age (``survival``): the cycle of won deals is
the Kaplan–Meier estimate over won deals (events) and open deals (censored), lost deals left
out, and the same for lost. The plain median of closed deals, what a CRM report shows, is given
beside it. Monthly means use complete months only: the first month counts when the data start
on its first day, the last when ``as_of`` is its last day.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import norm

from simulator.crm.dates import iso, month_end
from simulator.crm.stages import LOST, OPEN, WON
from simulator.crm.survival import kaplan_meier
from simulator.crm.table import Deals

QUARTER_END_MONTHS = (3, 6, 9, 12)


@dataclass(frozen=True)
class Cycle:
    """Days from created to closed for one outcome (``closed`` = won or lost)."""

    outcome: str
    closed: int
    censored: int
    median_closed_days: float
    km_median_days: float
    km_median_low: float
    km_median_high: float
    km_p25_days: float
    km_p75_days: float


@dataclass(frozen=True)
class Spread:
    """A distribution in a few numbers."""

    count: int
    mean: float
    median: float
    p10: float
    p90: float
    minimum: float
    maximum: float
    total: float


@dataclass(frozen=True)
class Month:
    month: str
    new: int
    won: int
    lost: int
    won_usd: float
    complete: bool


@dataclass(frozen=True)
class Summary:
    as_of: str
    deals: int
    outcomes: dict[str, int]
    stages: list[dict]
    crm_win_rate: float
    crm_win_rate_interval: tuple[float, float]
    cycles: dict[str, Cycle]
    deal_size_usd: dict[str, Spread]
    owners: dict
    sources: dict[str, int]
    months: list[Month]
    new_per_month: float
    quarter_end: dict

    def to_json(self) -> dict:
        return json_safe(asdict(self))


def json_safe(value: object) -> object:
    """NaN and inf as null: JSON has neither."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def wilson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (sound at 0 and 1 and for few trials)."""
    if trials == 0:
        return math.nan, math.nan
    z = norm.ppf(0.5 + confidence / 2)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials**2)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def cycle(deals: Deals, outcome: str) -> Cycle:
    """The cycle of deals closed with ``outcome`` (``closed``: either), open deals censored."""
    ended = (deals.won | deals.lost) if outcome == "closed" else deals.outcome == outcome
    used = ended | deals.open
    ages = deals.age_days()
    estimate = kaplan_meier(ages[used], ended[used])
    low, high = estimate.quantile_interval(0.5)
    closed_ages = ages[ended]
    return Cycle(
        outcome=outcome,
        closed=int(ended.sum()),
        censored=int(deals.open.sum()),
        median_closed_days=float(np.median(closed_ages)) if closed_ages.size else math.nan,
        km_median_days=estimate.median(),
        km_median_low=low,
        km_median_high=high,
        km_p25_days=estimate.quantile(0.25),
        km_p75_days=estimate.quantile(0.75),
    )


def spread(values: np.ndarray) -> Spread:
    values = values[np.isfinite(values)]
    if not values.size:
        return Spread(0, *([math.nan] * 6), 0.0)
    p10, median, p90 = np.percentile(values, [10, 50, 90])
    return Spread(
        int(values.size), float(values.mean()), float(median), float(p10), float(p90),
        float(values.min()), float(values.max()), float(values.sum()),
    )  # fmt: skip


def _stages(deals: Deals) -> list[dict]:
    rows: dict[tuple[str, str], int] = {}
    for stage, outcome in zip(deals.stage.tolist(), deals.outcome.tolist(), strict=True):
        rows[(stage, outcome)] = rows.get((stage, outcome), 0) + 1
    order = {OPEN: 0, WON: 1, LOST: 2}
    return [
        {"stage": stage, "outcome": outcome, "deals": count}
        for (stage, outcome), count in sorted(
            rows.items(), key=lambda item: (order[item[0][1]], -item[1])
        )
    ]


def _owners(deals: Deals) -> dict:
    known = np.array([o is not None for o in deals.owner.tolist()], bool)
    names = deals.owner[known].astype(str)
    owned = deals.take(known)
    listing = []
    for name in sorted(set(names.tolist())):
        mine = owned.take(names == name)
        won, lost = int(mine.won.sum()), int(mine.lost.sum())
        listing.append(
            {
                "owner": name,
                "deals": len(mine),
                "won": won,
                "lost": lost,
                "open": int(mine.open.sum()),
                "crm_win_rate": won / (won + lost) if won + lost else math.nan,
                "won_usd": float(np.nansum(mine.acv_usd[mine.won])),
            }
        )
    listing.sort(key=lambda row: -row["won_usd"])

    def of(key: str) -> dict:
        return asdict(spread(np.array([row[key] for row in listing], float)))

    return {
        "count": len(listing),
        "without_owner": int((~known).sum()),
        "deals": of("deals"),
        "crm_win_rate": of("crm_win_rate"),
        "won_usd": of("won_usd"),
        "listing": listing,
    }


def _first_complete(first: np.datetime64) -> np.datetime64:
    month = first.astype("datetime64[M]")
    return month if first == month.astype("datetime64[D]") else month + 1


def _months(deals: Deals) -> list[Month]:
    if not len(deals):
        return []
    created = deals.created.astype("datetime64[M]")
    closed = deals.closed.astype("datetime64[M]")
    first_day = deals.created.min()
    months = np.arange(created.min(), deals.as_of.astype("datetime64[M]") + 1)
    last_complete = deals.as_of.astype("datetime64[M]") - (0 if month_end(deals.as_of) else 1)
    complete_from = _first_complete(first_day)
    out = []
    for month in months:
        won = deals.won & (closed == month)
        out.append(
            Month(
                month=str(month),
                new=int((created == month).sum()),
                won=int(won.sum()),
                lost=int((deals.lost & (closed == month)).sum()),
                won_usd=float(np.nansum(deals.acv_usd[won])),
                complete=bool(complete_from <= month <= last_complete),
            )
        )
    return out


def _quarter_end(deals: Deals, months: list[Month]) -> dict:
    """Mean wins a month, and in quarter-end months against the others, over the complete
    months from the first month with a close."""
    closes = deals.closed[~np.isnat(deals.closed)]
    start = str(_first_complete(closes.min())) if closes.size else "9999"
    used = [m for m in months if m.month >= start and m.complete]
    ends = [m.won for m in used if int(m.month[5:7]) in QUARTER_END_MONTHS]
    others = [m.won for m in used if int(m.month[5:7]) not in QUARTER_END_MONTHS]
    q = float(np.mean(ends)) if ends else math.nan
    o = float(np.mean(others)) if others else math.nan
    return {
        "months": len(used),
        "first_month": used[0].month if used else None,
        "last_month": used[-1].month if used else None,
        "won_per_month": float(np.mean([m.won for m in used])) if used else math.nan,
        "quarter_end_won": q,
        "other_won": o,
        "ratio": q / o if o else math.nan,
    }


def summarize(deals: Deals) -> Summary:
    """The statistics of ``deals`` as of their ``as_of`` day."""
    won, lost = int(deals.won.sum()), int(deals.lost.sum())
    months = _months(deals)
    complete = [m for m in months if m.complete]
    sources: dict[str, int] = {}
    for source in deals.source.tolist():
        if source is not None:
            sources[source] = sources.get(source, 0) + 1
    return Summary(
        as_of=iso(deals.as_of) or "",
        deals=len(deals),
        outcomes={WON: won, LOST: lost, OPEN: int(deals.open.sum())},
        stages=_stages(deals),
        crm_win_rate=won / (won + lost) if won + lost else math.nan,
        crm_win_rate_interval=wilson(won, won + lost),
        cycles={o: cycle(deals, o) for o in (WON, LOST, "closed")},
        deal_size_usd={
            WON: spread(deals.acv_usd[deals.won]),
            OPEN: spread(deals.acv_usd[deals.open]),
        },
        owners=_owners(deals),
        sources=dict(sorted(sources.items(), key=lambda item: -item[1])),
        months=months,
        new_per_month=float(np.mean([m.new for m in complete])) if complete else math.nan,
        quarter_end=_quarter_end(deals, months),
    )
