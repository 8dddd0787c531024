"""Metrics: pure functions from one replication's event log to a summary row and a monthly table.

Every metric's value is computed here and only here (its label, unit and direction are declared
in ``simulator.metrics.catalog``); the runner, the tests and the report all read these.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.metrics.catalog import MONTHLY, SUMMARY
from simulator.metrics.revenue import arr_changes, median_or_nan, revenue
from simulator.model.entities import ENTERPRISE, MID_MARKET, SMB
from simulator.model.events import Discovery, ExitReason, Kind, Meeting, Outcome, Source, rows
from simulator.model.outcomes import DECIDED, OUTCOMES
from simulator.parameters import STAGES, Parameters
from simulator.units import DAYS_PER_MONTH, DAYS_PER_YEAR

EVALUATION, PROPOSAL = STAGES.index("evaluation"), STAGES.index("proposal")

SUMMARY_COLUMNS: tuple[str, ...] = tuple(SUMMARY)
"""Summary metrics, one value per replication (declared in ``metrics.catalog``). Counts are
opportunities unless named otherwise."""

MONTHLY_COLUMNS: tuple[str, ...] = tuple(MONTHLY)
"""Monthly metrics: flows within the month, or stocks at the month's end (``open_*``,
``deals_waiting_on_release``, ``hunters_on_plan``, ``hunters``, ``arr``, ``customers``,
``references``, ``detractors``, ``aware_share``); ``brand_adstock`` is the month's adstock."""

BOOKINGS_HORIZONS_MONTHS = (12, 24, 36)
"""The horizons of the ``bookings_<n>m`` summary metrics: ACV signed in the first n months."""
MONTHS_PER_QUARTER = 3
FIRST_QUARTER_DAYS = MONTHS_PER_QUARTER * DAYS_PER_MONTH
"""The window of the ``*_q1`` summary metrics: the first quarter, from day 0."""


_OUTCOME_COLUMNS = {spec.outcome: spec.column for spec in OUTCOMES}


def summarise(log: np.ndarray, horizon_days: float, parameters: Parameters) -> dict[str, float]:
    """One replication's summary row (see SUMMARY_COLUMNS), part by part of the model."""
    kind = np.ascontiguousarray(log["kind"])
    deals = Selected(log, kind)
    row = _pipeline(log, kind, deals)
    row.update(_outcomes(log, kind, deals))
    row.update(_cycles_and_bookings(log, kind, deals, horizon_days))
    row.update(_buying(log, kind, deals, horizon_days, parameters))
    row.update(_death_spiral(log, kind, horizon_days))
    row.update(_team(log, kind, horizon_days))
    row.update(revenue(log, horizon_days, parameters, row["won"]))
    return row


class Selected:
    """The records most parts of the row count from, selected once."""

    def __init__(self, log: np.ndarray, kind: np.ndarray) -> None:
        self.closed = rows(log, kind == Kind.CLOSED)
        self.opened = rows(log, kind == Kind.OPENED)
        self.qualified = rows(log, kind == Kind.QUALIFIED)
        self.leads = rows(log, kind == Kind.LEAD)
        self.won = self.closed[self.closed["code"] == Outcome.WON]


def _pipeline(log: np.ndarray, kind: np.ndarray, deals: Selected) -> dict[str, float]:
    """Leads by source, opportunities and how far they got."""
    row: dict[str, float] = {
        "leads_total": int(np.count_nonzero(kind == Kind.LEAD)),
        "leads_unanswered": int(np.count_nonzero(kind == Kind.LEAD_UNANSWERED)),
        "opportunities": int(deals.opened.size),
        "qualified": int(deals.qualified.size),
    }
    stages = log["code"][kind == Kind.STAGE]
    row["evaluations"] = int(np.count_nonzero(stages == EVALUATION))
    row["proposals"] = int(np.count_nonzero(stages == PROPOSAL))
    row["qualification_rate"] = (
        row["qualified"] / row["leads_total"] if row["leads_total"] else math.nan
    )
    for source, column in ((Source.INBOUND, "leads_inbound"), (Source.DIRECT, "leads_direct"),
                           (Source.OUTBOUND, "leads_outbound")):  # fmt: skip
        row[column] = int(np.count_nonzero(deals.leads["code"] == source))
    return row


