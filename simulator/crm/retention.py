"""Retention of a subscription business, as the statistics a calibration fits: pure functions of
a ``Customers`` table, so that an imported export and simulated customers are measured alike.

Each change of an account's ARR is exactly one of: new (an increase on its first paid day),
expansion (an increase later, a return after a lapse included), churned (the decrease on its
churn date) or contraction (any other decrease, a lapse to 0 without a churn included). So a
month's ARR bridge adds up: start + new + expansion - contraction - churned = end.

Rates over a window of days [first, last] (both included, cut at ``as_of``), each a year:
- logo churn: churns in the window / customer-years at risk in it (a hazard). An account is at
  risk from its first paid day until its churn date (or the end of ``as_of``), lapses included;
  one churned on an unknown date is left out of both.
- expansion, contraction, churned ARR: their USD in the window / ARR-years in it (the total
  ARR summed over the window's days, over 365.25).
- reason shares: the churns in the window by reason (``reason_share_<code>``; ``not_given``
  for a churn with no event); the codes are those of all churns in the table, so the keys do
  not change with the window.
A rate with no exposure (no customer-day, no ARR-day, no churn) is NaN.

The summary adds GRR and NRR over the trailing 12 months (cohort: accounts with ARR > 0 on
``as_of`` - 12 months; GRR = Σ min(ARR now, ARR then) / Σ ARR then, NRR = Σ ARR now / Σ ARR
then), time to churn from the first paid day by Kaplan–Meier (accounts not churned censored at
``as_of``), churn reasons, and the bridge by month (complete months as ``summary`` counts them:
the first when the ARR starts on its first day, the last when ``as_of`` is its last day).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from simulator.crm.dates import iso, month_end
from simulator.crm.subscriptions import CENTS, Customers
from simulator.crm.summary import json_safe
from simulator.crm.survival import kaplan_meier

DAYS_PER_YEAR = 365.25
TRAILING_MONTHS = 12
"""The window of GRR, NRR and the trailing rates."""
NO_REASON = "not_given"
"""The reason of a churn with no churn event (flagged, or all subscriptions ended)."""
KINDS = ("new", "expansion", "contraction", "churned")
"""What each change of ARR is, in the bridge's order."""


def months_before(day: np.datetime64, months: int) -> np.datetime64:
    """The same day of the month ``months`` earlier (the month's last day where it is shorter:
    12 months before 2024-02-29 is 2023-02-28)."""
    day = np.datetime64(day, "D")
    month = day.astype("datetime64[M]")
    target = month - months
    offset = (day - month.astype("datetime64[D]")).astype(np.int64)
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]") + int(min(offset, length - 1))


def change_kinds(customers: Customers) -> dict[str, np.ndarray]:
    """Each change of ARR's kind, as one mask per kind of ``KINDS`` (exactly one is true)."""
    value, day = customers.change_arr_usd, customers.change_day
    first = customers.first_paid[customers.change_account]
    churn = customers.churned_on[customers.change_account]
    up = value > 0
    new = up & (day == first)
    churned = ~up & (day == churn)
    return {"new": new, "expansion": up & ~new, "contraction": ~up & ~churned, "churned": churned}


def reason_codes(customers: Customers) -> list[str]:
    """The reasons of every churn in the table, ``NO_REASON`` for one without, sorted."""
    paid = ~np.isnat(customers.first_paid)
    reasons = customers.churn_reason[paid & (customers.churned | customers.churn_date_unknown)]
    return sorted({NO_REASON if r is None else str(r) for r in reasons.tolist()})


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole > 0 else math.nan


