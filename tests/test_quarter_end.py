"""The quarter-end push (issue 13): quota periods end on calendar quarter ends, and hunters pull
a deal whose decision would fall just after one into the quarter, with a discount. CRM exports
show the result (crm-maven: 1.44 times the wins a month in Mar, Jun, Sep and Dec); here it must
come out of the mechanism, grow with its parameter, and leave its marks: a dip in the month
after each quarter end, and less ACV on the deals pulled in.

How it is measured: the bundled baseline (36 months from 1 January 2024). Wins per calendar
month come from the deals table, close days cut to dates from day 0 as ``salesim import``
counts them; only complete calendar months after the first six (the empty pipeline fills up
over those, and growth inside each quarter would favour its last month). Each replication gives
one ratio, mean wins in Mar/Jun/Sep/Dec over mean wins in the other months; intervals are 95%
t-intervals over the replications (fixed seed). Between settings of one team the replications
are paired (same seed and replication: common random numbers), and the interval is that of the
per-replication difference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from scipy.stats import t

from simulator.crm.simulated import from_simulated
from simulator.crm.summary import summarize
from simulator.metrics.deals import deals_table
from simulator.model.events import Kind, Outcome
from simulator.model.processes.quota_period import period_end_days
from simulator.parameters import Parameters
from simulator.runs.experiment import replication_log
from simulator.units import DAYS_PER_MONTH
from tests.conftest import bundled

SEED = 13
REPLICATIONS = 40
DISCOUNT_REPLICATIONS = 20
LARGE_TEAM_REPLICATIONS = 20  # a large team's replication takes twice as long, and varies less
WARM_UP_MONTHS = 6
QUARTER_END_MONTHS = (3, 6, 9, 12)  # written out here, not taken from the mechanism's calendar
AFTER_MONTHS = (1, 4, 7, 10)
MIDDLE_MONTHS = (2, 5, 8, 11)
SMALL_TEAM = ("team.hunters=3",)
LARGE_TEAM = ("team.hunters=12", "team.sales_engineers=6", "market.accounts=4000")


def month_of(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def first_of(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def wins_by_month(table: pa.Table, day0: dt.date, horizon_days: float) -> dict[int, int]:
    """Won deals by calendar month (months since year 0), for the complete months the
    horizon covers."""
    won = table.filter(pc.equal(table.column("outcome"), "won"))
    closed = won.column("closed_day").to_numpy()
    dates = np.datetime64(day0, "D") + np.floor(closed).astype(np.int64)
    months = dates.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    first = month_of(day0) + (0 if day0.day == 1 else 1)
    counts = {}
    month = first
    while (first_of(month + 1) - day0).days <= horizon_days:
        counts[month] = int((months == month).sum())
        month += 1
    return counts


def mean_ratio(
    counts: dict[int, int], top: tuple[int, ...], bottom: tuple[int, ...] | None = None
) -> float:
    """Mean wins a month in the calendar months ``top`` (1-12) over those in ``bottom`` (by
    default, every month not in ``top``)."""
    numerator = [n for m, n in counts.items() if m % 12 + 1 in top]
    denominator = [
        n
        for m, n in counts.items()
        if (m % 12 + 1 not in top if bottom is None else m % 12 + 1 in bottom)
    ]
    return float(np.mean(numerator) / np.mean(denominator))


@dataclass(frozen=True)
class Replication:
    quarter_end_ratio: float  # wins a month in quarter-end months / in the others
    after_ratio: float  # wins a month in the months after a quarter end / in the middle months
    pulled: int  # deals pulled in
    booked_share: np.ndarray  # booked / at stake, per won deal pulled in (beta partners aside)
    pulled_win_rate: float  # of the deals pulled in that came to the buyer's choice


@cache
def replications(
    probability: float, overrides: tuple[str, ...] = (), n: int = REPLICATIONS
) -> list[Replication]:
    scenario = bundled(
        "baseline", *overrides, f"team.quarter_end.pull_in_probability={probability}"
    )
    parameters = scenario.variants[0].parameters
    day0 = parameters.start.day0
    horizon_days = scenario.horizon_months * DAYS_PER_MONTH
    out = []
    for replication in range(n):
        log = replication_log(parameters, scenario.horizon_months, SEED, replication)
        counts = wins_by_month(deals_table(log, "v", replication), day0, horizon_days)
        warm = month_of(day0) + WARM_UP_MONTHS
        counts = {month: wins for month, wins in counts.items() if month >= warm}
        out.append(
            Replication(
                mean_ratio(counts, QUARTER_END_MONTHS),
                mean_ratio(counts, AFTER_MONTHS, MIDDLE_MONTHS),
                int((log["kind"] == Kind.PULLED_IN).sum()),
                booked_shares(log),
                pulled_win_rate(log),
            )
        )
    return out


def booked_shares(log: np.ndarray) -> np.ndarray:
    """ACV booked over ACV at stake at qualification, for each won deal pulled in (beta
    partners, who pay part at signature, left out)."""
    kind = log["kind"]
    pulled = log[kind == Kind.PULLED_IN]["subject"]
    beta = log[kind == Kind.BETA_OFFERED]["subject"]
    won = log[(kind == Kind.CLOSED) & (log["code"] == Outcome.WON)]
    won = won[np.isin(won["subject"], pulled) & ~np.isin(won["subject"], beta)]
    qualified = log[kind == Kind.QUALIFIED]
    at_stake = dict(zip(qualified["subject"].tolist(), qualified["value"].tolist(), strict=True))
    return won["value"] / np.array([at_stake[s] for s in won["subject"].tolist()])


def pulled_win_rate(log: np.ndarray) -> float:
    """Won among the deals pulled in that came to the buyer's choice."""
    kind = log["kind"]
    pulled = log[kind == Kind.PULLED_IN]["subject"]
    chosen = (Outcome.WON, Outcome.LOST_COMPETITOR, Outcome.LOST_HOUSEHOLD_BRAND)
    closed = log[(kind == Kind.CLOSED) & np.isin(log["subject"], pulled)]
    closed = closed[np.isin(closed["code"], chosen)]
    return float((closed["code"] == Outcome.WON).mean()) if closed.size else float("nan")


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and its 95% t-interval."""
    values = np.asarray(values, float)
    half = t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return float(values.mean()), float(values.mean() - half), float(values.mean() + half)


def ratios(runs: list[Replication], field: str = "quarter_end_ratio") -> np.ndarray:
    return np.array([getattr(r, field) for r in runs])


def test_period_ends_are_calendar_period_ends() -> None:
    """Sim day of a date is (date - day0).days; 2024 is a leap year."""
    jan1 = dt.date(2024, 1, 1)
    assert period_end_days(jan1, 3, 366) == [91, 182, 274, 366]
    assert period_end_days(jan1, 12, 800) == [366, 731]
    assert period_end_days(jan1, 1, 61) == [31, 60]
    assert period_end_days(dt.date(2024, 2, 15), 3, 140) == [46, 137]  # 1 Apr, 1 Jul
    assert period_end_days(dt.date(2024, 4, 1), 3, 100) == [91]  # day 0 begins a quarter


def test_off_by_default() -> None:
    assert Parameters().team.quarter_end.pull_in_probability == 0.0
    assert all(r.pulled == 0 for r in replications(0.0))


def test_quarter_ends_close_more_with_the_push_and_not_without() -> None:
    off_mean, off_low, off_high = interval(ratios(replications(0.0)))
    on_mean, on_low, on_high = interval(ratios(replications(0.3)))
    print(f"off {off_mean:.3f} [{off_low:.3f}, {off_high:.3f}]")
    print(f"0.3 {on_mean:.3f} [{on_low:.3f}, {on_high:.3f}]")
    assert off_low <= 1.0 <= off_high
    assert on_low > 1.0


def test_the_pattern_grows_with_the_pull_in_probability() -> None:
    """Paired: each replication's ratio at 0.3 over 0.0, and at 0.7 over 0.3."""
    by = {p: ratios(replications(p)) for p in (0.0, 0.3, 0.7)}
    for low, high in ((0.0, 0.3), (0.3, 0.7)):
        mean, lower, upper = interval(by[high] - by[low])
        print(
            f"{high} - {low}: {mean:.3f} [{lower:.3f}, {upper:.3f}]; {high}: {by[high].mean():.3f}"
        )
        assert lower > 0.0