def _outcomes(log: np.ndarray, kind: np.ndarray, deals: Selected) -> dict[str, float]:
    """How deals ended (``model/outcomes.py``), what is still open, and the win rates."""
    closed = deals.closed
    outcome_counts = np.bincount(closed["code"], minlength=len(Outcome))
    row: dict[str, float] = {
        column: int(outcome_counts[outcome]) for outcome, column in _OUTCOME_COLUMNS.items()
    }
    row["open_at_horizon"] = int(deals.opened.size - closed.size)
    decided = int(sum(outcome_counts[o] for o in DECIDED))
    row["win_rate"] = row["won"] / decided if decided else math.nan
    row["crm_win_rate"] = _crm_win_rate(log, kind, closed)
    return row


def _cycles_and_bookings(
    log: np.ndarray, kind: np.ndarray, deals: Selected, horizon_days: float
) -> dict[str, float]:
    """How long won deals took, by segment, and the ACV signed by each bookings horizon."""
    won, opened, leads = deals.won, deals.opened, deals.leads
    segment_of = dict(zip(leads["subject"].tolist(), leads["value"].tolist(), strict=True))
    opened_day = dict(zip(opened["subject"].tolist(), opened["day"].tolist(), strict=True))
    won_ids = won["subject"].tolist()
    cycle = np.array(
        [day - opened_day[s] for s, day in zip(won_ids, won["day"].tolist(), strict=True)]
    )
    won_segment = np.array([segment_of[s] for s in won_ids])
    row: dict[str, float] = {
        "cycle_days_won_median": median_or_nan(cycle),
        "cycle_days_won_mean": float(cycle.mean()) if cycle.size else math.nan,
        "cycle_days_won_median_enterprise": median_or_nan(cycle[won_segment == ENTERPRISE]),
        "cycle_days_won_median_mid_market": median_or_nan(cycle[won_segment == MID_MARKET]),
        "cycle_days_won_median_smb": median_or_nan(cycle[won_segment == SMB]),
    }
    booked = rows(
        log,
        (kind == Kind.BETA_CONVERTED) | ((kind == Kind.CLOSED) & (log["code"] == Outcome.WON)),
    )
    for months in BOOKINGS_HORIZONS_MONTHS:
        day = months * DAYS_PER_MONTH
        booked_by = float(booked["value"][booked["day"] < day].sum())
        row[f"bookings_{months}m"] = booked_by if day <= horizon_days + 1e-9 else math.nan
    late = deals.closed[deals.closed["day"] >= horizon_days - DAYS_PER_YEAR]
    late_decided = np.count_nonzero(np.isin(late["code"], DECIDED))
    late_won = np.count_nonzero(late["code"] == Outcome.WON)
    row["win_rate_late"] = late_won / late_decided if late_decided else math.nan
    return row


def _buying(
    log: np.ndarray, kind: np.ndarray, deals: Selected, horizon_days: float, parameters: Parameters
) -> dict[str, float]:
    """The buyer's side: meetings, waits for a call and a demo, premature proposals, and
    what deals without a sponsor cost."""
    meetings = rows(log, kind == Kind.MEETING)
    in_first_quarter = meetings["day"] < FIRST_QUARTER_DAYS
    opened, qualified = deals.opened, deals.qualified
    answered = opened[np.isin(opened["code"], (Source.INBOUND, Source.DIRECT))]  # waited for a call
    demos = rows(log, kind == Kind.DEMO_STARTED)
    sponsored = set(qualified["subject"][(qualified["code"] & Discovery.SPONSOR) != 0].tolist())
    row: dict[str, float] = {
        "meetings_q1": int(np.count_nonzero(in_first_quarter)),
        "meeting_attendees_q1": float(meetings["value"][in_first_quarter].sum()),
        "lead_wait_hours_median": median_or_nan(answered["value"]),
        "demo_wait_days_mean": float(demos["value"].mean()) if demos.size else math.nan,
        "premature_proposals": int(np.count_nonzero(kind == Kind.PREMATURE_PROPOSAL)),
        "sponsorless_won": sum(1 for s in deals.won["subject"].tolist() if s not in sponsored),
    }
    row.update(_sponsorless_effort(log, qualified, deals.closed, horizon_days, parameters))
    return row


