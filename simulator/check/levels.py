"""Published levels (MODEL.md section 5): where the baseline should land, one declaration each.

A level names its target range, the unit its values are in, the published source, and how its
value is computed from a replication's *row*: the summary metrics (``metrics.measure``) plus
a few measures taken from the baseline's event log here (``log_measures``), where the summary
has no column for them. Most levels are a value per replication, averaged with a Student-t
interval; the lead-response ratios are ratios of counts pooled over the replications, with a
bootstrap interval over replications (a replication rarely has enough late-answered leads for
a ratio of its own), widened to exact bounds where few leads qualified.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from simulator.model.events import Discovery, Kind, Meeting, Outcome, Source
from simulator.model.outcomes import BUYING_EFFORTS, DECIDED_COLUMNS
from simulator.parameters import Parameters
from simulator.units import DAYS_PER_MONTH

Row = Mapping[str, float]
INF = math.inf
BOOTSTRAP_RESAMPLES = 2000

FORECAST_COLUMNS = DECIDED_COLUMNS
"""The outcomes of forecast deals, those decided after a proposal, as CSO Insights counts them."""
RESPONSE_BUCKETS = {"first_hour": (0.0, 1.0), "second_hour": (1.0, 2.0), "after_day": (24.0, INF)}
"""Hours from a lead's arrival to its first call, as the HBR study bucketed them."""


@dataclass(frozen=True)
class Context:
    """What a level may need besides the rows: the baseline's parameters and horizon."""

    parameters: Parameters
    horizon_months: int