def statistics(
    customers: Customers, first: np.datetime64 | str, last: np.datetime64 | str
) -> dict[str, float]:
    """The rates of the window [first, last] (the module's definitions), with their counts and
    exposures: ``churns``, ``customer_years``, ``arr_years``, ``years`` and the USD of each
    kind of change, in the window and a year."""
    start = np.datetime64(first, "D")
    end = min(np.datetime64(last, "D"), customers.as_of) + 1
    years = max(int((end - start).astype(np.int64)), 0) / DAYS_PER_YEAR
    at_risk = ~np.isnat(customers.first_paid) & ~customers.churn_date_unknown
    churned = customers.churned_on[at_risk]
    risk_end = np.where(np.isnat(churned), customers.as_of + 1, churned)
    overlap = np.minimum(risk_end, end) - np.maximum(customers.first_paid[at_risk], start)
    customer_years = float(np.clip(overlap.astype(np.int64), 0, None).sum()) / DAYS_PER_YEAR
    in_window = (churned >= start) & (churned < end)
    churns = int(in_window.sum())
    day, value = customers.change_day, customers.change_arr_usd
    lasting = np.clip((end - np.maximum(day, start)).astype(np.int64), 0, None)
    arr_years = float((value * lasting).sum()) / DAYS_PER_YEAR
    inside = (day >= start) & (day < end)
    usd = {k: abs(float(value[inside & mask].sum())) for k, mask in change_kinds(customers).items()}
    out = {
        "logo_churn_per_year": _ratio(churns, customer_years),
        "expansion_per_year": _ratio(usd["expansion"], arr_years),
        "contraction_per_year": _ratio(usd["contraction"], arr_years),
        "churned_arr_per_year": _ratio(usd["churned"], arr_years),
        "churns": float(churns),
        "customer_years": customer_years,
        "arr_years": arr_years,
        "years": years,
    }
    for kind, amount in usd.items():
        out[f"{kind}_arr_usd"] = amount
        out[f"{kind}_arr_usd_per_year"] = _ratio(amount, years)
    reasons = customers.churn_reason[at_risk][in_window]
    given = np.array([NO_REASON if r is None else str(r) for r in reasons.tolist()], object)
    for code in reason_codes(customers):
        out[f"reason_share_{code}"] = _ratio(float((given == code).sum()), churns)
    return out


@dataclass(frozen=True)
class Cohort:
    """The accounts with ARR > 0 on ``day`` (``as_of`` - 12 months), and their ARR now."""

    day: str
    covers_window: bool
    accounts: int
    arr_then_usd: float
    arr_now_usd: float
    retained_usd: float
    grr: float
    nrr: float
    churned: int
    churned_share: float


@dataclass(frozen=True)
class TimeToChurn:
    """Days from the first paid day to the churn date, accounts not churned censored at
    ``as_of`` (Kaplan–Meier), and the curve (S after each churn time, with its 95% band)."""

    accounts: int
    churned: int
    censored: int
    unknown_date: int
    km_median_days: float
    km_median_low: float
    km_median_high: float
    km_p25_days: float
    km_p75_days: float
    times_days: list[float]
    survival: list[float]
    survival_low: list[float]
    survival_high: list[float]


@dataclass(frozen=True)
class BridgeMonth:
    """One month's ARR: at its start, each kind of change in it, at its end (or ``as_of``)."""

    month: str
    start_arr_usd: float
    new_usd: float
    expansion_usd: float
    contraction_usd: float
    churned_usd: float
    end_arr_usd: float
    complete: bool


@dataclass(frozen=True)
class RetentionSummary:
    as_of: str
    first_day: str | None
    accounts: int
    customers: int
    arr_usd: float
    never_paid: int
    churned_never_paid: int
    lapsed: int
    churned: int
    churn_date_unknown: int
    cohort: Cohort
    windows: dict[str, tuple[str, str]]
    rates: dict[str, dict[str, float]]
    time_to_churn: TimeToChurn
    reasons: list[dict]
    months: list[BridgeMonth]

    def to_json(self) -> dict:
        return json_safe(asdict(self))  # type: ignore[return-value]


def cohort(customers: Customers, day: np.datetime64, first_day: np.datetime64 | None) -> Cohort:
    """GRR, NRR and logo churn from ``day`` to ``as_of`` of the accounts with ARR > 0 on
    ``day``; ``covers_window``: the ARR starts on or before ``day``."""
    then, now = customers.arr_on(day), customers.arr_on(customers.as_of)
    members = then > 0
    base = float(then[members].sum())
    churn = customers.churned_on[members]
    churned = int(((churn > day) & (churn <= customers.as_of)).sum())
    return Cohort(
        day=str(day),
        covers_window=bool(first_day is not None and first_day <= day),
        accounts=int(members.sum()),
        arr_then_usd=base,
        arr_now_usd=float(now[members].sum()),
        retained_usd=float(np.minimum(now, then)[members].sum()),
        grr=_ratio(float(np.minimum(now, then)[members].sum()), base),
        nrr=_ratio(float(now[members].sum()), base),
        churned=churned,
        churned_share=_ratio(churned, int(members.sum())),
    )