DEATH_SPIRAL_COUNTS = {
    "vaporware_pitches": Kind.PITCHED,
    "beta_partners": Kind.BETA_OFFERED,
    "hunters_put_on_plan": Kind.PLAN_STARTED,
    "feature_references": Kind.FEATURE_REFERENCE,
    "fatigued_opportunities": Kind.FATIGUED,
    "orphaned_opportunities": Kind.ORPHANED,
    "hunter_check_ins": Kind.HUNTER_CHECK_IN,
}


def _death_spiral(log: np.ndarray, kind: np.ndarray, horizon_days: float) -> dict[str, float]:
    """The pitch and its loop: pitches, betas, the plan, references, fatigue, orphans, new
    faces, the deals waiting on a release and how late releases came."""
    row: dict[str, float] = {
        column: int(np.count_nonzero(kind == counted))
        for column, counted in DEATH_SPIRAL_COUNTS.items()
    }
    row["new_faces"] = int(log["value"][kind == Kind.NEW_FACES].sum())
    waiting = _running_stock(log, Kind.WAITING_STARTED, (Kind.WAITING_ENDED,))
    row["deals_waiting_on_release_peak"] = int(waiting.max()) if waiting.size else 0
    row["release_slip_days"] = _release_slip_days(log, horizon_days)
    return row


def _team(log: np.ndarray, kind: np.ndarray, horizon_days: float) -> dict[str, float]:
    """Hunters who left (a reduction of the team is not attrition) and the turnover rate."""
    left = log["code"][kind == Kind.HUNTER_LEFT]
    attrition = int(np.count_nonzero(left != ExitReason.REDUCED))
    seats = rows(log, kind == Kind.SEATS)
    spans = np.diff(np.append(np.maximum(seats["day"], 0.0), horizon_days))
    seat_years = float(np.dot(seats["value"], spans)) / DAYS_PER_YEAR
    return {
        "hunter_attrition": attrition,
        "hunters_resigned": int(np.count_nonzero(left == ExitReason.VOLUNTARY)),
        "hunter_turnover_rate": attrition / seat_years if seat_years else math.nan,
    }


def _crm_win_rate(log: np.ndarray, kind: np.ndarray, closed: np.ndarray) -> float:
    """Won / (won + lost) as a CRM holds the deals (``crm/simulated.py``): an opportunity
    from its first meeting (a deal open in the export at the start had one), every close
    that is not a win a loss, a deal that went dark a loss once the cleanup closed it."""
    met = log["subject"][(kind == Kind.MEETING) & (log["code"] == Meeting.FIRST)]
    leads = log[kind == Kind.LEAD]
    exported = leads["subject"][leads["code"] == Source.OPEN_AT_START]
    cleaned = log["subject"][kind == Kind.CLEANED_UP]
    shown = (closed["code"] != Outcome.STALLED) | np.isin(closed["subject"], cleaned)
    counted = closed[shown & np.isin(closed["subject"], np.concatenate([met, exported]))]
    if not counted.size:
        return math.nan
    return int(np.count_nonzero(counted["code"] == Outcome.WON)) / counted.size


def _sponsorless_effort(
    log: np.ndarray,
    qualified: np.ndarray,
    closed: np.ndarray,
    horizon_days: float,
    parameters: Parameters,
) -> dict[str, float]:
    """What deals that need a sponsor and have none cost: they replace a process that works
    today, so they cannot close won (MODEL.md 2.4). A deal holds one of its hunter's slots from
    opening to close (or the horizon), a slot-day being 1/capacity of a hunter's day; a sales
    engineer spends each demo's duration on it."""
    flags = qualified["code"]
    doomed_mask = ((flags & Discovery.REPLACES_WORKING_PROCESS) != 0) & (
        (flags & Discovery.SPONSOR) == 0
    )
    doomed = qualified["subject"][doomed_mask]
    kind = np.ascontiguousarray(log["kind"])
    opened = rows(log, (kind == Kind.OPENED) & np.isin(log["subject"], doomed))
    ended = dict(zip(closed["subject"].tolist(), closed["day"].tolist(), strict=True))
    slot_days = sum(
        ended.get(subject, horizon_days) - day
        for subject, day in zip(opened["subject"].tolist(), opened["day"].tolist(), strict=True)
    )
    demos = np.isin(log["subject"], doomed)
    started = log["day"][demos & (kind == Kind.DEMO_STARTED)]
    finished = log["day"][demos & (kind == Kind.MEETING) & (log["code"] == Meeting.DEMO)]
    # demos of one deal run one after another: a start without its end runs to the horizon
    engineer_days = finished.sum() - started.sum() + horizon_days * (started.size - finished.size)
    no_decision = closed["code"] == Outcome.LOST_NO_DECISION
    return {
        "lost_no_decision_no_sponsor": int(
            np.count_nonzero(no_decision & np.isin(closed["subject"], doomed))
        ),
        "sponsorless_hunter_days": float(slot_days / parameters.team.hunter_capacity_opportunities),
        "sponsorless_engineer_days": float(engineer_days),
    }