@pytest.mark.parametrize(
    ("team", "n"),
    [(SMALL_TEAM, REPLICATIONS), (LARGE_TEAM, LARGE_TEAM_REPLICATIONS)],
    ids=["3 hunters", "12 hunters, 4000 accounts"],
)
def test_it_holds_for_a_small_and_a_large_team(team: tuple[str, ...], n: int) -> None:
    off = ratios(replications(0.0, team, n))
    on = ratios(replications(0.5, team, n))
    off_mean, off_low, off_high = interval(off)
    on_mean, on_low, on_high = interval(on)
    gain, gain_low, _ = interval(on - off)
    print(f"off {off_mean:.3f} [{off_low:.3f}, {off_high:.3f}]")
    print(f"0.5 {on_mean:.3f} [{on_low:.3f}, {on_high:.3f}]; gain {gain:.3f} >= {gain_low:.3f}")
    assert off_low <= 1.0 <= off_high
    assert on_low > 1.0 and gain_low > 0.0


def test_the_month_after_a_quarter_end_dips() -> None:
    """Decisions pulled forward leave a gap: Jan/Apr/Jul/Oct win less than Feb/May/Aug/Nov."""
    off = ratios(replications(0.0), "after_ratio")
    on = ratios(replications(0.7), "after_ratio")
    mean, low, high = interval(on)
    dip, _, dip_high = interval(on - off)
    print(f"after / middle at 0.7: {mean:.3f} [{low:.3f}, {high:.3f}]; vs off {dip:.3f}")
    assert high < 1.0 and dip_high < 0.0