def log_measures(log: np.ndarray, parameters: Parameters, horizon_days: float) -> dict[str, float]:
    """Measures of one baseline replication that the summary row lacks, from its event log."""
    kind = log["kind"]
    measures: dict[str, float] = {}
    opened = log[kind == Kind.OPENED]
    qualified = set(log["subject"][kind == Kind.QUALIFIED].tolist())
    # value: hours waited for the call (outbound and today's open deals waited for none)
    answered = opened[np.isin(opened["code"], (Source.INBOUND, Source.DIRECT))]
    passed = np.isin(answered["subject"], list(qualified))
    for bucket, (low, high) in RESPONSE_BUCKETS.items():
        inside = (answered["value"] >= low) & (answered["value"] < high)
        measures[f"answered_{bucket}"] = int(np.count_nonzero(inside))
        measures[f"qualified_{bucket}"] = int(np.count_nonzero(inside & passed))

    closed = log[kind == Kind.CLOSED]
    found = log[kind == Kind.QUALIFIED]
    needy = found["subject"][((found["code"] & Discovery.REPLACES_WORKING_PROCESS) != 0)
                             & ((found["code"] & Discovery.SPONSOR) == 0)]  # fmt: skip
    won_ids = closed["subject"][closed["code"] == Outcome.WON]
    measures["sponsorless_replacing_won"] = int(np.count_nonzero(np.isin(won_ids, needy)))
    committees = log[kind == Kind.COMMITTEE]
    size = dict(zip(committees["subject"].tolist(), committees["value"].tolist(), strict=True))
    decided = closed[np.isin(closed["code"], BUYING_EFFORTS)]
    sizes = np.array([size.get(s, math.nan) for s in decided["subject"].tolist()], dtype=float)
    bought = np.isin(
        decided["code"], (Outcome.WON, Outcome.LOST_COMPETITOR, Outcome.LOST_HOUSEHOLD_BRAND)
    )
    for bucket, (low, high) in COMMITTEE_BUCKETS.items():
        inside = (sizes >= low) & (sizes < high)
        measures[f"decided_{bucket}"] = int(np.count_nonzero(inside))
        measures[f"purchased_{bucket}"] = int(np.count_nonzero(inside & bought))
    opened_day = dict(zip(opened["subject"].tolist(), opened["day"].tolist(), strict=True))
    # Lost as a CRM records it: every opportunity that had its first meeting and closed not won.
    met = set(log["subject"][(kind == Kind.MEETING) & (log["code"] == Meeting.FIRST)].tolist())
    lost = closed[(closed["code"] != Outcome.WON) & np.isin(closed["subject"], list(met))]
    cycles = [d - opened_day[s] for s, d in zip(lost["subject"].tolist(), lost["day"].tolist(),
                                                 strict=True) if s in opened_day]  # fmt: skip
    measures["cycle_days_lost_median"] = float(np.median(cycles)) if cycles else math.nan

    months = max(1, round(horizon_days / DAYS_PER_MONTH))
    month = np.minimum((log["day"] // DAYS_PER_MONTH).astype(np.int64), months - 1)

    def per_month(mask: np.ndarray) -> np.ndarray:
        return np.bincount(month[mask], minlength=months)

    accounts = parameters.market.accounts
    aware_start = float(log["value"][kind == Kind.AWARE_AT_START].sum())
    aware = aware_start + np.cumsum(per_month(kind == Kind.BECAME_AWARE) - per_month(
        kind == Kind.FORGOT))  # fmt: skip
    signed = (kind == Kind.CLOSED) & (log["code"] == Outcome.WON) | (kind == Kind.CUSTOMER_AT_START)
    customers = np.cumsum(per_month(signed) - per_month(kind == Kind.CHURNED))
    prospects = float(np.mean(np.maximum(aware - customers, 0)))
    inbound = int(np.count_nonzero((kind == Kind.LEAD) & (log["code"] == Source.INBOUND)))
    quarters = horizon_days / (3 * DAYS_PER_MONTH)
    measures["aware_share_start"] = aware_start / accounts if accounts else math.nan
    measures["inbound_per_aware_quarter"] = (
        inbound / prospects / quarters if prospects and quarters else math.nan
    )
    return measures


@dataclass(frozen=True)
class Level:
    """A published level: ``value`` maps a replication's row to a number (NaN when undefined),
    or ``pooled`` maps all rows to (value, low, high, a note); ``applies`` gives the reason it
    does not apply to a scenario, or None; the target may depend on the context (``range``)."""

    key: str
    name: str
    target: str
    unit: str  # a catalog unit: share, days, ratio, count
    source: str
    how: str
    low: float = -INF
    high: float = INF
    needs: tuple[str, ...] = ()  # row columns it reads: missing ones make it not applicable
    value: Callable[[Row, Context], float] | None = None
    pooled: Callable[[Sequence[Row]], tuple[float, float, float, str]] | None = None
    applies: Callable[[Context], str | None] | None = None
    target_range: Callable[[Context], tuple[float, float]] | None = None
    floor: bool = False  # '> X': the whole interval must clear ``low`` (see judge.level_holds)

    def range(self, context: Context) -> tuple[float, float]:
        return self.target_range(context) if self.target_range else (self.low, self.high)


def _share_of_forecast(*columns: str) -> Callable[[Row, Context], float]:
    def share(row: Row, _: Context) -> float:
        forecast = sum(row[c] for c in FORECAST_COLUMNS)
        return sum(row[c] for c in columns) / forecast if forecast else math.nan

    return share


def _column(name: str) -> Callable[[Row, Context], float]:
    return lambda row, _: float(row[name])


def _lost_over_won(row: Row, _: Context) -> float:
    won = row["cycle_days_won_median"]
    return row["cycle_days_lost_median"] / won if won and math.isfinite(won) else math.nan


MIN_LEADS_PER_BUCKET = 30
"""Fewer answered leads than this in a response-time bucket (pooled over replications) give no
rate worth a ratio: the level is then not judged rather than judged on a handful of leads."""


def response_ratio(fast: str, slow: str, seed: int = 0) -> Callable[[Sequence[Row]], Any]:
    """The qualification rate of leads answered in bucket ``fast`` over that of bucket ``slow``,
    counts pooled over the replications; a percentile bootstrap over replications for the
    interval (``inf`` when no slow-answered lead qualified); and a note of the pooled counts."""

    def ratio(rows: Sequence[Row]) -> tuple[float, float, float, str]:
        counts = np.array(
            [[r[f"qualified_{fast}"], r[f"answered_{fast}"], r[f"qualified_{slow}"],
              r[f"answered_{slow}"]] for r in rows], dtype=float,
        )  # fmt: skip

        def of(total: np.ndarray) -> np.ndarray:
            q_fast, n_fast, q_slow, n_slow = total.T
            with np.errstate(divide="ignore", invalid="ignore"):
                return (q_fast / n_fast) / (q_slow / n_slow)

        total = counts.sum(axis=0)
        value = float(of(total[np.newaxis])[0])
        note = (f"{total[0]:.0f} of {total[1]:.0f} {fast.replace('_', ' ')} leads qualified, "
                f"{total[2]:.0f} of {total[3]:.0f} {slow.replace('_', ' ')}")  # fmt: skip
        if min(total[1], total[3]) < MIN_LEADS_PER_BUCKET:
            return math.nan, math.nan, math.nan, f"too few leads to judge: {note}"
        low, high = _bootstrap(counts, of, seed)
        exact_low, exact_high = _exact_ratio_interval(*total)
        return value, min(low, exact_low), max(high, exact_high), note

    return ratio


def _exact_ratio_interval(
    q_fast: float, n_fast: float, q_slow: float, n_slow: float
) -> tuple[float, float]:
    """Bounds on a ratio of two rates from their exact (Clopper–Pearson) 97.5% intervals:
    the bootstrap alone collapses to [inf, inf] when no slow lead qualified, which a ratio of
    0 of 63 cannot support; these bounds grow with the leads behind them."""

    def rate(q: float, n: float) -> tuple[float, float]:
        low = stats.beta.ppf(0.0125, q, n - q + 1) if q > 0 else 0.0
        high = stats.beta.ppf(0.9875, q + 1, n - q) if q < n else 1.0
        return float(low), float(high)

    fast_low, fast_high = rate(q_fast, n_fast)
    slow_low, slow_high = rate(q_slow, n_slow)
    low = fast_low / slow_high if slow_high > 0 else math.nan
    high = fast_high / slow_low if slow_low > 0 else INF
    return low, high


def _bootstrap(
    counts: np.ndarray, of: Callable[[np.ndarray], np.ndarray], seed: int
) -> tuple[float, float]:
    """A 95% percentile-bootstrap interval of ``of`` (a function of pooled counts), resampling
    replications (the rows of ``counts``); NaN bounds for fewer than two replications."""
    if len(counts) < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(counts), (BOOTSTRAP_RESAMPLES, len(counts)))
    samples = of(counts[picks].sum(axis=1))
    samples = samples[~np.isnan(samples)]
    if not samples.size:
        return math.nan, math.nan
    low = float(np.quantile(samples, 0.025, method="lower"))
    high = float(np.quantile(samples, 0.975, method="higher"))
    return low, high


COMMITTEE_BUCKETS = {"one": (1.0, 2.0), "six_plus": (6.0, INF)}
"""Buying-committee sizes (people) the CEB figures compare: one decision maker, six or more."""
MIN_DEALS_PER_BUCKET = 30
"""As for leads: fewer buying efforts than this in a committee-size bucket are not judged."""


def purchase_share(bucket: str, seed: int = 0) -> Callable[[Sequence[Row]], Any]:
    """The share of buying efforts past discovery with a committee in ``bucket`` that end in a
    purchase from anyone (won, or lost to a competitor or the household name; not no decision,
    a stall or a group that pulled out), pooled over the replications, with a bootstrap interval."""

    def share(rows: Sequence[Row]) -> tuple[float, float, float, str]:
        counts = np.array(
            [[r[f"purchased_{bucket}"], r[f"decided_{bucket}"]] for r in rows], dtype=float
        )

        def of(total: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return total[..., 0] / total[..., 1]

        total = counts.sum(axis=0)
        note = f"{total[0]:.0f} of {total[1]:.0f} buying efforts bought"
        if total[1] < MIN_DEALS_PER_BUCKET:
            return math.nan, math.nan, math.nan, f"too few deals to judge: {note}"
        return (float(total[0] / total[1]), *_bootstrap(counts, of, seed), note)

    return share


def bass_share(start: float, p: float, q: float, years: float, steps: int = 2000) -> float:
    """Share aware after ``years`` of Bass diffusion dF/dt = (p + q F)(1 - F) from ``start``."""
    share, dt = start, years / steps
    for _ in range(steps):
        share += (p + q * share) * (1 - share) * dt
    return share


BASS_P = (0.01, 0.03)
BASS_Q = (0.30, 0.46)


def _bass_range(context: Context) -> tuple[float, float]:
    start = context.parameters.market.aware_share
    years = context.horizon_months / 12
    return bass_share(start, BASS_P[0], BASS_Q[0], years), bass_share(
        start, BASS_P[1], BASS_Q[1], years
    )


LEVELS: tuple[Level, ...] = (
    Level("win_rate", "Win rate of forecast deals", "45–50%", "share",
          "CSO Insights sales performance study, 2011",
          "won / forecast deals (decided after a proposal: won, lost, no decision, stalled) "
          "per replication", 0.45, 0.50, FORECAST_COLUMNS, _share_of_forecast("won")),
    Level("no_decision_share", "No decision, share of forecast deals", "20–25%", "share",
          "CSO Insights sales performance study, 2011",
          "lost_no_decision / forecast deals per replication",
          0.20, 0.25, FORECAST_COLUMNS, _share_of_forecast("lost_no_decision")),
    Level("competitor_loss_share", "Lost to competitors, share of forecast deals",
          "~30% (25–35%)", "share", "CSO Insights sales performance study, 2011",
          "(lost_competitor + lost_household_brand) / forecast deals per replication",
          0.25, 0.35, FORECAST_COLUMNS,
          _share_of_forecast("lost_competitor", "lost_household_brand")),
    Level("response_first_vs_second_hour",
          "Lead response: qualification rate, first hour ÷ second hour", "~7× (5–10×)", "ratio",
          "Oldroyd, McElheran & Elkington, HBR, March 2011",
          "inbound and direct leads by hours to first call; qualified / answered per bucket, "
          "pooled over replications", 5.0, 10.0,
          ("answered_first_hour", "answered_second_hour"),
          pooled=response_ratio("first_hour", "second_hour")),
    Level("response_first_hour_vs_after_day",
          "Lead response: qualification rate, first hour ÷ after 24 h", "> 60×", "ratio",
          "Oldroyd, McElheran & Elkington, HBR, March 2011",
          "as above, leads first called 24 hours or more after they arrived", 60.0, INF,
          ("answered_first_hour", "answered_after_day"),
          pooled=response_ratio("first_hour", "after_day"), floor=True),
    Level("purchase_one_decision_maker",
          "Buying group: purchase likelihood, one decision maker", "~81% (75–87%)", "share",
          "CEB (Challenger) research, as summarised in the trade press",
          "buying efforts past discovery (decided deals and groups that pulled out) whose "
          "committee is one person that end in a purchase from anyone, pooled over "
          "replications", 0.75, 0.87, ("decided_one",),
          pooled=purchase_share("one")),
    Level("purchase_six_plus",
          "Buying group: purchase likelihood, six or more", "~31% (25–37%)", "share",
          "CEB (Challenger) research, as summarised in the trade press",
          "as above, committees of six or more", 0.25, 0.37, ("decided_six_plus",),
          pooled=purchase_share("six_plus")),
    Level("cycle_smb", "Won-deal cycle, SMB median", "14–30 days", "days",
          "industry benchmarks (MODEL.md section 5)", "cycle_days_won_median_smb",
          14.0, 30.0, ("cycle_days_won_median_smb",), _column("cycle_days_won_median_smb"),
          applies=lambda context: None if context.parameters.market.smb_share > 0 else
          "the scenario has no small businesses (market.smb_share is 0)"),
    Level("cycle_mid_market", "Won-deal cycle, mid-market median", "30–90 days", "days",
          "industry benchmarks (MODEL.md section 5)", "cycle_days_won_median_mid_market",
          30.0, 90.0, ("cycle_days_won_median_mid_market",),
          _column("cycle_days_won_median_mid_market")),
    Level("cycle_enterprise", "Won-deal cycle, enterprise median", "90–180+ days", "days",
          "industry benchmarks (MODEL.md section 5)", "cycle_days_won_median_enterprise",
          90.0, INF, ("cycle_days_won_median_enterprise",),
          _column("cycle_days_won_median_enterprise")),
    Level("lost_faster_than_won", "Lost deals close faster: median lost ÷ won cycle",
          "< 1 (14 ÷ 57 = 0.25)", "ratio", "crm-maven CRM export (../shared/data/crm-maven)",
          "median days open of lost opportunities as a CRM records them (every opportunity "
          "that had its first meeting and closed not won: disqualified, pulled out, stalled, "
          "lost, no decision) over that of won deals, per replication", 0.0, 1.0,
          ("cycle_days_lost_median", "cycle_days_won_median"), _lost_over_won),
    Level("rep_turnover", "Hunter turnover a year", "30–35%", "share",
          "The Bridge Group, SaaS AE metrics reports (2018–2022)",
          "hunter_attrition / (hunter seats × horizon years) per replication",
          0.30, 0.35, ("hunter_turnover_rate",), _column("hunter_turnover_rate")),
    Level("grr", "Gross revenue retention", "90–92%", "share",
          "SaaS Capital retention survey, 2022", "grr (last year's customers)",
          0.90, 0.92, ("grr",), _column("grr")),
    Level("nrr", "Net revenue retention", "100–106%", "share",
          "SaaS Capital retention survey, 2022", "nrr (last year's customers)",
          1.00, 1.06, ("nrr",), _column("nrr")),
    Level("bass_awareness", "Awareness at the horizon (Bass-like growth)",
          f"Bass, p {BASS_P[0]}–{BASS_P[1]}, q {BASS_Q[0]}–{BASS_Q[1]} /yr", "share",
          "Sultan, Farley & Lehmann 1990; Mahajan, Muller & Bass 1995",
          "aware_share_end against the Bass closed form from the starting aware share",
          needs=("aware_share_end",), value=_column("aware_share_end"),
          target_range=_bass_range),
    Level("in_market", "In market a quarter (inbound leads per aware prospect)", "~5% (4–6%)",
          "share", "LinkedIn B2B Institute / Ehrenberg-Bass (95:5)",
          "inbound leads per quarter / aware accounts that are not customers (month-end mean)",
          0.04, 0.06, ("inbound_per_aware_quarter",), _column("inbound_per_aware_quarter")),
)  # fmt: skip
"""Every published level, in the order the table shows them."""