def _running_stock(log: np.ndarray, up: Kind, down: tuple[Kind, ...]) -> np.ndarray:
    """The stock after each change, changes in time order (+1 for ``up``, -1 for ``down``)."""
    kind = np.ascontiguousarray(log["kind"])
    changes = rows(log, (kind == up) | np.isin(kind, down))
    order = np.argsort(changes["day"], kind="stable")
    steps = np.where(changes["kind"][order] == up, 1, -1)
    return np.cumsum(steps)


def _release_slip_days(log: np.ndarray, horizon_days: float) -> float:
    """Mean lateness of announced features against the date promised to prospects: released
    ones by their release, ones still unreleased whose promised date passed by the horizon."""
    kind = np.ascontiguousarray(log["kind"])
    announced = rows(log, kind == Kind.FEATURE_ANNOUNCED)
    released = rows(log, kind == Kind.FEATURE_RELEASED)
    release_day = dict(zip(released["subject"].tolist(), released["day"].tolist(), strict=True))
    late = [
        max(0.0, release_day.get(feature, horizon_days) - promised)
        for feature, promised in zip(
            announced["subject"].tolist(), announced["value"].tolist(), strict=True
        )
        if feature in release_day or promised < horizon_days
    ]
    return float(np.mean(late)) if late else math.nan