def test_pulled_in_deals_book_the_discount_less() -> None:
    """Every won deal pulled in books its ACV at stake less the discount (10%), whatever else
    happened to it; the deals a hunter left or that wait on a release are never pulled in."""
    shares = np.concatenate([r.booked_share for r in replications(0.7)])
    assert shares.size > 500
    np.testing.assert_allclose(shares, 0.9, rtol=1e-12)


def test_the_discount_wins_deals_through_the_price() -> None:
    """The buyer weighs the lower price: with a 30% discount more of the deals pulled in are
    won than with none (paired, the same deals pulled in)."""
    pull = ("team.quarter_end.discount_share=0.3",)
    none = ("team.quarter_end.discount_share=0",)
    n = DISCOUNT_REPLICATIONS
    with_discount = ratios(replications(0.7, pull, n), "pulled_win_rate")
    without = ratios(replications(0.7, none, n), "pulled_win_rate")
    gain, low, high = interval(with_discount - without)
    print(f"pulled-in win rate {without.mean():.3f} -> {with_discount.mean():.3f}")
    print(f"gain {gain:.3f} [{low:.3f}, {high:.3f}]")
    assert low > 0.0


def test_pulled_in_deals_close_on_a_quarters_last_day() -> None:
    """A pulled-in deal that comes to the buyer's choice closes on 31 Mar, 30 Jun, 30 Sep or
    31 Dec; none of them waited for a release or had lost its hunter."""
    scenario = bundled("baseline", "team.quarter_end.pull_in_probability=0.7")
    parameters = scenario.variants[0].parameters
    log = replication_log(parameters, scenario.horizon_months, SEED, 0)
    kind = log["kind"]
    pulled = log[kind == Kind.PULLED_IN]["subject"]
    assert not np.isin(pulled, log[kind == Kind.WAITING_STARTED]["subject"]).any()
    orphaned = log[kind == Kind.ORPHANED]
    pulled_on = dict(zip(pulled.tolist(), log[kind == Kind.PULLED_IN]["day"].tolist(), strict=True))
    assert all(
        pulled_on.get(s, -np.inf) <= d
        for s, d in zip(orphaned["subject"].tolist(), orphaned["day"].tolist(), strict=True)
    )
    chosen = (Outcome.WON, Outcome.LOST_COMPETITOR, Outcome.LOST_HOUSEHOLD_BRAND)
    closed = log[
        (kind == Kind.CLOSED) & np.isin(log["code"], chosen) & np.isin(log["subject"], pulled)
    ]
    assert closed.size > 20
    day0 = parameters.start.day0
    for day in closed["day"].tolist():
        next_day = day0 + dt.timedelta(days=int(day) + 1)
        assert next_day.day == 1 and next_day.month in (1, 4, 7, 10), (day, next_day)


def test_the_import_summary_counts_quarter_ends_as_this_test_does() -> None:
    """``salesim import`` on a simulated deals table gives the same quarter-end ratio as the
    count here, over the months it uses."""
    scenario = bundled("baseline", "team.quarter_end.pull_in_probability=0.5")
    parameters = scenario.variants[0].parameters
    day0 = parameters.start.day0
    horizon_days = scenario.horizon_months * DAYS_PER_MONTH
    table = deals_table(replication_log(parameters, scenario.horizon_months, SEED, 0), "v", 0)
    counts = wins_by_month(table, day0, horizon_days)
    last = max(counts)
    as_of = first_of(last + 1) - dt.timedelta(days=1)
    quarter_end = summarize(from_simulated(table, day0, as_of=as_of)[0]).quarter_end
    first = month_of(dt.date.fromisoformat(quarter_end["first_month"] + "-01"))
    assert quarter_end["last_month"] == f"{last // 12}-{last % 12 + 1:02d}"
    used = {m: n for m, n in counts.items() if m >= first}
    assert quarter_end["ratio"] == pytest.approx(mean_ratio(used, QUARTER_END_MONTHS), rel=1e-12)
