"""What the export shows happened: won ACV by calendar month of close, which months the export
covers in full, and the naive forecast a backtest is measured against.

Months are numpy ``datetime64[M]``. A month is complete when the export's latest date (its
``as_of`` read in full) is on or after the month's last day: a month the export stops inside
would look like a bad month, so it is not compared. Won deals without an amount count as deals
but add nothing to the ACV (they are counted in ``missing_amounts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.crm.table import Deals

NAIVE_MONTHS = 3
"""Calendar months up to the as-of date whose mean monthly won ACV is the naive forecast."""


def month_of(day: np.datetime64) -> np.datetime64:
    return np.datetime64(day, "D").astype("datetime64[M]")


def last_day(month: np.datetime64) -> np.datetime64:
    return (month + 1).astype("datetime64[D]") - 1


def is_month_end(day: np.datetime64) -> bool:
    return bool(np.datetime64(day, "D") == last_day(month_of(day)))


def months_after(day: np.datetime64, count: int) -> list[np.datetime64]:
    """The ``count`` calendar months after the month of ``day``."""
    first = month_of(day) + 1
    return [first + i for i in range(count)]


def months_up_to(day: np.datetime64, count: int) -> list[np.datetime64]:
    """The ``count`` calendar months ending with the month of ``day``, oldest first."""
    last = month_of(day)
    return [last - (count - 1 - i) for i in range(count)]


def first_date(deals: Deals) -> np.datetime64:
    """The export's earliest date (a deal's creation)."""
    return np.datetime64(deals.created.min(), "D")


@dataclass(frozen=True)
class MonthWon:
    """Won deals that closed in one calendar month, their ACV (USD), and the part of it from
    deals already open on the as-of date (created by then)."""

    month: np.datetime64
    won_deals: int
    acv_usd: float
    missing_amounts: int
    open_pipeline_usd: float = 0.0

    @property
    def new_pipeline_usd(self) -> float:
        return self.acv_usd - self.open_pipeline_usd

    @property
    def name(self) -> str:
        return str(self.month)


def won_in(deals: Deals, month: np.datetime64, as_of: np.datetime64 | None = None) -> MonthWon:
    """The deals won with a close date in ``month``, whenever they were created; with
    ``as_of``, the part from deals created by then."""
    closed = deals.closed
    inside = deals.won & ~np.isnat(closed)
    inside &= (closed >= month.astype("datetime64[D]")) & (closed <= last_day(month))
    amounts = np.nan_to_num(deals.acv_usd)
    missing = int(np.isnan(deals.acv_usd[inside]).sum())
    early = inside & (deals.created <= (deals.as_of if as_of is None else as_of))
    return MonthWon(
        month, int(inside.sum()), float(amounts[inside].sum()), missing, float(amounts[early].sum())
    )


def complete(deals: Deals, month: np.datetime64) -> bool:
    """Whether the export (read in full) covers all of ``month``."""
    return bool(deals.as_of >= last_day(month))


@dataclass(frozen=True)
class Naive:
    """The naive forecast: each month as the mean won ACV of the months up to the as-of date."""

    months: tuple[MonthWon, ...]

    @property
    def monthly_usd(self) -> float:
        return float(np.mean([m.acv_usd for m in self.months]))

    def to_json(self) -> dict:
        return {
            "rule": f"mean monthly won ACV of the {len(self.months)} calendar months up to "
            "the as-of date",
            "months": [{"month": m.name, "won_usd": m.acv_usd} for m in self.months],
            "monthly_usd": self.monthly_usd,
        }


def naive(deals: Deals, as_of: np.datetime64, count: int = NAIVE_MONTHS) -> Naive:
    """The trailing mean from ``deals`` (read as of ``as_of``, a month's last day)."""
    return Naive(tuple(won_in(deals, m) for m in months_up_to(as_of, count)))


def as_of_problem(
    deals: Deals, name: str, as_of: np.datetime64, count: int = NAIVE_MONTHS
) -> str | None:
    """Why ``as_of`` cannot be backtested on ``deals`` (the export ``name`` read to its end), or
    None: it must be a month's last day inside the export, late enough for the naive forecast's
    months and early enough that the month after it is complete."""
    as_of = np.datetime64(as_of, "D")
    first, end = first_date(deals), deals.as_of
    span = f"{name} holds deals from {first} to {end}"
    if not is_month_end(as_of):
        month = month_of(as_of)
        return (
            f"--as-of {as_of}: a backtest compares calendar months; give the last day of a "
            f"month, e.g. {last_day(month - 1)} or {last_day(month)}"
        )
    if as_of < first:
        return f"--as-of {as_of}: before the export's first date; {span}"
    if as_of >= end:
        return f"--as-of {as_of}: nothing after it to compare with; {span}"
    trailing = months_up_to(as_of, count)[0].astype("datetime64[D]")
    if trailing < first:
        whole = first == month_of(first).astype("datetime64[D]")
        earliest = last_day(month_of(first) + count - int(whole))
        return (
            f"--as-of {as_of}: the naive forecast is the mean of the {count} calendar months up "
            f"to it, from {trailing}, but {span}; give {earliest} or later"
        )
    if not complete(deals, months_after(as_of, 1)[0]):
        return (
            f"--as-of {as_of}: {span}, so no month after it is complete to compare with; give "
            f"{last_day(month_of(end) - 2)} or earlier"
        )
    return None