def monthly(log: np.ndarray, horizon_months: int, accounts: int) -> dict[str, np.ndarray]:
    """One replication's monthly table: a column per MONTHLY_COLUMNS, ``horizon_months`` rows."""
    kind = np.ascontiguousarray(log["kind"])
    month = np.minimum((log["day"] // DAYS_PER_MONTH).astype(np.int64), horizon_months - 1)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Events per month, or the sum of ``weights`` per month (always float then)."""
        if weights is None:
            return np.bincount(month[mask], minlength=horizon_months)
        summed = weights[mask].astype(float)
        return np.bincount(month[mask], weights=summed, minlength=horizon_months) + 0.0

    # Records of every kind by month at once (one pass, not one per kind).
    kinds = max(Kind) + 1
    by_kind = np.bincount(
        kind.astype(np.int64) * horizon_months + month, minlength=kinds * horizon_months
    ).reshape(kinds, horizon_months)

    def of(counted: Kind) -> np.ndarray:
        """Records of kind ``counted`` per month."""
        return by_kind[counted].copy()

    closed = kind == Kind.CLOSED
    table: dict[str, np.ndarray] = {
        "leads": of(Kind.LEAD),
        "opportunities": of(Kind.OPENED),
        "qualified": of(Kind.QUALIFIED),
    }
    for outcome, column in _OUTCOME_COLUMNS.items():
        table[column] = count(closed & (log["code"] == outcome))
    booked = (closed & (log["code"] == Outcome.WON)) | (kind == Kind.BETA_CONVERTED)
    table["bookings"] = count(booked, log["value"]).astype(float)
    table["meetings"] = of(Kind.MEETING)
    table["vaporware_pitches"] = of(Kind.PITCHED)
    new_faces = kind == Kind.NEW_FACES
    table["new_faces"] = count(new_faces, log["value"]).astype(np.int64)
    table["feature_references"] = of(Kind.FEATURE_REFERENCE)
    table["fatigued_opportunities"] = of(Kind.FATIGUED)
    table["hunters_put_on_plan"] = of(Kind.PLAN_STARTED)
    left = kind == Kind.HUNTER_LEFT
    table["hunter_attrition"] = count(left & (log["code"] != ExitReason.REDUCED))
    table["open_opportunities"] = np.cumsum(table["opportunities"]) - np.cumsum(count(closed))
    table["open_pipeline_acv"] = _open_pipeline_value(log, horizon_months)
    table["deals_waiting_on_release"] = np.cumsum(of(Kind.WAITING_STARTED) - of(Kind.WAITING_ENDED))
    table["hunters_on_plan"] = np.cumsum(
        table["hunters_put_on_plan"] - of(Kind.PLAN_ENDED) - count(_left_on_plan(log))
    )
    table["hunters"] = np.cumsum(of(Kind.HUNTER_HIRED) - count(left))
    changes = arr_changes(log)
    change_month = np.minimum((changes.day // DAYS_PER_MONTH).astype(np.int64), horizon_months - 1)

    def arr_flow(mask: np.ndarray) -> np.ndarray:
        weights = changes.amount[mask].astype(float)
        return np.bincount(change_month[mask], weights=weights, minlength=horizon_months) + 0.0

    table["arr"] = np.round(np.cumsum(arr_flow(np.ones(changes.size, bool))), 2) + 0.0
    table["new_arr"] = arr_flow(
        (changes.kind == Kind.CLOSED) | (changes.kind == Kind.BETA_CONVERTED)
    )
    table["expansion_arr"] = arr_flow(changes.kind == Kind.EXPANDED)
    table["churned_arr"] = -arr_flow(changes.kind == Kind.CHURNED) + 0.0
    table["contracted_arr"] = -arr_flow(changes.kind == Kind.CONTRACTED) + 0.0
    signed = count(closed & (log["code"] == Outcome.WON)) + of(Kind.CUSTOMER_AT_START)
    table["customers"] = np.cumsum(signed - of(Kind.CHURNED))
    table["references"] = np.cumsum(of(Kind.REFERENCE_GAINED) - of(Kind.REFERENCE_LOST))
    table["detractors"] = np.cumsum(of(Kind.DETRACTOR))
    aware_start = log["value"][kind == Kind.AWARE_AT_START].sum()
    aware = aware_start + np.cumsum(of(Kind.BECAME_AWARE) - of(Kind.FORGOT))
    table["aware_share"] = aware / accounts
    adstock = kind == Kind.BRAND_ADSTOCK
    table["brand_adstock"] = count(adstock, log["value"]) / np.maximum(count(adstock), 1)
    table["marketing_spend"] = count(kind == Kind.MARKETING_SPENT, log["value"])
    return {name: table[name] for name in MONTHLY_COLUMNS}


def _left_on_plan(log: np.ndarray) -> np.ndarray:
    """Mask of the HUNTER_LEFT records of hunters on the plan when they left (every plan exit,
    and a voluntary exit while on the plan); the log is in time order."""
    kind = np.ascontiguousarray(log["kind"])
    plan_kinds = (Kind.PLAN_STARTED, Kind.PLAN_ENDED, Kind.HUNTER_LEFT)
    on_plan: set[int] = set()
    left = np.zeros(log.size, dtype=bool)
    for i in np.flatnonzero(np.isin(kind, plan_kinds)).tolist():
        hunter = int(log["actor"][i])
        if kind[i] == Kind.PLAN_STARTED:
            on_plan.add(hunter)
        elif hunter in on_plan:
            on_plan.discard(hunter)
            left[i] = kind[i] == Kind.HUNTER_LEFT
    return left


def _open_pipeline_value(log: np.ndarray, horizon_months: int) -> np.ndarray:
    """ACV at stake in qualified opportunities still open at each month's end."""
    kind = np.ascontiguousarray(log["kind"])
    qualified = rows(log, kind == Kind.QUALIFIED)
    closed = rows(log, kind == Kind.CLOSED)
    closed_month = dict(
        zip(
            closed["subject"].tolist(),
            (closed["day"] // DAYS_PER_MONTH).tolist(),
            strict=True,
        )
    )
    change = np.zeros(horizon_months + 1)
    for subject, day, value in zip(
        qualified["subject"].tolist(),
        qualified["day"].tolist(),
        qualified["value"].tolist(),
        strict=True,
    ):
        change[int(day // DAYS_PER_MONTH)] += value
        change[int(closed_month.get(subject, horizon_months))] -= value
    # a running sum of added and removed amounts: round to cents so an empty pipeline reads 0
    return np.round(np.cumsum(change)[:horizon_months], 2) + 0.0