def time_to_churn(customers: Customers) -> TimeToChurn:
    """Kaplan–Meier time to churn from the first paid day (see ``TimeToChurn``)."""
    paid = ~np.isnat(customers.first_paid)
    used = paid & ~customers.churn_date_unknown
    churned = customers.churned[used]
    end = np.where(churned, customers.churned_on[used], customers.as_of)
    durations = (end - customers.first_paid[used]).astype(np.int64).astype(float)
    estimate = kaplan_meier(durations, churned)
    low, high = estimate.quantile_interval(0.5)
    band_low, band_high = estimate.band()
    return TimeToChurn(
        accounts=int(used.sum()),
        churned=int(churned.sum()),
        censored=int((~churned).sum()),
        unknown_date=int((paid & customers.churn_date_unknown).sum()),
        km_median_days=estimate.median(),
        km_median_low=low,
        km_median_high=high,
        km_p25_days=estimate.quantile(0.25),
        km_p75_days=estimate.quantile(0.75),
        times_days=estimate.times.tolist(),
        survival=estimate.survival.tolist(),
        survival_low=band_low.tolist(),
        survival_high=band_high.tolist(),
    )


def reasons(customers: Customers) -> list[dict]:
    """Churned accounts that paid (a date known or not) by reason: count and share, most
    first."""
    paid = ~np.isnat(customers.first_paid)
    gone = paid & (customers.churned | customers.churn_date_unknown)
    given = [NO_REASON if r is None else str(r) for r in customers.churn_reason[gone].tolist()]
    total = len(given)
    counts = {code: given.count(code) for code in set(given)}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"reason": code, "accounts": n, "share": n / total} for code, n in ranked]


def bridge(customers: Customers, first_day: np.datetime64) -> list[BridgeMonth]:
    """The ARR bridge by month from ``first_day``'s month to ``as_of``'s."""
    first = first_day.astype("datetime64[M]")
    months = np.arange(first, customers.as_of.astype("datetime64[M]") + 1)
    index = (customers.change_day.astype("datetime64[M]") - first).astype(np.int64)
    value = customers.change_arr_usd
    sums = {
        kind: np.abs(np.bincount(index[mask], weights=value[mask], minlength=len(months)))
        for kind, mask in change_kinds(customers).items()
    }
    total = np.bincount(index, weights=value, minlength=len(months))
    end = np.round(np.cumsum(total), CENTS)
    start = np.round(end - total, CENTS)
    first_complete = first if first_day == first.astype("datetime64[D]") else first + 1
    last_complete = months[-1] - (0 if month_end(customers.as_of) else 1)
    return [
        BridgeMonth(
            month=str(month),
            start_arr_usd=float(start[i]),
            new_usd=float(sums["new"][i]),
            expansion_usd=float(sums["expansion"][i]),
            contraction_usd=float(sums["contraction"][i]),
            churned_usd=float(sums["churned"][i]),
            end_arr_usd=float(end[i]),
            complete=bool(first_complete <= month <= last_complete),
        )
        for i, month in enumerate(months)
    ]


def summarize(customers: Customers) -> RetentionSummary:
    """The retention of ``customers`` as of their ``as_of`` day."""
    as_of = customers.as_of
    first_day = customers.change_day.min() if customers.change_day.size else None
    cohort_day = months_before(as_of, TRAILING_MONTHS)
    arr = customers.arr_on(as_of)
    paid = ~np.isnat(customers.first_paid)
    gone = customers.churned | customers.churn_date_unknown
    windows = {"trailing_12_months": (cohort_day + 1, as_of)}
    if first_day is not None:
        windows = {"history": (first_day, as_of), **windows}
    return RetentionSummary(
        as_of=iso(as_of) or "",
        first_day=iso(first_day) if first_day is not None else None,
        accounts=len(customers),
        customers=int((arr > 0).sum()),
        arr_usd=float(arr.sum()),
        never_paid=int((~paid & ~gone).sum()),
        churned_never_paid=int((~paid & gone).sum()),
        lapsed=int((paid & (arr <= 0) & ~gone).sum()),
        churned=int((paid & customers.churned).sum()),
        churn_date_unknown=int((paid & customers.churn_date_unknown).sum()),
        cohort=cohort(customers, cohort_day, first_day),
        windows={name: (str(a), str(b)) for name, (a, b) in windows.items()},
        rates={name: statistics(customers, a, b) for name, (a, b) in windows.items()},
        time_to_churn=time_to_churn(customers),
        reasons=reasons(customers),
        months=bridge(customers, first_day) if first_day is not None else [],
    )
